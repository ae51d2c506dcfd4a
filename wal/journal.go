package wal

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	tidwall "github.com/tidwall/wal"
)

// Journal is an open journal directory. All methods are safe for concurrent
// use. Appends go through one writer goroutine that owns the tail of the
// log; see writer.go.
type Journal struct {
	dir  string
	opts Options
	log  *tidwall.Log
	lock *dirLock

	reqs     chan *request
	submitMu sync.Mutex    // guards next and the close of reqs; held while sending on reqs
	closed   atomic.Bool   // set under submitMu; read without it
	next     uint64        // index the next appended payload gets
	stopped  chan struct{} // closed when the writer goroutine has exited

	failed atomic.Pointer[error] // the sticky failure, if any

	first, last, durable atomic.Uint64

	// Owned by the writer goroutine.
	lastRecords int // records in the last group commit
	lastHash    Hash
	segs        []segmentInfo // oldest first; the last one is the tail
	batch       tidwall.Batch
	buf         []byte

	// compactMu is held exclusively while compaction removes segments and
	// shared while other goroutines read segment files or records, so no
	// reader sees a file vanish half-way through a truncation.
	compactMu sync.RWMutex
	anchor    *anchor // guarded by compactMu

	snapMu sync.Mutex     // serialises snapshot saves, pruning and loads
	metaMu sync.Mutex     // guards snaps
	snaps  []snapshotMeta // valid snapshots, newest first

	records, batches, fsyncs, bytes atomic.Uint64
	segments, segmentBytes          atomic.Int64
}

// segmentInfo mirrors one segment file for compaction and statistics.
type segmentInfo struct {
	first uint64
	size  int64
}

// Open opens or creates the journal in dir. It finishes a truncation that a
// crash interrupted, trims a torn tail (with a warning), and refuses a log
// whose last segment is damaged before its tail (*CorruptError) or whose
// newest snapshot lies beyond its end.
func Open(dir string, opts Options) (*Journal, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(dir, snapshotDirName), 0o750); err != nil {
		return nil, fmt.Errorf("open journal: %w", err)
	}
	lock, err := lockDir(dir)
	if err != nil {
		return nil, fmt.Errorf("open journal: %w", err)
	}
	j, err := open(dir, opts, lock)
	if err != nil {
		_ = lock.release() // the open error is the one worth reporting
		return nil, fmt.Errorf("open journal %s: %w", dir, err)
	}
	return j, nil
}

func open(dir string, opts Options, lock *dirLock) (*Journal, error) {
	plan, err := planSegments(dir)
	if err != nil {
		return nil, err
	}
	if plan.pending() {
		opts.Logger.Warn("wal: finishing interrupted truncation", "dir", dir,
			"remove", len(plan.remove), "rename", len(plan.rename))
		if plan, err = plan.apply(dir); err != nil {
			return nil, err
		}
	}
	snaps, err := loadSnapshotMetas(filepath.Join(dir, snapshotDirName), opts.Logger)
	if err != nil {
		return nil, err
	}
	anc, err := readAnchor(dir)
	if err != nil {
		return nil, err
	}
	view := logView{segments: plan.segments, anchor: anc}
	if len(view.segments) > 0 {
		if _, err := view.chainStart(); err != nil {
			return nil, err
		}
	}
	tail, err := repairTail(view, snapshotPins(snaps), opts.Logger)
	if err != nil {
		return nil, err
	}
	if len(snaps) > 0 && snaps[0].index > tail.last {
		return nil, fmt.Errorf("%w: snapshot %s is at index %d but the log ends at %d",
			ErrCorrupt, snaps[0].path, snaps[0].index, tail.last)
	}
	log, err := tidwall.Open(dir, &tidwall.Options{
		NoSync:      true, // the writer fsyncs once per group commit itself
		SegmentSize: opts.SegmentSize,
		LogFormat:   tidwall.Binary,
		AllowEmpty:  true, // compaction may remove every record
		DirPerms:    0o750,
		FilePerms:   filePerm,
	})
	if err != nil {
		return nil, fmt.Errorf("open log: %w", err)
	}
	j := &Journal{
		dir: dir, opts: opts, log: log, lock: lock,
		reqs:     make(chan *request, requestQueue),
		stopped:  make(chan struct{}),
		lastHash: tail.lastHash,
		anchor:   anc,
		snaps:    snaps,
	}
	if err := j.loadIndexes(tail); err != nil {
		_ = log.Close() // already failing; the first error explains more
		return nil, err
	}
	go j.run()
	return j, nil
}

// loadIndexes takes the indexes from tidwall/wal, checks them against what
// the tail scan found, and builds the segment mirror.
func (j *Journal) loadIndexes(tail tailState) error {
	// tidwall/wal creates the first segment of a new log; make its name
	// durable.
	if err := syncDir(j.dir); err != nil {
		return err
	}
	first, err := j.log.FirstIndex()
	if err != nil {
		return fmt.Errorf("first index: %w", err)
	}
	last, err := j.log.LastIndex()
	if err != nil {
		return fmt.Errorf("last index: %w", err)
	}
	if last != tail.last {
		return fmt.Errorf("%w: log reports last index %d, scan found %d", ErrCorrupt, last, tail.last)
	}
	plan, err := planSegments(j.dir)
	if err != nil {
		return err
	}
	for _, s := range plan.segments {
		fi, err := os.Stat(s.path)
		if err != nil {
			return fmt.Errorf("stat segment: %w", err)
		}
		j.segs = append(j.segs, segmentInfo{first: s.first, size: fi.Size()})
	}
	j.first.Store(first)
	j.last.Store(last)
	j.durable.Store(last)
	j.next = last + 1
	j.publishSegments()
	return nil
}

// Close waits for queued appends to finish, syncs and closes the log. It
// returns the sticky failure if the journal had failed.
func (j *Journal) Close() error {
	j.submitMu.Lock()
	if j.closed.Load() {
		j.submitMu.Unlock()
		return ErrClosed
	}
	j.closed.Store(true)
	close(j.reqs)
	j.submitMu.Unlock()
	<-j.stopped

	err := j.log.Close() // syncs the tail segment first
	if err != nil {
		err = fmt.Errorf("close log: %w", err)
	}
	if ferr := j.failure(); ferr != nil {
		err = ferr
	}
	if lerr := j.lock.release(); err == nil {
		err = lerr
	}
	return err
}

// usable returns ErrClosed or the sticky failure.
func (j *Journal) usable() error {
	if j.closed.Load() {
		return ErrClosed
	}
	return j.failure()
}

func (j *Journal) failure() error {
	if p := j.failed.Load(); p != nil {
		return *p
	}
	return nil
}

// fail latches the journal into the failed state; the first cause wins.
func (j *Journal) fail(cause error) error {
	err := fmt.Errorf("%w: %w", ErrFailed, cause)
	if j.failed.CompareAndSwap(nil, &err) {
		j.opts.Logger.Error("wal: journal failed; reopen to recover", "dir", j.dir, "err", cause)
	}
	return j.failure()
}

// Dir returns the journal directory.
func (j *Journal) Dir() string { return j.dir }

// FirstIndex returns the index of the first record still in the log. For a
// log without records it is LastIndex()+1.
func (j *Journal) FirstIndex() uint64 { return j.first.Load() }

// LastIndex returns the index of the last record written. It may be ahead of
// DurableIndex while a group commit waits for its fsync.
func (j *Journal) LastIndex() uint64 { return j.last.Load() }

// DurableIndex returns the last index reported done to an appender: fsynced
// under SyncAlways, handed to the operating system under SyncNone.
func (j *Journal) DurableIndex() uint64 { return j.durable.Load() }

// Stats is a point-in-time summary for metrics and benchmarks.
type Stats struct {
	FirstIndex, LastIndex, DurableIndex uint64

	Records uint64 // records appended since Open
	Batches uint64 // group commits since Open
	Fsyncs  uint64 // log fsyncs since Open
	Bytes   uint64 // encoded record bytes appended since Open

	Segments      int   // segment files
	SegmentBytes  int64 // size of the segment files
	SnapshotBytes int64 // size of the kept snapshot files

	SnapshotIndex uint64    // newest valid snapshot, 0 if none
	SnapshotTime  time.Time // when it was taken
}

// Stats returns current counters.
func (j *Journal) Stats() Stats {
	s := Stats{
		FirstIndex:   j.first.Load(),
		LastIndex:    j.last.Load(),
		DurableIndex: j.durable.Load(),
		Records:      j.records.Load(),
		Batches:      j.batches.Load(),
		Fsyncs:       j.fsyncs.Load(),
		Bytes:        j.bytes.Load(),
		Segments:     int(j.segments.Load()),
		SegmentBytes: j.segmentBytes.Load(),
	}
	j.metaMu.Lock()
	if len(j.snaps) > 0 {
		s.SnapshotIndex, s.SnapshotTime = j.snaps[0].index, j.snaps[0].created
	}
	for _, m := range j.snaps {
		s.SnapshotBytes += m.size
	}
	j.metaMu.Unlock()
	return s
}

// SizeBytes returns the journal's size on disk: segments and snapshots.
func (j *Journal) SizeBytes() int64 {
	s := j.Stats()
	return s.SegmentBytes + s.SnapshotBytes
}

// publishSegments copies the writer's segment mirror into the counters Stats
// reads. Writer goroutine only.
func (j *Journal) publishSegments() {
	var size int64
	for _, s := range j.segs {
		size += s.size
	}
	j.segments.Store(int64(len(j.segs)))
	j.segmentBytes.Store(size)
}
