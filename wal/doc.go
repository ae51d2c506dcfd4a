// Package wal is dispatchoor's journal: the durable, ordered log of every
// state change. Records are opaque byte slices; the caller encodes events.
//
// The journal stores its records through github.com/tidwall/wal and adds what
// that library leaves to its callers:
//
//   - framing: every record carries a CRC-32C and the truncated SHA-256 of the
//     record before it, so damage and tampering are detected and located;
//   - group commit: concurrent appends share one write and one fsync;
//   - recovery: a torn tail left by a crash is trimmed on Open, while damage
//     followed by good records stops Open with a *CorruptError;
//   - snapshots and compaction, with the hash chain kept verifiable across
//     removed segments;
//   - a read-only Reader for audits that may run beside a live writer.
//
// Indexes are dense and start at 1, as in tidwall/wal and hashicorp/raft.
// See DESIGN.md in this directory for the on-disk formats and the reasons
// behind them.
package wal
