package wal

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestAppendReplayReopen(t *testing.T) {
	opts, _ := testOptions()
	dir := t.TempDir()
	j := mustOpen(t, dir, opts)
	if j.FirstIndex() != 1 || j.LastIndex() != 0 {
		t.Fatalf("new log: first %d last %d; want 1 0", j.FirstIndex(), j.LastIndex())
	}
	appendN(t, j, 40)
	checkEntries(t, replayAll(t, j, 0), 1, 40)
	checkEntries(t, replayAll(t, j, 17), 17, 40)
	if got := replayAll(t, j, 41); len(got) != 0 {
		t.Fatalf("replay past the end: %d records", len(got))
	}
	mustClose(t, j)

	j = mustOpen(t, dir, opts)
	if j.LastIndex() != 40 || j.DurableIndex() != 40 {
		t.Fatalf("reopened: last %d durable %d; want 40", j.LastIndex(), j.DurableIndex())
	}
	appendN(t, j, 10) // must chain from record 40
	mustClose(t, j)

	r, err := OpenReader(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := r.Verify()
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if res.FirstIndex != 1 || res.LastIndex != 50 || res.Records != 50 || res.Tail != nil || res.Segments < 2 {
		t.Fatalf("Verify: %+v; want 50 records in several segments, no tail", res)
	}
	checkEntries(t, replayAll(t, r, 1), 1, 50)
}

func TestAppendBatchGetsConsecutiveIndexes(t *testing.T) {
	opts, _ := testOptions()
	j := mustOpen(t, t.TempDir(), opts)
	first, err := j.Append(testContext(t), payloadFor(1), payloadFor(2), payloadFor(3))
	if err != nil || first != 1 {
		t.Fatalf("Append: first %d err %v; want 1 nil", first, err)
	}
	first, err = j.Append(testContext(t), payloadFor(4))
	if err != nil || first != 4 {
		t.Fatalf("Append: first %d err %v; want 4 nil", first, err)
	}
	checkEntries(t, replayAll(t, j, 1), 1, 4)
}

func TestAppendAsyncKeepsCallOrder(t *testing.T) {
	opts, _ := testOptions()
	j := mustOpen(t, t.TempDir(), opts)
	const n = 2000
	var (
		mu    sync.Mutex
		order []uint64
		wg    sync.WaitGroup
	)
	wg.Add(n)
	for i := uint64(1); i <= n; i++ {
		got := j.AppendAsync([][]byte{payloadFor(i)}, func(first uint64, err error) {
			defer wg.Done()
			if err != nil {
				t.Errorf("record %d: %v", i, err)
			}
			mu.Lock()
			order = append(order, first)
			mu.Unlock()
		})
		if got != i {
			t.Fatalf("AppendAsync returned %d; want %d", got, i)
		}
	}
	waitGroup(t, &wg)
	for k, first := range order {
		if first != uint64(k+1) {
			t.Fatalf("callback %d reported index %d; want %d", k, first, k+1)
		}
	}
	checkEntries(t, replayAll(t, j, 1), 1, n)
}

func waitGroup(tb testing.TB, wg *sync.WaitGroup) {
	tb.Helper()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(testTimeout):
		tb.Fatal("timed out waiting for callbacks")
	}
}

func TestAppendRejects(t *testing.T) {
	opts, _ := testOptions()
	j := mustOpen(t, t.TempDir(), opts)
	if _, err := j.Append(testContext(t)); !errors.Is(err, ErrNoPayloads) {
		t.Fatalf("Append(): %v; want ErrNoPayloads", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := j.Append(ctx, payloadFor(1)); !errors.Is(err, context.Canceled) {
		t.Fatalf("Append with canceled ctx: %v; want context.Canceled", err)
	}
	if j.LastIndex() != 0 {
		t.Fatalf("rejected appends wrote records: last index %d", j.LastIndex())
	}
	mustClose(t, j)
	if _, err := j.Append(testContext(t), payloadFor(1)); !errors.Is(err, ErrClosed) {
		t.Fatalf("Append after Close: %v; want ErrClosed", err)
	}
	for name, err := range map[string]error{
		"Close":        j.Close(),
		"Sync":         j.Sync(),
		"Compact":      j.Compact(1),
		"SaveSnapshot": j.SaveSnapshot(1, nil),
		"Replay":       j.Replay(1, nil),
	} {
		if !errors.Is(err, ErrClosed) {
			t.Errorf("%s after Close: %v; want ErrClosed", name, err)
		}
	}
}

func TestOpenLocksDirectory(t *testing.T) {
	opts, _ := testOptions()
	dir := t.TempDir()
	j := mustOpen(t, dir, opts)
	if _, err := Open(dir, opts); !errors.Is(err, ErrLocked) {
		t.Fatalf("second Open: %v; want ErrLocked", err)
	}
	mustClose(t, j)
	mustClose(t, mustOpen(t, dir, opts))
}

func TestSyncModes(t *testing.T) {
	t.Run("none", func(t *testing.T) {
		opts, _ := testOptions()
		var fsyncs atomic.Int64
		opts.OnFsync = func(time.Duration) { fsyncs.Add(1) }
		j := mustOpen(t, t.TempDir(), opts)
		appendN(t, j, 5)
		if n := fsyncs.Load(); n != 0 {
			t.Fatalf("SyncNone appends made %d fsyncs; want 0", n)
		}
		if err := j.Sync(); err != nil {
			t.Fatal(err)
		}
		if n := fsyncs.Load(); n != 1 {
			t.Fatalf("Sync made %d fsyncs; want 1", n)
		}
	})
	t.Run("always", func(t *testing.T) {
		opts, _ := testOptions()
		opts.Sync = SyncAlways
		j := mustOpen(t, t.TempDir(), opts)
		appendN(t, j, 5)
		if s := j.Stats(); s.Fsyncs != 5 || s.Batches != 5 {
			t.Fatalf("5 sequential appends: %d fsyncs, %d batches; want 5, 5", s.Fsyncs, s.Batches)
		}
	})
}

func TestParseSyncMode(t *testing.T) {
	f := func(in string, want SyncMode, wantErr bool) {
		t.Helper()
		got, err := ParseSyncMode(in)
		if (err != nil) != wantErr || (!wantErr && got != want) {
			t.Fatalf("ParseSyncMode(%q) = %v, %v; want %v, error %v", in, got, err, want, wantErr)
		}
		if !wantErr && got.String() != in {
			t.Fatalf("String() = %q; want %q", got.String(), in)
		}
	}
	f("always", SyncAlways, false)
	f("none", SyncNone, false)
	f("sometimes", 0, true)
	if _, err := Open(t.TempDir(), Options{SegmentSize: -1}); err == nil {
		t.Fatal("Open accepted a negative segment size")
	}
}

func TestMetricsHooks(t *testing.T) {
	opts, _ := testOptions()
	var appends, batchRecords, batchBytes atomic.Int64
	opts.OnAppend = func(records int, latency time.Duration) {
		if latency < 0 {
			t.Errorf("negative latency %v", latency)
		}
		appends.Add(int64(records))
	}
	opts.OnBatch = func(records, bytes int) {
		batchRecords.Add(int64(records))
		batchBytes.Add(int64(bytes))
	}
	j := mustOpen(t, t.TempDir(), opts)
	appendN(t, j, 7)
	if _, err := j.Append(testContext(t), payloadFor(8), payloadFor(9)); err != nil {
		t.Fatal(err)
	}
	s := j.Stats()
	if appends.Load() != 9 || batchRecords.Load() != 9 || s.Records != 9 {
		t.Fatalf("hooks saw %d appended and %d batched records, stats %d; want 9", appends.Load(), batchRecords.Load(), s.Records)
	}
	if uint64(batchBytes.Load()) != s.Bytes || s.Bytes != 9*headerSize+9*uint64(len(payloadFor(1))) {
		t.Fatalf("batch bytes %d, stats bytes %d; want %d", batchBytes.Load(), s.Bytes, 9*headerSize+9*len(payloadFor(1)))
	}
}

// TestSegmentMirror checks the journal's model of tidwall/wal's segment
// files against the directory, and that every new segment file was followed
// by a directory fsync before its records were reported durable.
func TestSegmentMirror(t *testing.T) {
	opts, _ := testOptions()
	opts.SegmentSize = 300
	var dirSyncs atomic.Int64
	opts.hooks = &testHooks{syncDir: func(sync func() error) error {
		dirSyncs.Add(1)
		return sync()
	}}
	dir := t.TempDir()
	j := mustOpen(t, dir, opts)
	ctx := testContext(t)
	segments, syncs := 1, int64(0)
	for i := uint64(1); i <= 120; i++ {
		// Mixed sizes and batch shapes cross segment ends in every way.
		payloads := [][]byte{payloadFor(i)}
		if i%7 == 0 {
			payloads = append(payloads, make([]byte, 150+i), payloadFor(i))
		}
		if _, err := j.Append(ctx, payloads...); err != nil {
			t.Fatal(err)
		}
		seen := segmentPaths(t, dir)
		if len(seen) != len(j.segs) {
			t.Fatalf("after append %d: %d segment files; mirror has %d", i, len(seen), len(j.segs))
		}
		var size int64
		for k, p := range seen {
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			if filepath.Base(p) != segmentName(j.segs[k].first) || fi.Size() != j.segs[k].size {
				t.Fatalf("segment %d: file %s size %d; mirror %s size %d", k, filepath.Base(p), fi.Size(), segmentName(j.segs[k].first), j.segs[k].size)
			}
			size += fi.Size()
		}
		if s := j.Stats(); s.Segments != len(seen) || s.SegmentBytes != size {
			t.Fatalf("stats: %d segments %d bytes; want %d %d", s.Segments, s.SegmentBytes, len(seen), size)
		}
		// One directory fsync per commit that created segments.
		if want := syncs + int64(min(1, len(seen)-segments)); dirSyncs.Load() != want {
			t.Fatalf("after append %d: %d directory fsyncs; want %d", i, dirSyncs.Load(), want)
		}
		segments, syncs = len(seen), dirSyncs.Load()
	}
	if segments < 10 {
		t.Fatalf("only %d segments; the test should cross many segment ends", segments)
	}
}
