package audit

import (
	"fmt"
	"slices"

	"github.com/dispatchoor/dispatchoor/actors/state"
)

// Source is a journal to read. *wal.Reader (read-only, beside a running
// server) and *wal.Journal both provide it: Replay passes every intact
// record from index from on (0: the first), in order, verifying each.
type Source interface {
	Replay(from uint64, fn func(index uint64, payload []byte) error) error
}

// Record is one selected event.
type Record struct {
	Index uint64
	Event *state.Event
	// Payload is the event as journaled. Scan passes a copy the callee may
	// keep.
	Payload []byte
	// JobID is, for a job filter, the generation of the lineage the event
	// concerns; it differs from Event.JobID for reorders and pruning, which
	// name their jobs in JobIDs.
	JobID string
}

// Entry describes the record for the audit.
func (r *Record) Entry() Entry {
	if r.JobID == "" || r.JobID == r.Event.JobID {
		return NewEntry(r.Index, r.Event)
	}
	return JobEntry(r.Index, r.Event, r.JobID)
}

// Scan passes every event that f selects to fn, in journal order.
//
// Without a job filter it is one pass that decodes only the events whose
// header matches. A job filter needs the job's lineage, which is only
// known once every requeue has been seen: the first pass reads every
// event's header into a job table, and the second reads back only the
// lineage's records.
func Scan(src Source, f Filter, fn func(Record) error) error {
	if f.Job == "" {
		return src.Replay(0, func(index uint64, payload []byte) error {
			h, err := readHeader(payload)
			if err != nil {
				return fmt.Errorf("record %d: %w", index, err)
			}
			if !f.matchHeader(&h) {
				return nil
			}
			r, err := decodeRecord(index, payload)
			if err != nil {
				return err
			}
			return fn(r)
		})
	}
	jobs := newJobTable()
	err := src.Replay(0, func(index uint64, payload []byte) error {
		h, err := readHeader(payload)
		if err != nil {
			return fmt.Errorf("record %d: %w", index, err)
		}
		jobs.add(index, &h)
		return nil
	})
	if err != nil {
		return err
	}
	list := jobs.lineageEvents(f.Job)
	want := make([]uint64, len(list))
	concerns := make(map[uint64]string, len(list))
	for i, m := range list {
		want[i], concerns[m.index] = m.index, m.job
	}
	return readRecords(src, want, func(index uint64, payload []byte) error {
		r, err := decodeRecord(index, payload)
		if err != nil {
			return err
		}
		if h := headerOf(r.Event); !f.matchHeader(&h) {
			return nil
		}
		r.JobID = concerns[index]
		return fn(r)
	})
}

func decodeRecord(index uint64, payload []byte) (Record, error) {
	e, err := state.DecodeEvent(payload)
	if err != nil {
		return Record{}, fmt.Errorf("record %d: %w", index, err)
	}
	return Record{Index: index, Event: e, Payload: slices.Clone(payload)}, nil
}
