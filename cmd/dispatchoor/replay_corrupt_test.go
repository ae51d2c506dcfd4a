package main

import (
	"bytes"
	"context"
	bin "encoding/binary"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dispatchoor/dispatchoor/audit/audittest"
)

var exhaustiveFlips = flag.Bool("replay.exhaustive", false, "flip every byte of the journal in TestVerifyDetectsByteFlips, not a sample")

// frame is one record as it sits in a segment file.
type frame struct {
	segment string // path
	offset  int    // of the length prefix
	end     int
}

// journalCopy is a copy of the scenario's journal in small segments, with
// its records located, for tests that damage it.
type journalCopy struct {
	data     string
	segments []string // paths, in order
	files    map[string][]byte
	frames   []frame // every record, in index order
}

func newJournalCopy(t *testing.T) *journalCopy {
	t.Helper()
	src := filepath.Join(t.TempDir(), "journal")
	audittest.Run(t, src, audittest.Options{SegmentSize: 2048})
	data := t.TempDir()
	dst := filepath.Join(data, "journal")
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	jc := &journalCopy{data: data, files: map[string][]byte{}}
	entries, err := os.ReadDir(dst)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if len(e.Name()) != 20 || e.IsDir() {
			continue
		}
		path := filepath.Join(dst, e.Name())
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		jc.segments = append(jc.segments, path)
		jc.files[path] = b
		for off := 0; off < len(b); {
			size, n := bin.Uvarint(b[off:])
			if n <= 0 {
				t.Fatalf("segment %s: bad frame at %d", path, off)
			}
			end := off + n + int(size)
			jc.frames = append(jc.frames, frame{segment: path, offset: off, end: end})
			off = end
		}
	}
	if len(jc.segments) < 3 {
		t.Fatalf("journal has %d segments; the test needs several", len(jc.segments))
	}
	return jc
}

// write replaces a segment's bytes.
func (jc *journalCopy) write(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o640); err != nil {
		t.Fatal(err)
	}
}

func (jc *journalCopy) restore(t *testing.T, path string) { jc.write(t, path, jc.files[path]) }

// verify runs `replay --verify` and returns its output; it must fail.
func (jc *journalCopy) verifyFails(t *testing.T, what string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	c := &replayCmd{stdout: &out, stderr: &errOut}
	err := c.run(context.Background(), []string{"--data", jc.data, "--verify"})
	if !errors.Is(err, errVerifyFailed) {
		t.Fatalf("%s: verify returned %v; want a failure\n%s%s", what, err, out.String(), errOut.String())
	}
	return out.String()
}

// wantPlace checks that the report names the segment and offset.
func wantPlace(t *testing.T, what, out, segment string, offset int) {
	t.Helper()
	corrupt := fmt.Sprintf("in segment %s at offset %d:", segment, offset)
	if strings.Contains(out, corrupt) {
		return
	}
	tail := fmt.Sprintf("in %s at offset %d ", segment, offset)
	if strings.Contains(out, "damaged tail: record ") && strings.Contains(out, tail) {
		return
	}
	t.Fatalf("%s: report does not name %s at offset %d:\n%s", what, segment, offset, out)
}

// TestVerifyDetectsByteFlips flips single bytes of records and checks that
// --verify fails and names the record's segment and offset. By default it
// flips, in every record, each byte of the length prefix and one byte of
// each header field (checksum, version, index, previous hash) and of the
// payload's start, middle and end; -replay.exhaustive flips every byte.
func TestVerifyDetectsByteFlips(t *testing.T) {
	jc := newJournalCopy(t)
	flips := 0
	for _, f := range jc.frames {
		orig := jc.files[f.segment]
		for _, pos := range flipPositions(orig, f) {
			b := slices.Clone(orig)
			b[pos] ^= 0x5a
			jc.write(t, f.segment, b)
			what := fmt.Sprintf("byte %d of %s flipped", pos, filepath.Base(f.segment))
			wantPlace(t, what, jc.verifyFails(t, what), f.segment, f.offset)
			flips++
		}
		jc.restore(t, f.segment)
	}
	t.Logf("%d flips over %d records in %d segments", flips, len(jc.frames), len(jc.segments))
}

// flipPositions are the bytes of a frame to flip.
func flipPositions(seg []byte, f frame) []int {
	if *exhaustiveFlips {
		var all []int
		for pos := f.offset; pos < f.end; pos++ {
			all = append(all, pos)
		}
		return all
	}
	_, n := bin.Uvarint(seg[f.offset:])
	rec := f.offset + n // record: crc 4, version 1, index 8, prev hash 16, payload
	var out []int
	for pos := f.offset; pos < rec; pos++ {
		out = append(out, pos)
	}
	payload := rec + 29
	return append(out, rec, rec+4, rec+12, rec+20, payload, (payload+f.end)/2, f.end-1)
}

// TestVerifyDetectsDeletedRecords removes one record at a time. Each is
// caught where the gap is: the record that moved into its place, or the
// next segment's first record when it was the last of its segment. Only
// the very last record of the log can go unnoticed (wal documents why).
func TestVerifyDetectsDeletedRecords(t *testing.T) {
	jc := newJournalCopy(t)
	for i, f := range jc.frames[:len(jc.frames)-1] {
		orig := jc.files[f.segment]
		b := slices.Concat(orig[:f.offset], orig[f.end:])
		jc.write(t, f.segment, b)
		what := fmt.Sprintf("record %d deleted", i+1)
		place, off := f.segment, f.offset
		if f.end == len(orig) {
			place, off = jc.frames[i+1].segment, 0
		}
		wantPlace(t, what, jc.verifyFails(t, what), place, off)
		jc.restore(t, f.segment)
	}
}

// TestVerifyDetectsSwappedRecords swaps neighbouring records, within a
// segment and across a segment boundary.
func TestVerifyDetectsSwappedRecords(t *testing.T) {
	jc := newJournalCopy(t)
	swaps := 0
	for i := 0; i+1 < len(jc.frames); i++ {
		a, b := jc.frames[i], jc.frames[i+1]
		if a.segment != b.segment {
			swapAcross(t, jc, a, b)
			swaps++
			continue
		}
		orig := jc.files[a.segment]
		buf := slices.Concat(orig[:a.offset], orig[b.offset:b.end], orig[a.offset:a.end], orig[b.end:])
		jc.write(t, a.segment, buf)
		what := fmt.Sprintf("records %d and %d swapped", i+1, i+2)
		wantPlace(t, what, jc.verifyFails(t, what), a.segment, a.offset)
		jc.restore(t, a.segment)
		swaps++
	}
	if swaps < len(jc.frames)-1 {
		t.Fatalf("%d swaps; want %d", swaps, len(jc.frames)-1)
	}
}

// swapAcross exchanges the last record of one segment with the first of
// the next: the first segment now ends with the wrong index.
func swapAcross(t *testing.T, jc *journalCopy, a, b frame) {
	t.Helper()
	origA, origB := jc.files[a.segment], jc.files[b.segment]
	jc.write(t, a.segment, slices.Concat(origA[:a.offset], origB[b.offset:b.end], origA[a.end:]))
	jc.write(t, b.segment, slices.Concat(origB[:b.offset], origA[a.offset:a.end], origB[b.end:]))
	what := fmt.Sprintf("records across %s and %s swapped", filepath.Base(a.segment), filepath.Base(b.segment))
	wantPlace(t, what, jc.verifyFails(t, what), a.segment, a.offset)
	jc.restore(t, a.segment)
	jc.restore(t, b.segment)
}

// TestVerifyReportsDamagedSnapshot: a snapshot file that fails its
// checksum makes --verify fail and name the file.
func TestVerifyReportsDamagedSnapshot(t *testing.T) {
	jc := newJournalCopy(t)
	snaps, err := filepath.Glob(filepath.Join(jc.data, "journal", "snapshots", "snap-*.bin"))
	if err != nil || len(snaps) == 0 {
		t.Fatalf("no snapshot in the scenario journal: %v", err)
	}
	b, err := os.ReadFile(snaps[0])
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)-1] ^= 1
	jc.write(t, snaps[0], b)
	out := jc.verifyFails(t, "snapshot damaged")
	if !strings.Contains(out, "damaged snapshot") || !strings.Contains(out, snaps[0]) {
		t.Fatalf("report does not name the damaged snapshot %s:\n%s", snaps[0], out)
	}
}
