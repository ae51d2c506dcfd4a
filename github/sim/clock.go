package sim

import (
	"sort"
	"sync"
	"time"
)

// Clock is the simulator's source of time. Every delay of the timing model
// is measured on it, so tests can drive the simulator with a ManualClock and
// the demo can run it in (scaled) real time.
type Clock interface {
	// Now returns the current virtual time.
	Now() time.Time
	// AfterFunc calls f in its own goroutine (RealClock) or from Advance
	// (ManualClock) once d of virtual time has passed.
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a pending AfterFunc call.
type Timer interface {
	// Stop prevents the call if it has not happened yet and reports whether
	// it did so.
	Stop() bool
}

// Advancer is a Clock that moves only when told to; Sim.Advance needs one.
type Advancer interface {
	Clock
	Advance(d time.Duration)
}

// RealClock follows the wall clock, optionally sped up: with Scale 10 one
// real second is ten virtual seconds. The demo uses it.
type RealClock struct {
	origin time.Time // virtual time at realStart
	start  time.Time // wall time at creation, with monotonic reading
	scale  float64
}

// NewRealClock returns a clock that starts at the current wall time and runs
// scale times faster than it (scale <= 0 means 1).
func NewRealClock(scale float64) *RealClock {
	if scale <= 0 {
		scale = 1
	}
	now := time.Now()
	return &RealClock{origin: now.UTC().Truncate(time.Second), start: now, scale: scale}
}

// Now returns the scaled virtual time.
func (c *RealClock) Now() time.Time {
	elapsed := time.Since(c.start)
	return c.origin.Add(time.Duration(float64(elapsed) * c.scale))
}

// AfterFunc schedules f after d of virtual time, i.e. d/scale of real time.
func (c *RealClock) AfterFunc(d time.Duration, f func()) Timer {
	if d < 0 {
		d = 0
	}
	return time.AfterFunc(time.Duration(float64(d)/c.scale), f)
}

// ManualClock is a virtual clock for tests: time stands still until Advance
// moves it, and Advance fires due timers in deadline order (ties in the
// order they were created) with Now set to each timer's deadline.
type ManualClock struct {
	mu     sync.Mutex
	now    time.Time
	seq    uint64
	timers []*manualTimer
}

type manualTimer struct {
	clock *ManualClock
	at    time.Time
	seq   uint64
	f     func()
}

// NewManualClock returns a clock stopped at start.
func NewManualClock(start time.Time) *ManualClock {
	return &ManualClock{now: start.UTC()}
}

// Now returns the current virtual time.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// AfterFunc registers f to run when the clock reaches Now()+d. A timer with
// d <= 0 runs on the next Advance, even Advance(0), never inside AfterFunc:
// callers may hold their own locks while scheduling.
func (c *ManualClock) AfterFunc(d time.Duration, f func()) Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d < 0 {
		d = 0
	}
	c.seq++
	t := &manualTimer{clock: c, at: c.now.Add(d), seq: c.seq, f: f}
	c.timers = append(c.timers, t)
	return t
}

// Stop removes the timer if it has not fired.
func (t *manualTimer) Stop() bool {
	c := t.clock
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, other := range c.timers {
		if other == t {
			c.timers = append(c.timers[:i], c.timers[i+1:]...)
			return true
		}
	}
	return false
}

// Advance moves the clock forward by d, firing every timer that falls due on
// the way. Timers created by the callbacks fire too if they fall inside the
// window. Callbacks run on the caller's goroutine without the clock's lock.
func (c *ManualClock) Advance(d time.Duration) {
	c.mu.Lock()
	target := c.now.Add(d)
	c.mu.Unlock()
	for {
		t := c.popDue(target)
		if t == nil {
			break
		}
		t.f()
	}
	c.mu.Lock()
	if target.After(c.now) {
		c.now = target
	}
	c.mu.Unlock()
}

// Set moves the clock to t (never backwards), firing due timers.
func (c *ManualClock) Set(t time.Time) {
	d := t.Sub(c.Now())
	if d > 0 {
		c.Advance(d)
	}
}

// popDue removes and returns the earliest timer due at or before target and
// moves the clock to its deadline.
func (c *ManualClock) popDue(target time.Time) *manualTimer {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.timers) == 0 {
		return nil
	}
	sort.SliceStable(c.timers, func(i, j int) bool {
		a, b := c.timers[i], c.timers[j]
		if !a.at.Equal(b.at) {
			return a.at.Before(b.at)
		}
		return a.seq < b.seq
	})
	t := c.timers[0]
	if t.at.After(target) {
		return nil
	}
	c.timers = c.timers[1:]
	if t.at.After(c.now) {
		c.now = t.at
	}
	return t
}

// Pending reports how many timers are waiting; tests use it to check that
// nothing is left scheduled.
func (c *ManualClock) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.timers)
}
