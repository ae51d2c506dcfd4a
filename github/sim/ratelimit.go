package sim

import (
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// rateLimiter keeps the primary buckets and the secondary counters (§8.7).
// Every window is measured in virtual time.
type rateLimiter struct {
	enabled   bool
	secondary bool
	cfg       RateLimit
	window    time.Duration
	status    int

	buckets  map[string]*bucket // by token value
	anon     *bucket
	inFlight map[string]int
	points   map[string]*minuteCount // token + " " + route name
	mutating map[string]*minuteCount // by token value
}

// bucket is one token's primary window.
type bucket struct {
	limit int
	used  int
	reset time.Time
}

type minuteCount struct {
	n     int
	reset time.Time
}

var defaultLimits = map[string]int{tokenPAT: 5000, tokenApp: 5000, tokenOAuth: 5000, tokenGitHubToken: 1000}

func newRateLimiter(cfg RateLimit, m mode) *rateLimiter {
	rl := &rateLimiter{
		enabled:   cfg.Mode == "on" || (cfg.Mode == "" && !m.ghes),
		secondary: cfg.SecondaryMode == "on",
		cfg:       cfg,
		window:    cfg.Window.Std(),
		status:    cfg.Status,
		buckets:   map[string]*bucket{},
		anon:      &bucket{limit: 60},
		inFlight:  map[string]int{},
		points:    map[string]*minuteCount{},
		mutating:  map[string]*minuteCount{},
	}
	if rl.window <= 0 {
		rl.window = time.Hour
	}
	if rl.status == 0 {
		rl.status = http.StatusForbidden
	}
	if rl.cfg.MaxInFlight <= 0 {
		rl.cfg.MaxInFlight = 100
	}
	if rl.cfg.PointsPerMinute <= 0 {
		rl.cfg.PointsPerMinute = 900
	}
	if rl.cfg.MutatingPerMinute <= 0 {
		rl.cfg.MutatingPerMinute = 80
	}
	return rl
}

func (rl *rateLimiter) limitFor(t *token) int {
	if t.limit > 0 {
		return t.limit
	}
	if n := rl.cfg.Limits[t.kind]; n > 0 {
		return n
	}
	return defaultLimits[t.kind]
}

// bucketFor returns the token's bucket, rolled to a fresh window when the
// old one has ended. A window starts with its first request, as GitHub's do.
func (rl *rateLimiter) bucketFor(t *token, now time.Time) *bucket {
	if t == nil {
		rl.anon.roll(now, rl.window)
		return rl.anon
	}
	b := rl.buckets[t.value]
	if b == nil {
		b = &bucket{limit: rl.limitFor(t)}
		rl.buckets[t.value] = b
	}
	b.roll(now, rl.window)
	return b
}

func (b *bucket) roll(now time.Time, window time.Duration) {
	if b.reset.IsZero() || !now.Before(b.reset) {
		b.used = 0
		// Reset is an epoch second; round up so it is never in the past.
		b.reset = now.Add(window).Truncate(time.Second).Add(time.Second)
	}
}

func (b *bucket) remaining() int { return max(b.limit-b.used, 0) }

// exhaust empties the bucket until reset (fault "primary_exhaust").
func (b *bucket) exhaust(reset time.Time) {
	b.used = b.limit
	if !reset.IsZero() {
		b.reset = reset
	}
}

func (rl *rateLimiter) enter(key string) { rl.inFlight[key]++ }

func (rl *rateLimiter) leave(key string) {
	if rl.inFlight[key]--; rl.inFlight[key] <= 0 {
		delete(rl.inFlight, key)
	}
}

// admit applies the primary and secondary limits before the endpoint runs.
func (rl *rateLimiter) admit(q *request) *response {
	if !rl.enabled {
		return nil
	}
	if !q.route.free {
		b := rl.bucketFor(q.tok, q.now)
		if b.remaining() == 0 {
			q.free = true
			who := "user"
			if q.tok.kind == tokenApp {
				who = "installation"
			}
			return errorResponse(rl.status,
				fmt.Sprintf("API rate limit exceeded for %s ID %d.", who, q.tok.userID), docRateLimit)
		}
	}
	if rl.secondary {
		if resp := rl.admitSecondary(q); resp != nil {
			q.free = true
			return resp
		}
	}
	return nil
}

// admitSecondary counts points per endpoint and mutating requests per
// minute, and concurrent requests per token (spec §5.3).
func (rl *rateLimiter) admitSecondary(q *request) *response {
	if rl.inFlight[q.tok.value] > rl.cfg.MaxInFlight {
		return rl.secondaryResponse(60 * time.Second)
	}
	mutating := q.r.Method != http.MethodGet && q.r.Method != http.MethodHead && q.r.Method != http.MethodOptions
	cost := 1
	if mutating {
		cost = 5
	}
	pc := rollMinute(rl.points, q.tok.value+" "+q.route.name, q.now)
	if pc.n+cost > rl.cfg.PointsPerMinute {
		return rl.secondaryResponse(pc.reset.Sub(q.now))
	}
	if mutating {
		mc := rollMinute(rl.mutating, q.tok.value, q.now)
		if mc.n+1 > rl.cfg.MutatingPerMinute {
			return rl.secondaryResponse(mc.reset.Sub(q.now))
		}
		mc.n++
	}
	pc.n += cost
	return nil
}

func rollMinute(m map[string]*minuteCount, key string, now time.Time) *minuteCount {
	c := m[key]
	if c == nil || !now.Before(c.reset) {
		c = &minuteCount{reset: now.Add(time.Minute)}
		m[key] = c
	}
	return c
}

// secondaryResponse is GitHub's secondary-limit answer; go-github detects it
// by the documentation_url suffix.
func (rl *rateLimiter) secondaryResponse(retryAfter time.Duration) *response {
	return secondaryLimited(rl.status, retryAfter, rl.cfg.OmitRetryAfter)
}

func secondaryLimited(status int, retryAfter time.Duration, omit bool) *response {
	resp := errorResponse(status,
		"You have exceeded a secondary rate limit. Please wait a few minutes before you try again.", docSecondary)
	if !omit {
		secs := int((retryAfter + time.Second - 1) / time.Second)
		resp.header.Set("Retry-After", strconv.Itoa(max(secs, 1)))
	}
	return resp
}

// finish counts the request and sets the x-ratelimit-* headers. Free
// requests (304, /rate_limit, rejected ones) do not decrement remaining.
func (rl *rateLimiter) finish(q *request, resp *response) {
	if !rl.enabled {
		return
	}
	b := rl.bucketFor(q.tok, q.now)
	if q.tok != nil && !q.free && b.remaining() > 0 {
		b.used++
	}
	h := resp.header
	h.Set("X-Ratelimit-Limit", strconv.Itoa(b.limit))
	h.Set("X-Ratelimit-Remaining", strconv.Itoa(b.remaining()))
	h.Set("X-Ratelimit-Used", strconv.Itoa(min(b.used, b.limit)))
	h.Set("X-Ratelimit-Reset", strconv.FormatInt(b.reset.Unix(), 10))
	h.Set("X-Ratelimit-Resource", "core")
}

// rateJSON is one entry of /rate_limit.
type rateJSON struct {
	Limit     int    `json:"limit"`
	Remaining int    `json:"remaining"`
	Used      int    `json:"used"`
	Reset     int64  `json:"reset"`
	Resource  string `json:"resource,omitempty"`
}

func (b *bucket) json(resource string) rateJSON {
	return rateJSON{Limit: b.limit, Remaining: b.remaining(), Used: min(b.used, b.limit), Reset: b.reset.Unix(), Resource: resource}
}

func (s *Sim) handleRateLimit(q *request) *response {
	if !s.rate.enabled {
		return errorResponse(http.StatusNotFound, "Rate limiting is not enabled.", docREST)
	}
	core := s.rate.bucketFor(q.tok, q.now)
	fixed := func(limit int, resource string, window time.Duration) rateJSON {
		return rateJSON{Limit: limit, Remaining: limit, Reset: q.now.Add(window).Unix(), Resource: resource}
	}
	resources := map[string]rateJSON{
		"core":                        core.json("core"),
		"search":                      fixed(30, "search", time.Minute),
		"graphql":                     fixed(5000, "graphql", time.Hour),
		"integration_manifest":        fixed(5000, "integration_manifest", time.Hour),
		"code_search":                 fixed(10, "code_search", time.Minute),
		"actions_runner_registration": fixed(10000, "actions_runner_registration", time.Hour),
		"scim":                        fixed(15000, "scim", time.Hour),
	}
	body := map[string]any{"resources": resources}
	// The top-level "rate" is deprecated and gone in API version 2026-03-10.
	if q.version != apiVersion2026 {
		r := core.json("")
		body["rate"] = r
	}
	return jsonResponse(http.StatusOK, body)
}
