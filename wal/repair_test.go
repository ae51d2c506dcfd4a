package wal

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
)

// tailLog writes a single-segment log of five records, the last one with a
// payload long enough for a two-byte length prefix, and returns its dir, the
// segment path and the offset of each record.
func tailLog(t *testing.T) (dir, seg string, offs []int) {
	t.Helper()
	opts, _ := testOptions()
	opts.SegmentSize = 1 << 20
	dir = t.TempDir()
	j := mustOpen(t, dir, opts)
	appendN(t, j, 4)
	if _, err := j.Append(testContext(t), bigPayload); err != nil {
		t.Fatal(err)
	}
	mustClose(t, j)
	seg = segmentPaths(t, dir)[0]
	return dir, seg, frameOffsets(t, seg)
}

var bigPayload = bytes.Repeat([]byte("x"), 300)

// tailPayload is the payload tailLog gives record i; other logs in these
// tests use payloadFor for every record.
func tailPayload(i uint64) []byte {
	if i == 5 {
		return bigPayload
	}
	return payloadFor(i)
}

// reopenKeeps opens dir and checks it holds records 1..last and that the
// chain continues: a new append lands at last+1 and the log verifies.
func reopenKeeps(t *testing.T, dir string, last uint64) string {
	t.Helper()
	opts, logs := testOptions()
	opts.SegmentSize = 1 << 20
	j := mustOpen(t, dir, opts)
	if j.LastIndex() != last {
		t.Fatalf("last index %d; want %d", j.LastIndex(), last)
	}
	got := replayAll(t, j, 1)
	if uint64(len(got)) != last {
		t.Fatalf("replayed %d records; want %d", len(got), last)
	}
	for k, e := range got {
		if want := tailPayload(uint64(k + 1)); e.index != uint64(k+1) || e.payload != string(want) {
			t.Fatalf("record %d: got (%d, %.20q); want (%d, %.20q)", k, e.index, e.payload, k+1, want)
		}
	}
	appendN(t, j, 1)
	mustClose(t, j)
	r, err := OpenReader(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := r.Verify()
	if err != nil || res.LastIndex != last+1 || res.Tail != nil {
		t.Fatalf("Verify after repair: %+v, %v; want %d records and no tail", res, err, last+1)
	}
	return logs.String()
}

func wantTrimWarning(t *testing.T, logs string) {
	t.Helper()
	if !strings.Contains(logs, "trimming torn tail") {
		t.Fatalf("no trim warning logged; log:\n%s", logs)
	}
}

func TestOpenRepair(t *testing.T) {
	t.Run("TornTail", func(t *testing.T) {
		// The last record cut at every byte offset, its length prefix
		// included: each cut opens, trims and keeps records 1-4.
		dir, seg, offs := tailLog(t)
		data := readFile(t, seg)
		last := offs[len(offs)-1]
		for cut := last; cut < len(data); cut++ {
			d := copyDir(t, dir)
			writeFile(t, segmentPaths(t, d)[0], data[:cut])
			logs := reopenKeeps(t, d, 4)
			if cut > last {
				wantTrimWarning(t, logs)
			}
		}
	})
	t.Run("ZeroLength", func(t *testing.T) {
		// A crash right after a new segment was created leaves it empty.
		opts, _ := testOptions()
		opts.SegmentSize = 1 << 20
		dir := writeLog(t, opts, 4)
		writeFile(t, dir+"/"+segmentName(5), nil)
		reopenKeeps(t, dir, 4)
	})
	t.Run("ZeroFilledTail", func(t *testing.T) {
		dir, seg, _ := tailLog(t)
		writeFile(t, seg, append(readFile(t, seg), make([]byte, 4096)...))
		wantTrimWarning(t, reopenKeeps(t, dir, 5))
	})
	t.Run("ZeroedLastRecord", func(t *testing.T) {
		// Space allocated for the last write but never filled.
		dir, seg, offs := tailLog(t)
		data := readFile(t, seg)
		clear(data[offs[4]:])
		writeFile(t, seg, data)
		wantTrimWarning(t, reopenKeeps(t, dir, 4))
	})
	t.Run("BadCRC", func(t *testing.T) {
		dir, seg, _ := tailLog(t)
		data := readFile(t, seg)
		data[len(data)-1] ^= 0x40
		writeFile(t, seg, data)
		wantTrimWarning(t, reopenKeeps(t, dir, 4))
	})
	t.Run("UnknownVersionAtTail", func(t *testing.T) {
		dir, seg, offs := tailLog(t)
		data := readFile(t, seg)
		data[offs[4]+2+offVersion] = recordVersion + 1 // two-byte length prefix
		writeFile(t, seg, data)
		wantTrimWarning(t, reopenKeeps(t, dir, 4))
	})
	t.Run("UnknownVersionInMiddle", func(t *testing.T) {
		dir, seg, offs := tailLog(t)
		data := readFile(t, seg)
		data[offs[1]+1+offVersion] = recordVersion + 1
		writeFile(t, seg, data)
		_, err := Open(dir, Options{SegmentSize: 1 << 20})
		if ce := wantCorrupt(t, err, seg, int64(offs[1])); !errors.Is(ce, ErrUnknownVersion) || ce.Index != 2 {
			t.Fatalf("got %v; want unknown version at index 2", err)
		}
	})
	t.Run("BitFlipInMiddle", func(t *testing.T) {
		dir, seg, offs := tailLog(t)
		data := readFile(t, seg)
		data[offs[2]+1+headerSize] ^= 0x01 // a payload byte
		writeFile(t, seg, data)
		before := readFile(t, seg)
		_, err := Open(dir, Options{SegmentSize: 1 << 20})
		if ce := wantCorrupt(t, err, seg, int64(offs[2])); !errors.Is(ce, ErrChecksum) || ce.Index != 3 {
			t.Fatalf("got %v; want checksum mismatch at index 3", err)
		}
		if !bytes.Equal(readFile(t, seg), before) {
			t.Fatal("refused Open changed the segment")
		}
	})
	t.Run("BrokenLengthInMiddle", func(t *testing.T) {
		// A damaged length prefix loses the framing; the records after it
		// are still found and the damage is not mistaken for a tail.
		dir, seg, offs := tailLog(t)
		data := readFile(t, seg)
		data[offs[1]] = 0x7F
		writeFile(t, seg, data)
		_, err := Open(dir, Options{SegmentSize: 1 << 20})
		wantCorrupt(t, err, seg, int64(offs[1]))
	})
	t.Run("WellFormedRecordsSwappedAtTail", func(t *testing.T) {
		// Records with valid checksums in the wrong place cannot come from
		// a torn write: refuse rather than trim.
		dir, seg, offs := tailLog(t)
		data := readFile(t, seg)
		swapped := append(bytes.Clone(data[:offs[3]]), data[offs[4]:]...)
		swapped = append(swapped, data[offs[3]:offs[4]]...)
		writeFile(t, seg, swapped)
		_, err := Open(dir, Options{SegmentSize: 1 << 20})
		if ce := wantCorrupt(t, err, seg, int64(offs[3])); !errors.Is(ce, ErrIndexMismatch) {
			t.Fatalf("got %v; want index mismatch", err)
		}
	})
	t.Run("DamageBeforeTheTailSegment", func(t *testing.T) {
		// Earlier segments are verified as they are replayed.
		opts, _ := testOptions()
		dir := writeLog(t, opts, 40)
		seg := segmentPaths(t, dir)[1]
		offs := frameOffsets(t, seg)
		data := readFile(t, seg)
		data[offs[1]+headerSize] ^= 0xFF
		writeFile(t, seg, data)
		j := mustOpen(t, dir, opts)
		err := j.Replay(1, func(uint64, []byte) error { return nil })
		wantCorrupt(t, err, seg, int64(offs[1]))
	})
}

func TestOpenRefusesMissingAnchor(t *testing.T) {
	opts, _ := testOptions()
	dir := writeLog(t, opts, 40)
	if err := os.Remove(segmentPaths(t, dir)[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir, opts); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "chain anchor") {
		t.Fatalf("Open without the first segment: %v; want ErrCorrupt naming the chain anchor", err)
	}
}
