package state

import (
	"fmt"
	"slices"
	"strings"
)

// RunnerState is the runner partition: what the poller last saw on GitHub.
type RunnerState struct {
	Index   uint64
	Runners map[int64]*Runner
}

// NewRunnerState returns an empty runner partition.
func NewRunnerState() *RunnerState { return &RunnerState{Runners: map[int64]*Runner{}} }

// Apply applies a runner event.
func (r *RunnerState) Apply(idx uint64, e *Event) error {
	if idx != 0 && idx <= r.Index {
		return nil
	}
	if e.Type != RunnersObserved {
		return fmt.Errorf("apply: unknown event type %q for runner partition", e.Type)
	}
	for _, obs := range e.Runners {
		n := obs
		n.Labels = slices.Clone(obs.Labels)
		if old, ok := r.Runners[n.ID]; ok {
			n.CreatedAt = old.CreatedAt
		} else if n.CreatedAt.IsZero() {
			n.CreatedAt = e.Time
		}
		n.UpdatedAt = e.Time
		r.Runners[n.ID] = &n
	}
	for _, id := range e.RunnerIDs {
		delete(r.Runners, id)
	}
	if idx != 0 {
		r.Index = idx
	}
	return nil
}

// Matches reports whether a runner's labels are a superset of want. GitHub
// compares runs-on labels case-insensitively when it assigns a job, so the
// dispatcher does too: a stricter match would leave runners idle that GitHub
// would happily use.
func Matches(runnerLabels, want []string) bool {
	for _, w := range want {
		if !slices.ContainsFunc(runnerLabels, func(l string) bool { return strings.EqualFold(l, w) }) {
			return false
		}
	}
	return true
}
