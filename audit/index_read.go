package audit

import (
	"errors"
	"fmt"
	"slices"

	"github.com/dispatchoor/dispatchoor/actors/state"
	"github.com/dispatchoor/dispatchoor/wal"
)

// jumpGap is how far ahead the next wanted record must be before a read
// starts over from it instead of walking on. Starting over re-reads the
// segment holding it from its start (tens of thousands of records at the
// default segment size), so small gaps are cheaper to walk.
const jumpGap = 1 << 16

// errStopRead ends a Replay early.
var errStopRead = errors.New("stop read")

// events returns the events at the members' indexes: from the recent cache
// where it has them, otherwise read back from the log. An index compaction
// removed meanwhile is missing from the result.
func (x *Index) events(list []member) (map[uint64]*state.Event, error) {
	out := make(map[uint64]*state.Event, len(list))
	var missing []uint64
	x.mu.RLock()
	for _, m := range list {
		if e := x.recent.get(m.index); e != nil {
			out[m.index] = e
		} else {
			missing = append(missing, m.index)
		}
	}
	x.mu.RUnlock()
	if len(missing) == 0 {
		return out, nil
	}
	slices.Sort(missing)
	missing = slices.Compact(missing)
	if err := readAt(x.log, missing, out); err != nil {
		return nil, err
	}
	return out, nil
}

// readAt decodes the records at the given ascending indexes into out.
func readAt(src Source, want []uint64, out map[uint64]*state.Event) error {
	return readRecords(src, want, func(index uint64, payload []byte) error {
		e, err := state.DecodeEvent(payload)
		if err != nil {
			return fmt.Errorf("record %d: %w", index, err)
		}
		out[index] = e
		return nil
	})
}

// readRecords passes the records at the given ascending indexes to visit,
// in order; payload is valid until visit returns. The log only reads
// forward, so it walks from the first wanted record and starts over at the
// next one only across a long gap. Records no longer in the log (compacted
// meanwhile) are left out.
func readRecords(src Source, want []uint64, visit func(index uint64, payload []byte) error) error {
	for k := 0; k < len(want); {
		err := src.Replay(want[k], func(index uint64, payload []byte) error {
			for k < len(want) && want[k] < index {
				k++ // not in the log (any more)
			}
			if k == len(want) {
				return errStopRead
			}
			if index < want[k] {
				return nil
			}
			if err := visit(index, payload); err != nil {
				return err
			}
			k++
			if k == len(want) || want[k]-index > jumpGap {
				return errStopRead
			}
			return nil
		})
		switch {
		case errors.Is(err, errStopRead):
		case errors.Is(err, wal.ErrCompacted):
			k++ // removed since it was indexed
		case err != nil:
			return fmt.Errorf("read events: %w", err)
		default:
			return nil // end of the log: the rest is not there
		}
	}
	return nil
}
