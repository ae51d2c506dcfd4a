// Package audit reads dispatchoor's journal to answer who did what, when and
// why, and what the queues looked like at any moment.
//
// Every change of state is an event in the journal (actors/state), stamped
// with its time, its actor (a user and the IP the request came from, or a
// part of the system such as "system:dispatcher") and, where it applies, a
// reason. This package turns those events into audit entries (Entry: one
// line per event with a human summary), filters them (Filter), rebuilds the
// state as of a moment with the same state.Apply the live system uses (At,
// Final), and checks a journal end to end (Verify).
//
// Two readers use it:
//
//   - `dispatchoor replay` streams a journal directory read-only with
//     wal.Reader, also while a server appends to it;
//   - the HTTP API (GET /api/v1/audit, GET /api/v1/jobs/{id}/events) asks an
//     Index: a compact in-memory table of every event's time, type, actor,
//     IP and group, plus a job → events map that links requeued generations,
//     built by one scan at start-up and then kept current from the live
//     system's committed events, so requests never scan the log.
//
// The journal may be compacted: records covered by a snapshot and older
// than the history retention are removed. Their events are then only
// folded into the snapshot; readers report where the readable log starts
// (Compaction).
package audit
