package github

import (
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"
)

// scripted is a fake GitHub whose answer to every route can be swapped.
type scripted struct {
	*fakeGitHub
	mu      sync.Mutex
	respond func(w http.ResponseWriter, r *http.Request)
}

func newScripted(t *testing.T) *scripted {
	s := &scripted{fakeGitHub: newFakeGitHub(t)}
	s.handle("/", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		respond := s.respond
		s.mu.Unlock()
		respond(w, r)
	})
	return s
}

func (s *scripted) set(respond func(w http.ResponseWriter, r *http.Request)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.respond = respond
}

// okWithRemaining answers every route successfully with the given budget.
func okWithRemaining(t *testing.T, remaining int, reset time.Time) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		setRate(w, 5000, remaining, reset)
		switch {
		case r.URL.Path == "/rate_limit":
			core := map[string]any{"limit": 5000, "remaining": remaining, "used": 5000 - remaining, "reset": reset.Unix()}
			writeJSON(t, w, http.StatusOK, map[string]any{"resources": map[string]any{"core": core}})
		case r.Method == http.MethodPost:
			w.WriteHeader(http.StatusNoContent)
		default:
			writeJSON(t, w, http.StatusOK, runJSON(1, "t", "queued", nil))
		}
	}
}

func mustRateLimited(t *testing.T, err error, refused bool) *RateLimitedError {
	t.Helper()
	rl, ok := errors.AsType[*RateLimitedError](err)
	if !ok {
		t.Fatalf("err = %v; want *RateLimitedError", err)
	}
	if rl.Refused != refused {
		t.Fatalf("Refused = %v; want %v (%v)", rl.Refused, refused, err)
	}
	return rl
}

func TestRateLimit_BufferRefusesReadsButNotEssentialCalls(t *testing.T) {
	s := newScripted(t)
	clock := newFakeClock()
	reset := epoch.Add(30 * time.Minute)
	s.set(okWithRemaining(t, 50, reset))
	c := newTestClient(t, s.fakeGitHub, clock, func(o *Options) { o.RateLimitBuffer = 100 })
	ctx := testCtx(t)

	if _, err := c.GetRun(ctx, "acme", "app", 1); err != nil {
		t.Fatalf("first read: %v", err)
	}
	sent := s.count()

	_, err := c.GetRun(ctx, "acme", "app", 1)
	rl := mustRateLimited(t, err, true)
	if !rl.Reset.Equal(reset) {
		t.Fatalf("Reset = %v; want %v", rl.Reset, reset)
	}
	if _, err := c.ListOrgRunners(ctx, "acme"); err == nil {
		t.Fatalf("runner poll within the buffer was sent")
	}
	if got := s.count(); got != sent {
		t.Fatalf("requests = %d; want %d: refused reads must not reach GitHub", got, sent)
	}

	// Dispatch and cancel may use the buffer; /rate_limit is free.
	if _, err := c.Dispatch(ctx, baseRequest()); err != nil {
		t.Fatalf("dispatch within the buffer: %v", err)
	}
	if _, err := c.RateLimit(ctx); err != nil {
		t.Fatalf("rate_limit within the buffer: %v", err)
	}
	if got := s.count(); got != sent+2 {
		t.Fatalf("requests = %d; want %d", got, sent+2)
	}
	if until, _ := c.Backoff(); !until.IsZero() {
		t.Fatalf("Backoff() = %v; want none while essential calls may go", until)
	}

	// Once the window has reset, reads go again.
	clock.Advance(30 * time.Minute)
	if _, err := c.GetRun(ctx, "acme", "app", 1); err != nil {
		t.Fatalf("read after reset: %v", err)
	}
}

func TestRateLimit_ExhaustedRefusesEverythingButRateLimit(t *testing.T) {
	s := newScripted(t)
	clock := newFakeClock()
	reset := epoch.Add(10 * time.Minute)
	s.set(okWithRemaining(t, 0, reset))
	c := newTestClient(t, s.fakeGitHub, clock, nil)
	ctx := testCtx(t)

	if _, err := c.GetRun(ctx, "acme", "app", 1); err != nil {
		t.Fatalf("read spending the last request: %v", err)
	}
	sent := s.count()
	_, err := c.Dispatch(ctx, baseRequest())
	mustRateLimited(t, err, true)
	err = c.CancelRun(ctx, "acme", "app", 1)
	mustRateLimited(t, err, true)
	if got := s.count(); got != sent {
		t.Fatalf("requests = %d; want %d", got, sent)
	}
	if until, reason := c.Backoff(); !until.Equal(reset) || reason == "" {
		t.Fatalf("Backoff() = %v %q; want %v with a reason", until, reason, reset)
	}
	if _, err := c.RateLimit(ctx); err != nil {
		t.Fatalf("rate_limit with an exhausted budget: %v", err)
	}
}

func TestRateLimit_PrimaryAnswerBacksOffUntilReset(t *testing.T) {
	for _, status := range []int{http.StatusForbidden, http.StatusTooManyRequests} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			s := newScripted(t)
			clock := newFakeClock()
			reset := epoch.Add(20 * time.Minute)
			s.set(func(w http.ResponseWriter, r *http.Request) {
				setRate(w, 5000, 0, reset)
				writeError(t, w, status, "API rate limit exceeded for user ID 1.")
			})
			c := newTestClient(t, s.fakeGitHub, clock, nil)
			ctx := testCtx(t)

			_, err := c.Dispatch(ctx, baseRequest())
			rl := mustRateLimited(t, err, false)
			if !rl.Reset.Equal(reset) || rl.Secondary {
				t.Fatalf("err = %+v; want primary limit until %v", rl, reset)
			}
			if IsUncertain(err) {
				t.Fatalf("a rate-limit answer created nothing, err is uncertain: %v", err)
			}
			_, err = c.GetRun(ctx, "acme", "app", 1)
			mustRateLimited(t, err, true)
			if got := s.count(); got != 1 {
				t.Fatalf("requests = %d; want 1", got)
			}

			clock.Advance(20 * time.Minute)
			s.set(okWithRemaining(t, 5000, epoch.Add(80*time.Minute)))
			if _, err := c.GetRun(ctx, "acme", "app", 1); err != nil {
				t.Fatalf("read after reset: %v", err)
			}
		})
	}
}

func TestRateLimit_SecondaryRetryAfterBacksOffThatLong(t *testing.T) {
	s := newScripted(t)
	clock := newFakeClock()
	s.set(func(w http.ResponseWriter, r *http.Request) {
		setRate(w, 5000, 4000, epoch.Add(time.Hour))
		w.Header().Set("Retry-After", "90")
		writeJSON(t, w, http.StatusForbidden, map[string]string{
			"message":           "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
			"documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
		})
	})
	c := newTestClient(t, s.fakeGitHub, clock, nil)
	ctx := testCtx(t)

	_, err := c.ListOrgRunners(ctx, "acme")
	rl := mustRateLimited(t, err, false)
	want := epoch.Add(90 * time.Second)
	if !rl.Reset.Equal(want) || !rl.Secondary {
		t.Fatalf("err = %+v; want secondary limit until %v", rl, want)
	}
	if until, reason := c.Backoff(); !until.Equal(want) || reason == "" {
		t.Fatalf("Backoff() = %v %q; want %v", until, reason, want)
	}

	s.set(okWithRemaining(t, 4000, epoch.Add(time.Hour)))
	clock.Advance(89 * time.Second)
	// Everything is refused during a secondary back-off, /rate_limit and
	// essential calls included.
	_, err = c.Dispatch(ctx, baseRequest())
	mustRateLimited(t, err, true)
	_, err = c.RateLimit(ctx)
	mustRateLimited(t, err, true)
	if got := s.count(); got != 1 {
		t.Fatalf("requests = %d; want 1", got)
	}

	clock.Advance(time.Second)
	if _, err := c.GetRun(ctx, "acme", "app", 1); err != nil {
		t.Fatalf("read after the back-off: %v", err)
	}
	if until, _ := c.Backoff(); !until.IsZero() {
		t.Fatalf("Backoff() = %v after expiry; want zero", until)
	}
}

func TestRateLimit_SecondaryWithoutRetryAfterWaitsAtLeastAMinuteAndDoubles(t *testing.T) {
	for _, tc := range []struct {
		name string
		doc  string
	}{
		{"recognised by go-github", "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"},
		{"recognised by message", "https://docs.github.com/rest"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newScripted(t)
			clock := newFakeClock()
			limited := func(w http.ResponseWriter, r *http.Request) {
				setRate(w, 5000, 4000, epoch.Add(time.Hour))
				writeJSON(t, w, http.StatusForbidden, map[string]string{
					"message":           "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
					"documentation_url": tc.doc,
				})
			}
			s.set(limited)
			c := newTestClient(t, s.fakeGitHub, clock, nil)
			ctx := testCtx(t)

			_, err := c.GetRun(ctx, "acme", "app", 1)
			if rl := mustRateLimited(t, err, false); !rl.Reset.Equal(epoch.Add(time.Minute)) {
				t.Fatalf("first back-off until %v; want one minute", rl.Reset)
			}
			clock.Advance(time.Minute)
			_, err = c.GetRun(ctx, "acme", "app", 1)
			if rl := mustRateLimited(t, err, false); !rl.Reset.Equal(clock.Now().Add(2 * time.Minute)) {
				t.Fatalf("second back-off until %v; want two minutes after %v", rl.Reset, clock.Now())
			}

			// A success ends the streak: the next limit waits a minute again.
			clock.Advance(2 * time.Minute)
			s.set(okWithRemaining(t, 4000, epoch.Add(time.Hour)))
			if _, err := c.GetRun(ctx, "acme", "app", 1); err != nil {
				t.Fatalf("read after back-off: %v", err)
			}
			s.set(limited)
			_, err = c.GetRun(ctx, "acme", "app", 1)
			if rl := mustRateLimited(t, err, false); !rl.Reset.Equal(clock.Now().Add(time.Minute)) {
				t.Fatalf("back-off after success until %v; want one minute", rl.Reset)
			}
		})
	}
}

func TestStatus_HealthAndJSON(t *testing.T) {
	for _, tc := range []struct {
		remaining int
		want      string
	}{{4000, HealthHealthy}, {99, HealthDegraded}, {9, HealthUnhealthy}} {
		s := newScripted(t)
		clock := newFakeClock()
		reset := epoch.Add(90*time.Second + 400*time.Millisecond)
		s.set(okWithRemaining(t, tc.remaining, reset))
		c := newTestClient(t, s.fakeGitHub, clock, nil)
		if st := c.Status(); st.Connected || st.Status != HealthUnhealthy {
			t.Fatalf("status before any call = %+v; want not connected, unhealthy", st)
		}
		if _, err := c.RateLimit(testCtx(t)); err != nil {
			t.Fatalf("RateLimit: %v", err)
		}
		st := c.Status()
		if st.Status != tc.want || !st.Connected || st.Remaining != tc.remaining || st.Limit != 5000 {
			t.Fatalf("remaining %d: status = %+v; want %s", tc.remaining, st, tc.want)
		}
		raw, err := json.Marshal(st)
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		var got map[string]any
		if err := json.Unmarshal(raw, &got); err != nil {
			t.Fatalf("unmarshal %s: %v", raw, err)
		}
		want := map[string]any{"status": tc.want, "connected": true, "rate_limit_remaining": float64(tc.remaining),
			"rate_limit_reset": "2026-03-01T12:01:30Z", "reset_in": "1m30s"}
		for k, v := range want {
			if got[k] != v {
				t.Fatalf("JSON %s: %s = %v; want %v", raw, k, got[k], v)
			}
		}
	}
}

func TestNewClient_RejectsBadOptions(t *testing.T) {
	for _, opts := range []Options{
		{APIURL: "not a url"},
		{APIURL: "ftp://example.com/"},
		{RequestTimeout: -time.Second},
		{RateLimitBuffer: -1},
	} {
		if _, err := NewClient(opts); err == nil {
			t.Fatalf("NewClient(%+v) succeeded; want an error", opts)
		}
	}
}
