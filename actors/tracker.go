package actors

import (
	"context"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/dispatchoor/dispatchoor/actors/state"
	"github.com/dispatchoor/dispatchoor/github"
)

// The run tracker follows every job handed to GitHub to its end. Webhooks
// (workflow_run, workflow_job) make changes instant; a tracking pass every
// tracking_interval reconciles what webhooks missed, with one run listing
// per workflow for all of that workflow's jobs, never one call per job.
// The pass also finds the runs of dispatches whose run id is unknown
// (correlation), reconciles dispatches whose outcome is unknown, and fails
// a job whose run never appears. Cancels of runs are done here too.
//
// Everything the tracker learns about runners (a job started on one,
// finished on one) goes to the dispatcher at once, so a freed runner gets
// its next job without waiting for a poll.

type tracker struct {
	gh   *GitHub
	self *actor.PID

	jobs  map[string]jobView // active jobs, by id
	byRun map[int64]string   // run id -> job id
	// reconcile are dispatching jobs whose outcome is unknown, with the
	// time the clock for finding their run started.
	reconcile map[string]time.Time
	// heard is when the state of a job's run was last learnt (webhook or
	// listing); a job heard from recently needs no listing.
	heard map[string]time.Time
	// cancels are the cancel workers in flight; each is stopped once its
	// job has ended, however that came about.
	cancels map[string]context.CancelFunc

	passing bool
	// noted are jobs the journal told about while a pass ran: its read may
	// predate them, so its view does not replace them.
	noted map[string]bool
	again bool
	first bool // the next pass is the first: it seeds the run-time averages from history
	timer ClockTimer
}

func newTracker(gh *GitHub) *tracker {
	return &tracker{
		gh: gh, jobs: map[string]jobView{}, byRun: map[int64]string{}, reconcile: map[string]time.Time{},
		heard: map[string]time.Time{}, cancels: map[string]context.CancelFunc{}, first: true,
	}
}

func (t *tracker) Receive(ctx actor.Context) {
	defer t.gh.handled(ctx.Message())
	switch m := ctx.Message().(type) {
	case *actor.Started:
		t.self = ctx.Self()
		t.pass()
	case *actor.Stopping:
		if t.timer != nil {
			t.timer.Stop()
		}
	case trackTickMsg:
		t.pass()
	case passDoneMsg:
		t.done(m.res)
	case reconcileMsg:
		if _, ok := t.reconcile[m.jobID]; !ok {
			t.reconcile[m.jobID] = m.since
		}
	case jobChangedMsg:
		t.noteJob(m.job)
	case cancelMsg:
		t.cancel(m.jobID)
	case cancelDoneMsg:
		if stop, ok := t.cancels[m.jobID]; ok {
			stop()
			delete(t.cancels, m.jobID)
		}
	case webhookMsg:
		t.webhook(m)
	}
}

// pass starts a tracking pass, or asks for one more after the running one.
func (t *tracker) pass() {
	if t.passing {
		t.again = true
		return
	}
	if t.timer != nil {
		t.timer.Stop()
		t.timer = nil
	}
	t.passing = true
	t.noted = map[string]bool{}
	in := passInput{
		reconcile: make(map[string]time.Time, len(t.reconcile)),
		heard:     make(map[string]time.Time, len(t.heard)),
		first:     t.first,
	}
	for k, v := range t.reconcile {
		in.reconcile[k] = v
	}
	for k, v := range t.heard {
		in.heard[k] = v
	}
	t.first = false
	self := t.self
	t.gh.work(func(ctx context.Context) {
		t.gh.send(self, passDoneMsg{res: t.gh.trackPass(ctx, in)})
	})
}

func (t *tracker) done(res passResult) {
	t.passing = false
	if res.err != nil {
		t.gh.log.Warn("tracking pass", "err", res.err)
	}
	if res.views != nil {
		old := t.jobs
		t.jobs = map[string]jobView{}
		t.byRun = map[int64]string{}
		for _, j := range res.views {
			t.jobs[j.ID] = j
		}
		for id := range t.noted {
			j, ok := old[id]
			if !ok {
				continue
			}
			if v, seen := t.jobs[id]; seen {
				// The journal's word on the run is newer than the read;
				// the read has the coordinates.
				v.Status, v.RunID, v.RunURL, v.TriggeredAt, v.StartedAt = j.Status, j.RunID, j.RunURL, j.TriggeredAt, j.StartedAt
				v.RunnerID, v.RunnerName, v.CancelRequested = j.RunnerID, j.RunnerName, j.CancelRequested
				j = v
			}
			t.jobs[id] = j
		}
		for id, j := range t.jobs {
			if j.RunID != 0 {
				t.byRun[j.RunID] = id
			}
		}
		for id := range t.reconcile {
			if j, ok := t.jobs[id]; !ok || j.Status != state.StatusDispatching {
				delete(t.reconcile, id)
			}
		}
		for id := range t.heard {
			if _, ok := t.jobs[id]; !ok {
				delete(t.heard, id)
			}
		}
	}
	for id, since := range res.adopted {
		if _, ok := t.reconcile[id]; !ok {
			t.reconcile[id] = since
		}
	}
	for id, at := range res.heard {
		if at.After(t.heard[id]) {
			t.heard[id] = at
		}
	}
	if len(res.news) > 0 {
		_, d, _ := t.gh.pids()
		t.gh.send(d, runnerNewsMsg{news: res.news})
	}
	for _, j := range t.jobs {
		if j.CancelRequested {
			t.cancel(j.ID)
		}
	}
	if t.again {
		t.again = false
		t.pass()
		return
	}
	t.timer = t.gh.after(t.gh.opts.TrackingInterval, t.self, trackTickMsg{})
}

// noteJob keeps the run index current between passes, from the journal's
// own events, so webhooks for a run triggered a moment ago find their job.
func (t *tracker) noteJob(j *state.Job) {
	if t.passing {
		t.noted[j.ID] = true
	}
	if j.Status.Terminal() || j.Status == state.StatusPending {
		if stop, ok := t.cancels[j.ID]; ok {
			stop()
		}
		delete(t.jobs, j.ID)
		delete(t.reconcile, j.ID)
		delete(t.heard, j.ID)
		if j.RunID != 0 && t.byRun[j.RunID] == j.ID {
			delete(t.byRun, j.RunID)
		}
		return
	}
	v, ok := t.jobs[j.ID]
	if !ok {
		v = jobView{ID: j.ID, GroupID: j.GroupID, TemplateID: j.TemplateID, Key: j.DispatchKey, DispatchingAt: j.DispatchingAt}
	}
	v.Status, v.RunID, v.RunURL, v.TriggeredAt, v.StartedAt = j.Status, j.RunID, j.RunURL, j.TriggeredAt, j.StartedAt
	v.RunnerID, v.RunnerName, v.CancelRequested = j.RunnerID, j.RunnerName, j.CancelRequested
	t.jobs[j.ID] = v
	if j.RunID != 0 {
		t.byRun[j.RunID] = j.ID
	}
	if j.CancelRequested {
		t.cancel(j.ID)
	}
}

// cancel starts the cancel of a job's run, unless one is in flight. A job
// whose run id is not known yet is cancelled by a later pass, once the run
// is found (or finished as cancelled when it never appears).
func (t *tracker) cancel(jobID string) {
	j, ok := t.jobs[jobID]
	if _, busy := t.cancels[jobID]; !ok || busy {
		return
	}
	if j.RunID == 0 || j.Owner == "" {
		// Either the run is not known yet or only the journal's event told
		// us about the job: the next pass has the coordinates.
		if j.Owner == "" && j.RunID != 0 {
			t.pass()
		}
		return
	}
	ctx, stop := context.WithCancel(t.gh.baseContext())
	t.cancels[jobID] = stop
	self := t.self
	t.gh.work(func(context.Context) {
		t.gh.cancelRun(ctx, j)
		t.gh.send(self, cancelDoneMsg{jobID: jobID})
	})
}

// webhook applies a verified delivery.
func (t *tracker) webhook(m webhookMsg) {
	t.gh.m.webhooks.Inc()
	switch ev := m.ev.(type) {
	case *github.WorkflowJobEvent:
		t.jobEvent(ev, m.at)
	case *github.WorkflowRunEvent:
		t.runEvent(ev, m.at)
	}
}

// jobEvent handles workflow_job: it tells which runner took or released a
// job, ours or anyone's, and when one of our runs started, on which runner.
func (t *tracker) jobEvent(ev *github.WorkflowJobEvent, at time.Time) {
	if ev.RunnerID != 0 && (ev.Action == "in_progress" || ev.Action == "completed") {
		_, d, _ := t.gh.pids()
		t.gh.send(d, runnerNewsMsg{news: []runnerNews{{RunnerID: ev.RunnerID, Busy: ev.Action == "in_progress", At: at, RunID: ev.RunID}}})
	}
	id, ok := t.byRun[ev.RunID]
	if !ok {
		return
	}
	j := t.jobs[id]
	if ev.Action == "in_progress" && ev.RunnerID != 0 && j.Status == state.StatusTriggered {
		t.heard[id] = at
		t.gh.work(func(ctx context.Context) {
			t.gh.markRunning(ctx, j, ev.RunnerID, ev.RunnerName)
		})
	}
}

// runEvent handles workflow_run: a run of ours finishing ends its job; a
// run we have not matched yet may carry a waiting job's key.
func (t *tracker) runEvent(ev *github.WorkflowRunEvent, at time.Time) {
	run := ev.Run
	id, ok := t.byRun[run.ID]
	if !ok {
		t.matchByKey(ev, at)
		return
	}
	j := t.jobs[id]
	switch {
	case run.Status == "completed":
		t.heard[id] = at
		t.gh.work(func(ctx context.Context) {
			news := t.gh.finishRun(ctx, j, run)
			if len(news) > 0 {
				_, d, _ := t.gh.pids()
				t.gh.send(d, runnerNewsMsg{news: news})
			}
		})
	case run.Status != "in_progress":
		// Queued, waiting, requested: nothing to do but know it is alive.
		t.heard[id] = at
	}
	// in_progress: the runner comes with workflow_job; without it a pass
	// lists the run's jobs, since the job is not marked heard.
}

// matchByKey links a run announced by webhook to the job whose key its
// title carries. Runs only findable by time window wait for a pass.
func (t *tracker) matchByKey(ev *github.WorkflowRunEvent, at time.Time) {
	waiting := false
	for id, j := range t.jobs {
		if j.RunID != 0 || j.Key == "" {
			continue
		}
		waiting = true
		if j.Status == state.StatusDispatching {
			if _, rec := t.reconcile[id]; !rec {
				continue
			}
		}
		if !carriesKey(ev.Run, j.Key) || !sameWorkflow(j, ev) {
			continue
		}
		// Not marked heard: what happened to the run before this delivery
		// (while we were down, say) is unknown, so the next pass reads it.
		t.byRun[ev.Run.ID] = id
		run := ev.Run
		t.gh.work(func(ctx context.Context) { t.gh.adoptRun(ctx, j, run) })
		return
	}
	if waiting {
		t.pass()
	}
}

// sameWorkflow reports whether a workflow_run delivery is about the
// workflow a job was dispatched to (by file name or numeric id). A job
// whose coordinates are not known yet matches any: its key decides.
func sameWorkflow(j jobView, ev *github.WorkflowRunEvent) bool {
	if j.Owner == "" {
		return true
	}
	if !strings.EqualFold(j.Owner, ev.Owner) || !strings.EqualFold(j.Repo, ev.Repo) {
		return false
	}
	if id, err := strconv.ParseInt(j.WorkflowID, 10, 64); err == nil {
		return id == ev.WorkflowID
	}
	return ev.WorkflowPath == "" || path.Base(ev.WorkflowPath) == j.WorkflowID
}

// jobChangedMsg carries a job after a journaled change the tracker cares
// about (triggered, linked, running, cancel requested, finished).
type jobChangedMsg struct{ job *state.Job }
