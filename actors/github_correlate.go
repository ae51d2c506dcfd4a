package actors

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/dispatchoor/dispatchoor/github"
)

// Run correlation: finding the run a dispatch created when GitHub did not
// say (no return_run_details, or an answer that never arrived).
//
//  1. By key. Every dispatch carries a random key; a template that declares
//     a correlation_input sends it in that input, and a workflow that puts
//     the input in its run-name shows it in the run's display_title. A run
//     whose title contains a job's key is that job's run, whatever else is
//     going on in the repository.
//  2. By time window, the last resort for templates without a correlation
//     input: the oldest run of the same workflow and ref created at or after
//     the dispatch (minus the allowed clock skew) that no job has ever
//     claimed. Jobs are served oldest dispatch first. The dispatcher sends
//     at most one such dispatch per workflow and ref at a time, so two of
//     our own dispatches never compete for the same window.

// seeker is a job waiting for its run to be found.
type seeker struct {
	JobID string
	Key   string
	// Ref is the ref the job was dispatched on; window matches compare it
	// with the run's head branch.
	Ref string
	// Since is when the dispatch was decided (JobDispatching's time).
	Since time.Time
	// Window allows the time-window fallback.
	Window bool
}

// correlate assigns runs to seekers: every key match first, then window
// matches among the runs left. claimed holds every run id that belongs to a
// job already; matched runs are added to it. runs may be in any order.
func correlate(seekers []seeker, runs []github.Run, claimed map[int64]bool, skew time.Duration) map[string]github.Run {
	out := map[string]github.Run{}
	for _, s := range seekers {
		if s.Key == "" {
			continue
		}
		for _, r := range runs {
			if !claimed[r.ID] && carriesKey(r, s.Key) {
				out[s.JobID] = r
				claimed[r.ID] = true
				break
			}
		}
	}
	byAge := slices.Clone(runs)
	slices.SortFunc(byAge, func(a, b github.Run) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	waiting := slices.Clone(seekers)
	slices.SortStableFunc(waiting, func(a, b seeker) int { return a.Since.Compare(b.Since) })
	for _, s := range waiting {
		if _, done := out[s.JobID]; done || !s.Window {
			continue
		}
		for _, r := range byAge {
			if claimed[r.ID] || r.CreatedAt.Before(s.Since.Add(-skew)) || !sameRef(r.HeadBranch, s.Ref) {
				continue
			}
			if r.Event != "" && r.Event != "workflow_dispatch" {
				continue
			}
			out[s.JobID] = r
			claimed[r.ID] = true
			break
		}
	}
	return out
}

// carriesKey reports whether a run shows a dispatch key in its title.
func carriesKey(r github.Run, key string) bool {
	return strings.Contains(r.DisplayTitle, key) || strings.Contains(r.Name, key)
}

// sameRef compares a run's head branch with the ref a job was dispatched
// on, which may be written in full ("refs/heads/main", "refs/tags/v1").
func sameRef(headBranch, ref string) bool {
	return headBranch == shortRef(ref)
}

func shortRef(ref string) string {
	for _, p := range []string{"refs/heads/", "refs/tags/"} {
		if s, ok := strings.CutPrefix(ref, p); ok {
			return s
		}
	}
	return ref
}
