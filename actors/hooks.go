package actors

import (
	"context"
	"time"

	"github.com/dispatchoor/dispatchoor/actors/state"
)

// Decide runs a decision in a group's actor and returns the events it
// committed, once they are durable. It is how the leader-only actors
// (dispatcher, tracker) change a group: they never touch a partition
// directly. decide must be pure: it runs on the group actor's goroutine and
// may only read g.
func (s *System) Decide(ctx context.Context, groupID string, who Who, decide func(g *state.GroupState, m state.Meta) ([]state.Event, error)) ([]state.Event, error) {
	v, err := s.command(ctx, groupID, who, decide, func(_ *groupActor, events []state.Event) any { return events })
	if err != nil {
		return nil, err
	}
	events, _ := v.([]state.Event)
	return events, nil
}

// Read runs fn on a group's actor and returns its result once everything
// the answer may reflect is durable. fn must copy whatever it returns: the
// partition keeps changing after it returns.
func (s *System) Read(ctx context.Context, groupID string, fn func(g *state.GroupState) (any, error)) (any, error) {
	return s.query(ctx, groupID, func(a *groupActor) (any, error) { return fn(a.g) })
}

// GroupIDs lists the groups, sorted.
func (s *System) GroupIDs() []string { return s.groupIDs() }

// Now is the system clock (injectable in tests).
func (s *System) Now() time.Time { return s.opts.Now() }

// Hooks connect the leader-only GitHub actors to the API. Each may be nil.
type Hooks struct {
	// Cancel is told about a job whose cancel was requested; the tracker
	// cancels its run. With a Cancel hook, API cancels are journaled as
	// requests instead of finishing the job at once.
	Cancel func(jobID string)
	// Refresh polls the runners now (POST /runners/refresh).
	Refresh func(ctx context.Context) error
	// Explain returns the function that refines the reason and ETA of g's
	// pending jobs (nil, or ok false, falls back to the built-in
	// explanation). Both run on the group actor's goroutine and must not
	// block; the returned function is used for one pass over g only.
	Explain func(g *state.GroupState) func(j *state.Job, ahead int) (reason string, eta time.Time, ok bool)
}

// SetHooks installs (or, with a zero Hooks, removes) the GitHub hooks. A
// cluster node installs them when it becomes leader and removes them when
// it steps down.
func (s *System) SetHooks(h Hooks) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cancelHook, s.refreshHook, s.explainHook = h.Cancel, h.Refresh, h.Explain
}
