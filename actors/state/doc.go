// Package state holds dispatchoor's domain state and the one function that
// changes it.
//
// The journal is the truth and this state is a fold of it: every change is an
// Event, made durable first and applied second, by Apply and nothing else.
// Apply is deterministic (no clock reads, randomness or I/O: time and ids
// travel inside the event), so the live actors, start-up recovery, a Raft FSM
// and the audit replay all arrive at the same state from the same events.
//
// Commands (what a user or the dispatcher asks for) are turned into events by
// the Decide functions in decide.go, which read the state but never change it;
// a command that is not allowed returns an error and produces no event.
//
// The state is partitioned: each runner group owns its queue, templates and
// jobs, and the auth partition owns sessions and OAuth users. An event belongs
// to exactly one partition (its GroupID, or the auth partition when empty), so
// events of different partitions commute and each partition can be owned by
// its own actor.
//
// Jobs are copy-on-write: Apply never changes a *Job it has handed out; an
// event that changes a job replaces it with a changed copy stamped with the
// event's journal index (Job.Rev). So a partition owner can give readers on
// other goroutines its jobs themselves, and (ID, Rev) names one content.
package state
