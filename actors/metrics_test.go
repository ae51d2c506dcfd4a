package actors

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/VictoriaMetrics/metrics"

	"github.com/dispatchoor/dispatchoor/actors/state"
	"github.com/dispatchoor/dispatchoor/github/sim"
)

// scrape renders a metric set and returns every sample by its full name
// (with labels), as a Prometheus scraper would read it.
func scrape(t testing.TB, set *metrics.Set) map[string]float64 {
	t.Helper()
	var buf bytes.Buffer
	set.WritePrometheus(&buf)
	return parseSamples(t, buf.Bytes())
}

func parseSamples(t testing.TB, text []byte) map[string]float64 {
	t.Helper()
	out := map[string]float64{}
	sc := bufio.NewScanner(bytes.NewReader(text))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			t.Fatalf("malformed sample %q", line)
		}
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("sample %q: %v", line, err)
		}
		out[line[:i]] = v
	}
	return out
}

// metricsWorld is a real System on a manual clock with the metrics
// subscriber; the test drives the dispatcher's transitions with Decide.
type metricsWorld struct {
	t     *testing.T
	clock *sim.ManualClock
	sys   *System
	m     *Metrics
	set   *metrics.Set
}

func newMetricsWorld(t *testing.T) *metricsWorld {
	t.Helper()
	w := &metricsWorld{t: t, clock: sim.NewManualClock(testT0), set: metrics.NewSet()}
	var n atomic.Int64
	sys, err := Start(context.Background(), Options{
		Journal: newMemJournal(),
		Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now:     w.clock.Now,
		NewID:   func() string { return fmt.Sprintf("job-%d", n.Add(1)) },
		Groups:  testSpecs(),
	})
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	w.sys = sys
	w.m, err = NewMetrics(w.ctx(), sys, MetricsOptions{Set: w.set, Clock: simClock{w.clock}, Interval: time.Minute})
	if err != nil {
		t.Fatalf("new metrics: %v", err)
	}
	t.Cleanup(func() {
		w.m.Close()
		if err := sys.Stop(context.Background()); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
	return w
}

func (w *metricsWorld) ctx() context.Context { return ctxT(w.t) }

// sample flushes the metrics and returns one sample.
func (w *metricsWorld) sample(name string) float64 {
	w.t.Helper()
	if err := w.m.Flush(w.ctx()); err != nil {
		w.t.Fatal(err)
	}
	v, ok := scrape(w.t, w.set)[name]
	if !ok {
		w.t.Fatalf("metric %s missing", name)
	}
	return v
}

func (w *metricsWorld) expect(name string, want float64) {
	w.t.Helper()
	if got := w.sample(name); math.Abs(got-want) > 1e-9 {
		w.t.Errorf("%s = %v; want %v", name, got, want)
	}
}

func (w *metricsWorld) enqueue(group, template string) string {
	w.t.Helper()
	ji, err := w.sys.Enqueue(w.ctx(), admin(), group, state.AddJob{TemplateID: template})
	if err != nil {
		w.t.Fatalf("enqueue: %v", err)
	}
	return ji.Job.ID
}

func (w *metricsWorld) decide(group string, fn func(g *state.GroupState, m state.Meta) ([]state.Event, error)) {
	w.t.Helper()
	if _, err := w.sys.Decide(w.ctx(), group, Who{Username: state.ActorDispatcher}, fn); err != nil {
		w.t.Fatalf("decide: %v", err)
	}
}

func (w *metricsWorld) observe(runners ...state.Runner) {
	w.t.Helper()
	if err := w.sys.Observe(w.ctx(), Who{Username: state.ActorPoller}, runners, nil); err != nil {
		w.t.Fatalf("observe: %v", err)
	}
}

func runner(id int64, labels []string, online, busy bool) state.Runner {
	status := "offline"
	if online {
		status = "online"
	}
	return state.Runner{ID: id, Name: fmt.Sprintf("r%d", id), Labels: labels, Status: status, Busy: busy}
}

var syncRunnerLabels = []string{"self-hosted", "sync", "linux"}

// TestMetricsFollowTheLifecycle walks jobs through every transition on a
// manual clock and checks each counter, gauge and histogram, including the
// exact idle-while-waiting integral.
func TestMetricsFollowTheLifecycle(t *testing.T) {
	w := newMetricsWorld(t)
	sync := func(metric string) string { return fmt.Sprintf(`%s{group="sync"}`, metric) }
	queue := func(status string) string {
		return fmt.Sprintf(`dispatchoor_queue_size{group="sync",status=%q}`, status)
	}

	// Every series exists before anything happened.
	for _, name := range []string{sync("dispatchoor_jobs_created_total"), sync("dispatchoor_jobs_cancelled_total"),
		queue("running"), `dispatchoor_runners_total{group="gpu"}`, sync("dispatchoor_runner_idle_waiting_seconds_total")} {
		w.expect(name, 0)
	}

	// Two idle sync runners, one busy, one gpu runner offline.
	w.observe(runner(1, syncRunnerLabels, true, false), runner(2, syncRunnerLabels, true, false),
		runner(3, syncRunnerLabels, true, true), runner(4, []string{"self-hosted", "gpu"}, false, false))
	w.expect(sync("dispatchoor_runners_total"), 3)
	w.expect(sync("dispatchoor_runners_online"), 3)
	w.expect(sync("dispatchoor_runners_busy"), 1)
	w.expect(`dispatchoor_runners_online{group="gpu"}`, 0)

	// Three jobs wait while two runners idle: two runner-seconds per second.
	a, b, c := w.enqueue("sync", "geth"), w.enqueue("sync", "geth"), w.enqueue("sync", "geth")
	w.expect(sync("dispatchoor_jobs_created_total"), 3)
	w.expect(queue("pending"), 3)
	w.expect(sync("dispatchoor_jobs_waiting"), 3)
	w.clock.Advance(10 * time.Second)

	// a goes to runner 1: its lag is the 10 s both were ready.
	w.decide("sync", func(g *state.GroupState, m state.Meta) ([]state.Event, error) {
		return g.MarkDispatching(m, a, "key-a", 1, "r1")
	})
	w.expect(sync("dispatchoor_runner_idle_waiting_seconds_total"), 20)
	w.expect(sync("dispatchoor_dispatch_lag_seconds_count"), 1)
	w.expect(sync("dispatchoor_dispatch_lag_seconds_sum"), 10)
	w.expect(queue("dispatching"), 1)

	// Pausing b leaves one waiting job for the one free runner.
	if _, err := w.sys.PauseJob(w.ctx(), admin(), b, true); err != nil {
		t.Fatal(err)
	}
	w.expect(sync("dispatchoor_jobs_waiting"), 1)
	w.clock.Advance(5 * time.Second)
	w.decide("sync", func(g *state.GroupState, m state.Meta) ([]state.Event, error) {
		return g.MarkTriggered(m, a, 77, "https://github.com/acme/tests/actions/runs/77")
	})
	w.expect(sync("dispatchoor_runner_idle_waiting_seconds_total"), 25)
	w.expect(sync("dispatchoor_jobs_triggered_total"), 1)
	w.expect(queue("triggered"), 1)

	w.clock.Advance(5 * time.Second)
	w.decide("sync", func(g *state.GroupState, m state.Meta) ([]state.Event, error) {
		return g.MarkRunning(m, a, 1, "r1")
	})
	w.expect(sync("dispatchoor_job_queue_wait_seconds_count"), 1)
	w.expect(sync("dispatchoor_job_queue_wait_seconds_sum"), 20)
	w.expect(queue("running"), 1)
	w.expect(queue("triggered"), 0)

	// The refresh due a minute after the start brings the integral through
	// the quiet time up to then.
	w.clock.Advance(time.Minute)
	w.expect(sync("dispatchoor_runner_idle_waiting_seconds_total"), 70)

	// Pausing the group stops the waste: its jobs wait by choice.
	if _, err := w.sys.PauseGroup(w.ctx(), admin(), "sync", true); err != nil {
		t.Fatal(err)
	}
	w.clock.Advance(30 * time.Second)
	if _, err := w.sys.PauseGroup(w.ctx(), admin(), "sync", false); err != nil {
		t.Fatal(err)
	}
	w.expect(sync("dispatchoor_runner_idle_waiting_seconds_total"), 90)

	// c goes to runner 2 one second after the group resumed.
	w.clock.Advance(time.Second)
	w.decide("sync", func(g *state.GroupState, m state.Meta) ([]state.Event, error) {
		return g.MarkDispatching(m, c, "key-c", 2, "r2")
	})
	w.expect(sync("dispatchoor_dispatch_lag_seconds_sum"), 11)
	w.expect(sync("dispatchoor_runner_idle_waiting_seconds_total"), 91)

	w.decide("sync", func(g *state.GroupState, m state.Meta) ([]state.Event, error) {
		return g.Finish(m, a, state.Finish{Status: state.StatusCompleted, Conclusion: "success"})
	})
	w.decide("sync", func(g *state.GroupState, m state.Meta) ([]state.Event, error) {
		return g.Finish(m, c, state.Finish{Status: state.StatusFailed, Error: "boom", NoRun: true})
	})
	if _, err := w.sys.PauseJob(w.ctx(), admin(), b, false); err != nil {
		t.Fatal(err)
	}
	if err := w.sys.RemoveJob(w.ctx(), admin(), b); err != nil {
		t.Fatal(err)
	}
	w.expect(sync("dispatchoor_jobs_completed_total"), 1)
	w.expect(sync("dispatchoor_jobs_failed_total"), 1)
	for _, st := range []string{"pending", "dispatching", "triggered", "running"} {
		w.expect(queue(st), 0)
	}
	w.expect(sync("dispatchoor_jobs_waiting"), 0)
}

// TestMetricsStartFromExistingState: a process restarting on a journal
// shows the queue and runners it recovered, and counts from zero.
func TestMetricsStartFromExistingState(t *testing.T) {
	w := newMetricsWorld(t)
	w.observe(runner(1, syncRunnerLabels, true, false))
	w.enqueue("sync", "geth")
	w.enqueue("gpu", "bench")
	w.m.Close()

	set := metrics.NewSet()
	m, err := NewMetrics(w.ctx(), w.sys, MetricsOptions{Set: set, Clock: simClock{w.clock}, Interval: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	got := scrape(t, set)
	for name, want := range map[string]float64{
		`dispatchoor_queue_size{group="sync",status="pending"}`: 1,
		`dispatchoor_queue_size{group="gpu",status="pending"}`:  1,
		`dispatchoor_runners_online{group="sync"}`:              1,
		`dispatchoor_jobs_created_total{group="sync"}`:          0,
	} {
		if got[name] != want {
			t.Errorf("%s = %v; want %v", name, got[name], want)
		}
	}
	// Closed metrics ignore later events and refuse to flush.
	w.enqueue("sync", "geth")
	if err := w.m.Flush(w.ctx()); err == nil {
		t.Errorf("Flush after Close: got nil error")
	}
}

// TestMetricsDemoScenario runs the GitHub integration against the
// simulator (manual clock) with the metrics attached, scrapes before and
// after a handful of jobs ran, and checks that every series is there both
// times and that what should have moved did.
func TestMetricsDemoScenario(t *testing.T) {
	set := metrics.NewSet()
	e := newGHEnv(t, envOptions{ghOpts: func(o *GitHubOptions) { o.Metrics = set }})
	m, err := NewMetrics(e.ctx(), e.sys, MetricsOptions{Set: set, Clock: simClock{e.clock}, Interval: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	e.waitRunners(3)
	if err := m.Flush(e.ctx()); err != nil {
		t.Fatal(err)
	}
	before := scrape(t, set)

	// Three sync jobs for two sync runners (one waits its turn), one gpu job.
	ids := []string{e.enqueue("sync", "sync-geth", nil), e.enqueue("sync", "sync-geth", nil),
		e.enqueue("sync", "sync-geth", nil), e.enqueue("gpu", "gpu-bench", nil)}
	e.until(3*time.Minute, "every job finished", func() bool {
		for _, id := range ids {
			if !e.status(id).Terminal() {
				return false
			}
		}
		return true
	})
	e.step(10 * time.Second) // two polls: the runners show idle again
	if err := m.Flush(e.ctx()); err != nil {
		t.Fatal(err)
	}
	after := scrape(t, set)

	present := []string{
		`dispatchoor_queue_size{group="sync",status="pending"}`, `dispatchoor_queue_size{group="gpu",status="running"}`,
		`dispatchoor_runners_total{group="sync"}`, `dispatchoor_runners_online{group="gpu"}`, `dispatchoor_runners_busy{group="sync"}`,
		`dispatchoor_jobs_failed_total{group="sync"}`, `dispatchoor_jobs_cancelled_total{group="gpu"}`,
		`dispatchoor_runner_idle_waiting_seconds_total{group="sync"}`, `dispatchoor_jobs_waiting{group="sync"}`,
		"dispatchoor_dispatcher_errors_total",
	}
	moved := map[string]float64{ // at least this much more after than before
		`dispatchoor_jobs_created_total{group="sync"}`:           3,
		`dispatchoor_jobs_created_total{group="gpu"}`:            1,
		`dispatchoor_jobs_triggered_total{group="sync"}`:         3,
		`dispatchoor_jobs_completed_total{group="sync"}`:         3,
		`dispatchoor_jobs_completed_total{group="gpu"}`:          1,
		`dispatchoor_job_queue_wait_seconds_count{group="sync"}`: 3,
		`dispatchoor_dispatch_lag_seconds_count{group="sync"}`:   3,
		"dispatchoor_dispatcher_dispatches_total":                4,
		"dispatchoor_dispatcher_cycles_total":                    1,
		"dispatchoor_dispatcher_last_cycle_timestamp":            1,
	}
	for _, name := range present {
		if _, ok := before[name]; !ok {
			t.Errorf("%s missing before the jobs ran", name)
		}
		if _, ok := after[name]; !ok {
			t.Errorf("%s missing after the jobs ran", name)
		}
	}
	for name, min := range moved {
		b, okb := before[name]
		a, oka := after[name]
		if !okb || !oka || a-b < min {
			t.Errorf("%s: %v (present %v) -> %v (present %v); want it up by at least %v", name, b, okb, a, oka, min)
		}
	}
	// The third sync job waited for a runner to free up: its queue wait
	// covers at least one run of the others (20 s each).
	if a := after[`dispatchoor_job_queue_wait_seconds_sum{group="sync"}`]; a < 20 {
		t.Errorf("sync queue wait sum %v s; want at least one run's 20 s", a)
	}
	if after[`dispatchoor_queue_size{group="sync",status="running"}`] != 0 || after[`dispatchoor_runners_busy{group="sync"}`] != 0 {
		t.Errorf("queue and runners not back to idle: %v", after)
	}
}

// TestFlushWaitsForTheGauges: an event and a Flush that reach the metrics
// goroutine together must not have the flush answered before the gauges
// reflect the event, or a scrape right after Flush sees the old values.
func TestFlushWaitsForTheGauges(t *testing.T) {
	w := newMetricsWorld(t)
	publishing := make(chan struct{})
	release := make(chan struct{})
	var once sync.Once
	let := func() { once.Do(func() { close(release) }) }
	t.Cleanup(let) // a failed test must not leave the metrics goroutine held
	w.m.mu.Lock()
	w.m.beforePublish = func() {
		select {
		case publishing <- struct{}{}:
			<-release // hold this publish until the test lets it go
		default:
		}
	}
	// Queue both under the lock so the goroutine takes them in one go.
	e := state.Event{Type: state.RunnersObserved, Time: testT0.Add(time.Second),
		Runners: []state.Runner{runner(1, syncRunnerLabels, true, false), runner(2, syncRunnerLabels, true, true)}}
	flushed := make(chan struct{})
	w.m.queue = append(w.m.queue, metricsWork{batch: []Committed{{Index: 1, Event: &e}}}, metricsWork{flush: flushed})
	w.m.mu.Unlock()
	w.m.wake <- struct{}{}

	select {
	case <-publishing:
	case <-w.ctx().Done():
		t.Fatal("the queued work was never published")
	}
	select {
	case <-flushed:
		t.Fatal("Flush answered before the gauges were set")
	case <-time.After(50 * time.Millisecond):
	}
	let()
	select {
	case <-flushed:
	case <-w.ctx().Done():
		t.Fatal("flush never answered")
	}
	if got := scrape(t, w.set)[`dispatchoor_runners_total{group="sync"}`]; got != 2 {
		t.Fatalf("runners_total = %v right after Flush; want 2", got)
	}
}
