package actors

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dispatchoor/dispatchoor/actors/state"
	"github.com/dispatchoor/dispatchoor/github"
	"github.com/dispatchoor/dispatchoor/github/sim"
)

// The GitHub actors are tested against the simulator on a manual clock:
// the test moves time, the simulator and the actors react, and the test
// waits (in real time, bounded) until the integration has gone quiet
// before looking. So the world moves in steps, and the actors never see
// time jump past something they were about to do.

const (
	simToken     = "sim-token"
	simSecret    = "hook-secret"
	testDeadline = 20 * time.Second
)

// simClock adapts the simulator's clock to the actors' Clock.
type simClock struct{ c sim.Clock }

func (s simClock) Now() time.Time { return s.c.Now() }
func (s simClock) AfterFunc(d time.Duration, f func()) ClockTimer {
	return s.c.AfterFunc(d, f)
}

// envOptions shape a test world.
type envOptions struct {
	mode        string // sim mode; "" is dotcom
	runDetails  string // sim dispatch.run_details override
	webhooks    bool
	correlation bool // templates declare the correlation input
	// shared: both groups dispatch sync.yml, which runs on any self-hosted
	// linux runner; otherwise gpu dispatches bench.yml, on gpu runners.
	shared      bool
	runners     []sim.RunnerConfig
	groups      []GroupSpec
	timing      *sim.Timing
	jobTime     time.Duration // every job's run time
	outcomes    map[string]float64
	runFailures map[string]float64
	always      bool // the workflow's job ignores a normal cancel
	faults      []sim.FaultRule
	workflows   []sim.WorkflowSpec // replace the default workflows
	ghOpts      func(*GitHubOptions)
}

type ghEnv struct {
	t       testing.TB
	sim     *sim.Sim
	clock   *sim.ManualClock
	srv     *httptest.Server
	hooks   *httptest.Server
	client  *github.Client
	journal *memJournal
	sys     *System
	gh      *GitHub
	opts    envOptions
	calls   sync.Map // endpoint -> *atomic.Int64
}

var envStart = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func syncLabels() []string { return []string{"self-hosted", "linux", "sync"} }
func gpuLabels() []string  { return []string{"self-hosted", "linux", "gpu"} }

// defaultEnvGroups: "sync" dispatches acme/tests sync.yml; "gpu" dispatches
// bench.yml, or with shared the same sync.yml.
func defaultEnvGroups(correlation, shared bool) []GroupSpec {
	ci := ""
	if correlation {
		ci = "distinct_id"
	}
	gpuWorkflow := "bench.yml"
	if shared {
		gpuWorkflow = "sync.yml"
	}
	return []GroupSpec{
		{
			Group: state.Group{ID: "sync", Name: "Sync", RunnerLabels: syncLabels(), Weight: 1},
			Templates: []state.Template{{ID: "sync-geth", Name: "Sync geth", Owner: "acme", Repo: "tests",
				WorkflowID: "sync.yml", Ref: "main", DefaultInputs: map[string]string{"client": "geth"}, CorrelationInput: ci}},
		},
		{
			Group: state.Group{ID: "gpu", Name: "GPU", RunnerLabels: gpuLabels(), Weight: 1},
			Templates: []state.Template{{ID: "gpu-bench", Name: "Bench", Owner: "acme", Repo: "tests",
				WorkflowID: gpuWorkflow, Ref: "main", DefaultInputs: map[string]string{"client": "bench"}, CorrelationInput: ci}},
		},
	}
}

func defaultEnvRunners() []sim.RunnerConfig {
	return []sim.RunnerConfig{
		{Name: "sync-1", Owner: "acme", Labels: syncLabels()},
		{Name: "sync-2", Owner: "acme", Labels: syncLabels()},
		{Name: "gpu-1", Owner: "acme", Labels: gpuLabels()},
	}
}

// quickTiming is a world with short, fixed delays: runs are listed 2 s
// after dispatch, a runner takes a job 1 s after it is queued, flags lag
// a little, webhooks take 100 ms.
func quickTiming() sim.Timing {
	s := func(d time.Duration) sim.Duration { return sim.Duration(d) }
	return sim.Timing{
		ListVisibilityLag: s(2 * time.Second), AssignDelay: s(time.Second),
		BusySetLagMin: s(time.Second), BusySetLagMax: s(time.Second), BusyClearLag: s(time.Second),
		CancelLatency: s(2 * time.Second), OfflineDetect: s(10 * time.Second), LostRunnerFail: s(30 * time.Second),
		QueueTimeout: s(24 * time.Hour), WebhookDelay: s(100 * time.Millisecond),
	}
}

func newGHEnv(t testing.TB, o envOptions) *ghEnv {
	t.Helper()
	if o.runners == nil {
		o.runners = defaultEnvRunners()
	}
	if o.groups == nil {
		o.groups = defaultEnvGroups(o.correlation, o.shared)
	}
	if o.jobTime == 0 {
		o.jobTime = 20 * time.Second
	}
	e := &ghEnv{t: t, clock: sim.NewManualClock(envStart), opts: o}
	timing := quickTiming()
	if o.timing != nil {
		timing = *o.timing
	}
	cfg := sim.DefaultConfig()
	cfg.Mode = o.mode
	cfg.Clock = e.clock
	cfg.Timing = timing
	cfg.Dispatch.RunDetails = o.runDetails
	cfg.Tokens = []sim.TokenConfig{{Token: simToken, Login: "dispatcher", UserID: 7}}
	cfg.Repos = []sim.RepoConfig{{Owner: "acme", Name: "tests", DefaultBranch: "main", Branches: []string{"develop"}}}
	cfg.Runners = o.runners
	d := sim.Duration(o.jobTime)
	workflow := func(file string, runsOn []string) sim.WorkflowSpec {
		return sim.WorkflowSpec{
			Repo: "acme/tests", File: file, Name: file,
			RunName: "Run ${{ inputs.client }} [${{ inputs.distinct_id }}]",
			Inputs:  []sim.InputSpec{{Name: "client", Default: "geth"}, {Name: "distinct_id"}},
			Jobs: []sim.JobSpec{{Name: "run", RunsOn: runsOn,
				Duration: sim.DurationDist{Min: d, Max: d}, Outcomes: o.outcomes, Always: o.always}},
			RunFailures: o.runFailures,
		}
	}
	if o.shared {
		cfg.Workflows = []sim.WorkflowSpec{workflow("sync.yml", []string{"self-hosted", "linux"})}
	} else {
		cfg.Workflows = []sim.WorkflowSpec{workflow("sync.yml", syncLabels()), workflow("bench.yml", gpuLabels())}
	}
	if o.workflows != nil {
		cfg.Workflows = o.workflows
	}
	cfg.Faults = o.faults
	if o.webhooks {
		e.hooks = httptest.NewServer(http.HandlerFunc(e.receiveWebhook))
		t.Cleanup(e.hooks.Close)
		cfg.Hooks = []sim.HookConfig{{URL: e.hooks.URL, Secret: simSecret, Owner: "acme", Events: []string{"workflow_run", "workflow_job"}}}
	}
	e.sim = sim.New(cfg)
	e.srv = httptest.NewServer(e.sim.Handler())
	t.Cleanup(func() { e.srv.Close(); e.sim.Close() })

	client, err := github.NewClient(github.Options{
		Name: "test", APIURL: e.srv.URL + "/", Token: simToken, Clock: e.clock.Now, Logger: e.logger(),
		// Requests held on virtual time (latency faults) wait for the test
		// to move the clock: the real-time timeout must not fire first.
		RequestTimeout: time.Minute, RateLimitBuffer: 10,
		OnCall: func(endpoint string, status int, _ time.Duration) {
			for _, key := range []string{endpoint, fmt.Sprintf("%s:%d", endpoint, status), fmt.Sprintf("*:%d", status)} {
				v, _ := e.calls.LoadOrStore(key, new(atomic.Int64))
				v.(*atomic.Int64).Add(1)
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	e.client = client
	e.journal = newMemJournal()
	e.startSystem()
	return e
}

func (e *ghEnv) logger() *slog.Logger {
	if os.Getenv("GH_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// startSystem starts (or, after stop, restarts) the system and the
// integration on the env's journal, as a process start does.
func (e *ghEnv) startSystem() {
	e.t.Helper()
	var n atomic.Int64
	sys, err := Start(context.Background(), Options{
		Journal: e.journal, Logger: e.logger(), Now: e.clock.Now,
		NewID:  func() string { return fmt.Sprintf("job-%d-%04d", e.journal.LastIndex(), n.Add(1)) },
		Groups: e.opts.groups,
	})
	if err != nil {
		e.t.Fatalf("start system: %v", err)
	}
	e.sys = sys
	var keys atomic.Int64
	gopts := GitHubOptions{
		Runners: e.client, Workflows: e.client, Dispatch: true, WebhooksConfigured: e.opts.webhooks,
		Clock: simClock{e.clock}, Logger: e.logger(),
		PollInterval: 5 * time.Second, DispatchInterval: 30 * time.Second, TrackingInterval: 5 * time.Second,
		RunNotFoundTimeout: time.Minute, ForceCancelAfter: 20 * time.Second,
		NewKey: func() string { return fmt.Sprintf("key%08d%04d", keys.Add(1), e.journal.LastIndex()%10000) },
	}
	if e.opts.ghOpts != nil {
		e.opts.ghOpts(&gopts)
	}
	e.gh = NewGitHub(sys, gopts)
	if err := e.gh.Start(context.Background()); err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(e.stopSystem)
	e.settle()
}

// stopSystem stops the integration and the system (idempotent).
func (e *ghEnv) stopSystem() {
	if e.gh == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := e.gh.Close(ctx); err != nil {
		e.t.Errorf("stop github: %v", err)
	}
	ctx, cancel = context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := e.sys.Stop(ctx); err != nil {
		e.t.Errorf("stop system: %v", err)
	}
	e.gh, e.sys = nil, nil
}

// crash stops everything without a final snapshot and reopens the journal
// with only its durable records, then starts again.
func (e *ghEnv) crash() {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_ = e.gh.Close(ctx)
	e.sys.actors.Shutdown()
	e.gh, e.sys = nil, nil
	e.journal = e.journal.reopen()
	e.startSystem()
}

// receiveWebhook is the test's webhook endpoint: verify, parse, hand over.
func (e *ghEnv) receiveWebhook(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil || !github.VerifySignature([]byte(simSecret), body, r.Header.Get(github.HeaderSignature)) {
		http.Error(w, `{"error":"bad signature"}`, http.StatusUnauthorized)
		return
	}
	ev, err := github.ParseWebhook(r.Header.Get(github.HeaderEvent), body)
	if err == nil && e.gh != nil {
		e.gh.HandleWebhook(ev)
	}
	w.WriteHeader(http.StatusNoContent)
}

// settle waits until webhooks due have been delivered and the integration
// has handled everything it was told.
func (e *ghEnv) settle() {
	e.t.Helper()
	deadline := time.Now().Add(testDeadline)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_ = e.sim.FlushWebhooks(ctx)
		cancel()
		if e.gh == nil || e.gh.quiet() {
			// Quiet twice in a row, around a flush: nothing was in transit.
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			_ = e.sim.FlushWebhooks(ctx)
			cancel()
			if e.gh == nil || e.gh.quiet() {
				return
			}
		}
		if time.Now().After(deadline) {
			if os.Getenv("GH_TEST_LOG") != "" {
				_ = pprof.Lookup("goroutine").WriteTo(os.Stderr, 1)
			}
			e.t.Fatalf("integration did not settle within %s (activity %d, asleep %d)", testDeadline, e.gh.activity.Load(), e.gh.asleep.Load())
		}
		time.Sleep(time.Millisecond)
	}
}

// step moves the world forward by d in increments of at most one second,
// settling after each.
func (e *ghEnv) step(d time.Duration) {
	e.t.Helper()
	for d > 0 {
		inc := min(d, time.Second)
		if err := e.sim.Advance(inc); err != nil {
			e.t.Fatal(err)
		}
		e.settle()
		d -= inc
	}
}

// until steps the world one second at a time until cond holds, for at most
// limit of virtual time.
func (e *ghEnv) until(limit time.Duration, what string, cond func() bool) {
	e.t.Helper()
	for waited := time.Duration(0); ; waited += time.Second {
		if cond() {
			return
		}
		if waited >= limit {
			e.t.Fatalf("%s: not within %s of virtual time", what, limit)
		}
		e.step(time.Second)
	}
}

func (e *ghEnv) ctx() context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), testDeadline)
	e.t.Cleanup(cancel)
	return ctx
}

func (e *ghEnv) enqueue(group, template string, inputs map[string]string) string {
	e.t.Helper()
	ji, err := e.sys.Enqueue(e.ctx(), admin(), group, state.AddJob{TemplateID: template, Inputs: inputs})
	if err != nil {
		e.t.Fatalf("enqueue: %v", err)
	}
	e.settle()
	return ji.Job.ID
}

func (e *ghEnv) job(id string) *state.Job {
	e.t.Helper()
	ji, err := e.sys.Job(e.ctx(), id)
	if err != nil {
		e.t.Fatalf("job %s: %v", id, err)
	}
	return ji.Job
}

func (e *ghEnv) status(id string) state.JobStatus { return e.job(id).Status }

func (e *ghEnv) waitStatus(id string, want state.JobStatus, limit time.Duration) *state.Job {
	e.t.Helper()
	e.until(limit, fmt.Sprintf("job %s %s (is %s)", id, want, e.status(id)), func() bool { return e.status(id) == want })
	return e.job(id)
}

// callCount counts requests by endpoint ("dispatch"), endpoint and status
// ("dispatch:204") or status alone ("*:403").
func (e *ghEnv) callCount(endpoint string) int64 {
	v, ok := e.calls.Load(endpoint)
	if !ok {
		return 0
	}
	return v.(*atomic.Int64).Load()
}

// runsOf returns the simulator's runs whose inputs carry a dispatch key of
// job (or, without correlation inputs, all runs).
func (e *ghEnv) simRuns() []sim.RunState { return e.sim.State().Runs }

func (e *ghEnv) simRunner(name string) sim.RunnerState {
	e.t.Helper()
	for _, r := range e.sim.State().Runners {
		if r.Name == name {
			return r
		}
	}
	e.t.Fatalf("no runner %s", name)
	return sim.RunnerState{}
}

// advance moves the manual clock without waiting for the integration: for
// worlds where a call is held on virtual time (latency faults) and the
// integration cannot go quiet until time moves.
func (e *ghEnv) advance(d time.Duration) {
	e.t.Helper()
	if err := e.sim.Advance(d); err != nil {
		e.t.Fatal(err)
	}
}

// eventually waits in real time (bounded) until cond holds.
func (e *ghEnv) eventually(what string, cond func() bool) {
	e.t.Helper()
	deadline := time.Now().Add(testDeadline)
	for !cond() {
		if time.Now().After(deadline) {
			e.t.Fatalf("%s: not within %s", what, testDeadline)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// enqueueNoSettle enqueues without waiting for the integration to go quiet.
func (e *ghEnv) enqueueNoSettle(group, template string) string {
	e.t.Helper()
	ji, err := e.sys.Enqueue(e.ctx(), admin(), group, state.AddJob{TemplateID: template})
	if err != nil {
		e.t.Fatalf("enqueue: %v", err)
	}
	return ji.Job.ID
}

// runsFor counts the simulator's runs whose correlation input carries a
// job's dispatch keys (any attempt of the job).
func (e *ghEnv) runsWithKey(key string) int {
	n := 0
	for _, r := range e.simRuns() {
		if r.Inputs["distinct_id"] == key {
			n++
		}
	}
	return n
}

// faultFired is how often the i-th configured fault has fired.
func (e *ghEnv) faultFired(i int) int { return e.sim.State().Faults[i].Fired }

// briefly waits up to 100 ms of real time for cond. It is for worlds
// where a request is held on the virtual clock, so the integration cannot
// go quiet; the caller's own loop bounds the outcome.
func (e *ghEnv) briefly(cond func() bool) {
	deadline := time.Now().Add(100 * time.Millisecond)
	for !cond() && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
}
