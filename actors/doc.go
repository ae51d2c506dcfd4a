// Package actors runs dispatchoor's live state: one protoactor-go actor per
// runner group owns that group's queue, an auth actor owns the sessions, and
// (added with the GitHub integration) a runner poller, a dispatcher and a run
// tracker act on GitHub.
//
// Every command follows the same path: the owning actor decides events from
// its partition of the state (state.Decide*), applies them at once so the
// next command in its mailbox sees them, and hands them to the journal. The
// caller is answered only once the journal says the events are durable, and
// reads wait for the same point, so nothing that is not yet on disk is ever
// acknowledged or shown. A journal failure stops the process: memory may then
// be ahead of the disk, and only a restart from the journal is safe.
package actors
