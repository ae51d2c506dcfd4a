package github

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// callClass says how a call is treated by the rate-limit rule (see the package
// documentation).
type callClass int

const (
	// classRead: background reads; refused when the budget is within the buffer.
	classRead callClass = iota
	// classWrite: dispatch and cancel; may spend the buffer, and their failures
	// after sending are uncertain.
	classWrite
	// classFree: GET /rate_limit, which does not count against the primary limit.
	classFree
)

// Header names, as GitHub sends them (http.Header canonicalises lookups).
const (
	headerRateLimit     = "X-Ratelimit-Limit"
	headerRateRemaining = "X-Ratelimit-Remaining"
	headerRateUsed      = "X-Ratelimit-Used"
	headerRateReset     = "X-Ratelimit-Reset"
	headerRateResource  = "X-Ratelimit-Resource"
	headerRetryAfter    = "Retry-After"
	headerRequestID     = "X-Github-Request-Id"
)

const (
	// minSecondaryBackoff is GitHub's advice when a secondary limit comes
	// without Retry-After: wait at least one minute.
	minSecondaryBackoff = time.Minute
	// maxSecondaryBackoff caps the doubling for repeated secondary limits.
	maxSecondaryBackoff = 15 * time.Minute
)

// Rate is the primary rate-limit budget as GitHub last reported it.
type Rate struct {
	Limit     int
	Remaining int
	Used      int
	Reset     time.Time
}

// limiter holds the rate-limit state of one Client. It never sleeps: it only
// answers whether a call may be sent now.
type limiter struct {
	buffer int

	mu              sync.Mutex
	rate            Rate
	known           bool // a response carried rate-limit headers
	backoffUntil    time.Time
	backoffReason   string
	backoffSecond   bool // the back-off comes from a secondary limit
	secondaryStreak int  // consecutive secondary limits without Retry-After
}

// admit returns a *RateLimitedError when a call of the given class must not be
// sent at now, and nil when it may go.
func (l *limiter) admit(class callClass, now time.Time) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Before(l.backoffUntil) && (class != classFree || l.backoffSecond) {
		return &RateLimitedError{Reset: l.backoffUntil, Reason: l.backoffReason, Secondary: l.backoffSecond, Refused: true}
	}
	if class == classFree || !l.known || !now.Before(l.rate.Reset) {
		return nil
	}
	if l.rate.Remaining <= 0 {
		return &RateLimitedError{Reset: l.rate.Reset, Reason: "primary rate limit exhausted", Refused: true}
	}
	if class == classRead && l.rate.Remaining <= l.buffer {
		reason := fmt.Sprintf("%d requests left, within the buffer of %d kept for dispatch and cancel",
			l.rate.Remaining, l.buffer)
		return &RateLimitedError{Reset: l.rate.Reset, Reason: reason, Refused: true}
	}
	return nil
}

// observe records the rate-limit headers of a response. Responses without them
// (GHES with rate limiting off) and responses about other resources (search,
// graphql) leave the state untouched.
func (l *limiter) observe(h http.Header) {
	limitText := h.Get(headerRateLimit)
	if limitText == "" {
		return
	}
	if res := h.Get(headerRateResource); res != "" && res != "core" {
		return
	}
	limit, err := strconv.Atoi(limitText)
	if err != nil {
		return
	}
	remaining, err := strconv.Atoi(h.Get(headerRateRemaining))
	if err != nil {
		return
	}
	used, _ := strconv.Atoi(h.Get(headerRateUsed))
	reset, _ := parseEpoch(h.Get(headerRateReset))
	l.set(Rate{Limit: limit, Remaining: remaining, Used: used, Reset: reset})
}

// set replaces the known budget.
func (l *limiter) set(r Rate) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.rate = r
	l.known = true
}

// snapshot returns the last known budget and whether one is known.
func (l *limiter) snapshot() (Rate, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.rate, l.known
}

// succeeded ends a run of secondary limits: the next one starts again at the
// minimum back-off.
func (l *limiter) succeeded() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.secondaryStreak = 0
}

// primaryHit starts a back-off after GitHub refused a call for the hourly
// budget. The reset comes from the response headers; without one the client
// waits the secondary minimum rather than hammering GitHub.
func (l *limiter) primaryHit(h http.Header, now time.Time) *RateLimitedError {
	l.observe(h)
	until, ok := parseEpoch(h.Get(headerRateReset))
	if !ok || !until.After(now) {
		until = now.Add(minSecondaryBackoff)
	}
	return l.backoff(until, "primary rate limit exhausted", false)
}

// secondaryHit starts a back-off after a secondary (abuse) limit, following
// GitHub's advice: Retry-After if given, else the reset time when remaining is
// 0, else at least a minute, doubling on each consecutive hit.
func (l *limiter) secondaryHit(h http.Header, now time.Time) *RateLimitedError {
	l.observe(h)
	if secs, err := strconv.Atoi(strings.TrimSpace(h.Get(headerRetryAfter))); err == nil && secs > 0 {
		return l.backoff(now.Add(time.Duration(secs)*time.Second), "secondary rate limit (retry-after)", true)
	}
	if h.Get(headerRateRemaining) == "0" {
		if reset, ok := parseEpoch(h.Get(headerRateReset)); ok && reset.After(now) {
			return l.backoff(reset, "secondary rate limit (until reset)", true)
		}
	}
	l.mu.Lock()
	wait := minSecondaryBackoff << min(l.secondaryStreak, 4)
	l.secondaryStreak++
	l.mu.Unlock()
	return l.backoff(now.Add(min(wait, maxSecondaryBackoff)), "secondary rate limit", true)
}

// backoff records a deadline before which calls are refused. An earlier
// deadline never shortens a later one already in force.
func (l *limiter) backoff(until time.Time, reason string, secondary bool) *RateLimitedError {
	l.mu.Lock()
	defer l.mu.Unlock()
	if until.After(l.backoffUntil) {
		l.backoffUntil, l.backoffReason, l.backoffSecond = until, reason, secondary
	}
	return &RateLimitedError{Reset: l.backoffUntil, Reason: l.backoffReason, Secondary: l.backoffSecond}
}

// blockedUntil reports the time before which every non-free call is refused,
// and why; the zero time when calls may go.
func (l *limiter) blockedUntil(now time.Time) (time.Time, string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Before(l.backoffUntil) {
		return l.backoffUntil, l.backoffReason
	}
	if l.known && l.rate.Remaining <= 0 && now.Before(l.rate.Reset) {
		return l.rate.Reset, "primary rate limit exhausted"
	}
	return time.Time{}, ""
}

// parseEpoch parses a Unix-seconds header value.
func parseEpoch(s string) (time.Time, bool) {
	v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || v <= 0 {
		return time.Time{}, false
	}
	return time.Unix(v, 0).UTC(), true
}
