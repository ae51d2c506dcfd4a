package wal

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"
)

// verifyLog writes a closed log of 16 records over several segments.
func verifyLog(t *testing.T) (dir string, segs []string) {
	t.Helper()
	opts, _ := testOptions()
	opts.SegmentSize = 200
	dir = writeLog(t, opts, 16)
	segs = segmentPaths(t, dir)
	if len(segs) < 3 {
		t.Fatalf("%d segments; the test needs at least 3", len(segs))
	}
	return dir, segs
}

func mustReader(t *testing.T, dir string) *Reader {
	t.Helper()
	r, err := OpenReader(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestVerifyFindsEveryByteFlip flips each byte of every segment in turn.
// Verify must name the segment and the offset of the record holding the
// byte: as corruption, or as a torn tail when it is the log's last record.
func TestVerifyFindsEveryByteFlip(t *testing.T) {
	dir, segs := verifyLog(t)
	r := mustReader(t, dir)
	for si, seg := range segs {
		orig := readFile(t, seg)
		offs := frameOffsets(t, seg)
		for p := range orig {
			k := sort.SearchInts(offs, p+1) - 1 // record holding byte p
			damaged := bytes.Clone(orig)
			damaged[p] ^= 0xFF
			writeFile(t, seg, damaged)
			res, err := r.Verify()
			if si == len(segs)-1 && k == len(offs)-1 {
				if err != nil || res.Tail == nil || res.Tail.Segment != seg || res.Tail.Offset != int64(offs[k]) {
					t.Fatalf("byte %d of the last record: %+v, %v; want a torn tail at %s:%d", p, res.Tail, err, seg, offs[k])
				}
			} else {
				wantCorrupt(t, err, seg, int64(offs[k]))
			}
		}
		writeFile(t, seg, orig)
	}
	verifyClean(t, dir, 1, 16)
}

func TestVerifyFindsMovedRecords(t *testing.T) {
	cut := func(b []byte, from, to int) []byte { return append(bytes.Clone(b[:from]), b[to:]...) }
	tests := []struct {
		name   string
		seg    int // which segment to change
		change func(data []byte, offs []int) []byte
		// where Verify must report: segment (relative to seg) and record
		atSeg, atRecord int
		want            error
	}{
		{"delete from the middle", 1, func(d []byte, o []int) []byte { return cut(d, o[1], o[2]) }, 0, 1, ErrIndexMismatch},
		{"delete the first record", 1, func(d []byte, o []int) []byte { return cut(d, o[0], o[1]) }, 0, 0, ErrIndexMismatch},
		{"delete the last record", 0, func(d []byte, o []int) []byte { return d[:o[len(o)-1]] }, 1, 0, ErrIndexMismatch},
		{"swap two records", 1, func(d []byte, o []int) []byte {
			out := append(bytes.Clone(d[:o[0]]), d[o[1]:o[2]]...)
			out = append(out, d[o[0]:o[1]]...)
			return append(out, d[o[2]:]...)
		}, 0, 0, ErrIndexMismatch},
		{"replace with a record from another place", 1, func(d []byte, o []int) []byte {
			// Same index, same length, but the chain gives it away.
			rec, _ := DecodeRecord(d[o[0]+1 : o[1]])
			forged := appendRecord(nil, rec.Index, Hash{1}, rec.Payload)
			return append(append(append(bytes.Clone(d[:o[0]]), d[o[0]]), forged...), d[o[1]:]...)
		}, 0, 0, ErrChainBroken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, segs := verifyLog(t)
			seg := segs[tt.seg]
			writeFile(t, seg, tt.change(readFile(t, seg), frameOffsets(t, seg)))
			_, err := mustReader(t, dir).Verify()
			at := segs[tt.seg+tt.atSeg]
			offset := 0
			if tt.atRecord > 0 {
				offset = frameOffsets(t, at)[tt.atRecord]
			}
			if ce := wantCorrupt(t, err, at, int64(offset)); !errors.Is(ce, tt.want) {
				t.Fatalf("got %v; want %v", err, tt.want)
			}
		})
	}
}

// TestReaderChangesNothing runs every Reader method on a log with a torn
// tail, an interrupted truncation and a stale temp file, and checks that no
// file changed.
func TestReaderChangesNothing(t *testing.T) {
	dir, segs := verifyLog(t)
	tail := segs[len(segs)-1]
	writeFile(t, tail, append(readFile(t, tail), 0x20, 0x01, 0x02))
	// A front truncation to segment 1 that stopped after writing the anchor
	// and the .START file.
	first0 := readFile(t, segs[0])
	offs0 := frameOffsets(t, segs[0])
	raw, _, err := frameAt(first0, offs0[len(offs0)-1])
	if err != nil {
		t.Fatal(err)
	}
	if err := writeAnchor(dir, anchor{index: uint64(len(offs0)), hash: hashRecord(raw)}); err != nil {
		t.Fatal(err)
	}
	writeFile(t, segs[1]+startSuffix, readFile(t, segs[1]))
	writeFile(t, segs[1]+startSuffix+tempSuffix, []byte("stale"))
	before := dirContents(t, dir)

	r := mustReader(t, dir)
	res, err := r.Verify()
	if err != nil || res.Tail == nil || res.Tail.Offset != int64(len(readFile(t, tail))-3) {
		t.Fatalf("Verify: %+v, %v; want the 3 stray bytes reported as the tail", res, err)
	}
	first, err := r.FirstIndex()
	if err != nil || first != res.FirstIndex || first == 1 {
		t.Fatalf("FirstIndex %d, %v; want %d, past the pending truncation", first, err, res.FirstIndex)
	}
	checkEntries(t, replayAll(t, r, 0), first, 16)
	if _, err := r.LatestSnapshot(); !errors.Is(err, ErrNoSnapshot) {
		t.Fatalf("LatestSnapshot: %v; want ErrNoSnapshot", err)
	}
	if after := dirContents(t, dir); !equalContents(before, after) {
		t.Fatal("the reader changed the directory")
	}
}

func dirContents(t *testing.T, dir string) map[string]string {
	t.Helper()
	m := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		m[path] = string(readFile(t, path)) + fi.ModTime().String()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func equalContents(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestReaderBesideWriter verifies and replays the log again and again while
// a journal keeps appending and starting new segments.
func TestReaderBesideWriter(t *testing.T) {
	opts, _ := testOptions()
	opts.SegmentSize = 4096
	dir := t.TempDir()
	j := mustOpen(t, dir, opts)
	const total = 3000
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		ctx := testContext(t)
		for i := uint64(1); i <= total; i += 3 {
			if _, err := j.Append(ctx, payloadFor(i), payloadFor(i+1), payloadFor(i+2)); err != nil {
				t.Errorf("Append: %v", err)
				return
			}
		}
	}()

	r := mustReader(t, dir)
	deadline := time.Now().Add(testTimeout)
	var last uint64
	for rounds := 0; last < total; rounds++ {
		if time.Now().After(deadline) {
			t.Fatalf("reader saw %d of %d records before the deadline", last, total)
		}
		res, err := r.Verify()
		if err != nil {
			t.Fatalf("round %d: Verify beside the writer: %v", rounds, err)
		}
		if res.LastIndex < last {
			t.Fatalf("round %d: last index went back from %d to %d", rounds, last, res.LastIndex)
		}
		last = res.LastIndex
		if rounds%10 == 0 {
			got := replayAll(t, r, 1)
			checkEntries(t, got, 1, uint64(len(got)))
		}
	}
	waitGroup(t, &wg)
}
