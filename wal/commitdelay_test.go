package wal

import (
	"sync"
	"testing"
	"time"
)

// The commit delay is set to an hour in these tests: a commit that waited
// for it would hang the test (bounded by testContext), so passing means the
// delay ended for the right reason, not that a timer happened to fire.

// delayedJournal opens a durable journal with the given commit delay that
// records the size of every group commit.
func delayedJournal(t *testing.T, delay time.Duration) (*Journal, func() []int) {
	t.Helper()
	opts, _ := testOptions()
	opts.Sync = SyncAlways
	opts.CommitDelay = delay
	var mu sync.Mutex
	var batches []int
	opts.OnBatch = func(records, _ int) {
		mu.Lock()
		batches = append(batches, records)
		mu.Unlock()
	}
	j := mustOpen(t, t.TempDir(), opts)
	return j, func() []int {
		mu.Lock()
		defer mu.Unlock()
		return append([]int(nil), batches...)
	}
}

func TestCommitDelayNeverHoldsALoneWriter(t *testing.T) {
	j, batches := delayedJournal(t, time.Hour)
	ctx := testContext(t)
	for i := 0; i < 20; i++ {
		if _, err := j.Append(ctx, payloadFor(uint64(i))); err != nil {
			t.Fatalf("append %d: %v", i, err)
		}
	}
	if got := batches(); len(got) != 20 {
		t.Fatalf("20 sequential appends made %d commits %v; want one each", len(got), got)
	}
}

func TestCommitDelayGathersConcurrentWrites(t *testing.T) {
	j, batches := delayedJournal(t, time.Hour)
	ctx := testContext(t)
	// A commit of two records: writes are now concurrent, so the next
	// commit waits for more.
	if _, err := j.Append(ctx, payloadFor(1), payloadFor(2)); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 2)
	j.AppendAsync([][]byte{payloadFor(3)}, func(_ uint64, err error) { done <- err })
	// A full batch ends the wait at once.
	full := make([][]byte, maxBatchRecords)
	for i := range full {
		full[i] = payloadFor(uint64(4 + i))
	}
	j.AppendAsync(full, func(_ uint64, err error) { done <- err })
	for range 2 {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-ctx.Done():
			t.Fatal("appends still waiting: a full batch did not end the commit delay")
		}
	}
	got := batches()
	if len(got) != 2 || got[1] != 1+maxBatchRecords {
		t.Fatalf("commits %v; want [2 %d]: the lone record should have waited for the full batch", got, 1+maxBatchRecords)
	}
	if d := j.DurableIndex(); d != uint64(3+maxBatchRecords) {
		t.Fatalf("durable through %d; want %d", d, 3+maxBatchRecords)
	}
}

func TestCloseEndsTheCommitDelay(t *testing.T) {
	j, batches := delayedJournal(t, time.Hour)
	ctx := testContext(t)
	if _, err := j.Append(ctx, payloadFor(1), payloadFor(2)); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	j.AppendAsync([][]byte{payloadFor(3)}, func(_ uint64, err error) { done <- err })
	closed := make(chan error, 1)
	go func() { closed <- j.Close() }()
	select {
	case err := <-closed:
		if err != nil {
			t.Fatal(err)
		}
	case <-ctx.Done():
		t.Fatal("Close waited for the commit delay")
	}
	if err := <-done; err != nil {
		t.Fatalf("a record queued before Close failed: %v", err)
	}
	if got := batches(); len(got) != 2 || got[1] != 1 {
		t.Fatalf("commits %v; want the queued record written at Close", got)
	}
}

func TestNegativeCommitDelayRefused(t *testing.T) {
	opts, _ := testOptions()
	opts.CommitDelay = -time.Millisecond
	if _, err := Open(t.TempDir(), opts); err == nil {
		t.Fatal("Open accepted a negative commit delay")
	}
}
