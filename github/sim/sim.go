package sim

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"
)

// Sim is a simulated GitHub. Create it with New (or Build), serve Handler,
// and drive it with the Go control methods or the /_sim/ API.
type Sim struct {
	mu    sync.Mutex
	cfg   Config
	mode  mode
	clock Clock
	rng   *rng
	w     *world
	ag    agenda

	wake   Timer
	wakeAt time.Time

	rate      *rateLimiter
	faults    *faultSet
	webhooks  *emitter
	oauth     *oauthState
	requestNo uint64
	lastBase  string // public base seen on the latest request

	closed bool
}

// New builds a simulator from cfg. It panics if cfg is invalid: call
// cfg.Validate (or LoadConfig, or Build) first for configurations that come
// from users.
func New(cfg Config) *Sim {
	s, err := Build(cfg)
	if err != nil {
		panic(fmt.Sprintf("sim.New: %v", err))
	}
	return s
}

// Build is New with an error instead of a panic.
func Build(cfg Config) (*Sim, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("sim config: %w", err)
	}
	m, _ := parseMode(cfg.Mode)
	s := &Sim{cfg: cfg, mode: m, clock: cfg.Clock}
	if s.clock == nil {
		if cfg.ClockMode == "manual" {
			start := cfg.Start
			if start.IsZero() {
				start = DefaultStart
			}
			s.clock = NewManualClock(start)
		} else {
			s.clock = NewRealClock(cfg.ClockScale)
		}
	}
	s.webhooks = newEmitter(s)
	if err := s.resetLocked(); err != nil {
		return nil, err
	}
	return s, nil
}

// resetLocked rebuilds the world from the configuration at the current
// virtual time and re-seeds the PRNG. Virtual time itself never goes back.
func (s *Sim) resetLocked() error {
	now := s.clock.Now()
	w, err := buildWorld(s.cfg, now)
	if err != nil {
		return err
	}
	s.w = w
	s.rng = newRNG(s.cfg.Seed)
	s.ag = agenda{}
	s.rate = newRateLimiter(s.cfg.RateLimit, s.mode)
	s.faults = newFaultSet()
	s.oauth = newOAuthState()
	s.requestNo = 0
	s.webhooks.reset()
	for _, f := range s.cfg.Faults {
		s.addFaultLocked(f, now)
	}
	s.startBackgroundLocked(now)
	return nil
}

// Clock returns the simulator's clock.
func (s *Sim) Clock() Clock { return s.clock }

// Now returns the current virtual time.
func (s *Sim) Now() time.Time { return s.clock.Now() }

// lock takes the world lock and brings the world up to the current virtual
// time. It returns that time; everything the caller does is stamped with it.
func (s *Sim) lock() time.Time {
	s.mu.Lock()
	now := s.clock.Now()
	s.runDueLocked(now)
	return now
}

// unlock processes anything the caller scheduled for "now", re-arms the
// wake-up timer, releases the lock and hands due webhooks to the sender.
func (s *Sim) unlock(now time.Time) {
	s.runDueLocked(now)
	s.rearmLocked()
	out := s.webhooks.takeOutboxLocked()
	s.mu.Unlock()
	s.webhooks.send(out)
}

// runDueLocked applies every agenda item due at or before now, each stamped
// with its own time.
func (s *Sim) runDueLocked(now time.Time) {
	for {
		it := s.ag.popDue(now)
		if it == nil {
			return
		}
		it.fn(it.at)
	}
}

// schedule adds a state change to the agenda. Delays <= 0 run before the
// current lock holder releases the lock.
func (s *Sim) schedule(at time.Time, name string, fn func(at time.Time)) {
	s.ag.schedule(at, name, fn)
}

// rearmLocked makes sure a clock timer wakes the simulator for the earliest
// agenda item, so state advances even when nobody calls the API.
func (s *Sim) rearmLocked() {
	next, ok := s.ag.next()
	if !ok || s.closed {
		if s.wake != nil {
			s.wake.Stop()
			s.wake = nil
		}
		return
	}
	if s.wake != nil && s.wakeAt.Equal(next) {
		return
	}
	if s.wake != nil {
		s.wake.Stop()
	}
	s.wakeAt = next
	s.wake = s.clock.AfterFunc(next.Sub(s.clock.Now()), s.onWake)
}

func (s *Sim) onWake() {
	now := s.lock()
	s.wake = nil
	s.unlock(now)
}

// Advance moves a manual clock forward by d and applies everything that
// falls due, in order. It fails with ErrNotManualClock on a real clock.
func (s *Sim) Advance(d time.Duration) error {
	adv, ok := s.clock.(Advancer)
	if !ok {
		return ErrNotManualClock
	}
	if d < 0 {
		return fmt.Errorf("advance by %v: negative duration", d)
	}
	adv.Advance(d)
	now := s.lock()
	s.unlock(now)
	return nil
}

// Reset restores the configured initial world at the current virtual time.
func (s *Sim) Reset() error {
	now := s.lock()
	defer s.unlock(now)
	return s.resetLocked()
}

// Close stops timers and the webhook sender. The handler keeps answering
// but time no longer advances by itself.
func (s *Sim) Close() {
	s.mu.Lock()
	s.closed = true
	if s.wake != nil {
		s.wake.Stop()
		s.wake = nil
	}
	s.mu.Unlock()
	s.webhooks.close()
}

// FlushWebhooks waits until every delivery handed to the sender so far has
// been attempted, or ctx ends.
func (s *Sim) FlushWebhooks(ctx context.Context) error {
	return s.webhooks.flush(ctx)
}

// ListenAndServe serves the simulator on addr (127.0.0.1:PORT) until ctx is
// cancelled. When Config.PublicURL is empty the listener's address becomes
// the public base.
func (s *Sim) ListenAndServe(ctx context.Context, addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("sim listen %s: %w", addr, err)
	}
	s.mu.Lock()
	if s.cfg.PublicURL == "" {
		s.cfg.PublicURL = "http://" + ln.Addr().String()
	}
	s.mu.Unlock()
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(shutdownCtx); err != nil {
			return fmt.Errorf("sim shutdown: %w", err)
		}
		return nil
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return fmt.Errorf("sim serve: %w", err)
	}
}
