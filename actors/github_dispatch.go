package actors

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"time"

	"github.com/dispatchoor/dispatchoor/actors/state"
	"github.com/dispatchoor/dispatchoor/github"
)

// dispatchOutcome is how a dispatch worker ended.
type dispatchOutcome int

const (
	// outcomeRefused: the job changed before it could be marked
	// dispatching (paused, cancelled, reordered away); nothing was sent.
	outcomeRefused dispatchOutcome = iota
	// outcomeTriggered: GitHub accepted the dispatch.
	outcomeTriggered
	// outcomeUndone: nothing was created; the job is pending again.
	outcomeUndone
	// outcomeFailed: GitHub refused the request; the job failed.
	outcomeFailed
	// outcomeUncertain: the request may have created a run; the tracker
	// looks for it before anything is sent again.
	outcomeUncertain
)

// dispatchJob takes one job through a dispatch: journal the intent with
// its key and reserved runner, send workflow_dispatch, journal the
// outcome. It runs on a worker goroutine.
//
// The intent is durable before the request leaves, so a crash at any
// point leaves the job in dispatching, and dispatching jobs are looked for
// on GitHub (by key, or by time window) before they are ever sent again.
func (gh *GitHub) dispatchJob(ctx context.Context, f flight) dispatchOutcome {
	var job jobView
	_, err := gh.sys.Decide(ctx, f.GroupID, whoDispatcher, func(g *state.GroupState, m state.Meta) ([]state.Event, error) {
		events, err := g.MarkDispatching(m, f.JobID, f.Key, f.RunnerID, f.RunnerName)
		if err == nil {
			job = viewJob(g, g.Jobs[f.JobID])
			job.Key, job.DispatchingAt = f.Key, m.Time
		}
		return events, err
	})
	if err != nil {
		if errors.Is(err, state.ErrInvalid) || errors.Is(err, state.ErrNotFound) {
			gh.log.Debug("dispatch refused by the queue", "job", f.JobID, "err", err)
			return outcomeRefused
		}
		// The intent may have been journaled without us learning it (the
		// journal was slow): nothing was sent, so if the job is now
		// dispatching the tracker finds no run and puts it back.
		gh.log.Warn("journal dispatch intent", "job", f.JobID, "err", err)
		gh.handOver(f.JobID, gh.clock.Now())
		return outcomeUncertain
	}

	select {
	case gh.slots <- struct{}{}:
	case <-ctx.Done():
		return gh.undo(ctx, f, "dispatcher stopped before sending")
	}
	defer func() { <-gh.slots }()
	res, err := gh.send1(ctx, job)
	return gh.settle(ctx, f, job, res, err)
}

// send1 sends the dispatch, falling back once to a request without
// return_run_details when the server does not know the field (a refused
// request created nothing).
func (gh *GitHub) send1(ctx context.Context, job jobView) (github.DispatchResult, error) {
	req := github.DispatchRequest{
		Owner: job.Owner, Repo: job.Repo, WorkflowID: job.WorkflowID, Ref: job.Ref,
		Inputs: maps.Clone(job.Inputs), ReturnRunDetails: gh.mode() != runDetailsUnsupported,
	}
	if job.CorrelationInput != "" {
		if req.Inputs == nil {
			req.Inputs = map[string]string{}
		}
		req.Inputs[job.CorrelationInput] = job.Key
	}
	if err := gh.pace.wait(ctx); err != nil {
		return github.DispatchResult{}, err
	}
	res, err := gh.opts.Workflows.Dispatch(ctx, req)
	if errors.Is(err, github.ErrReturnRunDetailsUnsupported) {
		gh.setMode(runDetailsUnsupported)
		req.ReturnRunDetails = false
		if err := gh.pace.wait(ctx); err != nil {
			return github.DispatchResult{}, err
		}
		res, err = gh.opts.Workflows.Dispatch(ctx, req)
	}
	if err == nil && req.ReturnRunDetails {
		if res.RunID != 0 {
			gh.setMode(runDetailsSupported)
		} else {
			// A 204 to a request with the field: the server ignores it.
			gh.setMode(runDetailsUnsupported)
		}
	}
	return res, err
}

// settle journals what GitHub answered.
func (gh *GitHub) settle(ctx context.Context, f flight, job jobView, res github.DispatchResult, err error) dispatchOutcome {
	if err == nil {
		url := res.HTMLURL
		if url == "" {
			url = res.RunURL
		}
		if _, derr := gh.sys.Decide(ctx, f.GroupID, whoDispatcher, func(g *state.GroupState, m state.Meta) ([]state.Event, error) {
			return g.MarkTriggered(m, f.JobID, res.RunID, url)
		}); derr != nil {
			// GitHub created the run; the tracker will find and link it.
			gh.log.Warn("journal trigger", "job", f.JobID, "run", res.RunID, "err", derr)
			gh.handOver(f.JobID, job.DispatchingAt)
			return outcomeUncertain
		}
		gh.m.triggered(f.GroupID)
		gh.log.Info("dispatched", "job", f.JobID, "group", f.GroupID, "workflow", job.workflowKey(), "ref", job.Ref,
			"run", res.RunID, "runner", f.RunnerName)
		return outcomeTriggered
	}
	gh.m.errors.Inc()
	var ve *github.ValidationError
	var ae *github.APIError
	var rl *github.RateLimitedError
	switch {
	case github.IsUncertain(err):
		gh.log.Warn("dispatch outcome unknown; looking for its run before sending again", "job", f.JobID, "err", err)
		gh.handOver(f.JobID, job.DispatchingAt)
		return outcomeUncertain
	case errors.As(err, &ve):
		return gh.refuse(ctx, f, ve.Error())
	case errors.As(err, &rl):
		return gh.undo(ctx, f, "GitHub rate-limited "+formatUntil(rl.Reset))
	case errors.As(err, &ae) && ae.Status == 401:
		gh.log.Error("dispatch: GitHub refused the credentials", "err", err)
		return gh.undo(ctx, f, "GitHub refused the credentials")
	case errors.As(err, &ae) && ae.Status >= 400 && ae.Status < 500:
		// Not found, forbidden, gone: GitHub refused this request and
		// created nothing. Sending it again would be refused again.
		return gh.refuse(ctx, f, fmt.Sprintf("GitHub refused the dispatch of %s: %s", job.workflowKey(), ae.Message))
	}
	// Not sent at all (the dispatcher is stopping, the request could not be
	// built): nothing exists on GitHub.
	return gh.undo(ctx, f, "dispatch not sent: "+err.Error())
}

// refuse fails a job GitHub refused to dispatch, with GitHub's message. It
// is not requeued: the same request would be refused again.
func (gh *GitHub) refuse(ctx context.Context, f flight, msg string) dispatchOutcome {
	gh.log.Warn("dispatch refused by GitHub", "job", f.JobID, "error", msg)
	if _, err := gh.sys.Decide(ctx, f.GroupID, whoDispatcher, func(g *state.GroupState, m state.Meta) ([]state.Event, error) {
		return g.Finish(m, f.JobID, state.Finish{Status: state.StatusFailed, Error: msg, Reason: "dispatch refused by GitHub", NoRun: true})
	}); err != nil {
		gh.log.Warn("journal refused dispatch", "job", f.JobID, "err", err)
		gh.handOver(f.JobID, gh.clock.Now())
		return outcomeUncertain
	}
	return outcomeFailed
}

// undo puts a job whose dispatch created nothing back in the queue.
func (gh *GitHub) undo(ctx context.Context, f flight, reason string) dispatchOutcome {
	if ctx.Err() != nil {
		// Stopping: leave the job dispatching for the next start to
		// reconcile rather than journal with a dead context.
		return outcomeUncertain
	}
	if _, err := gh.sys.Decide(ctx, f.GroupID, whoDispatcher, func(g *state.GroupState, m state.Meta) ([]state.Event, error) {
		return g.UndoDispatch(m, f.JobID, reason)
	}); err != nil {
		gh.log.Warn("journal undone dispatch", "job", f.JobID, "err", err)
		gh.handOver(f.JobID, gh.clock.Now())
		return outcomeUncertain
	}
	gh.m.undone.Inc()
	return outcomeUndone
}

// handOver gives a dispatching job to the tracker to reconcile.
func (gh *GitHub) handOver(jobID string, since time.Time) {
	_, _, t := gh.pids()
	gh.send(t, reconcileMsg{jobID: jobID, since: since})
}

// failUndispatchable fails a pending job that can never be dispatched.
func (gh *GitHub) failUndispatchable(ctx context.Context, groupID, jobID, reason string) {
	_, err := gh.sys.Decide(ctx, groupID, whoDispatcher, func(g *state.GroupState, m state.Meta) ([]state.Event, error) {
		return g.FailUndispatchable(m, jobID)
	})
	if err != nil {
		gh.log.Debug("fail undispatchable job", "job", jobID, "err", err)
		return
	}
	gh.log.Warn("job failed: it cannot be dispatched", "job", jobID, "group", groupID, "reason", reason)
}
