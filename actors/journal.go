package actors

import (
	"errors"
	"time"
)

// Journal is what the actors need of the write-ahead log. wal.Journal
// provides it on a single node; a Raft log will provide it in a cluster.
type Journal interface {
	// AppendAsync assigns consecutive indexes to payloads at once, in call
	// order, returns the first, and calls done once they are durable (or
	// failed). done runs on the journal's writer goroutine and must not
	// block.
	AppendAsync(payloads [][]byte, done func(first uint64, err error)) uint64
	// Replay calls fn for every record with index >= from, in order.
	Replay(from uint64, fn func(index uint64, payload []byte) error) error
	// SaveSnapshot stores state data as of index.
	SaveSnapshot(index uint64, data []byte) error
	// LatestSnapshot returns the newest snapshot, or ErrNoSnapshot.
	LatestSnapshot() (index uint64, data []byte, err error)
	// Compact removes records up to index that a snapshot covers.
	Compact(upTo uint64) error
	FirstIndex() uint64
	LastIndex() uint64
	DurableIndex() uint64
	// SizeBytes is the journal's size on disk.
	SizeBytes() int64
	Close() error
}

// ErrNoSnapshot is returned by Journal.LatestSnapshot when none exists.
var ErrNoSnapshot = errors.New("no snapshot")

// SnapshotInfo describes the last snapshot taken or loaded.
type SnapshotInfo struct {
	Index uint64
	Time  time.Time
}
