// Package github is dispatchoor's thin client for the GitHub REST API, built on
// google/go-github. It exposes only the calls the runner poller, dispatcher and
// tracker need, and returns this package's own small types so that the rest of
// the code never imports go-github.
//
// What the client adds on top of go-github:
//
//   - Conditional requests for runner lists. The ETag of every page is kept per
//     URL and sent back as If-None-Match; a 304 answer is served from the cache,
//     is reported as RunnerList.NotModified and costs no primary rate limit.
//   - Rate-limit accounting from the headers of every response (errors and 304s
//     included), with a local refusal before a request is sent when the budget
//     is spent. See "Rate-limit rule" below.
//   - Error classification: ErrNotFound, *ValidationError (GitHub's 400/422 text,
//     which a job should fail with), ErrReturnRunDetailsUnsupported,
//     ErrAlreadyCompleted, *RateLimitedError and ErrUncertain (see IsUncertain).
//   - A per-request timeout (Options.RequestTimeout, bounded by the caller's
//     context deadline).
//   - The token is sent only to the API host and is scrubbed from every error
//     text; it never appears in logs or in Status.
//
// # Rate-limit rule
//
// Calls fall into three classes:
//
//   - Reads (runner lists, runs, jobs, users) are refused locally with a
//     *RateLimitedError when the last known remaining budget is at or below
//     Options.RateLimitBuffer and the window has not reset yet.
//   - Essential writes (Dispatch, CancelRun, ForceCancelRun) may spend the
//     buffer: it exists so that background polling cannot starve the calls that
//     move jobs. They are refused only when the budget is 0.
//   - GET /rate_limit (Client.RateLimit) does not count against the primary
//     limit and is always sent, except during a secondary-limit back-off.
//
// When GitHub answers with its primary limit (403/429 with remaining 0) the
// client backs off until the reset time. When it answers with a secondary limit
// it backs off for Retry-After seconds, or until the reset time when remaining
// is 0, or else for at least 60 s, doubling for each consecutive secondary limit
// without Retry-After. During a back-off every call is refused locally, and
// Client.Backoff reports the deadline and reason.
//
// Dispatch is not idempotent on GitHub's side (there is no idempotency key).
// When a write fails after its request may have reached GitHub (transport error,
// timeout, 5xx, unreadable 2xx body), the error satisfies IsUncertain: the caller
// must look for the run before sending again.
package github
