package wal

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
)

// Reader reads a journal directory without changing it, for audits. It takes
// no lock and may run while a Journal in another process appends: a record
// still being written at the end of the log reads as the end of the log.
// Each call looks at the directory afresh. A compaction running at the same
// time can make a call fail with ErrCompacted; calling again then succeeds.
type Reader struct {
	dir    string
	logger *slog.Logger
}

// OpenReader opens dir for reading. logger receives warnings about skipped
// snapshots; nil discards them.
func OpenReader(dir string, logger *slog.Logger) (*Reader, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("open reader: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("open reader: %s is not a directory", dir)
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Reader{dir: dir, logger: logger}, nil
}

// FirstIndex returns the first index in the log.
func (r *Reader) FirstIndex() (uint64, error) {
	view, err := loadView(r.dir)
	if err != nil {
		return 0, fmt.Errorf("first index: %w", err)
	}
	return view.first(), nil
}

// LatestSnapshot returns the newest valid snapshot, or ErrNoSnapshot.
func (r *Reader) LatestSnapshot() (Snapshot, error) {
	return loadLatestSnapshot(filepath.Join(r.dir, snapshotDirName), r.logger)
}

// Replay passes every intact record from index from onwards to fn, verifying
// as Journal.Replay does, and stops quietly at a torn or in-progress tail.
// from 0 means the first index. payload is only valid until fn returns.
func (r *Reader) Replay(from uint64, fn func(index uint64, payload []byte) error) error {
	view, err := loadView(r.dir)
	if err != nil {
		return fmt.Errorf("replay: %w", err)
	}
	if _, err := view.walk(walkSpec{from: from, tolerateTail: true, visit: fn}); err != nil {
		return fmt.Errorf("replay from %d: %w", from, err)
	}
	return nil
}

// VerifyResult summarises a full check of the log.
type VerifyResult struct {
	FirstIndex, LastIndex uint64 // LastIndex is FirstIndex-1 for a log without records
	Records               uint64
	Segments              int
	// Tail describes bytes after the last intact record: a write in
	// progress, or a torn tail that the next Open will trim. Nil if none.
	Tail *TailDamage
	// Snapshots counts valid snapshots; each was checked against the
	// record at its index when that record is in the log.
	Snapshots int
	// SnapshotErrors lists damaged snapshot files.
	SnapshotErrors []error
}

// Verify reads the whole log and every snapshot. It returns a *CorruptError
// for the first record that is damaged, out of place or off the chain, naming
// its segment file and offset. Damage confined to the tail is not an error;
// it is reported in VerifyResult.Tail. Removing the very last record leaves a
// shorter but valid log, which no check without an outside reference can
// tell apart.
func (r *Reader) Verify() (VerifyResult, error) {
	var res VerifyResult
	metas, snapErrs, err := r.checkSnapshots()
	if err != nil {
		return res, err
	}
	res.Snapshots, res.SnapshotErrors = len(metas), snapErrs
	view, err := loadView(r.dir)
	if err != nil {
		return res, fmt.Errorf("verify: %w", err)
	}
	res.FirstIndex, res.Segments = view.first(), len(view.segments)
	w, err := view.walk(walkSpec{tolerateTail: true, pins: snapshotPins(metas)})
	res.LastIndex, res.Records, res.Tail = w.last, w.visited, w.tail
	if err != nil {
		return res, fmt.Errorf("verify: %w", err)
	}
	for _, m := range metas {
		if m.index > res.LastIndex {
			res.SnapshotErrors = append(res.SnapshotErrors, fmt.Errorf("%w: snapshot %s is at index %d, beyond the log's last index %d",
				ErrCorrupt, m.path, m.index, res.LastIndex))
		}
	}
	return res, nil
}

func (r *Reader) checkSnapshots() ([]snapshotMeta, []error, error) {
	files, err := listSnapshotFiles(filepath.Join(r.dir, snapshotDirName))
	if err != nil {
		return nil, nil, fmt.Errorf("verify: %w", err)
	}
	var (
		metas []snapshotMeta
		errs  []error
	)
	for _, f := range files {
		s, err := readSnapshot(f)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		metas = append(metas, snapshotMeta{index: s.Index, hash: s.ChainHash, created: s.Created, path: f.path})
	}
	return metas, errs, nil
}
