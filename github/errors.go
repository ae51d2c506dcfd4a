package github

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Sentinel errors. Test for them with errors.Is; the errors returned by the
// client wrap them together with the operation and GitHub's message.
var (
	// ErrNotFound: GitHub answered 404 (unknown or invisible owner, repo,
	// workflow or run).
	ErrNotFound = errors.New("github: not found")
	// ErrUnauthorized: GitHub answered 401 (bad or expired credentials).
	ErrUnauthorized = errors.New("github: bad credentials")
	// ErrForbidden: GitHub answered 403 for a reason other than a rate limit,
	// typically a token without the needed permission.
	ErrForbidden = errors.New("github: forbidden")
	// ErrConflict: GitHub answered 409.
	ErrConflict = errors.New("github: conflict")
	// ErrServer: GitHub answered with a 5xx status.
	ErrServer = errors.New("github: server error")
	// ErrAlreadyCompleted: a cancel was refused with 409 because the run had
	// already completed. Re-read the run to learn its conclusion.
	ErrAlreadyCompleted = errors.New("github: run already completed")
	// ErrReturnRunDetailsUnsupported: the server rejected the
	// return_run_details field (GHES before 3.21). The rejected request created
	// no run, so the caller may resend without the field.
	ErrReturnRunDetailsUnsupported = errors.New("github: return_run_details is not supported by this server")
	// ErrUncertain: a write may or may not have been applied (transport error,
	// timeout or 5xx after the request was sent). For a dispatch the run may
	// exist: look for it before sending again.
	ErrUncertain = errors.New("github: outcome uncertain, the request may have been applied")
	// ErrUnhandledEvent: ParseWebhook was given an event type this package does
	// not turn into a WebhookEvent (ping, push, ...). Acknowledge and ignore it.
	ErrUnhandledEvent = errors.New("github: unhandled webhook event")
)

// IsUncertain reports whether err means that a write may have been applied by
// GitHub even though no success answer arrived.
func IsUncertain(err error) bool {
	return errors.Is(err, ErrUncertain)
}

// APIError is an error answer from GitHub that has no more specific type.
// It unwraps to the sentinel matching its status (ErrNotFound, ErrForbidden,
// ...), so callers can use errors.Is.
type APIError struct {
	Status    int    // HTTP status code
	Message   string // GitHub's "message" field, if any
	RequestID string // X-GitHub-Request-Id, useful when asking GitHub support
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "GitHub answered %d", e.Status)
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " (request id %s)", e.RequestID)
	}
	return b.String()
}

// Unwrap returns the sentinel for the status, or nil when there is none.
func (e *APIError) Unwrap() error {
	switch {
	case e.Status == 401:
		return ErrUnauthorized
	case e.Status == 403:
		return ErrForbidden
	case e.Status == 404:
		return ErrNotFound
	case e.Status == 409:
		return ErrConflict
	case e.Status >= 500:
		return ErrServer
	}
	return nil
}

// ValidationError is GitHub's 400 or 422 answer to a request it refused, for
// example a dispatch with an undeclared input or an unknown ref. Nothing was
// created. Message is GitHub's own text, suitable as a job's error message.
type ValidationError struct {
	Status  int      // 400 or 422
	Message string   // GitHub's "message" field
	Details []string // the "errors" entries, if any, as text
}

func (e *ValidationError) Error() string {
	if len(e.Details) == 0 {
		return e.Message
	}
	return e.Message + " (" + strings.Join(e.Details, "; ") + ")"
}

// RateLimitedError reports a call refused because of a GitHub rate limit,
// either by GitHub itself or locally by the client before sending anything.
// Retry after Reset.
type RateLimitedError struct {
	Reset     time.Time // when calls may be sent again
	Reason    string    // human-readable cause, e.g. "secondary rate limit"
	Secondary bool      // a secondary (abuse) limit rather than the hourly budget
	Refused   bool      // true when refused locally: no request was sent
}

func (e *RateLimitedError) Error() string {
	how := "GitHub rate limit"
	if e.Refused {
		how = "GitHub rate limit, request not sent"
	}
	return fmt.Sprintf("%s until %s: %s", how, e.Reset.UTC().Format(time.RFC3339), e.Reason)
}

// redactedError hides a secret inside the text of an error while keeping the
// chain available to errors.Is and errors.As.
type redactedError struct {
	text string
	err  error
}

func (e *redactedError) Error() string { return e.text }
func (e *redactedError) Unwrap() error { return e.err }

// redact returns err with every occurrence of secret in its text replaced.
// GitHub never echoes credentials, but a proxy or a misbehaving server could,
// and errors end up in logs, job records and the API.
func redact(err error, secret string) error {
	if err == nil || secret == "" {
		return err
	}
	text := err.Error()
	if !strings.Contains(text, secret) {
		return err
	}
	return &redactedError{text: strings.ReplaceAll(text, secret, "[REDACTED]"), err: err}
}

// redactString is redact for plain strings.
func redactString(s, secret string) string {
	if secret == "" {
		return s
	}
	return strings.ReplaceAll(s, secret, "[REDACTED]")
}
