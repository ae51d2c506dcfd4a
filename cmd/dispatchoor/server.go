package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/dispatchoor/dispatchoor/actors"
	"github.com/dispatchoor/dispatchoor/config"
	httpd "github.com/dispatchoor/dispatchoor/http"
	"github.com/dispatchoor/dispatchoor/ui"
	"github.com/dispatchoor/dispatchoor/wal"
)

func runServer(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", "config.toml", "configuration file (TOML, or a reference YAML config)")
	fs.StringVar(path, "c", "config.toml", "shorthand for --config")
	listen := fs.String("listen", "", "override server.listen")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	cfg, err := config.Load(*path, config.LoadOptions{})
	if err != nil {
		return err
	}
	if *listen != "" {
		cfg.Server.Listen = *listen
	}
	log, err := newLogger(stderr, cfg.Logging.Level, cfg.Logging.Format)
	if err != nil {
		return err
	}
	for _, w := range cfg.Warnings {
		log.Warn("config", "warning", w)
	}
	a, err := startApp(ctx, cfg, log, appHooks{})
	if err != nil {
		return err
	}
	return a.wait(ctx)
}

// app is a running server: journal, actors and HTTP.
type app struct {
	cfg     *config.Config
	log     *slog.Logger
	journal *wal.Journal
	sys     *actors.System
	hub     *actors.Hub
	http    *httpd.Server
	ln      net.Listener
	served  chan error
	metrics *appMetrics
	github  *githubApp
	// stopAudit stops the audit index's background work.
	stopAudit func()
}

// appHooks let `demo` add to a server before it starts serving.
type appHooks struct {
	beforeServe func(a *app) error
	// clock drives the GitHub integration (nil: the wall clock); the demo
	// runs it on its simulator's clock.
	clock actors.Clock
}

// startApp opens the journal, recovers the state, syncs the configuration
// and starts serving.
func startApp(ctx context.Context, cfg *config.Config, log *slog.Logger, hooks appHooks) (*app, error) {
	sync, err := wal.ParseSyncMode(cfg.Storage.Sync)
	if err != nil {
		return nil, fmt.Errorf("storage.sync: %w", err)
	}
	dir := filepath.Join(cfg.Storage.Dir, "journal")
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("storage.dir: %w", err)
	}
	oauth, err := githubOAuthOptions(cfg)
	if err != nil {
		return nil, err
	}
	opts := wal.DefaultOptions()
	opts.Sync = sync
	opts.CommitDelay = cfg.Storage.CommitDelay.D()
	opts.Logger = log.With("component", "journal")
	m := newAppMetrics(Version, GitCommit, BuildDate)
	m.instrumentJournal(&opts)
	j, err := wal.Open(dir, opts)
	if err != nil {
		return nil, err
	}
	a := &app{cfg: cfg, log: log, journal: j, served: make(chan error, 1), metrics: m}
	started := false
	defer func() {
		if !started {
			a.closeJournal()
		}
	}()

	a.sys, err = actors.Start(ctx, actors.Options{
		Journal:         m.timeSnapshots(newWALJournal(j)),
		Logger:          log,
		Groups:          groupSpecs(cfg),
		Reload:          reloader(cfg.Path),
		BasicUsers:      basicUsernames(cfg),
		SnapshotEvery:   cfg.Storage.SnapshotEvery,
		RetentionDays:   cfg.History.RetentionDays,
		CleanupInterval: cfg.History.CleanupInterval.D(),
		OnSnapshot:      m.snapshotTaken,
	})
	if err != nil {
		return nil, fmt.Errorf("start: %w", err)
	}
	if a.hub, err = actors.NewHub(ctx, a.sys, actors.HubOptions{Logger: log}); err != nil {
		_ = a.sys.Stop(ctx)
		return nil, fmt.Errorf("start live hub: %w", err)
	}
	if a.github, err = newGitHubApp(cfg, log, m, a.sys, hooks.clock); err != nil {
		_ = a.sys.Stop(ctx)
		return nil, err
	}
	static, _ := ui.Assets()
	var users []httpd.BasicUser
	for _, u := range cfg.Auth.Basic.Users {
		users = append(users, httpd.BasicUser{Username: u.Username, Password: u.Password, Role: u.Role})
	}
	rl := cfg.Server.RateLimit
	a.http, err = httpd.New(httpd.Options{
		Service:           a.sys,
		Logger:            log,
		Listen:            cfg.Server.Listen,
		CORSOrigins:       cfg.Server.CORSOrigins,
		TrustedProxies:    cfg.Server.TrustedProxies,
		MaxBodyBytes:      cfg.Server.MaxBodyBytes,
		BasicAuthEnabled:  cfg.Auth.Basic.Enabled,
		BasicUsers:        users,
		GitHubAuthEnabled: cfg.Auth.GitHub.Enabled,
		GitHubOAuth:       oauth,
		GitHubStatus:      a.github.status,
		SessionTTL:        cfg.Auth.SessionTTL.D(),
		RateLimit: &httpd.RateLimit{
			Auth:          httpd.RateTier{Enabled: rl.Auth.Enabled, RequestsPerMinute: rl.Auth.RequestsPerMinute},
			Public:        httpd.RateTier{Enabled: rl.Public.Enabled, RequestsPerMinute: rl.Public.RequestsPerMinute},
			Authenticated: httpd.RateTier{Enabled: rl.Authenticated.Enabled, RequestsPerMinute: rl.Authenticated.RequestsPerMinute},
		},
		Version:   Version,
		Commit:    GitCommit,
		BuildDate: BuildDate,
		StaticFS:  static,
		// This app's metric sets only, so that apps started side by side
		// (tests) never show each other's series.
		MetricsWriter: a.metrics.writer(a),
	})
	if err != nil {
		_ = a.sys.Stop(ctx)
		return nil, err
	}
	if err := httpd.RegisterWebSocket(a.http, a.hub); err != nil {
		_ = a.sys.Stop(ctx)
		return nil, err
	}
	if err := a.github.register(a.http); err != nil {
		_ = a.sys.Stop(ctx)
		return nil, err
	}
	if a.stopAudit, err = startAudit(ctx, a); err != nil {
		_ = a.sys.Stop(ctx)
		return nil, err
	}
	if err := a.metrics.start(ctx, a); err != nil {
		_ = a.sys.Stop(ctx)
		return nil, fmt.Errorf("start metrics: %w", err)
	}
	if hooks.beforeServe != nil {
		if err := hooks.beforeServe(a); err != nil {
			_ = a.sys.Stop(ctx)
			return nil, err
		}
	}
	a.ln, err = net.Listen("tcp", cfg.Server.Listen)
	if err != nil {
		_ = a.sys.Stop(ctx)
		return nil, fmt.Errorf("server.listen: %w", err)
	}
	go func() { a.served <- a.http.Serve(a.ln) }()
	if err := a.github.start(ctx); err != nil {
		_ = a.http.Shutdown(ctx)
		_ = a.sys.Stop(ctx)
		return nil, err
	}
	started = true
	log.Info("dispatchoor started", "version", Version, "listen", a.ln.Addr().String(),
		"groups", len(cfg.Groups), "journal", dir, "sync", cfg.Storage.Sync)
	return a, nil
}

// githubOAuthOptions configures GitHub sign-in from [auth.github]; nil when
// it is off. The sign-in pages are derived from github.api_url, so GHES and
// the simulator need nothing more. The state key lives in the data
// directory; in a cluster, every node needs the same file.
func githubOAuthOptions(cfg *config.Config) (*httpd.OAuthOptions, error) {
	gh := cfg.Auth.GitHub
	if !gh.Enabled {
		return nil, nil
	}
	key, err := httpd.LoadOrCreateStateKey(filepath.Join(cfg.Storage.Dir, "oauth-state.key"))
	if err != nil {
		return nil, err
	}
	return &httpd.OAuthOptions{
		ClientID:               gh.ClientID,
		ClientSecret:           gh.ClientSecret,
		APIURL:                 cfg.GitHub.APIURL,
		RedirectURL:            gh.RedirectURL,
		AllowedRedirectOrigins: gh.AllowedRedirectOrigins,
		UserRoleMapping:        gh.UserRoleMapping,
		OrgRoleMapping:         gh.OrgRoleMapping,
		StateKey:               key,
	}, nil
}

// reloader re-reads the configuration file for POST /templates/reload.
// Only groups and templates take effect; other sections need a restart.
func reloader(path string) func() ([]actors.GroupSpec, error) {
	return func() ([]actors.GroupSpec, error) {
		cfg, err := config.Load(path, config.LoadOptions{})
		if err != nil {
			return nil, err
		}
		return groupSpecs(cfg), nil
	}
}

// wait serves until ctx ends (SIGTERM, SIGINT) or the state fails, then
// shuts down in order: stop accepting and finish in-flight requests, take
// a final snapshot, close the journal.
func (a *app) wait(ctx context.Context) error {
	var cause error
	select {
	case <-ctx.Done():
		a.log.Info("shutting down")
	case <-a.sys.Failed():
		cause = a.sys.Err()
	case err := <-a.served:
		cause = fmt.Errorf("http server stopped: %w", err)
	}
	return errors.Join(cause, a.shutdown())
}

func (a *app) shutdown() error {
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var errs []error
	// WebSocket connections are hijacked: the HTTP server does not wait for
	// them, so the hub closes them first.
	if err := a.hub.Close(sctx); err != nil {
		errs = append(errs, err)
	}
	if err := a.http.Shutdown(sctx); err != nil {
		errs = append(errs, err)
	}
	if err := a.github.stop(sctx); err != nil {
		errs = append(errs, err)
	}
	a.stopAudit()
	a.metrics.close()
	if err := a.sys.Stop(sctx); err != nil {
		errs = append(errs, err)
	}
	errs = append(errs, a.closeJournal())
	return errors.Join(errs...)
}

func (a *app) closeJournal() error {
	if err := a.journal.Close(); err != nil {
		return fmt.Errorf("close journal: %w", err)
	}
	return nil
}
