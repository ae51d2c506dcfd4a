package audit

import (
	"errors"
	"fmt"
	"time"

	"github.com/dispatchoor/dispatchoor/actors/state"
	"github.com/dispatchoor/dispatchoor/wal"
)

// Compaction says where the readable log begins. Compaction removes records
// that a snapshot covers; their events then survive only folded into that
// snapshot.
type Compaction struct {
	FirstIndex    uint64    // first record still in the log
	SnapshotIndex uint64    // newest valid snapshot; 0 if none
	SnapshotTime  time.Time // when it was taken
}

// Compacted reports whether records were removed from the front of the log.
func (c Compaction) Compacted() bool { return c.FirstIndex > 1 }

// Note is the line readers print when the log was compacted, "" otherwise.
func (c Compaction) Note() string {
	if !c.Compacted() {
		return ""
	}
	if c.SnapshotIndex == 0 {
		return fmt.Sprintf("events before index %d were compacted, and no valid snapshot holds them", c.FirstIndex)
	}
	return fmt.Sprintf("events before index %d were compacted into the snapshot of %s (index %d)",
		c.FirstIndex, c.SnapshotTime.UTC().Format(time.RFC3339), c.SnapshotIndex)
}

// ReadCompaction looks at the log's first index and newest snapshot.
func ReadCompaction(r *wal.Reader) (Compaction, *wal.Snapshot, error) {
	first, err := r.FirstIndex()
	if err != nil {
		return Compaction{}, nil, err
	}
	c := Compaction{FirstIndex: first}
	snap, err := r.LatestSnapshot()
	switch {
	case errors.Is(err, wal.ErrNoSnapshot):
		return c, nil, nil
	case err != nil:
		return c, nil, fmt.Errorf("latest snapshot: %w", err)
	}
	c.SnapshotIndex, c.SnapshotTime = snap.Index, snap.Created
	return c, &snap, nil
}

// Rebuilt is a state rebuilt from a journal.
type Rebuilt struct {
	State *state.State
	// At is the moment rebuilt; zero for the end of the log.
	At time.Time
	// Through is the last journal index the state includes.
	Through uint64
	// Applied counts events applied from the log (not from the snapshot).
	Applied int
	// Rejected counts events that did not fit the state. The live system
	// logs and skips those too, so the rebuilt state still matches it; a
	// non-zero count points at a bug or damage worth a look.
	Rejected int
	// FromSnapshot is set when the state started from the newest snapshot
	// rather than from an empty state.
	FromSnapshot bool
	Compaction   Compaction
}

// ErrTooEarly is returned by At for a moment before the oldest state the
// journal can show: the events up to it were compacted into a snapshot
// that already holds later ones.
var ErrTooEarly = errors.New("moment precedes the compacted part of the journal")

// Final rebuilds the state at the end of the log the way the server does at
// start-up: the newest snapshot plus every record after it. Its Hash is the
// one GET /api/v1/status reports as journal.state_hash for the same journal.
func Final(r *wal.Reader) (*Rebuilt, error) {
	c, snap, err := ReadCompaction(r)
	if err != nil {
		return nil, err
	}
	if snap == nil {
		if c.Compacted() {
			return nil, fmt.Errorf("rebuild: %s", c.Note())
		}
		return replayFrom(r, state.New(), c, time.Time{})
	}
	st, err := state.Restore(snap.Data)
	if err != nil {
		return nil, fmt.Errorf("restore snapshot %d: %w", snap.Index, err)
	}
	rb, err := replayFrom(r, st, c, time.Time{})
	if err != nil {
		return nil, err
	}
	rb.FromSnapshot = true
	rb.Through = max(rb.Through, snap.Index)
	return rb, nil
}

// FromScratch rebuilds the state at the end of the log from an empty state,
// ignoring snapshots. It needs an uncompacted log; comparing its hash with
// Final's checks the snapshot against the events it claims to hold.
func FromScratch(r *wal.Reader) (*Rebuilt, error) {
	c, _, err := ReadCompaction(r)
	if err != nil {
		return nil, err
	}
	if c.Compacted() {
		return nil, fmt.Errorf("rebuild from scratch: %s", c.Note())
	}
	return replayFrom(r, state.New(), c, time.Time{})
}

// At rebuilds the state as it was at moment t: every event stamped at or
// before t, applied in journal order. On an uncompacted log it starts from
// an empty state; otherwise from the newest snapshot, which is only
// possible if every event the snapshot holds is no later than t (else
// ErrTooEarly, naming the earliest moment that can be shown).
func At(r *wal.Reader, t time.Time) (*Rebuilt, error) {
	c, snap, err := ReadCompaction(r)
	if err != nil {
		return nil, err
	}
	if !c.Compacted() {
		return replayFrom(r, state.New(), c, t)
	}
	if snap == nil {
		return nil, fmt.Errorf("rebuild at %s: %s", t.Format(time.RFC3339), c.Note())
	}
	st, err := state.Restore(snap.Data)
	if err != nil {
		return nil, fmt.Errorf("restore snapshot %d: %w", snap.Index, err)
	}
	if !snap.Created.After(t) {
		// Everything the snapshot holds happened before it was taken.
		rb, err := replayFrom(r, st, c, t)
		if rb != nil {
			rb.FromSnapshot = true
		}
		return rb, err
	}
	return atAfterSnapshot(r, st, c, t)
}

// atAfterSnapshot replays after a snapshot taken after t, checking that the
// events it covers (those still in the log) are no later than t.
func atAfterSnapshot(r *wal.Reader, st *state.State, c Compaction, t time.Time) (*Rebuilt, error) {
	rb := &Rebuilt{State: st, At: t, FromSnapshot: true, Compaction: c, Through: c.SnapshotIndex}
	var earliest time.Time
	err := replayDecoded(r, c.FirstIndex, func(index uint64, e *state.Event) error {
		if index <= partitionIndex(st, e) {
			if e.Time.After(earliest) {
				earliest = e.Time
			}
			return nil
		}
		rb.apply(index, e)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("rebuild: %w", err)
	}
	if earliest.After(t) {
		return nil, fmt.Errorf("%w: %s; the earliest moment that can be rebuilt is %s",
			ErrTooEarly, c.Note(), earliest.UTC().Format(time.RFC3339Nano))
	}
	return rb, nil
}

// replayFrom applies the log's records to st; with a non-zero t only
// events stamped at or before it.
func replayFrom(r *wal.Reader, st *state.State, c Compaction, t time.Time) (*Rebuilt, error) {
	rb := &Rebuilt{State: st, At: t, Compaction: c}
	from := max(st.MinIndex()+1, c.FirstIndex)
	err := replayDecoded(r, from, func(index uint64, e *state.Event) error {
		rb.apply(index, e)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("rebuild: %w", err)
	}
	return rb, nil
}

func (rb *Rebuilt) apply(index uint64, e *state.Event) {
	if !rb.At.IsZero() && e.Time.After(rb.At) {
		return
	}
	if index <= partitionIndex(rb.State, e) {
		return // already in the snapshot
	}
	if err := rb.State.Apply(index, e); err != nil {
		rb.Rejected++
	}
	rb.Applied++
	rb.Through = index
}

// partitionIndex is the last index the event's partition has seen.
func partitionIndex(st *state.State, e *state.Event) uint64 {
	switch e.Partition() {
	case "auth":
		return st.Auth.Index
	case "runners":
		return st.Runners.Index
	}
	if g := st.Groups[e.GroupID]; g != nil {
		return g.Index
	}
	return 0
}
