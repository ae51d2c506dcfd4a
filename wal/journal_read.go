package wal

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
)

// Replay passes every durable record from index from onwards to fn, in order,
// verifying checksums, indexes and the hash chain as it reads. from 0 means
// FirstIndex. Records appended after Replay starts are not included. It returns
// ErrCompacted if from lies before FirstIndex, a *CorruptError for damage,
// and fn's error if fn fails. payload is only valid until fn returns: its
// memory is reused for later records.
//
// The chain is checked from the start of the segment holding from, and the
// record at the newest snapshot's index must carry that snapshot's hash.
// Segments wholly before from are not read; Reader.Verify checks all. A
// compaction running meanwhile can make Replay fail with ErrCompacted if it
// removes records Replay has not read yet.
func (j *Journal) Replay(from uint64, fn func(index uint64, payload []byte) error) error {
	if err := j.usable(); err != nil {
		return err
	}
	to := j.durable.Load()
	first := j.first.Load()
	if from == 0 {
		from = first
	}
	if from < first {
		return fmt.Errorf("replay from %d: %w: log starts at %d", from, ErrCompacted, first)
	}
	if from > to {
		return nil
	}
	j.compactMu.RLock()
	view, err := loadView(j.dir)
	j.compactMu.RUnlock()
	if err != nil {
		return fmt.Errorf("replay from %d: %w", from, err)
	}
	res, err := view.walk(walkSpec{
		from: from, to: to,
		pins:  snapshotPins(j.snapshotMetas()),
		read:  j.readSegment,
		visit: fn,
	})
	if err != nil {
		return fmt.Errorf("replay from %d: %w", from, err)
	}
	if res.last < to {
		return fmt.Errorf("replay from %d: %w: log ends at index %d, durable index is %d", from, ErrCorrupt, res.last, to)
	}
	return nil
}

func (j *Journal) readSegment(path string, buf []byte) ([]byte, error) {
	j.compactMu.RLock()
	defer j.compactMu.RUnlock()
	return readSegmentFile(path, buf)
}

func (j *Journal) snapshotMetas() []snapshotMeta {
	j.metaMu.Lock()
	defer j.metaMu.Unlock()
	return slices.Clone(j.snaps)
}

func (j *Journal) snapshotDir() string { return filepath.Join(j.dir, snapshotDirName) }

// SaveSnapshot stores data as the state after record index. index must be
// durable and not older than the newest snapshot. The file is written to a
// temp name, fsynced and renamed, and only the newest two snapshots are
// kept.
func (j *Journal) SaveSnapshot(index uint64, data []byte) error {
	if err := j.usable(); err != nil {
		return err
	}
	if durable := j.durable.Load(); index == 0 || index > durable {
		return fmt.Errorf("save snapshot at %d: index must be in 1..%d (durable)", index, durable)
	}
	j.snapMu.Lock()
	defer j.snapMu.Unlock()
	if metas := j.snapshotMetas(); len(metas) > 0 && index < metas[0].index {
		return fmt.Errorf("save snapshot at %d: older than snapshot at %d", index, metas[0].index)
	}
	hash, err := j.chainHashAt(index)
	if err != nil {
		return fmt.Errorf("save snapshot at %d: %w", index, err)
	}
	meta := snapshotMeta{
		index:   index,
		hash:    hash,
		created: j.opts.Now().UTC(),
		path:    filepath.Join(j.snapshotDir(), snapshotFileName(index)),
		size:    int64(snapshotHeaderSize + len(data)),
	}
	if err := writeSnapshot(j.snapshotDir(), meta, data); err != nil {
		return err
	}
	j.metaMu.Lock()
	j.snaps = append([]snapshotMeta{meta}, slices.DeleteFunc(j.snaps, func(m snapshotMeta) bool { return m.index == index })...)
	j.metaMu.Unlock()
	return j.pruneSnapshots()
}

// chainHashAt returns the chain hash of the record at index, which may be
// the last record compaction removed.
func (j *Journal) chainHashAt(index uint64) (Hash, error) {
	j.compactMu.RLock()
	defer j.compactMu.RUnlock()
	if first := j.first.Load(); index >= first {
		raw, err := j.log.Read(index)
		if err != nil {
			return Hash{}, fmt.Errorf("read record %d: %w", index, err)
		}
		return hashRecord(raw), nil
	}
	if j.anchor != nil && j.anchor.index == index {
		return j.anchor.hash, nil
	}
	return Hash{}, fmt.Errorf("%w: index %d, log starts at %d", ErrCompacted, index, j.first.Load())
}

// pruneSnapshots keeps the newest snapshotsKept valid snapshots and removes
// every other snapshot file, damaged ones included (Open has logged those).
// Caller holds snapMu.
func (j *Journal) pruneSnapshots() error {
	files, err := listSnapshotFiles(j.snapshotDir())
	if err != nil {
		return err
	}
	j.metaMu.Lock()
	if len(j.snaps) > snapshotsKept {
		j.snaps = j.snaps[:snapshotsKept]
	}
	keep := make(map[uint64]bool, len(j.snaps))
	for _, m := range j.snaps {
		keep[m.index] = true
	}
	j.metaMu.Unlock()
	removed := false
	for _, f := range files {
		if keep[f.index] {
			continue
		}
		if err := os.Remove(f.path); err != nil {
			return fmt.Errorf("prune snapshot: %w", err)
		}
		removed = true
	}
	if removed {
		if err := syncDir(j.snapshotDir()); err != nil {
			return fmt.Errorf("prune snapshots: %w", err)
		}
	}
	return nil
}

// LatestSnapshot returns the newest valid snapshot. A damaged newer one is
// logged and skipped. It returns ErrNoSnapshot if none is valid; start-up
// then replays from index 1.
func (j *Journal) LatestSnapshot() (Snapshot, error) {
	if err := j.usable(); err != nil {
		return Snapshot{}, err
	}
	j.snapMu.Lock()
	defer j.snapMu.Unlock()
	return loadLatestSnapshot(j.snapshotDir(), j.opts.Logger)
}
