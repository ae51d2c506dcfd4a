package wal

import (
	"fmt"
	"log/slog"
	"time"
)

// SyncMode chooses when appended records reach stable storage.
type SyncMode int

const (
	// SyncAlways fsyncs every group commit before any of its appends is
	// reported done. It is the zero value, so a zero Options is safe.
	SyncAlways SyncMode = iota
	// SyncNone never fsyncs on append; the operating system decides when
	// data reaches the disk. A power loss may then drop acknowledged records.
	SyncNone
)

func (m SyncMode) String() string {
	switch m {
	case SyncAlways:
		return "always"
	case SyncNone:
		return "none"
	}
	return fmt.Sprintf("SyncMode(%d)", int(m))
}

// ParseSyncMode reads the config spelling of a SyncMode: "always" or "none".
func ParseSyncMode(s string) (SyncMode, error) {
	switch s {
	case "always":
		return SyncAlways, nil
	case "none":
		return SyncNone, nil
	}
	return 0, fmt.Errorf("sync mode %q: want \"always\" or \"none\"", s)
}

// DefaultSegmentSize is the segment size used when Options.SegmentSize is 0.
const DefaultSegmentSize = 16 << 20

// Options configure Open. The zero value is valid and equals DefaultOptions.
type Options struct {
	// Sync chooses when records become durable. Default SyncAlways.
	Sync SyncMode
	// SegmentSize is the size in bytes after which the current segment file
	// is closed and a new one begun. Compaction removes whole segments, so
	// this is also its granularity. Default DefaultSegmentSize.
	SegmentSize int
	// CommitDelay is the longest a group commit waits for more records
	// before it writes and fsyncs, when the commit before it held more than
	// one record (callers are appending concurrently). It trades at most
	// that much latency for fewer fsyncs: each then covers more records,
	// and fsyncs are what a disk (and a virtual machine's CPU, which often
	// waits for the flush) has least of. A lone writer never waits. Only
	// with SyncAlways; 0 disables.
	CommitDelay time.Duration
	// Logger receives warnings about repaired tails and skipped snapshots.
	// Default slog.Default().
	Logger *slog.Logger
	// Now stamps snapshots and measures latencies. Default time.Now.
	Now func() time.Time

	// The hooks below receive measurements for metrics; each may be nil. They
	// run on the journal's writer goroutine and must return quickly.

	// OnAppend is called once per Append or AppendAsync call when its records
	// are durable (or have failed), with the time since the call.
	OnAppend func(records int, latency time.Duration)
	// OnBatch is called once per group commit with its size.
	OnBatch func(records, bytes int)
	// OnFsync is called after every fsync of the log with its duration.
	OnFsync func(latency time.Duration)

	// hooks lets tests observe and fail the journal's syncs. Nil in
	// production.
	hooks *testHooks
}

// testHooks replace the journal's fsyncs. Each receives the real operation,
// so a hook can run it, delay it, observe around it or fail instead.
type testHooks struct {
	fsync   func(sync func() error) error
	syncDir func(sync func() error) error
}

// DefaultOptions returns the options used for a zero Options: fsync on every
// commit, 16 MiB segments, the default logger and the wall clock.
func DefaultOptions() Options {
	return Options{
		Sync:        SyncAlways,
		SegmentSize: DefaultSegmentSize,
		Logger:      slog.Default(),
		Now:         time.Now,
	}
}

// withDefaults fills unset fields and rejects invalid ones.
func (o Options) withDefaults() (Options, error) {
	d := DefaultOptions()
	if o.Sync != SyncAlways && o.Sync != SyncNone {
		return o, fmt.Errorf("options: unknown sync mode %d", int(o.Sync))
	}
	if o.SegmentSize < 0 {
		return o, fmt.Errorf("options: negative segment size %d", o.SegmentSize)
	}
	if o.SegmentSize == 0 {
		o.SegmentSize = d.SegmentSize
	}
	if o.CommitDelay < 0 {
		return o, fmt.Errorf("options: negative commit delay %s", o.CommitDelay)
	}
	if o.Logger == nil {
		o.Logger = d.Logger
	}
	if o.Now == nil {
		o.Now = d.Now
	}
	if o.hooks == nil {
		o.hooks = &testHooks{}
	}
	return o, nil
}
