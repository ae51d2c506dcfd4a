package actors

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/dispatchoor/dispatchoor/actors/state"
	"github.com/dispatchoor/dispatchoor/github"
)

// Cancelling a run is asynchronous on GitHub: the cancel is accepted (202),
// the run keeps going until its runner stops, and jobs with if: always()
// ignore a normal cancel. So the cancel is confirmed by reading the run
// back until it completed, escalating to force-cancel when it does not
// stop in time, and the job records what the run's conclusion says.

// cancelPollMax bounds the interval between read-backs of a cancelled run.
const cancelPollMax = 5 * time.Second

// giveUpFactor: after this many ForceCancelAfter periods without the run
// completing, the job is finished as cancelled with an error saying GitHub
// never confirmed it, so no job waits forever.
const giveUpFactor = 5

// cancelRun cancels a job's run and follows it to its end. It runs on a
// worker goroutine.
func (gh *GitHub) cancelRun(ctx context.Context, j jobView) {
	if err := gh.pace.wait(ctx); err != nil {
		return
	}
	err := gh.opts.Workflows.CancelRun(ctx, j.Owner, j.Repo, j.RunID)
	switch {
	case errors.Is(err, github.ErrAlreadyCompleted):
		if run, ok := gh.getRun(ctx, j); ok {
			gh.finishRun(ctx, j, run)
		}
		return
	case errors.Is(err, github.ErrNotFound):
		gh.finish(ctx, j, state.Finish{Status: state.StatusCancelled, Reason: "cancelled; its run no longer exists on GitHub"})
		return
	case err != nil && !github.IsUncertain(err):
		// Rate limit, credentials: the next pass retries, since the job
		// still has its cancel request.
		gh.log.Warn("cancel run", "job", j.ID, "run", j.RunID, "err", err)
		return
	}
	gh.log.Info("cancel sent", "job", j.ID, "run", j.RunID)
	gh.confirmCancel(ctx, j)
}

// confirmCancel reads the run back until it completed, force-cancelling it
// once it has ignored the cancel for ForceCancelAfter.
func (gh *GitHub) confirmCancel(ctx context.Context, j jobView) {
	start := gh.clock.Now()
	every := min(gh.opts.TrackingInterval, cancelPollMax)
	forced := false
	for {
		if err := sleep(ctx, gh.clock, &gh.asleep, every); err != nil {
			return
		}
		if run, ok := gh.getRun(ctx, j); ok && run.Status == "completed" {
			gh.finishRun(ctx, j, run)
			return
		}
		waited := gh.clock.Now().Sub(start)
		if !forced && waited >= gh.opts.ForceCancelAfter {
			forced = true
			if err := gh.pace.wait(ctx); err != nil {
				return
			}
			err := gh.opts.Workflows.ForceCancelRun(ctx, j.Owner, j.Repo, j.RunID)
			gh.log.Warn("run ignored the cancel; force-cancelling", "job", j.ID, "run", j.RunID, "err", err)
		}
		if waited >= giveUpFactor*gh.opts.ForceCancelAfter {
			gh.finish(ctx, j, state.Finish{Status: state.StatusCancelled, Reason: "cancel not confirmed",
				Error: fmt.Sprintf("GitHub had not confirmed the cancel of run %d after %s", j.RunID, waited.Round(time.Second))})
			return
		}
	}
}
