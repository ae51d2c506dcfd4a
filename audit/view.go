package audit

import (
	"slices"
	"strings"
	"time"

	"github.com/dispatchoor/dispatchoor/actors/state"
)

// StateView is the queues as they were at a moment: what `replay --at`
// prints.
type StateView struct {
	At         time.Time   `json:"at,omitzero"`
	Through    uint64      `json:"through_index"`
	StateHash  string      `json:"state_hash"`
	Compaction string      `json:"compaction,omitempty"`
	Groups     []GroupView `json:"groups"`
}

// GroupView is one group's queue at a moment.
type GroupView struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Paused   bool   `json:"paused"`
	InConfig bool   `json:"in_config"`
	Counts   Counts `json:"counts"`
	// Active jobs (dispatching, triggered, running) by dispatch time.
	Active []*state.Job `json:"active"`
	// Pending jobs in dispatch order, paused ones included where they stand.
	Pending []*state.Job `json:"pending"`
}

// Counts are a group's jobs by status.
type Counts struct {
	Pending       int `json:"pending"`
	PausedPending int `json:"paused_pending"`
	Dispatching   int `json:"dispatching"`
	Triggered     int `json:"triggered"`
	Running       int `json:"running"`
	Completed     int `json:"completed"`
	Failed        int `json:"failed"`
	Cancelled     int `json:"cancelled"`
}

// NewStateView describes a rebuilt state; groups, if given, limits it to
// those group ids. Groups are ordered by id.
func NewStateView(rb *Rebuilt, groups []string) StateView {
	v := StateView{At: rb.At, Through: rb.Through, StateHash: rb.State.Hash(), Compaction: rb.Compaction.Note(), Groups: []GroupView{}}
	ids := make([]string, 0, len(rb.State.Groups))
	for id := range rb.State.Groups {
		if len(groups) == 0 || slices.Contains(groups, id) {
			ids = append(ids, id)
		}
	}
	slices.SortFunc(ids, strings.Compare)
	for _, id := range ids {
		v.Groups = append(v.Groups, NewGroupView(rb.State.Groups[id]))
	}
	return v
}

// NewGroupView describes one group partition, with copies of its jobs.
func NewGroupView(g *state.GroupState) GroupView {
	gv := GroupView{
		ID: g.Group.ID, Name: g.Group.Name, Paused: g.Group.Paused, InConfig: g.Group.InConfig,
		Active: []*state.Job{}, Pending: []*state.Job{},
	}
	for _, j := range g.Active() {
		gv.Active = append(gv.Active, j.Clone())
	}
	for _, j := range g.Pending() {
		gv.Pending = append(gv.Pending, j.Clone())
		if j.Paused {
			gv.Counts.PausedPending++
		}
	}
	gv.Counts.Pending = len(gv.Pending)
	for _, j := range g.Jobs {
		switch j.Status {
		case state.StatusDispatching:
			gv.Counts.Dispatching++
		case state.StatusTriggered:
			gv.Counts.Triggered++
		case state.StatusRunning:
			gv.Counts.Running++
		case state.StatusCompleted:
			gv.Counts.Completed++
		case state.StatusFailed:
			gv.Counts.Failed++
		case state.StatusCancelled:
			gv.Counts.Cancelled++
		}
	}
	return gv
}
