package wal

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestSnapshotSaveAndLatest(t *testing.T) {
	opts, _ := testOptions()
	now := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	opts.Now = func() time.Time { return now }
	dir := t.TempDir()
	j := mustOpen(t, dir, opts)
	if _, err := j.LatestSnapshot(); !errors.Is(err, ErrNoSnapshot) {
		t.Fatalf("LatestSnapshot on a new journal: %v; want ErrNoSnapshot", err)
	}
	appendN(t, j, 10)
	for _, index := range []uint64{5, 8, 10} {
		if err := j.SaveSnapshot(index, []byte("state-"+string(payloadFor(index)))); err != nil {
			t.Fatalf("SaveSnapshot(%d): %v", index, err)
		}
	}
	s, err := j.LatestSnapshot()
	if err != nil {
		t.Fatal(err)
	}
	wantHash, err := j.chainHashAt(10)
	if err != nil {
		t.Fatal(err)
	}
	if s.Index != 10 || string(s.Data) != "state-event-0010" || s.ChainHash != wantHash || !s.Created.Equal(now) {
		t.Fatalf("LatestSnapshot: %d %q %s %v; want 10 state-event-0010 %s %v", s.Index, s.Data, s.ChainHash, s.Created, wantHash, now)
	}
	if st := j.Stats(); st.SnapshotIndex != 10 || !st.SnapshotTime.Equal(now) || st.SnapshotBytes == 0 {
		t.Fatalf("stats: snapshot %d at %v, %d bytes; want 10 at %v", st.SnapshotIndex, st.SnapshotTime, st.SnapshotBytes, now)
	}
	files, err := listSnapshotFiles(filepath.Join(dir, snapshotDirName))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 2 || files[0].index != 10 || files[1].index != 8 {
		t.Fatalf("snapshot files %v; want the newest two, 10 and 8", files)
	}
	// Start-up: latest snapshot, then the records after it.
	mustClose(t, j)
	j = mustOpen(t, dir, opts)
	s, err = j.LatestSnapshot()
	if err != nil || s.Index != 10 {
		t.Fatalf("after reopen: snapshot %d, %v; want 10", s.Index, err)
	}
	appendN(t, j, 3)
	checkEntries(t, replayAll(t, j, s.Index+1), 11, 13)
}

func TestSaveSnapshotRejects(t *testing.T) {
	opts, _ := testOptions()
	j := mustOpen(t, t.TempDir(), opts)
	appendN(t, j, 10)
	if err := j.SaveSnapshot(8, nil); err != nil {
		t.Fatal(err)
	}
	f := func(index uint64, want string) {
		t.Helper()
		err := j.SaveSnapshot(index, nil)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("SaveSnapshot(%d): %v; want an error containing %q", index, err, want)
		}
	}
	f(0, "must be in 1..10")
	f(11, "must be in 1..10")
	f(7, "older than snapshot at 8")
}

func TestSnapshotFallback(t *testing.T) {
	opts, logs := testOptions()
	dir := t.TempDir()
	j := mustOpen(t, dir, opts)
	appendN(t, j, 10)
	for _, index := range []uint64{6, 9} {
		if err := j.SaveSnapshot(index, bytes.Repeat([]byte{byte(index)}, 100)); err != nil {
			t.Fatal(err)
		}
	}
	mustClose(t, j)
	snapDir := filepath.Join(dir, snapshotDirName)
	damage := func(index uint64) {
		path := filepath.Join(snapDir, snapshotFileName(index))
		b := readFile(t, path)
		b[len(b)-10] ^= 0x01
		writeFile(t, path, b)
	}

	damage(9)
	j = mustOpen(t, dir, opts)
	s, err := j.LatestSnapshot()
	if err != nil || s.Index != 6 || !bytes.Equal(s.Data, bytes.Repeat([]byte{6}, 100)) {
		t.Fatalf("with the newest damaged: snapshot %d, %v; want 6", s.Index, err)
	}
	if !strings.Contains(logs.String(), "skipping damaged snapshot") {
		t.Fatalf("no warning about the damaged snapshot; log:\n%s", logs)
	}
	if st := j.Stats(); st.SnapshotIndex != 6 {
		t.Fatalf("stats snapshot index %d; want 6", st.SnapshotIndex)
	}
	mustClose(t, j)

	damage(6)
	j = mustOpen(t, dir, opts)
	if _, err := j.LatestSnapshot(); !errors.Is(err, ErrNoSnapshot) {
		t.Fatalf("with every snapshot damaged: %v; want ErrNoSnapshot", err)
	}
	// A new save replaces the damaged files.
	if err := j.SaveSnapshot(10, []byte("fresh")); err != nil {
		t.Fatal(err)
	}
	files, err := listSnapshotFiles(snapDir)
	if err != nil || len(files) != 1 || files[0].index != 10 {
		t.Fatalf("snapshot files %v, %v; want only 10", files, err)
	}
}

func TestSnapshotMustMatchLog(t *testing.T) {
	opts, _ := testOptions()
	opts.SegmentSize = 1 << 20
	other := t.TempDir()
	j := mustOpen(t, other, opts)
	if _, err := j.Append(testContext(t), []byte("another history")); err != nil {
		t.Fatal(err)
	}
	appendN(t, j, 5)
	if err := j.SaveSnapshot(4, []byte("foreign")); err != nil {
		t.Fatal(err)
	}
	mustClose(t, j)

	dir := writeLog(t, opts, 6)
	name := snapshotFileName(4)
	writeFile(t, filepath.Join(dir, snapshotDirName, name), readFile(t, filepath.Join(other, snapshotDirName, name)))
	_, err := Open(dir, opts)
	seg := segmentPaths(t, dir)[0]
	if ce := wantCorrupt(t, err, seg, int64(frameOffsets(t, seg)[3])); !errors.Is(ce, ErrChainBroken) || !strings.Contains(ce.Reason, name) {
		t.Fatalf("got %v; want a chain break naming %s", err, name)
	}
}

func TestSnapshotAheadOfLog(t *testing.T) {
	// Under SyncNone a power loss can keep a snapshot (fsynced) but lose the
	// log's tail. Appending would then reuse indexes the snapshot covers.
	opts, _ := testOptions()
	opts.SegmentSize = 1 << 20
	dir := t.TempDir()
	j := mustOpen(t, dir, opts)
	appendN(t, j, 10)
	if err := j.SaveSnapshot(10, nil); err != nil {
		t.Fatal(err)
	}
	mustClose(t, j)
	seg := segmentPaths(t, dir)[0]
	writeFile(t, seg, readFile(t, seg)[:frameOffsets(t, seg)[8]])
	if _, err := Open(dir, opts); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "log ends at 8") {
		t.Fatalf("Open: %v; want ErrCorrupt saying the log ends at 8", err)
	}
}

func TestOpenRemovesStaleSnapshotTemp(t *testing.T) {
	opts, _ := testOptions()
	dir := writeLog(t, opts, 3)
	tmp := filepath.Join(dir, snapshotDirName, snapshotFileName(3)+".tmp")
	writeFile(t, tmp, []byte("half a snapshot"))
	mustClose(t, mustOpen(t, dir, opts))
	if _, err := os.Stat(tmp); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("stale temp file still there: %v", err)
	}
}

// TestSnapshotAnchorsMidLogChain forges the prevHash of the only record in
// the tail segment. Nothing after it could expose the forgery; the snapshot
// taken just before it does.
func TestSnapshotAnchorsMidLogChain(t *testing.T) {
	opts, _ := testOptions()
	dir := t.TempDir()
	j := mustOpen(t, dir, opts)
	for segs := j.Stats().Segments; j.Stats().Segments == segs; {
		appendN(t, j, 1)
	}
	appendN(t, j, 1) // the tail segment now holds exactly this record
	last := j.LastIndex()
	if err := j.SaveSnapshot(last-1, nil); err != nil {
		t.Fatal(err)
	}
	mustClose(t, j)

	tail := segmentPaths(t, dir)[len(segmentPaths(t, dir))-1]
	forged := appendRecord(nil, last, Hash{0xF0}, payloadFor(last))
	writeFile(t, tail, append([]byte{byte(len(forged))}, forged...))
	_, err := Open(dir, opts)
	if ce := wantCorrupt(t, err, tail, 0); !errors.Is(ce, ErrChainBroken) {
		t.Fatalf("got %v; want a chain break", err)
	}
}
