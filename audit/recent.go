package audit

import "github.com/dispatchoor/dispatchoor/actors/state"

// recentCache keeps the newest events in full, so the pages people look at
// most (the latest events, the timeline of a job that just ran) are served
// without reading the log. It is a ring indexed by journal index.
type recentCache struct {
	slots []recentSlot
}

type recentSlot struct {
	index uint64
	event *state.Event
}

func newRecentCache(size int) *recentCache {
	return &recentCache{slots: make([]recentSlot, size)}
}

// put stores an event. Events handed to subscribers are never changed
// afterwards, so keeping the pointer is safe.
func (c *recentCache) put(index uint64, e *state.Event) {
	s := &c.slots[index%uint64(len(c.slots))]
	if index >= s.index {
		*s = recentSlot{index: index, event: e}
	}
}

func (c *recentCache) get(index uint64) *state.Event {
	s := c.slots[index%uint64(len(c.slots))]
	if s.index != index {
		return nil
	}
	return s.event
}
