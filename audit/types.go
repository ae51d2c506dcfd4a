package audit

import (
	"fmt"
	"slices"
	"strings"

	"github.com/dispatchoor/dispatchoor/actors/state"
)

// Types lists every event type the journal may hold, in the order they are
// documented in actors/state/events.go. Filters refuse a type not listed
// here, so a typo gives an error instead of an empty answer;
// TestTypesCoverEvents keeps the list in step with events.go.
var Types = []state.Type{
	state.GroupConfigured, state.GroupRemoved, state.GroupPaused, state.GroupUnpaused,
	state.JobEnqueued, state.JobUpdated, state.JobRemoved, state.JobsReordered,
	state.JobPaused, state.JobUnpaused, state.JobRequeueSet, state.JobDispatching,
	state.JobDispatchUndone, state.JobTriggered, state.JobRunLinked, state.JobRunning,
	state.JobCancelRequest, state.JobFinished, state.HistoryPruned,
	state.SessionCreated, state.SessionRevoked, state.SessionsRevoked, state.SessionsExpired,
	state.UserUpserted,
	state.RunnersObserved,
}

// ParseTypes reads type filters: each value may be a comma-separated list.
// Empty items are ignored; an unknown type is an error that lists the known
// ones.
func ParseTypes(values ...string) ([]state.Type, error) {
	var out []state.Type
	for _, v := range values {
		for _, item := range strings.Split(v, ",") {
			item = strings.TrimSpace(item)
			if item == "" {
				continue
			}
			t := state.Type(item)
			if !slices.Contains(Types, t) {
				return nil, fmt.Errorf("unknown event type %q (known: %s)", item, typeNames())
			}
			if !slices.Contains(out, t) {
				out = append(out, t)
			}
		}
	}
	return out, nil
}

func typeNames() string {
	names := make([]string, len(Types))
	for i, t := range Types {
		names[i] = string(t)
	}
	return strings.Join(names, ", ")
}
