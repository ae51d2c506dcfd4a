package wal

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// errStopWalk ends a walk early without error.
var errStopWalk = errors.New("stop walk")

// frameAt reads the tidwall/wal binary entry at data[off:]: a uvarint length
// followed by that many bytes.
func frameAt(data []byte, off int) (raw []byte, next int, err error) {
	size, n := binary.Uvarint(data[off:])
	if n == 0 {
		return nil, 0, fmt.Errorf("%w: length prefix cut off after %d bytes", ErrPartialRecord, len(data)-off)
	}
	if n < 0 {
		return nil, 0, fmt.Errorf("%w: length prefix overflows 64 bits", ErrBadLength)
	}
	if left := uint64(len(data) - off - n); size > left {
		return nil, 0, fmt.Errorf("%w: length %d, %d bytes left in segment", ErrPartialRecord, size, left)
	}
	end := off + n + int(size)
	return data[off+n : end], end, nil
}

// pin is a record hash known from outside the log: the chain anchor left by
// compaction or a snapshot's chain hash. The record at index must hash to it.
type pin struct {
	index  uint64
	hash   Hash
	source string
}

// walker verifies records in order: each must decode, carry the next index,
// name the previous record's hash and match any pin at its index.
type walker struct {
	next  uint64 // index the next record must carry
	prev  Hash   // hash of the record before next, if known
	known bool   // false when a walk starts mid-log: the first record sets prev
	pins  []pin
}

// startFromPins lets a walk that begins mid-log check its first record too,
// when a pin (typically the snapshot the caller restored) holds the hash of
// the record just before it.
func (w *walker) startFromPins() {
	if w.known {
		return
	}
	for _, p := range w.pins {
		if p.index == w.next-1 {
			w.prev, w.known = p.hash, true
			return
		}
	}
}

// damage describes the first record that failed verification.
type damage struct {
	offset int
	index  uint64
	cause  error
	// torn is set for failures a crash during a write can produce (cut-off
	// or garbled bytes). A well-formed record with the wrong index or hash
	// cannot come from a torn write and is never trimmed as a tail.
	torn bool
}

func (d *damage) corruptError(segment string) *CorruptError {
	return &CorruptError{Segment: segment, Offset: int64(d.offset), Index: d.index, Reason: d.cause.Error(), Err: d.cause}
}

// segment verifies the records in one segment's bytes and passes each good
// one to visit. It stops at the first bad record and returns it as damage,
// with end the offset just past the last good record. An error from visit
// ends the walk and is returned as is.
func (w *walker) segment(data []byte, visit func(index uint64, payload []byte) error) (end int, dmg *damage, err error) {
	for end < len(data) {
		raw, next, ferr := frameAt(data, end)
		if ferr != nil {
			return end, &damage{offset: end, index: w.next, cause: ferr, torn: true}, nil
		}
		rec, derr := DecodeRecord(raw)
		if derr != nil {
			return end, &damage{offset: end, index: w.next, cause: derr, torn: true}, nil
		}
		if rec.Index != w.next {
			cause := fmt.Errorf("%w: found index %d, want %d", ErrIndexMismatch, rec.Index, w.next)
			return end, &damage{offset: end, index: w.next, cause: cause}, nil
		}
		if w.known && rec.PrevHash != w.prev {
			cause := fmt.Errorf("%w: previous hash %s, want %s", ErrChainBroken, rec.PrevHash, w.prev)
			return end, &damage{offset: end, index: w.next, cause: cause}, nil
		}
		h := hashRecord(raw)
		for _, p := range w.pins {
			if p.index == rec.Index && p.hash != h {
				cause := fmt.Errorf("%w: record hash %s, %s says %s", ErrChainBroken, h, p.source, p.hash)
				return end, &damage{offset: end, index: w.next, cause: cause}, nil
			}
		}
		if visit != nil {
			if err := visit(rec.Index, rec.Payload); err != nil {
				return end, nil, err
			}
		}
		w.prev, w.known, w.next = h, true, w.next+1
		end = next
	}
	return end, nil, nil
}

// isTornTail reports whether damage in the last segment is a torn tail:
// bytes a crash cut off or garbled, with no intact record after them. Any
// valid record further on means the damage is in the middle of the log.
func isTornTail(data []byte, d *damage) bool {
	return d.torn && !validRecordAfter(data, d.offset, d.index)
}

// validRecordAfter looks for an intact record, carrying index or a later
// one, that starts anywhere after off. It tries every byte offset because a
// damaged length prefix loses the framing; cheap checks on version and index
// come before the checksum, so the scan stays linear in practice.
func validRecordAfter(data []byte, off int, index uint64) bool {
	// A record takes more than headerSize bytes, which bounds how far the
	// index can run ahead in the bytes left.
	limit := index + uint64(len(data)-off)/headerSize + 1
	for p := off + 1; p < len(data); p++ {
		size, n := binary.Uvarint(data[p:])
		if n <= 0 || size < headerSize || size > uint64(len(data)-p-n) {
			continue
		}
		raw := data[p+n : p+n+int(size)]
		if raw[offVersion] != recordVersion {
			continue
		}
		if idx := binary.BigEndian.Uint64(raw[offIndex:]); idx < index || idx > limit {
			continue
		}
		if _, err := DecodeRecord(raw); err == nil {
			return true
		}
	}
	return false
}
