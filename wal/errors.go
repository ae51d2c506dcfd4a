package wal

import (
	"errors"
	"fmt"
)

// Sentinel errors. Errors returned by this package wrap one of them, so
// callers test with errors.Is.
var (
	// ErrCorrupt reports damage that the journal will not repair by itself:
	// a bad record followed by good ones, a broken hash chain, a damaged
	// anchor or a snapshot that does not match the log. Record damage comes
	// wrapped in a *CorruptError that says where it is.
	ErrCorrupt = errors.New("wal: corrupt")

	// ErrClosed is returned by every call made after Close.
	ErrClosed = errors.New("wal: journal closed")

	// ErrFailed marks a journal whose write, fsync or segment removal has
	// failed. Memory and disk may disagree from then on, so the failure is
	// sticky: every later call returns it (wrapped together with the first
	// cause) until the journal is closed and opened again.
	ErrFailed = errors.New("wal: journal failed")

	// ErrNoSnapshot is returned by LatestSnapshot when no valid snapshot
	// exists.
	ErrNoSnapshot = errors.New("wal: no snapshot")

	// ErrCompacted is returned when a requested index lies before the first
	// index still in the log.
	ErrCompacted = errors.New("wal: index compacted")

	// ErrLocked is returned by Open when another Journal, in this process or
	// another, has the directory open.
	ErrLocked = errors.New("wal: journal directory locked")

	// ErrNoPayloads is returned by Append and AppendAsync when called without
	// a payload.
	ErrNoPayloads = errors.New("wal: append without payloads")
)

// Reasons a record fails verification. A *CorruptError carries one of them
// wrapped in Err; DecodeRecord returns the first three.
var (
	ErrShortRecord    = errors.New("record shorter than its header")
	ErrUnknownVersion = errors.New("unknown record version")
	ErrChecksum       = errors.New("record checksum mismatch")
	ErrPartialRecord  = errors.New("record cut short")
	ErrBadLength      = errors.New("malformed record length")
	ErrIndexMismatch  = errors.New("record index out of sequence")
	ErrChainBroken    = errors.New("record hash chain broken")
)

// CorruptError locates a damaged record. It matches ErrCorrupt and its Err
// with errors.Is.
type CorruptError struct {
	Segment string // path of the segment file
	Offset  int64  // byte offset of the record's length prefix in Segment
	Index   uint64 // index the record at Offset should carry
	Reason  string // what is wrong, in words
	Err     error  // wraps one of ErrShortRecord ... ErrChainBroken
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("wal: corrupt record %d in %s at offset %d: %s",
		e.Index, e.Segment, e.Offset, e.Reason)
}

// Unwrap exposes both ErrCorrupt and the specific reason.
func (e *CorruptError) Unwrap() []error { return []error{ErrCorrupt, e.Err} }
