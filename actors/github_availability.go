package actors

import (
	"time"

	"github.com/dispatchoor/dispatchoor/github"
)

// Whether a runner can take a dispatch now. GitHub's busy flag is a hint
// that lags: it reads false for up to a minute after a job started and true
// for a while after it finished (spec/github-api.md §4). What runs told us
// (a workflow_job webhook, or the jobs of one of our runs) is fresher, so it
// wins over a poll taken before it, and it explains a flag that has not
// caught up yet. Runners holding one of our dispatches or runs are never
// offered, whatever their flag says.

// observedRunner is a runner as the last poll of its scope reported it.
type observedRunner struct {
	github.Runner
	Scope      string
	ObservedAt time.Time
}

func (r observedRunner) online() bool { return r.Status == "online" }

// runnerNews is what a run told about a runner: a job started on it (Busy)
// or finished on it.
type runnerNews struct {
	RunnerID int64
	Busy     bool
	At       time.Time
	RunID    int64
}

// Lag tolerances for GitHub's busy flag.
const (
	// busyLag: after a job started on a runner, the flag may still read
	// false this long (25-60 s and more are reported).
	busyLag = 90 * time.Second
	// clearLag: after a job finished, the flag may still read true this
	// long.
	clearLag = 30 * time.Second
	// newsTTL: news older than this explains nothing any more.
	newsTTL = 2 * busyLag
)

// runnerFree reports whether r may take a dispatch now. held means one of
// our dispatches or runs occupies it; news is the latest word about it from
// a run, if any.
func runnerFree(r observedRunner, news runnerNews, hasNews, held bool, now time.Time) bool {
	if !r.online() || held {
		return false
	}
	if !hasNews || now.Sub(news.At) > newsTTL {
		return !r.Busy
	}
	switch {
	case news.At.After(r.ObservedAt):
		// The poll predates what the run told us.
		return !news.Busy
	case news.Busy && !r.Busy && now.Sub(news.At) < busyLag:
		// A job started there; the flag has not caught up.
		return false
	case !news.Busy && r.Busy && r.ObservedAt.Sub(news.At) < clearLag:
		// The job we heard finish is what the flag still shows.
		return true
	}
	return !r.Busy
}
