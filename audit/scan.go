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
// known once every requeue has been seen: the first pass collects the
// events of the job and of the generations requeued after it, and a second
// pass runs only if the job itself was requeued from an earlier one.
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
	links := newLineage()
	known := map[string]bool{f.Job: true}
	records, err := collectJobs(src, f, known, func(h *header) {
		links.link(h.Previous, h.NewJob)
		if known[h.Previous] {
			known[h.NewJob] = true
		}
	})
	if err != nil {
		return err
	}
	members := links.members(f.Job)
	if slices.ContainsFunc(members, func(id string) bool { return !known[id] }) {
		all := map[string]bool{}
		for _, id := range members {
			all[id] = true
		}
		if records, err = collectJobs(src, f, all, nil); err != nil {
			return err
		}
	}
	for _, r := range records {
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

// collectJobs gathers copies of the matching events that name a job in
// jobs. seen, if set, sees every header first and may add to jobs.
func collectJobs(src Source, f Filter, jobs map[string]bool, seen func(*header)) ([]Record, error) {
	var out []Record
	err := src.Replay(0, func(index uint64, payload []byte) error {
		h, err := readHeader(payload)
		if err != nil {
			return fmt.Errorf("record %d: %w", index, err)
		}
		if seen != nil {
			seen(&h)
		}
		var member string
		h.jobs(func(id string) {
			if member == "" && jobs[id] {
				member = id
			}
		})
		if member == "" || !f.matchHeader(&h) {
			return nil
		}
		r, err := decodeRecord(index, payload)
		if err != nil {
			return err
		}
		r.JobID = member
		out = append(out, r)
		return nil
	})
	return out, err
}

func decodeRecord(index uint64, payload []byte) (Record, error) {
	e, err := state.DecodeEvent(payload)
	if err != nil {
		return Record{}, fmt.Errorf("record %d: %w", index, err)
	}
	return Record{Index: index, Event: e, Payload: slices.Clone(payload)}, nil
}
