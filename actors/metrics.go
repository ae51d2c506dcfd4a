package actors

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/VictoriaMetrics/metrics"

	"github.com/dispatchoor/dispatchoor/actors/state"
)

// Metrics keeps the job, queue and runner metrics of the reference (spec
// §8) up to date from committed events, and adds what an operator of
// expensive runners wants to know:
//
//   - dispatchoor_dispatch_lag_seconds{group}: from the moment a job and a
//     matching runner were both ready (the later of the runner turning idle,
//     the job being enqueued, unpaused or undone, and the group resuming) to
//     the dispatch that used that runner. Only dispatches to a runner the
//     poller had seen idle are measured: otherwise when it turned idle is
//     unknown.
//   - dispatchoor_job_queue_wait_seconds{group}: from enqueue to the run
//     starting on a runner.
//   - dispatchoor_runner_idle_waiting_seconds_total{group}: runner-seconds a
//     matching runner sat idle (online, not busy, not held by one of our
//     dispatches) while a job of the group was waiting (pending, not paused,
//     group neither paused nor removed): min(idle runners, waiting jobs),
//     integrated over time. It is the waste the dispatcher exists to remove.
//
// Counters move only on events, so they count each transition exactly once.
// Gauges follow the events too and are rebuilt from the live state on every
// refresh (Interval), which also advances the idle-time integral through
// quiet periods.
type Metrics struct {
	sys      *System
	set      *metrics.Set
	clock    Clock
	log      *slog.Logger
	interval time.Duration

	// mu guards the hand-off queue between the journal's writer goroutine
	// (onCommitted) and run, and the refresh timer.
	mu     sync.Mutex
	queue  []metricsWork
	timer  ClockTimer
	closed bool
	wake   chan struct{}
	stop   chan struct{}
	done   chan struct{}

	mirror *metricsMirror // run's goroutine only, once run started

	// beforePublish, when a test sets it (under mu), runs before the
	// gauges are set.
	beforePublish func()
}

// MetricsOptions configure NewMetrics.
type MetricsOptions struct {
	// Set receives the metrics; nil makes a private set (see Set).
	Set *metrics.Set
	// Clock times the refreshes and the idle-time integral between events.
	// It must be the clock the System stamps events with. Default: the
	// machine's clock.
	Clock  Clock
	Logger *slog.Logger
	// Interval is how often gauges are rebuilt from the live state.
	// Default DefaultMetricsInterval.
	Interval time.Duration
}

// DefaultMetricsInterval is the default gauge refresh interval.
const DefaultMetricsInterval = 15 * time.Second

var errMetricsClosed = errors.New("metrics closed")

// metricsWork is one item for the metrics goroutine.
type metricsWork struct {
	batch   []Committed
	refresh bool
	at      time.Time // when the refresh was due
	flush   chan struct{}
}

// NewMetrics subscribes to sys's committed events, loads the current state
// as the gauges' starting point and starts refreshing. ctx bounds the load.
func NewMetrics(ctx context.Context, sys *System, opts MetricsOptions) (*Metrics, error) {
	if opts.Set == nil {
		opts.Set = metrics.NewSet()
	}
	if opts.Clock == nil {
		opts.Clock = wallClock{}
	}
	if opts.Logger == nil {
		opts.Logger = sys.log
	}
	if opts.Interval <= 0 {
		opts.Interval = DefaultMetricsInterval
	}
	m := &Metrics{
		sys:      sys,
		set:      opts.Set,
		clock:    opts.Clock,
		log:      opts.Logger.With("component", "metrics"),
		interval: opts.Interval,
		wake:     make(chan struct{}, 1),
		stop:     make(chan struct{}),
		done:     make(chan struct{}),
		mirror:   newMetricsMirror(opts.Set, opts.Clock.Now()),
	}
	// Subscribe before loading: an event committed in between is queued and
	// applied after the load. Every event carries the job as it is after
	// the change, so applying one the load already saw changes nothing
	// for good (see metricsMirror.load).
	sys.Subscribe(m.onCommitted)
	snap, err := m.read(ctx)
	if err != nil {
		m.mu.Lock()
		m.closed = true // the subscription stays; make it inert
		m.mu.Unlock()
		return nil, fmt.Errorf("load state for metrics: %w", err)
	}
	m.mirror.load(snap)
	m.mirror.publish()
	go m.run()
	m.mu.Lock()
	m.timer = m.clock.AfterFunc(m.interval, m.tick)
	m.mu.Unlock()
	return m, nil
}

// Set is the metric set the metrics live in. The caller registers it with
// metrics.RegisterSet to expose it (unless it passed its own set).
func (m *Metrics) Set() *metrics.Set { return m.set }

// Flush waits until every event committed before the call is reflected in
// the metrics.
func (m *Metrics) Flush(ctx context.Context) error {
	ch := make(chan struct{})
	if !m.post(metricsWork{flush: ch}) {
		return errMetricsClosed
	}
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("flush metrics: %w", ctx.Err())
	}
}

// Close stops the refreshes and the event handling. The metrics keep their
// last values. Safe to call more than once.
func (m *Metrics) Close() {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return
	}
	m.closed = true
	if m.timer != nil {
		m.timer.Stop()
	}
	m.mu.Unlock()
	close(m.stop)
	<-m.done
}

// onCommitted runs on the journal's writer goroutine: it only queues.
func (m *Metrics) onCommitted(batch []Committed) { m.post(metricsWork{batch: batch}) }

// tick runs when a refresh is due. It re-arms itself at once, so refreshes
// keep a fixed cadence on the clock however long each takes, and it takes
// the time with it: the integral is brought up to the moment the refresh
// was due, not to whenever the goroutine gets to it.
func (m *Metrics) tick() {
	at := m.clock.Now()
	m.mu.Lock()
	if !m.closed {
		m.timer = m.clock.AfterFunc(m.interval, m.tick)
	}
	m.mu.Unlock()
	m.post(metricsWork{refresh: true, at: at})
}

// post queues w for run; it reports false once the metrics are closed. The
// queue is unbounded so that no counter increment is ever dropped; run
// drains it far faster than events are committed.
func (m *Metrics) post(w metricsWork) bool {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return false
	}
	m.queue = append(m.queue, w)
	m.mu.Unlock()
	select {
	case m.wake <- struct{}{}:
	default:
	}
	return true
}

func (m *Metrics) take() ([]metricsWork, func()) {
	m.mu.Lock()
	defer m.mu.Unlock()
	q := m.queue
	m.queue = nil
	return q, m.beforePublish
}

func (m *Metrics) run() {
	defer close(m.done)
	for {
		select {
		case <-m.stop:
			return
		case <-m.wake:
		}
		for work, hook := m.take(); len(work) > 0; work, hook = m.take() {
			var flushed []chan struct{}
			for _, w := range work {
				if w.flush != nil {
					flushed = append(flushed, w.flush)
					continue
				}
				m.handle(w)
			}
			if hook != nil {
				hook()
			}
			m.mirror.publish()
			// Only now are the gauges what Flush promises: a flush
			// answered before publish let a scrape see the old values.
			for _, ch := range flushed {
				close(ch)
			}
		}
	}
}

func (m *Metrics) handle(w metricsWork) {
	switch {
	case w.refresh:
		m.refresh(w.at)
	default:
		for i := range w.batch {
			m.mirror.apply(&w.batch[i])
		}
	}
}

// refresh rebuilds the gauges from the live state and brings the
// idle-time integral up to at.
func (m *Metrics) refresh(at time.Time) {
	ctx, cancel := context.WithTimeout(context.Background(), m.sys.opts.RequestTimeout)
	snap, err := m.read(ctx)
	cancel()
	if err != nil {
		m.log.Warn("refresh metrics", "err", err)
	} else {
		m.mirror.load(snap)
	}
	m.mirror.advance(at)
}

// metricsSnapshot is the live state the gauges are rebuilt from.
type metricsSnapshot struct {
	groups  []GroupInfo
	jobs    map[string][]state.Job // by group: pending and active jobs
	runners []state.Runner
}

func (m *Metrics) read(ctx context.Context) (metricsSnapshot, error) {
	snap := metricsSnapshot{jobs: map[string][]state.Job{}}
	groups, err := m.sys.Groups(ctx)
	if err != nil {
		return snap, err
	}
	snap.groups = groups
	for _, g := range groups {
		v, err := m.sys.Read(ctx, g.Group.ID, func(g *state.GroupState) (any, error) {
			out := make([]state.Job, 0, len(g.Pending()))
			for _, j := range g.Pending() {
				out = append(out, jobEssentials(j))
			}
			for _, j := range g.Active() {
				out = append(out, jobEssentials(j))
			}
			return out, nil
		})
		if err != nil {
			return snap, fmt.Errorf("read group %s: %w", g.Group.ID, err)
		}
		snap.jobs[g.Group.ID] = v.([]state.Job)
	}
	snap.runners, err = m.sys.Runners(ctx)
	return snap, err
}

// jobEssentials copies the fields the metrics use, leaving the maps and
// pointers the group actor keeps changing.
func jobEssentials(j *state.Job) state.Job {
	return state.Job{ID: j.ID, GroupID: j.GroupID, Status: j.Status, Paused: j.Paused,
		RunnerID: j.RunnerID, CreatedAt: j.CreatedAt}
}
