package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/dispatchoor/dispatchoor/actors"
	"github.com/dispatchoor/dispatchoor/config"
	"github.com/dispatchoor/dispatchoor/github"
	httpd "github.com/dispatchoor/dispatchoor/http"
)

// githubApp is the GitHub side of a server: the runners and dispatch
// clients and the integration (poller, dispatcher, tracker) on top of them.
//
// Degraded mode: without github.token nothing is dispatched or tracked and
// without any token nothing is polled, but the server starts and
// /api/v1/status says what is not configured. A client that cannot reach
// GitHub keeps trying on every poll and pass, so a token or network fixed
// later needs no restart.
type githubApp struct {
	log      *slog.Logger
	runners  *github.Client // nil: no token at all
	dispatch *github.Client // nil: no github.token
	gh       *actors.GitHub
	secret   string
}

// clientStartupCheck bounds the start-up rate-limit call of each client.
const clientStartupCheck = 10 * time.Second

// newGitHubApp builds the clients and the integration from cfg; nothing
// runs until start. clock is the integration's and the clients' time source
// (nil: the wall clock); the demo passes its simulator's.
func newGitHubApp(cfg *config.Config, log *slog.Logger, m *appMetrics, sys *actors.System, clock actors.Clock) (*githubApp, error) {
	g := &githubApp{log: log, secret: cfg.GitHub.WebhookSecret}
	gc := cfg.GitHub
	now := time.Now
	if clock != nil {
		now = clock.Now
	}
	client := func(name, token string) (*github.Client, error) {
		c, err := github.NewClient(github.Options{
			Name: name, APIURL: gc.APIURL, Token: token, RequestTimeout: gc.RequestTimeout.D(),
			RateLimitBuffer: gc.RateLimitBuffer, Logger: log.With("component", "github-client"),
			Clock: now, OnCall: m.githubOnCall(name),
		})
		if err == nil {
			m.watchGitHub(c, name == "runners")
		}
		return c, err
	}
	var err error
	if gc.Token != "" {
		if g.dispatch, err = client("dispatch", gc.Token); err != nil {
			return nil, err
		}
	}
	switch {
	case gc.RunnersToken != "" && gc.RunnersToken != gc.Token:
		if g.runners, err = client("runners", gc.RunnersToken); err != nil {
			return nil, err
		}
	case g.dispatch != nil:
		// One token, one budget: one client keeps one view of it.
		g.runners = g.dispatch
	}
	opts := actors.GitHubOptions{
		Dispatch:           cfg.Dispatcher.Enabled,
		WebhooksConfigured: g.secret != "",
		Clock:              clock,
		Logger:             log,
		PollInterval:       gc.PollInterval.D(),
		DispatchInterval:   cfg.Dispatcher.Interval.D(),
		TrackingInterval:   cfg.Dispatcher.TrackingInterval.D(),
		RunNotFoundTimeout: cfg.Dispatcher.RunNotFoundTimeout.D(),
		Metrics:            m.set,
	}
	// Interfaces holding nil pointers are not nil: assign only real clients.
	if g.runners != nil {
		opts.Runners = g.runners
	}
	if g.dispatch != nil {
		opts.Workflows = g.dispatch
	}
	g.gh = actors.NewGitHub(sys, opts)
	return g, nil
}

// status reports both clients for /api/v1/status without any request.
func (g *githubApp) status() (runners, dispatch httpd.ClientStatus) {
	return clientStatus(g.runners, "Runners token not configured"), clientStatus(g.dispatch, "Dispatch token not configured")
}

func clientStatus(c *github.Client, missing string) httpd.ClientStatus {
	if c == nil {
		return httpd.ClientStatus{Status: github.HealthUnhealthy, Error: missing}
	}
	s := c.Status()
	out := httpd.ClientStatus{Status: s.Status, Connected: s.Connected, Error: s.Error, RateLimitRemaining: s.Remaining}
	if !s.Reset.IsZero() {
		reset := s.Reset
		out.RateLimitReset = &reset
		out.ResetIn = s.ResetIn.String()
	}
	if !s.BackoffUntil.IsZero() && out.Error == "" {
		out.Error = "rate-limited until " + s.BackoffUntil.UTC().Format(time.RFC3339) + ": " + s.BackoffReason
	}
	return out
}

// register adds the webhook endpoint when a secret is configured.
func (g *githubApp) register(srv *httpd.Server) error {
	if g.secret == "" {
		return nil
	}
	return httpd.RegisterWebhook(srv, httpd.WebhookOptions{Secret: g.secret, Sink: g.gh})
}

// start checks each client's credentials in the background (the answer
// shows in /api/v1/status) and starts the integration.
func (g *githubApp) start(ctx context.Context) error {
	clients := []*github.Client{g.runners}
	if g.dispatch != g.runners {
		clients = append(clients, g.dispatch)
	}
	for _, c := range clients {
		if c == nil {
			continue
		}
		go func(c *github.Client) {
			cctx, cancel := context.WithTimeout(context.Background(), clientStartupCheck)
			defer cancel()
			if _, err := c.RateLimit(cctx); err != nil {
				g.log.Warn("GitHub not reachable yet; polling and dispatching retry on their own", "client", c.Name(), "err", err)
			}
		}(c)
	}
	if g.runners == nil {
		g.log.Warn("no GitHub token configured: runners are not polled and nothing is dispatched")
	} else if g.dispatch == nil {
		g.log.Warn("no github.token configured: runners are polled, nothing is dispatched")
	}
	return g.gh.Start(ctx)
}

// stop stops the integration, letting in-flight GitHub calls finish.
func (g *githubApp) stop(ctx context.Context) error {
	return g.gh.Close(ctx)
}
