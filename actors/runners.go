package actors

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/dispatchoor/dispatchoor/actors/state"
)

// runnerOwner owns the runner partition: what the poller observed on
// GitHub. Reads are served from an immutable copy swapped on every change,
// so dashboards and the pending-reason computation never wait for it.
type runnerOwner struct {
	sys *System

	mu   sync.Mutex
	st   *state.RunnerState
	last *batch

	view atomic.Pointer[[]state.Runner] // sorted by name
}

func newRunnerOwner(sys *System, st *state.RunnerState) *runnerOwner {
	r := &runnerOwner{sys: sys, st: st}
	r.refreshView()
	return r
}

func (r *runnerOwner) refreshView() {
	list := make([]state.Runner, 0, len(r.st.Runners))
	for _, run := range r.st.Runners {
		c := *run
		c.Labels = slices.Clone(run.Labels)
		list = append(list, c)
	}
	slices.SortFunc(list, func(a, b state.Runner) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		if a.ID < b.ID {
			return -1
		}
		return 1
	})
	r.view.Store(&list)
}

// Observe journals a change in the runners seen on GitHub: changed or new
// runners, and ids that disappeared.
func (s *System) Observe(ctx context.Context, who Who, changed []state.Runner, gone []int64) error {
	if len(changed) == 0 && len(gone) == 0 {
		return nil
	}
	if err := s.Err(); err != nil {
		return fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	m := s.meta(who)
	e := state.Event{Type: state.RunnersObserved, Time: m.Time, Actor: who.Username, Runners: changed, RunnerIDs: gone}
	r := s.runners
	r.mu.Lock()
	b, first, err := s.submit([]state.Event{e}, func(idx uint64, ev *state.Event) error {
		if err := r.st.Apply(idx, ev); err != nil {
			return err
		}
		r.refreshView()
		return nil
	})
	if err == nil {
		r.last = b
		b.setPrepared([]Committed{{Index: first, Event: &e}})
	}
	r.mu.Unlock()
	if err != nil {
		return err
	}
	return b.Wait(ctx)
}

func (r *runnerOwner) capture(floor uint64) (uint64, []byte, *batch, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.st.Index < floor {
		r.st.Index = floor
	}
	data, err := r.st.MarshalRunners()
	last := r.last
	if last == nil {
		last = durableBatch()
	}
	return r.st.Index, data, last, err
}

// Runners lists every known runner by name.
func (s *System) Runners(context.Context) ([]state.Runner, error) {
	return slices.Clone(*s.runners.view.Load()), nil
}

// GroupRunners lists the runners whose labels satisfy the group's.
func (s *System) GroupRunners(ctx context.Context, groupID string) ([]state.Runner, error) {
	gi, err := s.Group(ctx, groupID)
	if err != nil {
		return nil, err
	}
	out := []state.Runner{}
	for _, r := range *s.runners.view.Load() {
		if state.Matches(r.Labels, gi.Group.RunnerLabels) {
			out = append(out, r)
		}
	}
	return out, nil
}

type runnerCounts struct{ idle, busy, total int }

// runnerSummary counts the runners matching labels (idle = online and not
// busy; busy whatever the status; as the reference's GroupWithStats).
func (s *System) runnerSummary(labels []string) runnerCounts {
	var c runnerCounts
	for _, r := range *s.runners.view.Load() {
		if !state.Matches(r.Labels, labels) {
			continue
		}
		c.total++
		switch {
		case r.Busy:
			c.busy++
		case r.Status == "online":
			c.idle++
		}
	}
	return c
}

// RefreshRunners asks the runner poller for an immediate poll. Without
// GitHub integration there is nothing to poll, and it does nothing.
func (s *System) RefreshRunners(ctx context.Context) error {
	s.mu.Lock()
	hook := s.refreshHook
	s.mu.Unlock()
	if hook == nil {
		return nil
	}
	return hook(ctx)
}
