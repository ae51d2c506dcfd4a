package actors

import (
	"context"
	"fmt"
	"sync"

	"github.com/dispatchoor/dispatchoor/actors/state"
)

// Committed is one event after it became durable, handed to subscribers
// (the WebSocket hub, metrics, the dispatcher's wake-ups) in journal order
// per partition.
type Committed struct {
	Index uint64
	Event *state.Event
	// Job is the job the event changed, as it is after the change (shared
	// and never changed again: jobs are copy-on-write); nil for events that
	// change no single job or remove it.
	Job *state.Job
	// JobInfo is Job with its pending reason and ETA, as the API shows it.
	JobInfo *JobInfo
	// Group is the group's counters after the change, for group events.
	Group *GroupInfo
}

// batch tracks one AppendAsync call: the owner prepares what to publish
// after applying, the journal reports durability; whichever comes second
// releases waiters and subscribers.
type batch struct {
	sys  *System
	done chan struct{}

	mu       sync.Mutex
	prepared bool
	durable  bool
	err      error
	publish  []Committed
}

func newBatch(sys *System) *batch { return &batch{sys: sys, done: make(chan struct{})} }

// durableBatch is a batch that is already complete: reads with nothing in
// flight wait on it for free.
func durableBatch() *batch {
	b := &batch{done: make(chan struct{}), prepared: true, durable: true}
	close(b.done)
	return b
}

func (b *batch) setDurable(err error) {
	b.mu.Lock()
	b.durable, b.err = true, err
	fire := b.prepared
	b.mu.Unlock()
	if fire {
		b.fire()
	}
}

func (b *batch) setPrepared(publish []Committed) {
	b.mu.Lock()
	b.prepared, b.publish = true, publish
	fire := b.durable
	b.mu.Unlock()
	if fire {
		b.fire()
	}
}

func (b *batch) fire() {
	if b.err != nil {
		b.sys.fail(fmt.Errorf("journal append: %w", b.err))
	} else if b.sys != nil {
		b.sys.publish(b.publish)
	}
	close(b.done)
}

// Wait blocks until the batch is durable (nil), the journal failed, or ctx
// ends.
func (b *batch) Wait(ctx context.Context) error {
	select {
	case <-b.done:
		return b.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// submit journals events decided by a partition owner and applies them in
// the owner's goroutine, in that order: indexes are assigned first so the
// partition records exactly which journal records it holds (snapshots rely
// on it). apply must not fail for events Decide produced; if it does, the
// failure is logged and the event stays journaled, which replay reproduces
// identically.
func (s *System) submit(events []state.Event, apply func(idx uint64, e *state.Event) error) (*batch, uint64, error) {
	payloads := make([][]byte, len(events))
	for i := range events {
		b, err := events[i].Encode()
		if err != nil {
			return nil, 0, err
		}
		payloads[i] = b
	}
	b := newBatch(s)
	first := s.journal.AppendAsync(payloads, func(_ uint64, err error) { b.setDurable(err) })
	for i := range events {
		if err := apply(first+uint64(i), &events[i]); err != nil {
			s.log.Error("apply decided event", "type", events[i].Type, "index", first+uint64(i), "err", err)
		}
	}
	s.appended.Add(uint64(len(events)))
	return b, first, nil
}
