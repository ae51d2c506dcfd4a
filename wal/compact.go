package wal

import (
	"fmt"
)

// Compact removes whole segments whose records all lie at or below upTo and
// are covered by a snapshot. The tail segment always stays.
//
// "Covered" is deliberately conservative: with two snapshots kept, the
// limit is the older one's index, so that if the newest snapshot turns out
// damaged, LatestSnapshot's fallback still finds every record after it. With
// a single snapshot the limit is its index; without one, nothing is removed.
//
// Compaction writes the chain anchor (the hash of the last removed record)
// before removing anything, and removes through tidwall/wal's TruncateFront,
// which a crash at any point leaves in a state Open completes.
func (j *Journal) Compact(upTo uint64) error {
	ch := make(chan error, 1)
	j.submit(&request{kind: compactRequest, upTo: upTo, done: func(_ uint64, err error) { ch <- err }})
	if err := <-ch; err != nil {
		return fmt.Errorf("compact up to %d: %w", upTo, err)
	}
	return nil
}

// compact runs on the writer goroutine, between group commits.
func (j *Journal) compact(upTo uint64) error {
	if err := j.failure(); err != nil {
		return err
	}
	limit := min(upTo, j.compactionLimit())
	// Segment i may go if the next one starts at or below limit+1: then all
	// of segment i is at or below limit.
	keep := 0
	for keep < len(j.segs)-1 && j.segs[keep+1].first <= limit+1 {
		keep++
	}
	if keep == 0 {
		return nil
	}
	newFirst := j.segs[keep].first
	raw, err := j.log.Read(newFirst - 1)
	if err != nil {
		return fmt.Errorf("read record %d: %w", newFirst-1, err)
	}
	anc := anchor{index: newFirst - 1, hash: hashRecord(raw)}
	if err := writeAnchor(j.dir, anc); err != nil {
		return err
	}

	j.compactMu.Lock()
	j.anchor = &anc
	err = j.log.TruncateFront(newFirst)
	if err == nil {
		j.first.Store(newFirst)
	}
	j.compactMu.Unlock()
	if err != nil {
		// tidwall/wal may have removed some files already; its view and
		// ours can no longer be trusted until a reopen finishes the job.
		return j.fail(fmt.Errorf("remove segments before index %d: %w", newFirst, err))
	}
	if err := j.syncDir(); err != nil {
		return j.fail(err)
	}
	j.segs = append([]segmentInfo(nil), j.segs[keep:]...)
	j.publishSegments()
	j.opts.Logger.Info("wal: compacted", "dir", j.dir, "segments_removed", keep, "first_index", newFirst)
	return nil
}

// compactionLimit is the highest index compaction may remove; see Compact.
func (j *Journal) compactionLimit() uint64 {
	j.metaMu.Lock()
	defer j.metaMu.Unlock()
	switch len(j.snaps) {
	case 0:
		return 0
	case 1:
		return j.snaps[0].index
	default:
		return j.snaps[snapshotsKept-1].index
	}
}
