package wal

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// logView is the log as found on disk: its segments, in order, and the
// chain anchor. Both the Journal and the Reader walk it.
type logView struct {
	segments []segmentFile
	anchor   *anchor
}

// loadView lists dir without changing it.
func loadView(dir string) (logView, error) {
	plan, err := planSegments(dir)
	if err != nil {
		return logView{}, err
	}
	anc, err := readAnchor(dir)
	if err != nil {
		return logView{}, err
	}
	return logView{segments: plan.segments, anchor: anc}, nil
}

func (v logView) first() uint64 {
	if len(v.segments) == 0 {
		return 1
	}
	return v.segments[0].first
}

// chainStart returns a walker for the log's first record. The hash it must
// name is zero for index 1, or the anchor's when compaction removed the
// records before it. An anchor pointing inside the log (compaction
// interrupted before its removals) becomes a pin.
func (v logView) chainStart() (walker, error) {
	first := v.first()
	w := walker{next: first, pins: v.anchorPins()}
	switch {
	case first == 1:
		w.known = true
	case v.anchor != nil && v.anchor.index == first-1:
		w.prev, w.known = v.anchor.hash, true
	default:
		return w, fmt.Errorf("%w: log starts at index %d but no chain anchor holds the hash of index %d", ErrCorrupt, first, first-1)
	}
	return w, nil
}

func (v logView) anchorPins() []pin {
	if v.anchor == nil || v.anchor.index < v.first() {
		return nil
	}
	return []pin{{index: v.anchor.index, hash: v.anchor.hash, source: "chain anchor"}}
}

// walkSpec says what to walk and what to do with each record.
type walkSpec struct {
	from, to uint64 // visit records in [from, to]; from 0 means the first, to 0 the last
	pins     []pin
	// tolerateTail ends the walk quietly at a torn tail in the last
	// segment, as a reader beside a live writer must; otherwise any damage
	// is an error.
	tolerateTail bool
	// read returns a segment's bytes, reusing buf's memory when it can;
	// nil means readSegmentFile.
	read  func(path string, buf []byte) ([]byte, error)
	visit func(index uint64, payload []byte) error
}

type walkResult struct {
	last    uint64 // last index verified
	visited uint64 // records passed to visit
	tail    *TailDamage
}

// walk verifies the log from the start of the segment holding from and
// passes records in [from, to] to visit. When from lies past the first
// segment, the first record walked sets the chain instead of being checked
// against its predecessor; everything after it is checked.
func (v logView) walk(s walkSpec) (walkResult, error) {
	first := v.first()
	res := walkResult{last: first - 1}
	from := s.from
	if from == 0 {
		from = first
	}
	if from < first {
		return res, fmt.Errorf("%w: index %d, log starts at %d", ErrCompacted, from, first)
	}
	start := 0
	for i, seg := range v.segments {
		if seg.first <= from {
			start = i
		}
	}
	w := walker{next: first}
	if start == 0 {
		var err error
		if w, err = v.chainStart(); err != nil {
			return res, err
		}
	} else {
		w.next = v.segments[start].first
		w.pins = v.anchorPins()
	}
	w.pins = append(w.pins, s.pins...)
	w.startFromPins()
	visit := func(index uint64, payload []byte) error {
		if index < from {
			return nil
		}
		if s.to != 0 && index > s.to {
			return errStopWalk
		}
		res.visited++
		if s.visit == nil {
			return nil
		}
		return s.visit(index, payload)
	}
	read := s.read
	if read == nil {
		read = readSegmentFile
	}
	var buf []byte
	for i := start; i < len(v.segments); i++ {
		seg := v.segments[i]
		if seg.first != w.next {
			cause := fmt.Errorf("%w: segment name says it begins at index %d, the log continues at %d", ErrIndexMismatch, seg.first, w.next)
			return res, &CorruptError{Segment: seg.path, Index: w.next, Reason: cause.Error(), Err: cause}
		}
		data, err := read(seg.path, buf)
		buf = data
		if errors.Is(err, os.ErrNotExist) {
			return res, fmt.Errorf("%w: segment %s removed while reading", ErrCompacted, seg.path)
		}
		if err != nil {
			return res, fmt.Errorf("read segment: %w", err)
		}
		_, dmg, err := w.segment(data, visit)
		res.last = w.next - 1
		if errors.Is(err, errStopWalk) {
			return res, nil
		}
		if err != nil {
			return res, err
		}
		if dmg != nil {
			if s.tolerateTail && i == len(v.segments)-1 && isTornTail(data, dmg) {
				res.tail = newTailDamage(seg.path, len(data), dmg)
				return res, nil
			}
			return res, dmg.corruptError(seg.path)
		}
		if s.to != 0 && res.last >= s.to {
			return res, nil
		}
	}
	return res, nil
}

// TailDamage describes the bytes at the end of the last segment that do not
// form an intact record: a write cut off by a crash, or one still in
// progress when a Reader looked. Open trims them.
type TailDamage struct {
	Segment string // path of the segment file
	Offset  int64  // where the damaged bytes start
	Bytes   int64  // how many bytes follow Offset
	Index   uint64 // index the first damaged record would have had
	Reason  string
}

func newTailDamage(segment string, size int, d *damage) *TailDamage {
	return &TailDamage{
		Segment: segment,
		Offset:  int64(d.offset),
		Bytes:   int64(size - d.offset),
		Index:   d.index,
		Reason:  d.cause.Error(),
	}
}

// readSegmentFile reads a segment into buf, growing it as needed. It reads
// the size the file has when opened: bytes a writer appends meanwhile are
// left for the next walk, so the result is always a prefix of the log.
func readSegmentFile(path string, buf []byte) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	size := int(fi.Size())
	if cap(buf) < size {
		buf = make([]byte, size)
	}
	buf = buf[:size]
	n, err := io.ReadFull(f, buf)
	if errors.Is(err, io.ErrUnexpectedEOF) {
		// Only a truncation could shrink the file; what was read is still
		// a prefix.
		err = nil
	}
	return buf[:n], err
}
