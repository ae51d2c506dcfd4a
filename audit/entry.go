package audit

import (
	"fmt"
	"time"

	"github.com/dispatchoor/dispatchoor/actors/state"
)

// Entry is one event as the audit shows it: who, when, what and why. Its
// JSON form is the element of GET /api/v1/audit and of `replay --json`.
type Entry struct {
	Index uint64     `json:"index"`
	Time  time.Time  `json:"time"`
	Type  state.Type `json:"type"`
	// Actor is the user (or "system:dispatcher", "system:config", ...)
	// the event was decided for; IP the client address of a user's request.
	Actor string `json:"actor"`
	IP    string `json:"ip,omitempty"`
	// Reason says why: the pending reason behind a dispatch, GitHub's answer
	// to a failed one, the template diff of a reload, the retention cutoff.
	Reason  string `json:"reason,omitempty"`
	GroupID string `json:"group_id,omitempty"`
	JobID   string `json:"job_id,omitempty"`
	Summary string `json:"summary"`
}

// NewEntry describes the event journaled at index.
func NewEntry(index uint64, e *state.Event) Entry {
	return Entry{
		Index:   index,
		Time:    e.Time,
		Type:    e.Type,
		Actor:   e.Actor,
		IP:      e.IP,
		Reason:  reason(e),
		GroupID: e.GroupID,
		JobID:   e.JobID,
		Summary: Summarize(e),
	}
}

// reason joins the event's reason with the error it carries (a failed
// dispatch records GitHub's answer in Error), without repeating one that
// already contains the other.
func reason(e *state.Event) string {
	switch {
	case e.Error == "" || e.Error == e.Reason:
		return e.Reason
	case e.Reason == "":
		return e.Error
	}
	return e.Reason + ": " + e.Error
}

// JobEntry describes the event as part of one job's timeline: jobID is the
// job it concerns, which for a reorder or a pruning is one of several.
func JobEntry(index uint64, e *state.Event, jobID string) Entry {
	en := NewEntry(index, e)
	en.JobID = jobID
	switch e.Type {
	case state.JobsReordered:
		if p, ok := positionOf(e, jobID); ok {
			en.Summary = fmt.Sprintf("moved to position %d (queue reordered, %s)", p, plural(len(e.JobIDs), "job", "jobs"))
		}
	case state.HistoryPruned:
		en.Summary = "pruned from history"
	}
	return en
}
