package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dispatchoor/dispatchoor/config"
	"github.com/dispatchoor/dispatchoor/github/sim"
)

// envTimeout bounds every wait of the in-process server tests.
const envTimeout = 20 * time.Second

// testAppConfig is the server of the CLI and metrics tests: one group with
// a template that runs, and one whose workflow does not exist.
const testAppConfig = `
[server]
listen = "127.0.0.1:0"
[server.rate_limit.auth]
enabled = false
[storage]
dir = %q
sync = "none"
[auth.basic]
enabled = true
[[auth.basic.users]]
username = "admin"
password = "admin-password"
role = "admin"
[[auth.basic.users]]
username = "viewer"
password = "viewer-password"
role = "readonly"
[[groups.github]]
id = "ci"
name = "CI runners"
description = "Pull request checks"
runner_labels = ["self-hosted", "ci"]
  [[groups.github.workflow_dispatch_templates]]
  id = "unit"
  name = "Unit tests"
  owner = "acme"
  repo = "tests"
  workflow_id = "ci.yml"
  ref = "main"
  inputs = { suite = "unit" }
  [[groups.github.workflow_dispatch_templates]]
  id = "broken"
  name = "Missing workflow"
  owner = "acme"
  repo = "tests"
  workflow_id = "missing.yml"
  ref = "main"
`

// testGitHubConfig points the server at a simulator, with short intervals.
const testGitHubConfig = `
[github]
api_url = %q
token = %q
poll_interval = "100ms"
[dispatcher]
interval = "1s"
tracking_interval = "200ms"
`

// testApp is the real server (journal, actors, hub, HTTP) on loopback,
// optionally with a github section pointing at a GitHub simulator that runs
// in real time with short delays.
type testApp struct {
	t     *testing.T
	app   *app
	url   string
	sim   *sim.Sim
	token map[string]string // by username
}

func startTestApp(t *testing.T, withGitHub bool) *testApp {
	t.Helper()
	o := testAppOptions{}
	if withGitHub {
		o.githubToken = "sim-token"
	}
	return startTestAppWith(t, o)
}

// testAppOptions vary the test server.
type testAppOptions struct {
	// githubToken, when set, adds the github section with this token,
	// pointing at a simulator that knows only "sim-token".
	githubToken string
	// logs receives the server's log as JSON lines (discarded when nil).
	logs io.Writer
}

func startTestAppWith(t *testing.T, o testAppOptions) *testApp {
	t.Helper()
	e := &testApp{t: t, token: map[string]string{}}
	text := fmt.Sprintf(testAppConfig, filepath.Join(t.TempDir(), "data"))
	if o.githubToken != "" {
		text += fmt.Sprintf(testGitHubConfig, e.startSim()+"/", o.githubToken)
	}
	cfg, err := config.Parse([]byte(text), "toml", "", config.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if o.logs != nil {
		log = slog.New(slog.NewJSONHandler(o.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	ctx, cancel := context.WithTimeout(context.Background(), envTimeout)
	defer cancel()
	e.app, err = startApp(ctx, cfg, log, appHooks{})
	if err != nil {
		t.Fatalf("start app: %v", err)
	}
	t.Cleanup(e.stop)
	e.url = "http://" + e.app.ln.Addr().String()
	for user, pass := range map[string]string{"admin": "admin-password", "viewer": "viewer-password"} {
		var resp struct {
			Token string `json:"token"`
		}
		e.call("POST", "/api/v1/auth/login", "", fmt.Sprintf(`{"username":%q,"password":%q}`, user, pass), 200, &resp)
		e.token[user] = resp.Token
	}
	return e
}

// startSim starts a simulated GitHub with two CI runners and the CI
// workflow; it returns its URL.
func (e *testApp) startSim() string {
	ms := func(n int) sim.Duration { return sim.Duration(time.Duration(n) * time.Millisecond) }
	cfg := sim.DefaultConfig()
	cfg.Timing = sim.Timing{ListVisibilityLag: ms(50), AssignDelay: ms(50), BusySetLagMax: ms(50), BusyClearLag: ms(50),
		CancelLatency: ms(50), OfflineDetect: ms(60_000), LostRunnerFail: ms(300_000), QueueTimeout: ms(3_600_000)}
	cfg.Tokens = []sim.TokenConfig{{Token: "sim-token", Login: "dispatcher", UserID: 7}}
	cfg.Repos = []sim.RepoConfig{{Owner: "acme", Name: "tests", DefaultBranch: "main"}}
	labels := []string{"self-hosted", "ci"}
	cfg.Runners = []sim.RunnerConfig{{Name: "ci-1", Owner: "acme", Labels: labels}, {Name: "ci-2", Owner: "acme", Labels: labels}}
	cfg.Workflows = []sim.WorkflowSpec{{Repo: "acme/tests", File: "ci.yml", Name: "CI",
		Inputs: []sim.InputSpec{{Name: "suite", Default: "unit"}},
		Jobs:   []sim.JobSpec{{Name: "test", RunsOn: labels, Duration: sim.DurationDist{Min: ms(300), Max: ms(300)}}}}}
	e.sim = sim.New(cfg)
	srv := httptest.NewServer(e.sim.Handler())
	e.t.Cleanup(func() { srv.Close(); e.sim.Close() })
	return srv.URL
}

func (e *testApp) stop() {
	if err := e.app.shutdown(); err != nil {
		e.t.Errorf("shutdown: %v", err)
	}
}

// call sends a request as token and decodes the JSON answer into out (if
// not nil), failing the test unless the status is want.
func (e *testApp) call(method, path, token, body string, want int, out any) []byte {
	e.t.Helper()
	req, err := http.NewRequest(method, e.url+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	return sendExpect(e.t, req, envTimeout, want, out)
}

// enqueue adds a job from a template as admin and returns its id.
func (e *testApp) enqueue(template string) string {
	e.t.Helper()
	var job struct {
		ID string `json:"id"`
	}
	e.call("POST", "/api/v1/groups/ci/queue", e.token["admin"], fmt.Sprintf(`{"template_id":%q}`, template), 201, &job)
	return job.ID
}

// jobStatus reads a job's status.
func (e *testApp) jobStatus(id string) string {
	e.t.Helper()
	var job struct {
		Status string `json:"status"`
	}
	e.call("GET", "/api/v1/jobs/"+id, e.token["admin"], "", 200, &job)
	return job.Status
}

// waitFor polls cond in real time until it holds.
func (e *testApp) waitFor(what string, cond func() bool) {
	e.t.Helper()
	deadline := time.Now().Add(envTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			e.t.Fatalf("%s: not within %s", what, envTimeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
