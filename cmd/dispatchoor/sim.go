package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/dispatchoor/dispatchoor/github/sim"
)

// runSim serves the GitHub simulator alone: for trying a real config
// against it (github.api_url) and for tests that run it in another
// process. It prints where it listens and the tokens it accepts.
func runSim(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:9191", "address to listen on")
	file := fs.String("config", "", "simulator configuration (TOML or JSON); default: the demo world")
	runners := fs.Int("runners", 0, "replace the configured runners with N demo runners")
	seed := fs.Int64("seed", 0, "seed of every random choice (0: the configuration's)")
	mode := fs.String("mode", "", "dotcom or ghes:VERSION, e.g. ghes:3.20 (default: the configuration's)")
	hook := fs.String("hook", "", "deliver workflow_run and workflow_job webhooks to this URL")
	hookSecret := fs.String("hook-secret", "", "secret the webhooks are signed with")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 {
		return errUsage
	}
	cfg, err := simConfig(*file, *runners, *seed, *mode)
	if err != nil {
		return err
	}
	if *hook != "" {
		if *hookSecret == "" {
			return fmt.Errorf("sim: --hook needs --hook-secret")
		}
		cfg.Hooks = append(cfg.Hooks, sim.HookConfig{URL: *hook, Secret: *hookSecret, Scope: "app",
			Events: []string{"workflow_run", "workflow_job"}})
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return fmt.Errorf("sim: listen %s: %w", *listen, err)
	}
	base := "http://" + ln.Addr().String()
	if cfg.PublicURL == "" {
		cfg.PublicURL = base
	}
	s, err := sim.Build(cfg)
	if err != nil {
		ln.Close()
		return err
	}
	defer s.Close()
	printSimBanner(stdout, cfg, base)
	return serveSim(ctx, s, ln)
}

// simConfig loads the simulator's world: a file, or the demo world, with
// the command line's overrides.
func simConfig(file string, runners int, seed int64, mode string) (sim.Config, error) {
	cfg := sim.DemoConfig()
	if file != "" {
		var err error
		if cfg, err = sim.LoadConfig(file); err != nil {
			return sim.Config{}, err
		}
	}
	if runners > 0 {
		cfg.Runners = sim.DemoRunners(runners)
	}
	if seed != 0 {
		cfg.Seed = seed
	}
	if mode != "" {
		cfg.Mode = mode
	}
	if err := cfg.Validate(); err != nil {
		return sim.Config{}, fmt.Errorf("sim config: %w", err)
	}
	return cfg, nil
}

func printSimBanner(w io.Writer, cfg sim.Config, base string) {
	mode := cfg.Mode
	if mode == "" {
		mode = sim.ModeDotcom
	}
	api := base + "/"
	if mode != sim.ModeDotcom {
		api = base + "/api/v3/"
	}
	fmt.Fprintf(w, "simulated GitHub (%s) listening on %s\n", mode, base)
	fmt.Fprintf(w, "  github.api_url = %q\n", api)
	for _, t := range cfg.Tokens {
		fmt.Fprintf(w, "  token: %s\n", t.Token)
	}
	fmt.Fprintf(w, "  control API: %s/_sim/state\n", base)
}

// serveSim serves s on ln until ctx ends.
func serveSim(ctx context.Context, s *sim.Sim, ln net.Listener) error {
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			return fmt.Errorf("sim shutdown: %w", err)
		}
		return nil
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return fmt.Errorf("sim serve: %w", err)
	}
}
