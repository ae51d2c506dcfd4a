package state

import (
	"fmt"
	"strings"
)

// Decisions of the dispatcher and the run tracker: the transitions of a job
// from pending through dispatching and triggered to running. Each reads the
// group's partition and refuses a transition the job's current status does
// not allow, so a stale view in the dispatcher (the job was paused, cancelled
// or already dispatched a moment ago) can never produce an event. Finishing
// a job goes through Finish.

// MaxDispatchKeyLen bounds a dispatch key. Keys travel in a workflow input
// and in the run's display title, so they are kept short.
const MaxDispatchKeyLen = 64

// DispatchProblem says why job j can never be dispatched as it stands, or ""
// when nothing stands in the way. Such a job is failed with the message
// instead of blocking the jobs behind it.
func (g *GroupState) DispatchProblem(j *Job) string {
	t := g.Templates[j.TemplateID]
	if j.TemplateID != "" && t == nil {
		return fmt.Sprintf("cannot dispatch: template %s no longer exists", j.TemplateID)
	}
	owner, repo, workflowID, ref := effective(t, j)
	if owner != "" && repo != "" && workflowID != "" && ref != "" {
		return "" // the common case, checked on every dispatcher pass
	}
	var missing []string
	for _, f := range []struct{ name, v string }{{"owner", owner}, {"repo", repo}, {"workflow_id", workflowID}, {"ref", ref}} {
		if f.v == "" {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return "cannot dispatch: missing " + strings.Join(missing, ", ")
	}
	return ""
}

// Dispatchable reports whether the dispatcher may send j now: pending, not
// paused, in an active group, with nothing that stops it being dispatched.
func (g *GroupState) Dispatchable(j *Job) bool {
	return g.DispatchHalted() == nil && j.Status == StatusPending && !j.Paused && g.DispatchProblem(j) == ""
}

// DispatchHalted reports why the group does not dispatch, or nil when it
// does.
func (g *GroupState) DispatchHalted() error {
	switch {
	case !g.Group.InConfig || !g.Group.Enabled:
		return invalid("group %s is no longer in the config", g.Group.ID)
	case g.Group.Paused:
		return invalid("group %s is paused", g.Group.ID)
	}
	return nil
}

// MarkDispatching decides the dispatcher's intent to send a job to GitHub,
// journaled before the request so that a crash in between is reconciled
// instead of dispatched twice. key identifies the attempt (it travels in the
// correlation input) and runner is the idle runner the dispatch reserves.
func (g *GroupState) MarkDispatching(m Meta, jobID, key string, runnerID int64, runnerName string) ([]Event, error) {
	j, err := g.job(jobID)
	if err != nil {
		return nil, err
	}
	if err := g.DispatchHalted(); err != nil {
		return nil, err
	}
	switch {
	case j.Status != StatusPending:
		return nil, invalid("cannot dispatch job %s with status %s", j.ID, j.Status)
	case j.Paused:
		return nil, invalid("job %s is paused", j.ID)
	case key == "" || len(key) > MaxDispatchKeyLen:
		return nil, invalid("dispatch key must be 1 to %d bytes", MaxDispatchKeyLen)
	}
	if p := g.DispatchProblem(j); p != "" {
		return nil, invalid("%s", p)
	}
	e := m.event(JobDispatching, g.Group.ID, j.ID)
	e.DispatchKey, e.RunnerID, e.RunnerName = key, runnerID, runnerName
	e.Reason = fmt.Sprintf("queued for %s; idle runner %s reserved for it", m.Time.Sub(j.CreatedAt).Truncate(1e9), runnerName)
	return []Event{e}, nil
}

// MarkTriggered decides that GitHub accepted a job's dispatch. runID is 0
// when GitHub did not say which run it created; the tracker links it later.
func (g *GroupState) MarkTriggered(m Meta, jobID string, runID int64, runURL string) ([]Event, error) {
	j, err := g.job(jobID)
	if err != nil {
		return nil, err
	}
	if j.Status != StatusDispatching {
		return nil, invalid("cannot mark job %s triggered: status %s, want dispatching", j.ID, j.Status)
	}
	if err := g.checkRunFree(j, runID); err != nil {
		return nil, err
	}
	e := m.event(JobTriggered, g.Group.ID, j.ID)
	e.RunID, e.RunURL = runID, runURL
	return []Event{e}, nil
}

// LinkRun decides the run a triggered job created, found by correlation
// after the trigger. Linking the run already linked is a no-op.
func (g *GroupState) LinkRun(m Meta, jobID string, runID int64, runURL string) ([]Event, error) {
	j, err := g.job(jobID)
	if err != nil {
		return nil, err
	}
	if j.Status != StatusTriggered && j.Status != StatusRunning {
		return nil, invalid("cannot link a run to job %s with status %s", j.ID, j.Status)
	}
	switch {
	case runID <= 0:
		return nil, invalid("run id must be positive, got %d", runID)
	case j.RunID == runID:
		return nil, nil
	case j.RunID != 0:
		return nil, invalid("job %s is already linked to run %d", j.ID, j.RunID)
	}
	if err := g.checkRunFree(j, runID); err != nil {
		return nil, err
	}
	e := m.event(JobRunLinked, g.Group.ID, j.ID)
	e.RunID, e.RunURL = runID, runURL
	return []Event{e}, nil
}

// MarkRunning decides that a job's run started, on the given runner (0 and
// "" when GitHub did not say). A job already running is left alone, so
// duplicated and reordered webhooks are harmless.
func (g *GroupState) MarkRunning(m Meta, jobID string, runnerID int64, runnerName string) ([]Event, error) {
	j, err := g.job(jobID)
	if err != nil {
		return nil, err
	}
	switch j.Status {
	case StatusRunning:
		return nil, nil
	case StatusTriggered:
	default:
		return nil, invalid("cannot mark job %s running: status %s, want triggered", j.ID, j.Status)
	}
	e := m.event(JobRunning, g.Group.ID, j.ID)
	e.RunnerID, e.RunnerName = runnerID, runnerName
	return []Event{e}, nil
}

// UndoDispatch decides that a dispatch created no run on GitHub (it was
// refused before anything was created, or reconciliation found no run), so
// the job goes back to the head of the queue. A job whose cancel was
// requested meanwhile is finished as cancelled instead: sending it again
// would defeat the cancel. It is a decision of the group actor, so a cancel
// journaled between the caller's look and this decision is still seen.
func (g *GroupState) UndoDispatch(m Meta, jobID, reason string) ([]Event, error) {
	j, err := g.job(jobID)
	if err != nil {
		return nil, err
	}
	if j.Status != StatusDispatching {
		return nil, invalid("cannot undo the dispatch of job %s: status %s, want dispatching", j.ID, j.Status)
	}
	if j.CancelRequested {
		return g.Finish(m, jobID, Finish{Status: StatusCancelled, Reason: "cancelled before GitHub created a run"})
	}
	e := m.event(JobDispatchUndone, g.Group.ID, j.ID)
	e.Reason = reason
	return []Event{e}, nil
}

// FailUndispatchable decides the failure of a pending job that can never be
// dispatched (its template vanished, its coordinates are incomplete), with
// the reason as its error. It is not requeued: the copy would fail the same
// way.
func (g *GroupState) FailUndispatchable(m Meta, jobID string) ([]Event, error) {
	j, err := g.job(jobID)
	if err != nil {
		return nil, err
	}
	if j.Status != StatusPending {
		return nil, invalid("cannot fail job %s as undispatchable: status %s", j.ID, j.Status)
	}
	p := g.DispatchProblem(j)
	if p == "" {
		return nil, invalid("job %s can be dispatched", j.ID)
	}
	return g.Finish(m, jobID, Finish{Status: StatusFailed, Error: p, Reason: p, NoRun: true})
}

// checkRunFree refuses a run id another job of the group already holds: one
// run never finishes two jobs. Run ids are unique across repositories, so
// the check needs no coordinates.
func (g *GroupState) checkRunFree(j *Job, runID int64) error {
	if runID < 0 {
		return invalid("run id must not be negative, got %d", runID)
	}
	if runID == 0 {
		return nil
	}
	for _, other := range g.Jobs {
		if other != j && other.RunID == runID {
			return invalid("run %d already belongs to job %s", runID, other.ID)
		}
	}
	return nil
}
