package actors

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/dispatchoor/dispatchoor/actors/state"
	"github.com/dispatchoor/dispatchoor/github"
)

// passInput is what a tracking pass needs from the tracker actor.
type passInput struct {
	reconcile map[string]time.Time
	heard     map[string]time.Time
	first     bool
}

// passResult is what a pass hands back.
type passResult struct {
	views   []jobView            // the active jobs as read at the start of the pass
	adopted map[string]time.Time // dispatching jobs the pass took over (first pass after a start)
	heard   map[string]time.Time
	news    []runnerNews
	err     error
}

// claimHorizon bounds how far back run ids are collected as claimed; a
// time-window correlation never looks further back than a dispatch the
// tracker still waits on.
const claimHorizon = time.Hour

// webhookFreshness: while webhooks flow, a job heard from this recently is
// not listed. Listing is then only the net for deliveries that got lost,
// and a lost delivery delays a job by at most this much.
const webhookFreshness = 30 * time.Second

// trackPass reads the active jobs, lists the runs of every workflow that
// needs it (one call per workflow), and journals what changed. It runs on a
// worker goroutine.
func (gh *GitHub) trackPass(ctx context.Context, in passInput) passResult {
	now := gh.clock.Now()
	res := passResult{adopted: map[string]time.Time{}, heard: map[string]time.Time{}}
	rctx, cancel := context.WithTimeout(ctx, readTimeout)
	views, err := gh.readGroups(rctx, 0, now.Add(-max(gh.opts.RunNotFoundTimeout, claimHorizon)))
	cancel()
	if err != nil {
		res.err = err
	}
	if in.first {
		gh.durations.seed(views)
	}
	claimed := map[int64]bool{}
	byWorkflow := map[string][]jobView{}
	for _, g := range views {
		for _, id := range g.Claimed {
			claimed[id] = true
		}
		for _, j := range g.Active {
			res.views = append(res.views, j)
			if j.Status == state.StatusDispatching {
				if _, ok := in.reconcile[j.ID]; !ok {
					if _, mine := gh.launched.Load(j.ID); mine {
						// A dispatch worker of this process owns it.
						continue
					}
					// Left dispatching by an earlier process (or another
					// leader): reconcile before anything is sent again.
					in.reconcile[j.ID] = now
					res.adopted[j.ID] = now
				}
			}
			byWorkflow[j.workflowKey()] = append(byWorkflow[j.workflowKey()], j)
		}
	}
	fresh := gh.opts.TrackingInterval
	if gh.webhooksLive(now) {
		fresh = max(fresh, webhookFreshness)
	}
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range byWorkflow {
			if !yield(k) {
				return
			}
		}
	})
	for _, key := range keys {
		jobs := byWorkflow[key]
		if !gh.needsListing(jobs, in, now, fresh) {
			continue
		}
		gh.trackWorkflow(ctx, jobs, in, claimed, &res)
	}
	return res
}

// needsListing reports whether any job of a workflow needs its runs read:
// its run is not found yet, it is being reconciled or cancelled, or nothing
// has been heard of it for longer than fresh. A running job whose template
// has a known run time is not expected to end before a share of it has
// passed, and counts as fresh until then: a long run costs a few listings
// near its expected end, not one every interval.
func (gh *GitHub) needsListing(jobs []jobView, in passInput, now time.Time, fresh time.Duration) bool {
	for _, j := range jobs {
		if j.RunID == 0 || j.CancelRequested {
			return true
		}
		if j.Status == state.StatusRunning && !j.StartedAt.IsZero() {
			if avg, ok := gh.durations.estimate(j.GroupID, j.TemplateID); ok && now.Before(j.StartedAt.Add(time.Duration(expectedShare*float64(avg)))) {
				continue
			}
		}
		if at, ok := in.heard[j.ID]; !ok || now.Sub(at) >= fresh {
			return true
		}
	}
	return false
}

// expectedShare is the part of a template's average run time during which
// a running job is not looked at. Runs that end earlier (an early failure)
// are noticed that much later without webhooks; with webhooks at once.
const expectedShare = 0.6

// listGrace: a run missing from a listing this soon after its dispatch is
// most likely not listed yet (GitHub lists new runs with a delay); only
// later is it read by id.
const listGrace = 30 * time.Second

// trackWorkflow lists one workflow's recent runs and settles its jobs.
func (gh *GitHub) trackWorkflow(ctx context.Context, jobs []jobView, in passInput, claimed map[int64]bool, res *passResult) {
	oldest := jobs[0].DispatchingAt
	for _, j := range jobs {
		if j.DispatchingAt.Before(oldest) {
			oldest = j.DispatchingAt
		}
	}
	j0 := jobs[0]
	runs, err := gh.opts.Workflows.ListWorkflowRuns(ctx, j0.Owner, j0.Repo, j0.WorkflowID, github.RunFilter{
		Event: "workflow_dispatch", CreatedAfter: oldest.Add(-gh.opts.ClockSkew),
	})
	if err != nil {
		gh.log.Warn("list runs", "workflow", j0.workflowKey(), "err", err)
		return
	}
	listedAt := gh.clock.Now()
	byID := make(map[int64]github.Run, len(runs))
	for _, r := range runs {
		byID[r.ID] = r
	}
	var seekers []seeker
	for _, j := range jobs {
		if j.RunID != 0 {
			continue
		}
		seekers = append(seekers, gh.seekerFor(j, in.reconcile[j.ID], listedAt))
	}
	matched := correlate(seekers, runs, claimed, gh.opts.ClockSkew)
	for _, j := range jobs {
		run, found := byID[j.RunID]
		if j.RunID == 0 {
			run, found = matched[j.ID]
		} else if age := listedAt.Sub(j.TriggeredAt); !found && (age >= listGrace || age >= gh.opts.RunNotFoundTimeout) {
			// Read by id before ever failing a job whose run id is known.
			run, found = gh.getRun(ctx, j)
		}
		if !found {
			gh.notFound(ctx, j, in.reconcile[j.ID], listedAt)
			continue
		}
		res.heard[j.ID] = listedAt
		res.news = append(res.news, gh.settleRun(ctx, j, run)...)
	}
}

// seekerFor describes how a job's run may be found. A job whose template
// declares a correlation input is found by key; if its workflow does not
// show the key in its run-name, the time window takes over after half of
// run_not_found_timeout rather than failing the job.
func (gh *GitHub) seekerFor(j jobView, reconcileSince, now time.Time) seeker {
	since := j.DispatchingAt
	s := seeker{JobID: j.ID, Key: j.Key, Ref: j.Ref, Since: since, Window: j.CorrelationInput == ""}
	started := j.TriggeredAt
	if started.IsZero() {
		started = reconcileSince
	}
	if !s.Window && !started.IsZero() && now.Sub(started) >= gh.opts.RunNotFoundTimeout/2 {
		s.Window = true
	}
	return s
}

// getRun reads a run that the listing did not show (more than a listing
// holds, or listed late). Not found is reported as not found.
func (gh *GitHub) getRun(ctx context.Context, j jobView) (github.Run, bool) {
	run, err := gh.opts.Workflows.GetRun(ctx, j.Owner, j.Repo, j.RunID)
	if err != nil {
		if !errors.Is(err, github.ErrNotFound) {
			gh.log.Warn("get run", "job", j.ID, "run", j.RunID, "err", err)
		}
		return github.Run{}, false
	}
	return run, true
}

// notFound handles a job whose run did not show up: within the timeout it
// waits; past it a dispatch of unknown outcome is put back in the queue
// and a triggered job fails. A failed "not found" job is not requeued: its
// run may still exist, and a second one must not be started.
func (gh *GitHub) notFound(ctx context.Context, j jobView, reconcileSince, now time.Time) {
	timeout := gh.opts.RunNotFoundTimeout
	switch j.Status {
	case state.StatusDispatching:
		since := reconcileSince
		if since.IsZero() || now.Sub(since) < timeout {
			return
		}
		reason := fmt.Sprintf("no run appeared within %s of an uncertain dispatch", timeout)
		if _, err := gh.sys.Decide(ctx, j.GroupID, whoTracker, func(g *state.GroupState, m state.Meta) ([]state.Event, error) {
			return g.UndoDispatch(m, j.ID, reason)
		}); err != nil {
			gh.log.Warn("undo dispatch", "job", j.ID, "err", err)
			return
		}
		gh.m.undone.Inc()
		gh.log.Warn("dispatch undone: no run found", "job", j.ID, "key", j.Key)
	case state.StatusTriggered, state.StatusRunning:
		if j.TriggeredAt.IsZero() || now.Sub(j.TriggeredAt) < timeout {
			return
		}
		f := state.Finish{Status: state.StatusFailed, NoRun: true, Reason: "run not found",
			Error: fmt.Sprintf("Workflow run not found within %s", timeout)}
		if j.RunID != 0 {
			f.Error = fmt.Sprintf("Workflow run %d no longer found on GitHub", j.RunID)
		}
		if j.CancelRequested {
			f = state.Finish{Status: state.StatusCancelled, Reason: "cancelled; its run was never found", NoRun: true}
		}
		gh.finish(ctx, j, f)
	}
}

// settleRun brings a job in line with its run: it adopts the run if the
// job did not know it, marks it running (with the runner from the run's
// jobs) and finishes it when the run completed. It returns what it learnt
// about runners.
func (gh *GitHub) settleRun(ctx context.Context, j jobView, run github.Run) []runnerNews {
	if j.RunID == 0 {
		var ok bool
		if j, ok = gh.adoptRun(ctx, j, run); !ok {
			return nil
		}
	}
	if run.Status == "completed" {
		return gh.finishRun(ctx, j, run)
	}
	if run.Status != "in_progress" || j.Status != state.StatusTriggered {
		return nil
	}
	jobs, err := gh.opts.Workflows.ListRunJobs(ctx, j.Owner, j.Repo, run.ID)
	if err != nil {
		gh.log.Warn("list run jobs", "job", j.ID, "run", run.ID, "err", err)
		return nil
	}
	for _, rj := range jobs {
		if rj.RunnerID != 0 && rj.Status != "queued" {
			gh.markRunning(ctx, j, rj.RunnerID, rj.RunnerName)
			return []runnerNews{{RunnerID: rj.RunnerID, Busy: rj.Status != "completed", At: gh.clock.Now(), RunID: run.ID}}
		}
	}
	return nil
}

// adoptRun journals the run found for a job: triggered for a dispatch of
// unknown outcome, linked for a triggered job.
func (gh *GitHub) adoptRun(ctx context.Context, j jobView, run github.Run) (jobView, bool) {
	_, err := gh.sys.Decide(ctx, j.GroupID, whoTracker, func(g *state.GroupState, m state.Meta) ([]state.Event, error) {
		cur := g.Jobs[j.ID]
		if cur != nil && cur.Status == state.StatusDispatching {
			return g.MarkTriggered(m, j.ID, run.ID, run.HTMLURL)
		}
		return g.LinkRun(m, j.ID, run.ID, run.HTMLURL)
	})
	if err != nil {
		gh.log.Warn("link run", "job", j.ID, "run", run.ID, "err", err)
		return j, false
	}
	gh.log.Info("run found", "job", j.ID, "run", run.ID, "title", run.DisplayTitle)
	if j.Status == state.StatusDispatching {
		j.Status = state.StatusTriggered
		j.TriggeredAt = gh.clock.Now()
	}
	j.RunID, j.RunURL = run.ID, run.HTMLURL
	return j, true
}

// markRunning journals that a job's run started on a runner.
func (gh *GitHub) markRunning(ctx context.Context, j jobView, runnerID int64, runnerName string) {
	if _, err := gh.sys.Decide(ctx, j.GroupID, whoTracker, func(g *state.GroupState, m state.Meta) ([]state.Event, error) {
		return g.MarkRunning(m, j.ID, runnerID, runnerName)
	}); err != nil {
		gh.log.Debug("mark running", "job", j.ID, "err", err)
	}
}

// finishRun ends a job whose run completed, and reports its runner free.
func (gh *GitHub) finishRun(ctx context.Context, j jobView, run github.Run) []runnerNews {
	status, msg := github.MapConclusion(run.Conclusion)
	if status == "" {
		// "completed" without a conclusion: not seen in practice; wait for
		// the next reading rather than guess.
		return nil
	}
	f := state.Finish{Status: state.JobStatus(status), Error: msg, Conclusion: run.Conclusion,
		RunID: run.ID, RunURL: run.HTMLURL, Reason: "run " + run.Conclusion}
	if j.CancelRequested && run.Conclusion == "cancelled" {
		f.Reason = "cancelled on request"
	}
	if gh.finish(ctx, j, f) && f.Status == state.StatusCompleted {
		started := j.StartedAt
		if started.IsZero() {
			started = run.RunStartedAt
		}
		if !started.IsZero() {
			gh.durations.observe(j.GroupID, j.TemplateID, gh.clock.Now().Sub(started))
		}
	}
	if j.RunnerID != 0 && j.Status == state.StatusRunning {
		return []runnerNews{{RunnerID: j.RunnerID, Busy: false, At: gh.clock.Now(), RunID: run.ID}}
	}
	return nil
}

// finish journals a job's end; false when the job had already ended.
func (gh *GitHub) finish(ctx context.Context, j jobView, f state.Finish) bool {
	if _, err := gh.sys.Decide(ctx, j.GroupID, whoTracker, func(g *state.GroupState, m state.Meta) ([]state.Event, error) {
		return g.Finish(m, j.ID, f)
	}); err != nil {
		gh.log.Debug("finish job", "job", j.ID, "err", err)
		return false
	}
	gh.log.Info("job finished", "job", j.ID, "group", j.GroupID, "status", f.Status, "conclusion", f.Conclusion, "run", j.RunID)
	return true
}
