package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dispatchoor/dispatchoor/config"
	"github.com/dispatchoor/dispatchoor/github/sim"
)

// End-to-end: the real server (journal, actors, HTTP, GitHub integration
// wired from its config) against the simulator on loopback, in real time
// with short delays. The simulator delivers webhooks to the server's
// endpoint. Everything is observed through the REST API.

const e2eTimeout = 30 * time.Second

const e2eSecret = "e2e-webhook-secret"

type e2eEnv struct {
	t     *testing.T
	sim   *sim.Sim
	app   *app
	url   string
	token string
}

// e2eSimConfig is a small world: two sync runners, one gpu runner, a
// sync workflow of 2 s runs and a gpu workflow of 30 s runs.
func e2eSimConfig() sim.Config {
	ms := func(n int) sim.Duration { return sim.Duration(time.Duration(n) * time.Millisecond) }
	cfg := sim.DefaultConfig()
	cfg.Timing = sim.Timing{ListVisibilityLag: ms(500), AssignDelay: ms(300), BusySetLagMax: ms(500), BusyClearLag: ms(300),
		CancelLatency: ms(300), OfflineDetect: ms(5000), LostRunnerFail: ms(20000), QueueTimeout: ms(3_600_000),
		WebhookDelay: ms(50), WebhookJitter: ms(20)}
	cfg.Tokens = []sim.TokenConfig{{Token: sim.DemoToken, Login: "dispatcher", UserID: 7}}
	cfg.Repos = []sim.RepoConfig{{Owner: "acme", Name: "tests", DefaultBranch: "main"}}
	syncL, gpuL := []string{"self-hosted", "linux", "sync"}, []string{"self-hosted", "linux", "gpu"}
	cfg.Runners = []sim.RunnerConfig{
		{Name: "sync-1", Owner: "acme", Labels: syncL}, {Name: "sync-2", Owner: "acme", Labels: syncL},
		{Name: "gpu-1", Owner: "acme", Labels: gpuL},
	}
	wf := func(file string, labels []string, d sim.Duration) sim.WorkflowSpec {
		return sim.WorkflowSpec{Repo: "acme/tests", File: file, Name: file, RunName: file + " [${{ inputs.distinct_id }}]",
			Inputs: []sim.InputSpec{{Name: "client", Default: "geth"}, {Name: "distinct_id"}},
			Jobs:   []sim.JobSpec{{Name: "run", RunsOn: labels, Duration: sim.DurationDist{Min: d, Max: d}}}}
	}
	cfg.Workflows = []sim.WorkflowSpec{wf("sync.yml", syncL, ms(2000)), wf("bench.yml", gpuL, ms(30000))}
	return cfg
}

// e2eServerConfig points a server at a simulator; token "" leaves GitHub
// unconfigured.
func e2eServerConfig(dataDir, simURL, token string) string {
	return fmt.Sprintf(`
[server]
listen = "127.0.0.1:0"
[server.rate_limit.auth]
enabled = false
[storage]
dir = %q
sync = "none"
[github]
api_url = %q
token = %q
poll_interval = "1s"
webhook_secret = %q
[dispatcher]
interval = "5s"
tracking_interval = "1s"
run_not_found_timeout = "10s"
[auth.basic]
enabled = true
[[auth.basic.users]]
username = "admin"
password = "admin-password"
role = "admin"
[[groups.github]]
id = "sync"
name = "Sync"
runner_labels = ["self-hosted", "linux", "sync"]
  [[groups.github.workflow_dispatch_templates]]
  id = "sync-geth"
  owner = "acme"
  repo = "tests"
  workflow_id = "sync.yml"
  ref = "main"
  correlation_input = "distinct_id"
  inputs = { client = "geth" }
[[groups.github]]
id = "gpu"
name = "GPU"
runner_labels = ["self-hosted", "linux", "gpu"]
  [[groups.github.workflow_dispatch_templates]]
  id = "bench"
  owner = "acme"
  repo = "tests"
  workflow_id = "bench.yml"
  ref = "main"
  correlation_input = "distinct_id"
`, dataDir, simURL+"/", token, e2eSecret)
}

func newE2E(t *testing.T, token string) *e2eEnv {
	t.Helper()
	e := &e2eEnv{t: t, sim: sim.New(e2eSimConfig())}
	srv := httptest.NewServer(e.sim.Handler())
	t.Cleanup(func() { srv.Close(); e.sim.Close() })
	cfg, err := config.Parse([]byte(e2eServerConfig(filepath.Join(t.TempDir(), "data"), srv.URL, token)), "toml", "", config.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	logOut := io.Discard
	if os.Getenv("E2E_LOG") != "" {
		logOut = os.Stderr
	}
	ctx, cancel := context.WithTimeout(context.Background(), e2eTimeout)
	defer cancel()
	e.app, err = startApp(ctx, cfg, slog.New(slog.NewTextHandler(logOut, &slog.HandlerOptions{Level: slog.LevelDebug})), appHooks{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := e.app.shutdown(); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	e.url = "http://" + e.app.ln.Addr().String()
	if _, err := e.sim.AddHook(sim.HookConfig{URL: e.url + "/api/v1/webhooks/github", Secret: e2eSecret, Scope: "app",
		Events: []string{"workflow_run", "workflow_job"}}); err != nil {
		t.Fatal(err)
	}
	var login struct{ Token string }
	e.call("POST", "/api/v1/auth/login", `{"username":"admin","password":"admin-password"}`, nil, 200, &login)
	e.token = login.Token
	return e
}

// call sends a request with the admin session and extra headers, checks
// the status and decodes the answer into out (if not nil).
func (e *e2eEnv) call(method, path, body string, headers map[string]string, want int, out any) []byte {
	e.t.Helper()
	req, err := http.NewRequest(method, e.url+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	if e.token != "" {
		req.Header.Set("Authorization", "Bearer "+e.token)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	return sendExpect(e.t, req, e2eTimeout, want, out)
}

// e2eJob is the part of the job JSON the tests read.
type e2eJob struct {
	ID            string `json:"id"`
	Status        string `json:"status"`
	RunID         *int64 `json:"run_id"`
	RunURL        string `json:"run_url"`
	RunnerName    string `json:"runner_name"`
	Conclusion    string `json:"conclusion"`
	ErrorMessage  string `json:"error_message"`
	DispatchKey   string `json:"dispatch_key"`
	PendingReason string `json:"pending_reason"`
}

func (e *e2eEnv) enqueue(group, template string) e2eJob {
	e.t.Helper()
	var j e2eJob
	e.call("POST", "/api/v1/groups/"+group+"/queue", fmt.Sprintf(`{"template_id":%q}`, template), nil, 201, &j)
	return j
}

func (e *e2eEnv) job(id string) e2eJob {
	e.t.Helper()
	var j e2eJob
	e.call("GET", "/api/v1/jobs/"+id, "", nil, 200, &j)
	return j
}

// waitJob polls a job until cond holds, recording every status seen.
func (e *e2eEnv) waitJob(id, what string, seen map[string]bool, cond func(e2eJob) bool) e2eJob {
	e.t.Helper()
	deadline := time.Now().Add(e2eTimeout)
	for {
		j := e.job(id)
		if seen != nil {
			seen[j.Status] = true
		}
		if cond(j) {
			return j
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("job %s: %s: not within %s (last %+v)", id, what, e2eTimeout, j)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func terminal(j e2eJob) bool {
	return j.Status == "completed" || j.Status == "failed" || j.Status == "cancelled"
}

func signBody(secret, body string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(body))
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

func TestE2EJobLifecycleThroughTheAPI(t *testing.T) {
	e := newE2E(t, sim.DemoToken)
	var status struct {
		GitHub struct {
			Runners, Dispatch struct {
				Status    string `json:"status"`
				Connected bool   `json:"connected"`
			}
		} `json:"github"`
	}
	deadline := time.Now().Add(e2eTimeout)
	for status.GitHub.Runners.Status != "healthy" || status.GitHub.Dispatch.Status != "healthy" {
		if time.Now().After(deadline) {
			t.Fatalf("GitHub clients not healthy: %+v", status.GitHub)
		}
		e.call("GET", "/api/v1/status", "", nil, 200, &status)
		time.Sleep(10 * time.Millisecond)
	}
	seen := map[string]bool{}
	j := e.enqueue("sync", "sync-geth")
	running := e.waitJob(j.ID, "running", seen, func(j e2eJob) bool { return j.Status == "running" || terminal(j) })
	if running.Status == "running" && (running.RunnerName == "" || running.RunID == nil || running.RunURL == "") {
		t.Fatalf("running job without runner or run: %+v", running)
	}
	done := e.waitJob(j.ID, "finished", seen, terminal)
	if done.Status != "completed" || done.Conclusion != "success" || done.RunnerName == "" {
		t.Fatalf("finished job: %+v; want completed, success, with its runner", done)
	}
	if !seen["running"] {
		t.Fatalf("statuses seen %v; want running among them", seen)
	}
	runs := e.sim.State().Runs
	if len(runs) != 1 || runs[0].ID != *done.RunID || runs[0].Inputs["distinct_id"] != done.DispatchKey {
		t.Fatalf("simulator runs %+v; want the job's one run carrying its key", runs)
	}
}

func TestE2ECancelThroughTheAPI(t *testing.T) {
	e := newE2E(t, sim.DemoToken)
	j := e.enqueue("gpu", "bench")
	e.waitJob(j.ID, "running", nil, func(j e2eJob) bool { return j.Status == "running" })
	e.call("POST", "/api/v1/jobs/"+j.ID+"/cancel", "", nil, 200, nil)
	done := e.waitJob(j.ID, "cancelled", nil, terminal)
	if done.Status != "cancelled" || done.Conclusion != "cancelled" {
		t.Fatalf("got %+v; want cancelled with the run's conclusion", done)
	}
	if r := e.sim.State().Runs[0]; r.Status != "completed" || r.Conclusion != "cancelled" {
		t.Fatalf("run on GitHub: %s %s; want cancelled too", r.Status, r.Conclusion)
	}
}

// TestE2EWebhookSignatureAndReplay posts deliveries as GitHub would: one
// with a wrong signature is refused with 401 and changes nothing; a signed
// one is applied, and its replay is recognised and not applied again.
func TestE2EWebhookSignatureAndReplay(t *testing.T) {
	e := newE2E(t, sim.DemoToken)
	j := e.enqueue("gpu", "bench")
	running := e.waitJob(j.ID, "running", nil, func(j e2eJob) bool { return j.Status == "running" })
	body := fmt.Sprintf(`{"action":"completed","workflow_run":{"id":%d,"status":"completed","conclusion":"failure","display_title":"bench"},`+
		`"repository":{"name":"tests","full_name":"acme/tests","owner":{"login":"acme"}}}`, *running.RunID)
	headers := func(sig string) map[string]string {
		return map[string]string{"X-GitHub-Event": "workflow_run", "X-GitHub-Delivery": "fixed-delivery-1", "X-Hub-Signature-256": sig}
	}
	for _, sig := range []string{"", signBody("wrong secret", body), signBody(e2eSecret, body+"x")} {
		b := e.call("POST", "/api/v1/webhooks/github", body, headers(sig), 401, nil)
		if !bytes.Contains(b, []byte(`"error"`)) {
			t.Fatalf("401 body %s is not a JSON error", b)
		}
	}
	if got := e.job(j.ID); got.Status != "running" {
		t.Fatalf("after refused deliveries: %s; want still running", got.Status)
	}
	e.call("POST", "/api/v1/webhooks/github", body, headers(signBody(e2eSecret, body)), 202, nil)
	failed := e.waitJob(j.ID, "failed by the delivery", nil, terminal)
	if failed.Status != "failed" || failed.ErrorMessage != "Workflow failure" {
		t.Fatalf("after the delivery: %+v; want failed", failed)
	}
	var answer struct{ Status string }
	e.call("POST", "/api/v1/webhooks/github", body, headers(signBody(e2eSecret, body)), 200, &answer)
	if answer.Status != "duplicate" {
		t.Fatalf("replay: %q; want duplicate", answer.Status)
	}
}

func TestE2ERefreshPollsRunnersNow(t *testing.T) {
	e := newE2E(t, sim.DemoToken)
	if _, err := e.sim.AddRunner(sim.RunnerConfig{Name: "sync-3", Owner: "acme", Labels: []string{"self-hosted", "linux", "sync"}}); err != nil {
		t.Fatal(err)
	}
	e.call("POST", "/api/v1/runners/refresh", "", nil, 204, nil)
	var runners []struct{ Name string }
	e.call("GET", "/api/v1/runners", "", nil, 200, &runners)
	found := false
	for _, r := range runners {
		found = found || r.Name == "sync-3"
	}
	if !found {
		t.Fatalf("runners after refresh: %+v; want sync-3, added on GitHub a moment ago", runners)
	}
}

func TestE2EWithoutTokenTheServerStillServes(t *testing.T) {
	e := newE2E(t, "")
	var status struct {
		GitHub struct {
			Runners, Dispatch struct{ Status, Error string }
		} `json:"github"`
	}
	e.call("GET", "/api/v1/status", "", nil, 200, &status)
	if status.GitHub.Runners.Error != "Runners token not configured" || status.GitHub.Dispatch.Error != "Dispatch token not configured" {
		t.Fatalf("status %+v; want both clients reported not configured", status.GitHub)
	}
	j := e.enqueue("sync", "sync-geth")
	if got := e.job(j.ID); got.Status != "pending" {
		t.Fatalf("job %s; want pending: nothing dispatches without a token", got.Status)
	}
	e.call("POST", "/api/v1/runners/refresh", "", nil, 204, nil)
}
