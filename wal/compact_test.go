package wal

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCompact(t *testing.T) {
	opts, _ := testOptions()
	dir := t.TempDir()
	j := mustOpen(t, dir, opts)
	appendN(t, j, 100)
	segments := j.Stats().Segments

	if err := j.Compact(100); err != nil || j.FirstIndex() != 1 {
		t.Fatalf("Compact without a snapshot: first index %d, %v; want nothing removed", j.FirstIndex(), err)
	}

	if err := j.SaveSnapshot(50, []byte("at 50")); err != nil {
		t.Fatal(err)
	}
	if err := j.Compact(30); err != nil {
		t.Fatal(err)
	}
	first := checkCompacted(t, j, 30)
	if err := j.Compact(100); err != nil {
		t.Fatal(err)
	}
	if first = checkCompacted(t, j, 50); first == 1 {
		t.Fatal("Compact(100) under a snapshot at 50 removed nothing")
	}
	if err := j.Replay(first-1, nil); !errors.Is(err, ErrCompacted) {
		t.Fatalf("Replay(%d) after compaction: %v; want ErrCompacted", first-1, err)
	}
	checkEntries(t, replayAll(t, j, 51), 51, 100)

	// With two snapshots the older bounds compaction, so the fallback to it
	// still finds every record after it.
	for _, index := range []uint64{80, 90} {
		if err := j.SaveSnapshot(index, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := j.Compact(100); err != nil {
		t.Fatal(err)
	}
	first = checkCompacted(t, j, 80)
	if s := j.Stats(); s.Segments >= segments {
		t.Fatalf("%d segments after compaction; had %d", s.Segments, segments)
	}
	mustClose(t, j)

	j = mustOpen(t, dir, opts)
	if j.FirstIndex() != first {
		t.Fatalf("reopened first index %d; want %d", j.FirstIndex(), first)
	}
	checkEntries(t, replayAll(t, j, 81), 81, 100)
	appendN(t, j, 5)
	mustClose(t, j)
	verifyClean(t, dir, first, 105)
}

// checkCompacted asserts that compaction removed only whole segments at or
// below limit, that the disk matches the journal's view, and returns the
// first index.
func checkCompacted(t *testing.T, j *Journal, limit uint64) uint64 {
	t.Helper()
	first := j.FirstIndex()
	paths := segmentPaths(t, j.Dir())
	if want := filepath.Join(j.Dir(), segmentName(first)); paths[0] != want {
		t.Fatalf("first segment %s; want %s", paths[0], want)
	}
	if first-1 > limit {
		t.Fatalf("first index %d: records above %d removed", first, limit)
	}
	var size int64
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		size += fi.Size()
	}
	if s := j.Stats(); s.Segments != len(paths) || s.SegmentBytes != size || s.FirstIndex != first {
		t.Fatalf("stats %+v; disk has %d segments, %d bytes", s, len(paths), size)
	}
	return first
}

func verifyClean(t *testing.T, dir string, first, last uint64) VerifyResult {
	t.Helper()
	r, err := OpenReader(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := r.Verify()
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if res.FirstIndex != first || res.LastIndex != last || res.Records != last-first+1 || res.Tail != nil || len(res.SnapshotErrors) > 0 {
		t.Fatalf("Verify: %+v; want records %d..%d and no findings", res, first, last)
	}
	return res
}

// TestCompactCrash rebuilds the states a crash can leave between a snapshot
// and the end of compaction, and opens each.
func TestCompactCrash(t *testing.T) {
	opts, _ := testOptions()
	base := t.TempDir()
	j := mustOpen(t, base, opts)
	appendN(t, j, 100)
	if err := j.SaveSnapshot(60, []byte("at 60")); err != nil {
		t.Fatal(err)
	}
	mustClose(t, j)

	// Run the real compaction on a copy to learn its outcome.
	done := copyDir(t, base)
	j = mustOpen(t, done, opts)
	if err := j.Compact(60); err != nil {
		t.Fatal(err)
	}
	newFirst := j.FirstIndex()
	mustClose(t, j)
	anchorFile := readFile(t, filepath.Join(done, anchorName))
	if newFirst == 1 {
		t.Fatal("compaction removed nothing; the test needs several segments")
	}

	states := map[string]func(t *testing.T, dir string){
		"snapshot written": func(*testing.T, string) {},
		"anchor written": func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, anchorName), anchorFile)
		},
		"start file written, older segments partly removed": func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, anchorName), anchorFile)
			keep := filepath.Join(dir, segmentName(newFirst))
			writeFile(t, keep+startSuffix, readFile(t, keep))
			if err := os.Remove(segmentPaths(t, dir)[0]); err != nil {
				t.Fatal(err)
			}
		},
		"start file written, every older segment removed": func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, anchorName), anchorFile)
			keep := filepath.Join(dir, segmentName(newFirst))
			writeFile(t, keep+startSuffix, readFile(t, keep))
			for _, p := range segmentPaths(t, dir) {
				if p <= keep {
					if err := os.Remove(p); err != nil {
						t.Fatal(err)
					}
				}
			}
		},
	}
	for name, crash := range states {
		t.Run(name, func(t *testing.T) {
			dir := copyDir(t, base)
			crash(t, dir)
			// The read-only view agrees before Open repairs anything.
			r, err := OpenReader(dir, nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := r.Verify(); err != nil {
				t.Fatalf("Verify before Open: %v", err)
			}
			j := mustOpen(t, dir, opts)
			checkEntries(t, replayAll(t, j, 61), 61, 100)
			if err := j.Compact(60); err != nil {
				t.Fatalf("Compact after the crash: %v", err)
			}
			if j.FirstIndex() != newFirst {
				t.Fatalf("first index %d; want %d", j.FirstIndex(), newFirst)
			}
			appendN(t, j, 1)
			mustClose(t, j)
			verifyClean(t, dir, newFirst, 101)
			if leftovers, _ := filepath.Glob(filepath.Join(dir, "*"+startSuffix)); len(leftovers) > 0 {
				t.Fatalf("left behind: %v", leftovers)
			}
		})
	}
}

func TestAnchorTamperingDetected(t *testing.T) {
	opts, _ := testOptions()
	dir := t.TempDir()
	j := mustOpen(t, dir, opts)
	appendN(t, j, 100)
	if err := j.SaveSnapshot(60, nil); err != nil {
		t.Fatal(err)
	}
	if err := j.Compact(60); err != nil {
		t.Fatal(err)
	}
	first := j.FirstIndex()
	mustClose(t, j)

	// A well-formed anchor with the wrong hash breaks the chain at the first
	// record.
	if err := writeAnchor(dir, anchor{index: first - 1, hash: Hash{0xBA, 0xD}}); err != nil {
		t.Fatal(err)
	}
	r, err := OpenReader(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.Verify()
	if ce := wantCorrupt(t, err, segmentPaths(t, dir)[0], 0); !errors.Is(ce, ErrChainBroken) {
		t.Fatalf("got %v; want a chain break", err)
	}

	// A damaged anchor file stops Open.
	b := readFile(t, filepath.Join(dir, anchorName))
	b[len(anchorMagic)] ^= 0x01
	writeFile(t, filepath.Join(dir, anchorName), b)
	if _, err := Open(dir, opts); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "chain anchor") {
		t.Fatalf("Open with a damaged anchor: %v; want ErrCorrupt naming the anchor", err)
	}
}
