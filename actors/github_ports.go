package actors

import (
	"context"
	"time"

	"github.com/dispatchoor/dispatchoor/github"
)

// RunnerAPI is what the runner poller needs of GitHub. *github.Client
// implements it; tests use the simulator behind a real client.
type RunnerAPI interface {
	IsOrg(ctx context.Context, owner string) (bool, error)
	ListOrgRunners(ctx context.Context, org string) (github.RunnerList, error)
	ListRepoRunners(ctx context.Context, owner, repo string) (github.RunnerList, error)
	Backoff() (until time.Time, reason string)
}

// WorkflowAPI is what the dispatcher and the run tracker need of GitHub.
type WorkflowAPI interface {
	Dispatch(ctx context.Context, req github.DispatchRequest) (github.DispatchResult, error)
	ListWorkflowRuns(ctx context.Context, owner, repo, workflowID string, filter github.RunFilter) ([]github.Run, error)
	GetRun(ctx context.Context, owner, repo string, id int64) (github.Run, error)
	ListRunJobs(ctx context.Context, owner, repo string, runID int64) ([]github.Job, error)
	CancelRun(ctx context.Context, owner, repo string, id int64) error
	ForceCancelRun(ctx context.Context, owner, repo string, id int64) error
	Backoff() (until time.Time, reason string)
}

// Clock is the time source of the GitHub actors: intervals, reservations
// and timeouts are measured on it. Tests adapt the simulator's manual clock
// to it, so they move the whole world, GitHub included, one step at a time.
type Clock interface {
	Now() time.Time
	// AfterFunc calls f once d has passed. f must not block.
	AfterFunc(d time.Duration, f func()) ClockTimer
}

// ClockTimer is a pending AfterFunc call.
type ClockTimer interface {
	Stop() bool
}

// wallClock is the Clock of production: the machine's time.
type wallClock struct{}

func (wallClock) Now() time.Time { return time.Now() }

func (wallClock) AfterFunc(d time.Duration, f func()) ClockTimer { return time.AfterFunc(d, f) }
