package wal

import (
	"fmt"
	"log/slog"
	"os"
)

// Torn-tail policy. A crash can leave the last write of the last segment
// incomplete: cut off, zero-filled or garbled. Open trims such bytes back to
// the last intact record, because no caller was told they were durable. Only
// damage that a torn write can produce qualifies, and only if no intact
// record follows it; anything else is corruption and stops Open. Segments
// before the last are never trimmed: tidwall/wal fsyncs a segment before it
// starts the next one, so they cannot be torn.

// tailState is where the log ends, as found by Open.
type tailState struct {
	last     uint64 // last index; first-1 for an empty log
	lastHash Hash   // chain hash of the record at last
	size     int64  // bytes in the tail segment after repair
}

// repairTail verifies the last segment, trims a torn tail from it, and returns
// the end of the log. Records in earlier segments are checked on replay, not
// here, to keep Open from reading the whole log twice.
func repairTail(view logView, pins []pin, logger *slog.Logger) (tailState, error) {
	if len(view.segments) == 0 {
		return tailState{}, nil
	}
	i := len(view.segments) - 1
	tail := view.segments[i]
	w, err := walkerFor(view, i)
	if err != nil {
		return tailState{}, err
	}
	w.pins = append(w.pins, pins...)
	w.startFromPins()
	data, err := os.ReadFile(tail.path)
	if err != nil {
		return tailState{}, fmt.Errorf("read tail segment: %w", err)
	}
	end, dmg, _ := w.segment(data, nil)
	if dmg != nil {
		if !isTornTail(data, dmg) {
			return tailState{}, dmg.corruptError(tail.path)
		}
		td := newTailDamage(tail.path, len(data), dmg)
		logger.Warn("wal: trimming torn tail", "segment", td.Segment, "offset", td.Offset,
			"bytes", td.Bytes, "index", td.Index, "reason", td.Reason)
		if err := truncateFile(tail.path, int64(end)); err != nil {
			return tailState{}, err
		}
	}
	st := tailState{last: w.next - 1, lastHash: w.prev, size: int64(end)}
	if !w.known {
		// The tail holds no record yet; the chain goes on from the last
		// record of the segment before it.
		if st.lastHash, err = lastHashOf(view, i-1, tail.first); err != nil {
			return tailState{}, err
		}
	}
	return st, nil
}

// walkerFor returns a walker for the first record of segment i: fully
// anchored for the first segment, starting the chain afresh otherwise.
func walkerFor(view logView, i int) (walker, error) {
	if i == 0 {
		return view.chainStart()
	}
	return walker{next: view.segments[i].first, pins: view.anchorPins()}, nil
}

// lastHashOf verifies segment i, which must end just before index next, and
// returns the hash of its last record.
func lastHashOf(view logView, i int, next uint64) (Hash, error) {
	seg := view.segments[i]
	w, err := walkerFor(view, i)
	if err != nil {
		return Hash{}, err
	}
	data, err := os.ReadFile(seg.path)
	if err != nil {
		return Hash{}, fmt.Errorf("read segment: %w", err)
	}
	if _, dmg, _ := w.segment(data, nil); dmg != nil {
		return Hash{}, dmg.corruptError(seg.path)
	}
	if !w.known || w.next != next {
		cause := fmt.Errorf("%w: segment ends before index %d, the next segment begins at %d", ErrIndexMismatch, w.next, next)
		return Hash{}, &CorruptError{Segment: seg.path, Offset: int64(len(data)), Index: w.next, Reason: cause.Error(), Err: cause}
	}
	return w.prev, nil
}

func truncateFile(path string, size int64) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("trim %s: %w", path, err)
	}
	defer f.Close()
	if err := f.Truncate(size); err != nil {
		return fmt.Errorf("trim %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("trim %s: %w", path, err)
	}
	return nil
}
