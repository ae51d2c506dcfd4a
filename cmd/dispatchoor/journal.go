package main

import (
	"errors"
	"fmt"
	"sync"

	"github.com/dispatchoor/dispatchoor/actors"
	"github.com/dispatchoor/dispatchoor/wal"
)

// walJournal adapts wal.Journal to actors.Journal. The actors need each
// record's index when they hand it over (a partition records which journal
// records it holds); the journal's single writer assigns indexes in queue
// order, so counting under a lock while queueing gives the same numbers.
// The callback checks the count against the journal's answer.
type walJournal struct {
	*wal.Journal
	mu   sync.Mutex
	next uint64
}

func newWALJournal(j *wal.Journal) *walJournal {
	return &walJournal{Journal: j, next: j.LastIndex() + 1}
}

func (w *walJournal) AppendAsync(payloads [][]byte, done func(uint64, error)) uint64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	first := w.next
	w.next += uint64(len(payloads))
	w.Journal.AppendAsync(payloads, func(got uint64, err error) {
		if err == nil && got != first {
			err = fmt.Errorf("journal assigned index %d, expected %d", got, first)
		}
		done(first, err)
	})
	return first
}

func (w *walJournal) LatestSnapshot() (uint64, []byte, error) {
	s, err := w.Journal.LatestSnapshot()
	if errors.Is(err, wal.ErrNoSnapshot) {
		return 0, nil, actors.ErrNoSnapshot
	}
	if err != nil {
		return 0, nil, err
	}
	return s.Index, s.Data, nil
}

func (w *walJournal) SizeBytes() int64 { st := w.Stats(); return st.SegmentBytes + st.SnapshotBytes }
