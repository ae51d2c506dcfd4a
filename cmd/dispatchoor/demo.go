package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"strings"

	"github.com/dispatchoor/dispatchoor/actors"
	"github.com/dispatchoor/dispatchoor/actors/state"
	"github.com/dispatchoor/dispatchoor/config"
	"github.com/dispatchoor/dispatchoor/github/sim"
)

// demoOptions are the demo's command-line flags.
type demoOptions struct {
	listen, data          string
	adminPass, viewerPass string
	speed                 float64
}

// runDemo runs the server against the built-in GitHub simulator: two
// runner groups with their own runners, realistic templates, jobs queued at
// first start, webhooks from the simulator to the server, and logins it
// prints. Everything lives in one data folder.
func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o demoOptions
	fs.StringVar(&o.listen, "listen", "127.0.0.1:9090", "address the dashboard and API listen on")
	fs.StringVar(&o.data, "data", "./demo-data", "folder for the demo's journal and snapshots")
	fs.StringVar(&o.adminPass, "admin-password", "admin", "password of the demo user admin")
	fs.StringVar(&o.viewerPass, "viewer-password", "viewer", "password of the read-only demo user viewer")
	fs.Float64Var(&o.speed, "speed", 1, "run the simulated GitHub this many times faster than real time")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 {
		return errUsage
	}
	if o.speed <= 0 {
		return fmt.Errorf("demo: --speed must be positive, got %v", o.speed)
	}
	host, port, err := net.SplitHostPort(o.listen)
	if err != nil {
		return fmt.Errorf("demo: --listen %q: %w", o.listen, err)
	}

	// The simulator listens on a loopback port of its own; its webhooks go
	// to the server's endpoint, signed with a secret made for this run.
	simLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("demo: simulator listener: %w", err)
	}
	simURL := "http://" + simLn.Addr().String()
	secret := randomSecret()
	scfg := sim.DemoConfig()
	scfg.ClockScale = o.speed
	scfg.PublicURL = simURL
	s, err := sim.Build(scfg)
	if err != nil {
		simLn.Close()
		return err
	}
	defer s.Close()
	simCtx, stopSim := context.WithCancel(context.Background())
	simDone := make(chan error, 1)
	go func() { simDone <- serveSim(simCtx, s, simLn) }()
	defer func() { stopSim(); <-simDone }()

	cfg, err := config.Parse([]byte(demoConfig(o, simURL, secret)), "toml", "", config.LoadOptions{})
	if err != nil {
		return fmt.Errorf("demo config: %w", err)
	}
	cfg.Storage.Dir = o.data
	log, err := newLogger(stderr, cfg.Logging.Level, cfg.Logging.Format)
	if err != nil {
		return err
	}
	a, err := startApp(ctx, cfg, log, appHooks{})
	if err != nil {
		return err
	}
	// The server's address is known only now when --listen asked for any
	// port.
	if _, err := s.AddHook(sim.HookConfig{URL: "http://" + loopbackAddr(a.ln.Addr()) + "/api/v1/webhooks/github", Secret: secret,
		Scope: "app", Events: []string{"workflow_run", "workflow_job"}}); err != nil {
		return errors.Join(fmt.Errorf("demo: webhooks: %w", err), a.shutdown())
	}
	if err := seedDemoJobs(ctx, a.sys); err != nil {
		log.Warn("demo: queue the first jobs", "err", err)
	}
	printDemoBanner(stdout, o, a.ln.Addr().String(), simURL)
	if !isLoopback(host) {
		fmt.Fprintf(stderr, "WARNING: the demo listens on %s with the passwords above; anyone who can reach port %s can sign in as admin.\n", o.listen, port)
	}
	return a.wait(ctx)
}

// demoConfig is the demo's configuration, in the same TOML an operator
// writes, so it goes through the same loading and validation.
func demoConfig(o demoOptions, simURL, secret string) string {
	return fmt.Sprintf(`
[server]
listen = %q

[storage]
dir = %q

[github]
api_url = %q
token = %q
poll_interval = "5s"
webhook_secret = %q

[dispatcher]
interval = "30s"
tracking_interval = "10s"
run_not_found_timeout = "2m"

[auth.basic]
enabled = true
users = [
  { username = "admin", password = %q, role = "admin" },
  { username = "viewer", password = %q, role = "readonly" },
]

[auth.github]
enabled = true
client_id = %q
client_secret = %q
user_role_mapping = { demo-admin = "admin" }
org_role_mapping = { %s = "readonly" }

[[groups.github]]
id = "sync"
name = "Sync Tests"
description = "Execution/consensus client pairs syncing a network, on the sync runners"
runner_labels = ["self-hosted", "linux", "sync"]
weight = 2
%s
[[groups.github]]
id = "gpu"
name = "GPU Benchmarks"
description = "Model benchmarks on the GPU runners"
runner_labels = ["self-hosted", "linux", "gpu"]
weight = 1
%s`, o.listen, o.data, simURL+"/", sim.DemoToken, secret, o.adminPass, o.viewerPass,
		sim.DemoOAuthClient, sim.DemoOAuthSecret, sim.DemoOrg, syncTemplates(), gpuTemplates())
}

func syncTemplates() string {
	var b strings.Builder
	for _, p := range [][3]string{{"geth", "prysm", "hoodi"}, {"nethermind", "lighthouse", "hoodi"}, {"besu", "teku", "sepolia"}, {"reth", "lodestar", "mainnet"}} {
		fmt.Fprintf(&b, `
  [[groups.github.workflow_dispatch_templates]]
  id = "sync-%[1]s-%[2]s"
  name = "Sync %[3]s: %[1]s/%[2]s"
  owner = %[4]q
  repo = "sync-tests"
  workflow_id = "sync.yml"
  ref = "main"
  correlation_input = "distinct_id"
  inputs = { el-client = %[1]q, cl-client = %[2]q, network = %[3]q }
  labels = { network = %[3]q, el = %[1]q, cl = %[2]q }
`, p[0], p[1], p[2], sim.DemoOrg)
	}
	return b.String()
}

func gpuTemplates() string {
	var b strings.Builder
	for _, m := range [][2]string{{"llama-7b", "8"}, {"mistral-7b", "16"}, {"phi-3", "32"}} {
		fmt.Fprintf(&b, `
  [[groups.github.workflow_dispatch_templates]]
  id = "bench-%[1]s"
  name = "Benchmark %[1]s x%[2]s"
  owner = %[3]q
  repo = "gpu-bench"
  workflow_id = "bench.yml"
  ref = "main"
  correlation_input = "distinct_id"
  inputs = { model = %[1]q, batch-size = %[2]q }
  labels = { model = %[1]q }
`, m[0], m[1], sim.DemoOrg)
	}
	return b.String()
}

// seedDemoJobs queues jobs on the first start, so there is something to
// watch; a restart with the same data folder keeps what is there.
func seedDemoJobs(ctx context.Context, sys *actors.System) error {
	for _, id := range sys.GroupIDs() {
		gi, err := sys.Group(ctx, id)
		if err != nil {
			return err
		}
		hist, err := sys.History(ctx, id, state.HistoryQuery{Limit: 1})
		if err != nil {
			return err
		}
		if gi.QueuedJobs+gi.RunningJobs > 0 || hist.TotalCount > 0 {
			return nil
		}
	}
	who := actors.Who{Username: "demo"}
	five := 5
	jobs := []struct {
		group string
		req   state.AddJob
	}{
		{"sync", state.AddJob{TemplateID: "sync-geth-prysm", AutoRequeue: true, RequeueLimit: &five}},
		{"sync", state.AddJob{TemplateID: "sync-nethermind-lighthouse"}},
		{"sync", state.AddJob{TemplateID: "sync-besu-teku"}},
		{"sync", state.AddJob{TemplateID: "sync-reth-lodestar"}},
		{"sync", state.AddJob{TemplateID: "sync-geth-prysm", Inputs: map[string]string{"network": "sepolia"}}},
		{"sync", state.AddJob{TemplateID: "sync-nethermind-lighthouse", Inputs: map[string]string{"network": "mainnet"}}},
		{"gpu", state.AddJob{TemplateID: "bench-llama-7b", AutoRequeue: true, RequeueLimit: &five}},
		{"gpu", state.AddJob{TemplateID: "bench-mistral-7b"}},
		{"gpu", state.AddJob{TemplateID: "bench-phi-3"}},
	}
	for _, j := range jobs {
		if _, err := sys.Enqueue(ctx, who, j.group, j.req); err != nil {
			return fmt.Errorf("enqueue %s: %w", j.req.TemplateID, err)
		}
	}
	return nil
}

func printDemoBanner(w io.Writer, o demoOptions, addr, simURL string) {
	data, err := filepath.Abs(o.data)
	if err != nil {
		data = o.data
	}
	fmt.Fprintf(w, `dispatchoor demo
  dashboard:  http://%s
  sign in:    admin / %s (admin), viewer / %s (read-only), or "Sign in with GitHub" (as demo-admin)
  data:       %s
  GitHub:     simulated at %s (token %s, %vx real time)
`, addr, o.adminPass, o.viewerPass, data, simURL, sim.DemoToken, o.speed)
}

// loopbackAddr is addr with an unspecified host (":9090", "0.0.0.0:9090")
// replaced by 127.0.0.1, so the simulator can reach it.
func loopbackAddr(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return addr.String()
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

// isLoopback reports whether a listen host only accepts local connections.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func randomSecret() string {
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err))
	}
	return hex.EncodeToString(b[:])
}
