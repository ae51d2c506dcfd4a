package actors

import (
	"fmt"
	"slices"
	"time"

	"github.com/VictoriaMetrics/metrics"

	"github.com/dispatchoor/dispatchoor/actors/state"
)

// metricsMirror is the little of the state the metrics need, kept current
// from committed events: the pending and active jobs, the runners and the
// groups. It is owned by the metrics goroutine.
type metricsMirror struct {
	set     *metrics.Set
	groups  map[string]*groupMetrics
	jobs    map[string]*jobMirror
	runners map[int64]*runnerMirror
	// held counts our active jobs per runner: a runner GitHub still shows
	// idle while our dispatch to it has not started is not idle for us.
	held map[int64]int
	// runnersDirty: runner counts and idle runners must be recounted.
	runnersDirty bool
	// now is how far the idle-time integral has been taken.
	now time.Time
}

type jobMirror struct {
	group  string
	status state.JobStatus
	paused bool
	runner int64
	// ready is when the job last became dispatchable: enqueued, unpaused or
	// its dispatch undone.
	ready time.Time
}

type runnerMirror struct {
	labels []string
	online bool
	busy   bool
	// idleSince is when the runner was first seen idle; zero when it is not.
	idleSince time.Time
}

// activeStatuses are the statuses a job has while it is in the queue.
var activeStatuses = []state.JobStatus{state.StatusPending, state.StatusDispatching, state.StatusTriggered, state.StatusRunning}

// waitBuckets span a second to a day: dispatch lags are seconds, queue
// waits can be hours when runners are scarce.
var waitBuckets = []float64{0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400, 28800, 86400}

// groupMetrics is a group's mirror and its metrics.
type groupMetrics struct {
	id     string
	labels []string
	// active: enabled and not paused, so its pending jobs are waiting.
	active bool
	// resumed is when the group was last unpaused.
	resumed time.Time

	counts          map[state.JobStatus]int
	pendingUnpaused int
	total, online   int
	busy, idle      int

	created, triggered, completed, failed, cancelled *metrics.Counter
	queue                                            map[state.JobStatus]*metrics.Gauge
	waiting, runnersTotal, runnersOnline             *metrics.Gauge
	runnersBusy                                      *metrics.Gauge
	idleWaiting                                      *metrics.FloatCounter
	dispatchLag, queueWait                           *metrics.PrometheusHistogram
}

func newMetricsMirror(set *metrics.Set, now time.Time) *metricsMirror {
	return &metricsMirror{
		set:     set,
		groups:  map[string]*groupMetrics{},
		jobs:    map[string]*jobMirror{},
		runners: map[int64]*runnerMirror{},
		held:    map[int64]int{},
		now:     now,
	}
}

// group returns the group's entry, creating it and its metrics (at zero,
// so every series is present from the start) on first sight.
func (mm *metricsMirror) group(id string) *groupMetrics {
	if g, ok := mm.groups[id]; ok {
		return g
	}
	name := func(metric string) string { return fmt.Sprintf(`%s{group=%q}`, metric, id) }
	s := mm.set
	g := &groupMetrics{
		id:            id,
		counts:        map[state.JobStatus]int{},
		created:       s.GetOrCreateCounter(name("dispatchoor_jobs_created_total")),
		triggered:     s.GetOrCreateCounter(name("dispatchoor_jobs_triggered_total")),
		completed:     s.GetOrCreateCounter(name("dispatchoor_jobs_completed_total")),
		failed:        s.GetOrCreateCounter(name("dispatchoor_jobs_failed_total")),
		cancelled:     s.GetOrCreateCounter(name("dispatchoor_jobs_cancelled_total")),
		queue:         map[state.JobStatus]*metrics.Gauge{},
		waiting:       s.GetOrCreateGauge(name("dispatchoor_jobs_waiting"), nil),
		runnersTotal:  s.GetOrCreateGauge(name("dispatchoor_runners_total"), nil),
		runnersOnline: s.GetOrCreateGauge(name("dispatchoor_runners_online"), nil),
		runnersBusy:   s.GetOrCreateGauge(name("dispatchoor_runners_busy"), nil),
		idleWaiting:   s.GetOrCreateFloatCounter(name("dispatchoor_runner_idle_waiting_seconds_total")),
		dispatchLag:   s.GetOrCreatePrometheusHistogramExt(name("dispatchoor_dispatch_lag_seconds"), waitBuckets),
		queueWait:     s.GetOrCreatePrometheusHistogramExt(name("dispatchoor_job_queue_wait_seconds"), waitBuckets),
	}
	for _, st := range activeStatuses {
		g.queue[st] = s.GetOrCreateGauge(fmt.Sprintf(`dispatchoor_queue_size{group=%q,status=%q}`, id, st), nil)
	}
	mm.groups[id] = g
	mm.runnersDirty = true
	return g
}

// waitingJobs is the number of the group's jobs waiting for a runner.
func (g *groupMetrics) waitingJobs() int {
	if !g.active {
		return 0
	}
	return g.pendingUnpaused
}

// wasteRate is how many runners are idle for want of a dispatch: matching
// idle runners and waiting jobs pair up, one runner per job.
func (g *groupMetrics) wasteRate() int { return min(g.waitingJobs(), g.idle) }

func (mm *metricsMirror) setGroup(grp state.Group) {
	g := mm.group(grp.ID)
	if !slices.Equal(g.labels, grp.RunnerLabels) {
		g.labels = slices.Clone(grp.RunnerLabels)
		mm.runnersDirty = true
	}
	g.active = grp.Enabled && !grp.Paused
}

// advance takes the idle-time integral up to t. Between events the rates
// are constant, so the integral is exact at event granularity.
func (mm *metricsMirror) advance(t time.Time) {
	if !t.After(mm.now) {
		return
	}
	mm.recount()
	dt := t.Sub(mm.now).Seconds()
	for _, g := range mm.groups {
		if r := g.wasteRate(); r > 0 {
			g.idleWaiting.Add(float64(r) * dt)
		}
	}
	mm.now = t
}

// apply folds one committed event into the mirror and the counters.
func (mm *metricsMirror) apply(c *Committed) {
	e := c.Event
	if e == nil {
		return
	}
	mm.advance(e.Time)
	if e.Type == state.RunnersObserved {
		mm.observeRunners(e)
		return
	}
	if e.GroupID == "" {
		return // auth events
	}
	g := mm.group(e.GroupID)
	if c.Group != nil {
		mm.setGroup(c.Group.Group)
	}
	switch e.Type {
	case state.GroupUnpaused:
		g.resumed = e.Time
	case state.JobEnqueued:
		g.created.Inc()
	case state.JobTriggered:
		g.triggered.Inc()
	case state.JobDispatching:
		mm.observeDispatch(g, e)
	case state.JobRunning:
		if c.Job != nil && !c.Job.CreatedAt.IsZero() {
			g.queueWait.Update(max(e.Time.Sub(c.Job.CreatedAt), 0).Seconds())
		}
	case state.JobFinished:
		mm.countFinished(g, e.Status)
		mm.freeRunner(e)
		mm.removeJob(e.JobID)
	case state.JobRemoved:
		mm.removeJob(e.JobID)
	case state.HistoryPruned:
		for _, id := range e.JobIDs {
			mm.removeJob(id)
		}
	}
	if c.Job != nil {
		j := mm.setJob(c.Job)
		if j != nil && (e.Type == state.JobUnpaused || e.Type == state.JobDispatchUndone) {
			j.ready = e.Time
		}
	}
}

func (mm *metricsMirror) countFinished(g *groupMetrics, st state.JobStatus) {
	switch st {
	case state.StatusCompleted:
		g.completed.Inc()
	case state.StatusFailed:
		g.failed.Inc()
	case state.StatusCancelled:
		g.cancelled.Inc()
	}
}

// observeDispatch records the dispatch lag of a JobDispatching event: the
// time since the job and its runner were both ready.
func (mm *metricsMirror) observeDispatch(g *groupMetrics, e *state.Event) {
	r := mm.runners[e.RunnerID]
	if r == nil || r.idleSince.IsZero() {
		return
	}
	ready := later(r.idleSince, g.resumed)
	if j := mm.jobs[e.JobID]; j != nil {
		ready = later(ready, j.ready)
	}
	g.dispatchLag.Update(max(e.Time.Sub(ready), 0).Seconds())
}

// freeRunner notes that the runner of a finishing job is free from now:
// the dispatcher reuses it on the run's end, often before a poll shows it
// idle, and its dispatch lag counts from here.
func (mm *metricsMirror) freeRunner(e *state.Event) {
	j := mm.jobs[e.JobID]
	if j == nil || j.runner == 0 {
		return
	}
	if r := mm.runners[j.runner]; r != nil && r.online && r.idleSince.IsZero() {
		r.idleSince = e.Time
	}
}

// setJob records a job as it is after an event; a finished job leaves the
// mirror. It returns the job's entry, nil if it left.
func (mm *metricsMirror) setJob(j *state.Job) *jobMirror {
	old := mm.jobs[j.ID]
	if old != nil {
		mm.account(old, -1)
	}
	if j.Status.Terminal() {
		delete(mm.jobs, j.ID)
		return nil
	}
	n := &jobMirror{group: j.GroupID, status: j.Status, paused: j.Paused, runner: j.RunnerID, ready: j.CreatedAt}
	if old != nil {
		n.ready = old.ready
	}
	mm.jobs[j.ID] = n
	mm.account(n, +1)
	return n
}

func (mm *metricsMirror) removeJob(id string) {
	if old := mm.jobs[id]; old != nil {
		mm.account(old, -1)
		delete(mm.jobs, id)
	}
}

// account adds (delta +1) or removes (-1) a job's share of the counts.
func (mm *metricsMirror) account(j *jobMirror, delta int) {
	g := mm.group(j.group)
	g.counts[j.status] += delta
	if j.status == state.StatusPending && !j.paused {
		g.pendingUnpaused += delta
	}
	if j.status.Active() && j.runner != 0 {
		before := mm.held[j.runner]
		mm.held[j.runner] = before + delta
		if mm.held[j.runner] <= 0 {
			delete(mm.held, j.runner)
		}
		if (before == 0) != (mm.held[j.runner] == 0) {
			mm.runnersDirty = true
		}
	}
}

func (mm *metricsMirror) observeRunners(e *state.Event) {
	for _, obs := range e.Runners {
		mm.setRunner(obs, e.Time)
	}
	for _, id := range e.RunnerIDs {
		delete(mm.runners, id)
	}
	mm.runnersDirty = true
}

// setRunner records a runner as observed at t.
func (mm *metricsMirror) setRunner(obs state.Runner, t time.Time) {
	r := mm.runners[obs.ID]
	if r == nil {
		r = &runnerMirror{}
		mm.runners[obs.ID] = r
	}
	r.labels = slices.Clone(obs.Labels)
	r.online, r.busy = obs.Status == "online", obs.Busy
	switch idle := r.online && !r.busy; {
	case !idle:
		r.idleSince = time.Time{}
	case r.idleSince.IsZero():
		r.idleSince = t
	}
}

// recount recomputes every group's runner counts when runners, their
// holders or group labels changed.
func (mm *metricsMirror) recount() {
	if !mm.runnersDirty {
		return
	}
	mm.runnersDirty = false
	for _, g := range mm.groups {
		g.total, g.online, g.busy, g.idle = 0, 0, 0, 0
	}
	for id, r := range mm.runners {
		free := r.online && !r.busy && mm.held[id] == 0
		for _, g := range mm.groups {
			if !state.Matches(r.labels, g.labels) {
				continue
			}
			g.total++
			if r.online {
				g.online++
			}
			if r.busy {
				g.busy++
			}
			if free {
				g.idle++
			}
		}
	}
}

// publish sets every gauge from the mirror.
func (mm *metricsMirror) publish() {
	mm.recount()
	for _, g := range mm.groups {
		for st, gauge := range g.queue {
			gauge.Set(float64(g.counts[st]))
		}
		g.waiting.Set(float64(g.waitingJobs()))
		g.runnersTotal.Set(float64(g.total))
		g.runnersOnline.Set(float64(g.online))
		g.runnersBusy.Set(float64(g.busy))
	}
}

// load replaces the mirror's jobs, runners and groups with a snapshot of
// the live state, keeping what only events tell: when jobs became ready and
// runners idle. Events queued behind the snapshot are applied after it;
// each carries its job's state after the change, so the mirror ends where
// the last event left the state.
func (mm *metricsMirror) load(s metricsSnapshot) {
	for _, gi := range s.groups {
		mm.setGroup(gi.Group)
	}
	seen := map[string]bool{}
	for _, jobs := range s.jobs {
		for i := range jobs {
			seen[jobs[i].ID] = true
			mm.setJob(&jobs[i])
		}
	}
	for id := range mm.jobs {
		if !seen[id] {
			mm.removeJob(id)
		}
	}
	present := map[int64]bool{}
	for _, r := range s.runners {
		present[r.ID] = true
		// UpdatedAt is when the poller last journaled the runner: when it
		// turned idle, or a later heartbeat. After a restart, lags of
		// runners already idle are thus underestimated, never inflated.
		mm.setRunner(r, r.UpdatedAt)
	}
	for id := range mm.runners {
		if !present[id] {
			delete(mm.runners, id)
		}
	}
	mm.runnersDirty = true
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
