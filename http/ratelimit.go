package httpd

import (
	"math"
	"sync"
	"time"
)

// idleBucketTTL is how long a bucket may go unused before it is dropped. A
// bucket refills completely in one minute (rate rpm/60 per second, burst
// rpm), so one unused for ten minutes is full and dropping it loses nothing.
const idleBucketTTL = 10 * time.Minute

// limiter is a set of per-key token buckets. It reads the injected clock
// and purges idle buckets as it goes, so it needs no goroutine and tests
// drive it by moving the clock.
type limiter struct {
	rate  float64 // tokens per second
	burst float64
	now   func() time.Time

	mu        sync.Mutex
	buckets   map[string]*bucket
	lastPurge time.Time
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newLimiter(rpm int, now func() time.Time) *limiter {
	return &limiter{
		rate:    float64(rpm) / 60,
		burst:   float64(rpm),
		now:     now,
		buckets: map[string]*bucket{},
	}
}

// allow takes a token from key's bucket. When none is left it reports how
// long until one is.
func (l *limiter) allow(key string) (ok bool, retryAfter time.Duration) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.purge(now)
	b := l.buckets[key]
	if b == nil {
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[key] = b
	}
	if elapsed := now.Sub(b.last).Seconds(); elapsed > 0 {
		b.tokens = math.Min(l.burst, b.tokens+elapsed*l.rate)
	}
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	wait := (1 - b.tokens) / l.rate
	return false, time.Duration(math.Ceil(wait)) * time.Second
}

func (l *limiter) purge(now time.Time) {
	if now.Sub(l.lastPurge) < idleBucketTTL {
		return
	}
	l.lastPurge = now
	for k, b := range l.buckets {
		if now.Sub(b.last) >= idleBucketTTL {
			delete(l.buckets, k)
		}
	}
}

// size is the number of live buckets (for tests and metrics).
func (l *limiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}

// newLimiters builds the enabled tiers; a disabled tier has no limiter.
func newLimiters(rl RateLimit, now func() time.Time) map[Tier]*limiter {
	out := map[Tier]*limiter{}
	for tier, t := range map[Tier]RateTier{TierPublic: rl.Public, TierAuth: rl.Auth, TierAuthenticated: rl.Authenticated} {
		if !t.Enabled {
			continue
		}
		rpm := t.RequestsPerMinute
		if rpm <= 0 {
			rpm = defaultRPM(tier)
		}
		out[tier] = newLimiter(rpm, now)
	}
	return out
}

func defaultRPM(t Tier) int {
	d := DefaultRateLimit()
	switch t {
	case TierAuth:
		return d.Auth.RequestsPerMinute
	case TierAuthenticated:
		return d.Authenticated.RequestsPerMinute
	}
	return d.Public.RequestsPerMinute
}
