// Package sim is an in-process simulator of the parts of the GitHub REST API
// and webhooks that a runner-aware workflow_dispatch orchestrator talks to:
// self-hosted runners, workflows, workflow_dispatch, runs and jobs, rate
// limits, ETags, webhook deliveries and the OAuth sign-in endpoints.
//
// The contract it implements is §8 of spec/github-api.md. google/go-github
// v88 can be pointed at it unmodified, either with WithURLs (dotcom mode,
// paths at "/") or WithEnterpriseURLs (ghes mode, paths under "/api/v3/").
//
// Determinism. Every random choice comes from one PRNG seeded by
// Config.Seed, and every delay is measured on an injectable Clock. All state
// changes are driven by an agenda of timed events that is processed in
// (time, sequence) order and stamped with the event's own time, never with
// the moment a goroutine happened to run. With a ManualClock the same seed
// and the same calls therefore produce the same State dump.
//
// Truth and report. A runner has a true state (connected, executing a job)
// that drives job assignment, and a reported state (status, busy) that the
// REST API shows after the configured lags. Tests can look at both through
// State.
//
// The simulator is safe for concurrent use. One mutex guards the whole
// world; HTTP responses and webhook deliveries are written outside it.
package sim
