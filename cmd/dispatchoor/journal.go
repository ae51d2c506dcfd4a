package main

import (
	"errors"

	"github.com/dispatchoor/dispatchoor/actors"
	"github.com/dispatchoor/dispatchoor/wal"
)

// walJournal adapts wal.Journal to actors.Journal: only the snapshot type
// differs.
type walJournal struct{ *wal.Journal }

func newWALJournal(j *wal.Journal) walJournal { return walJournal{j} }

func (w walJournal) LatestSnapshot() (uint64, []byte, error) {
	s, err := w.Journal.LatestSnapshot()
	if errors.Is(err, wal.ErrNoSnapshot) {
		return 0, nil, actors.ErrNoSnapshot
	}
	if err != nil {
		return 0, nil, err
	}
	return s.Index, s.Data, nil
}
