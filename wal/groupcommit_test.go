package wal

import (
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tidwall "github.com/tidwall/wal"
)

// TestGroupCommitBatches runs 64 appending goroutines against a durable
// journal. The fsync hook records which index each fsync covered, so every
// Append can check that it returned only after an fsync covering its record.
// The hook also holds each fsync until the queue has filled (as a slow disk
// would) so that batching does not depend on the test machine's disk.
func TestGroupCommitBatches(t *testing.T) {
	const goroutines, perGoroutine = 64, 40
	opts, _ := testOptions()
	opts.Sync = SyncAlways
	opts.SegmentSize = 1 << 20
	var (
		j             *Journal
		syncedThrough atomic.Uint64
		active        atomic.Int64
	)
	active.Store(goroutines)
	opts.hooks = &testHooks{fsync: func(sync func() error) error {
		covered := j.LastIndex()
		waitForQueue(t, j, &active)
		if err := sync(); err != nil {
			return err
		}
		syncedThrough.Store(covered)
		return nil
	}}
	j = mustOpen(t, t.TempDir(), opts)

	ctx := testContext(t)
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer active.Add(-1)
			for i := range perGoroutine {
				first, err := j.Append(ctx, []byte{byte(g), byte(i)})
				if err != nil {
					t.Errorf("Append: %v", err)
					return
				}
				if s := syncedThrough.Load(); first > s {
					t.Errorf("Append of %d returned before an fsync covered it (synced through %d)", first, s)
				}
				if d := j.DurableIndex(); first > d {
					t.Errorf("Append of %d returned with durable index %d", first, d)
				}
			}
		}()
	}
	waitGroup(t, &wg)

	s := j.Stats()
	const records = goroutines * perGoroutine
	if s.Records != records || j.LastIndex() != records {
		t.Fatalf("stats %d records, last index %d; want %d", s.Records, j.LastIndex(), records)
	}
	if s.Fsyncs*8 > records {
		t.Fatalf("%d fsyncs for %d records; group commit should need far fewer", s.Fsyncs, records)
	}
	if s.Batches != s.Fsyncs {
		t.Fatalf("%d batches but %d fsyncs; want one fsync per batch", s.Batches, s.Fsyncs)
	}
	t.Logf("%d records in %d fsyncs (%.1f per fsync)", records, s.Fsyncs, float64(records)/float64(s.Fsyncs))

	// Every goroutine's records are there, each in its own order.
	next := make([]int, goroutines)
	err := j.Replay(1, func(_ uint64, p []byte) error {
		g, i := int(p[0]), int(p[1])
		if i != next[g] {
			t.Fatalf("goroutine %d: record %d replayed before %d", g, i, next[g])
		}
		next[g]++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// waitForQueue holds an fsync until the goroutines not in the batch being
// synced (at most 16 of them) have queued their next append.
func waitForQueue(t *testing.T, j *Journal, active *atomic.Int64) {
	deadline := time.Now().Add(testTimeout)
	for time.Now().Before(deadline) {
		inBatch := int64(j.LastIndex() - j.DurableIndex())
		if int64(len(j.reqs)) >= min(16, active.Load()-inBatch) {
			return
		}
		runtime.Gosched()
	}
	t.Error("queue never filled")
}

// TestNoDoneBeforeFsync holds the fsync and checks that no callback has run:
// the callbacks run on the writer goroutine, so one that ran before the
// fsync would be seen here.
func TestNoDoneBeforeFsync(t *testing.T) {
	opts, _ := testOptions()
	opts.Sync = SyncAlways
	entered := make(chan struct{}, 1)
	release := make(chan struct{})
	opts.hooks = &testHooks{fsync: func(sync func() error) error {
		select {
		case entered <- struct{}{}:
		default:
		}
		<-release
		return sync()
	}}
	j := mustOpen(t, t.TempDir(), opts)
	var (
		acked atomic.Int64
		wg    sync.WaitGroup
	)
	for i := uint64(1); i <= 10; i++ {
		wg.Add(1)
		j.AppendAsync([][]byte{payloadFor(i)}, func(_ uint64, err error) {
			defer wg.Done()
			if err != nil {
				t.Errorf("append: %v", err)
			}
			acked.Add(1)
		})
	}
	select {
	case <-entered:
	case <-time.After(testTimeout):
		t.Fatal("fsync never started")
	}
	if n := acked.Load(); n != 0 {
		t.Fatalf("%d appends reported done while their fsync was held", n)
	}
	if d := j.DurableIndex(); d != 0 {
		t.Fatalf("durable index %d while the first fsync was held", d)
	}
	close(release)
	waitGroup(t, &wg)
	if j.DurableIndex() != 10 {
		t.Fatalf("durable index %d; want 10", j.DurableIndex())
	}
}

var (
	errInjected  = errors.New("injected failure")
	errLogClosed = tidwall.ErrClosed
)

func TestStickyFailure(t *testing.T) {
	t.Run("fsync", func(t *testing.T) {
		opts, _ := testOptions()
		opts.Sync = SyncAlways
		var calls atomic.Int64
		opts.hooks = &testHooks{fsync: func(sync func() error) error {
			if calls.Add(1) == 3 {
				return errInjected
			}
			return sync()
		}}
		dir := t.TempDir()
		j := mustOpen(t, dir, opts)
		appendN(t, j, 2)
		_, err := j.Append(testContext(t), payloadFor(3))
		wantSticky(t, "failing Append", err)
		if j.DurableIndex() != 2 {
			t.Fatalf("durable index %d after failed fsync; want 2", j.DurableIndex())
		}
		checkStickyEverywhere(t, j)
		// Reopen recovers; the unacknowledged record may or may not have
		// reached the disk, and here it has.
		opts.hooks = nil
		j = mustOpen(t, dir, opts)
		appendN(t, j, 1)
		checkEntries(t, replayAll(t, j, 1), 1, 4)
	})
	t.Run("write", func(t *testing.T) {
		opts, _ := testOptions()
		dir := t.TempDir()
		j := mustOpen(t, dir, opts)
		appendN(t, j, 2)
		if err := j.log.Close(); err != nil { // every later write fails
			t.Fatal(err)
		}
		_, err := j.Append(testContext(t), payloadFor(3))
		wantSticky(t, "failing Append", err)
		checkStickyEverywhere(t, j)
		j = mustOpen(t, dir, opts)
		checkEntries(t, replayAll(t, j, 1), 1, 2)
	})
	t.Run("directory sync", func(t *testing.T) {
		opts, _ := testOptions()
		opts.hooks = &testHooks{syncDir: func(func() error) error { return errInjected }}
		j := mustOpen(t, t.TempDir(), opts)
		var err error
		for i := uint64(1); err == nil && i < 100; i++ {
			_, err = j.Append(testContext(t), payloadFor(i))
		}
		wantSticky(t, "Append creating a segment", err)
		checkStickyEverywhere(t, j)
	})
}

func wantSticky(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, ErrFailed) || !(errors.Is(err, errInjected) || errors.Is(err, errLogClosed)) {
		t.Fatalf("%s: %v; want ErrFailed wrapping the cause", what, err)
	}
}

// checkStickyEverywhere asserts that every call reports the failure, and
// that Close does too.
func checkStickyEverywhere(t *testing.T, j *Journal) {
	t.Helper()
	_, err := j.Append(testContext(t), payloadFor(99))
	wantSticky(t, "Append after failure", err)
	j.AppendAsync([][]byte{payloadFor(99)}, func(first uint64, err error) {
		if first != 0 {
			t.Errorf("AppendAsync after failure reported index %d", first)
		}
		wantSticky(t, "AppendAsync after failure", err)
	})
	wantSticky(t, "Sync", j.Sync())
	wantSticky(t, "Compact", j.Compact(1))
	wantSticky(t, "SaveSnapshot", j.SaveSnapshot(1, nil))
	wantSticky(t, "Replay", j.Replay(1, nil))
	wantSticky(t, "Close", j.Close())
}
