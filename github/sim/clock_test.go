package sim

import (
	"testing"
	"time"
)

func TestManualClockFiresInDeadlineOrder(t *testing.T) {
	c := NewManualClock(DefaultStart)
	var got []string
	var at []time.Duration
	rec := func(name string) func() {
		return func() {
			got = append(got, name)
			at = append(at, c.Now().Sub(DefaultStart))
		}
	}
	c.AfterFunc(3*time.Second, rec("c"))
	c.AfterFunc(time.Second, rec("a"))
	c.AfterFunc(time.Second, rec("a2"))
	stopped := c.AfterFunc(2*time.Second, rec("never"))
	c.AfterFunc(0, func() {
		rec("zero")()
		// A timer created by a callback fires within the same Advance.
		c.AfterFunc(time.Second, rec("nested"))
	})
	if !stopped.Stop() || stopped.Stop() {
		t.Fatalf("Stop: want true once, then false")
	}
	c.Advance(3 * time.Second)
	want := []string{"zero", "a", "a2", "nested", "c"}
	if len(got) != len(want) {
		t.Fatalf("fired %v; want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("fired %v; want %v", got, want)
		}
	}
	if at[1] != time.Second || at[4] != 3*time.Second {
		t.Fatalf("Now during callbacks %v; want each timer's deadline", at)
	}
	if c.Pending() != 0 || c.Now() != DefaultStart.Add(3*time.Second) {
		t.Fatalf("pending %d now %v", c.Pending(), c.Now())
	}
	c.Set(DefaultStart) // never backwards
	if c.Now() != DefaultStart.Add(3*time.Second) {
		t.Fatalf("Set moved the clock backwards")
	}
}

func TestRealClockScales(t *testing.T) {
	c := NewRealClock(1000)
	start := c.Now()
	done := make(chan time.Time, 1)
	c.AfterFunc(10*time.Second, func() { done <- c.Now() })
	select {
	case fired := <-done:
		if fired.Sub(start) < 10*time.Second {
			t.Fatalf("fired after %v of virtual time; want >= 10s", fired.Sub(start))
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("10s virtual at 1000x did not fire within 5s")
	}
}
