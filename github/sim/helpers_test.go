package sim_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dispatchoor/dispatchoor/github/sim"
	"github.com/google/go-github/v88/github"
)

// testTimeout bounds every test's context.
const testTimeout = 10 * time.Second

const (
	testToken = "test-token"
	testOwner = "acme"
	testRepo  = "sync-tests"
)

var fixedStart = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// baseConfig is a small world with every delay at zero, so tests opt into
// exactly the lags they exercise.
func baseConfig(start time.Time) sim.Config {
	cfg := sim.DefaultConfig()
	cfg.Seed = 7
	cfg.Clock = sim.NewManualClock(start)
	cfg.Timing = sim.Timing{}
	cfg.Tokens = []sim.TokenConfig{{Token: testToken, Login: "alice", UserID: 7}}
	cfg.Repos = []sim.RepoConfig{{Owner: testOwner, Name: testRepo, Branches: []string{"develop"}, Tags: []string{"v1"}}}
	cfg.Runners = []sim.RunnerConfig{
		{Name: "sync-1", Owner: testOwner, Labels: []string{"self-hosted", "linux", "sync"}},
		{Name: "sync-2", Owner: testOwner, Labels: []string{"self-hosted", "linux", "sync"}},
		{Name: "gpu-1", Owner: testOwner, Labels: []string{"self-hosted", "linux", "gpu"}},
	}
	cfg.Workflows = []sim.WorkflowSpec{{
		Repo: testOwner + "/" + testRepo, File: "sync.yml", Name: "Sync",
		RunName: "sync ${{ inputs.client }} [${{ inputs.distinct_id }}]",
		Inputs: []sim.InputSpec{
			{Name: "client", Default: "geth"},
			{Name: "distinct_id"},
			{Name: "network", Required: true},
		},
		Jobs: []sim.JobSpec{{Name: "sync", RunsOn: []string{"self-hosted", "SYNC"},
			Duration: sim.DurationDist{Min: sec(30), Max: sec(30)}}},
	}}
	return cfg
}

func sec(n int) sim.Duration { return sim.Duration(time.Duration(n) * time.Second) }

// harness is a simulator behind an httptest server with a go-github client.
type harness struct {
	t        *testing.T
	sim      *sim.Sim
	clock    *sim.ManualClock
	srv      *httptest.Server
	gh       *github.Client
	ctx      context.Context
	requests atomic.Int64 // requests that reached the server
}

func newHarness(t *testing.T, cfg sim.Config) *harness {
	t.Helper()
	s, err := sim.Build(cfg)
	if err != nil {
		t.Fatalf("build sim: %v", err)
	}
	h := &harness{t: t, sim: s, clock: cfg.Clock.(*sim.ManualClock)}
	inner := s.Handler()
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.requests.Add(1)
		inner.ServeHTTP(w, r)
	}))
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	h.ctx = ctx
	t.Cleanup(func() {
		cancel()
		h.srv.Close()
		s.Close()
	})
	h.gh = h.client(testToken)
	return h
}

// client returns a go-github client for tok; dotcom mode uses WithURLs,
// ghes mode WithEnterpriseURLs, as a product would.
func (h *harness) client(tok string) *github.Client {
	h.t.Helper()
	base := h.srv.URL + "/"
	opts := []github.ClientOptionsFunc{github.WithAuthToken(tok), github.WithURLs(&base, &base)}
	c, err := github.NewClient(opts...)
	if err != nil {
		h.t.Fatalf("new client: %v", err)
	}
	return c
}

func (h *harness) enterpriseClient(tok string) *github.Client {
	h.t.Helper()
	c, err := github.NewClient(github.WithAuthToken(tok), github.WithEnterpriseURLs(h.srv.URL, h.srv.URL))
	if err != nil {
		h.t.Fatalf("new enterprise client: %v", err)
	}
	return c
}

func (h *harness) advance(d time.Duration) {
	h.t.Helper()
	if err := h.sim.Advance(d); err != nil {
		h.t.Fatalf("advance: %v", err)
	}
}

// dispatch sends a workflow_dispatch with run details and returns the run id.
func (h *harness) dispatch(inputs map[string]any) int64 {
	h.t.Helper()
	if inputs == nil {
		inputs = map[string]any{"network": "mainnet"}
	}
	details, _, err := h.gh.Actions.CreateWorkflowDispatchEventByFileName(h.ctx, testOwner, testRepo, "sync.yml",
		github.CreateWorkflowDispatchEventRequest{Ref: "main", Inputs: inputs, ReturnRunDetails: github.Ptr(true)})
	if err != nil {
		h.t.Fatalf("dispatch: %v", err)
	}
	if details == nil || details.WorkflowRunID == nil {
		h.t.Fatalf("dispatch: no run details")
	}
	return *details.WorkflowRunID
}

func (h *harness) run(id int64) sim.RunState {
	h.t.Helper()
	r, ok := h.sim.State().Run(id)
	if !ok {
		h.t.Fatalf("run %d not in state", id)
	}
	return r
}

func (h *harness) runner(name string) sim.RunnerState {
	h.t.Helper()
	r, ok := h.sim.State().Runner(name)
	if !ok {
		h.t.Fatalf("runner %s not in state", name)
	}
	return r
}

// do sends a raw request to the simulator and returns the response.
func (h *harness) do(method, path string, body string, hdr map[string]string) *http.Response {
	h.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(h.ctx, method, h.srv.URL+path, rd)
	if err != nil {
		h.t.Fatalf("new request: %v", err)
	}
	req.Header.Set("Authorization", "Bearer "+testToken)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, path, err)
	}
	h.t.Cleanup(func() { _ = resp.Body.Close() })
	return resp
}

func simToken(tok, kind string, perms, repos []string) sim.TokenConfig {
	return sim.TokenConfig{Token: tok, Kind: kind, Permissions: perms, Repos: repos}
}

func newServer(t *testing.T, s *sim.Sim) string {
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return srv.URL
}
