package state

import (
	"testing"
	"time"
)

func TestRunnersObserved(t *testing.T) {
	s := New()
	labels := []string{"self-hosted", "linux"}
	obs := Event{Type: RunnersObserved, Time: t0, Runners: []Runner{
		{ID: 1, Name: "r1", Labels: labels, Status: "online"},
		{ID: 2, Name: "r2", Labels: []string{"self-hosted"}, Status: "offline"},
	}}
	if err := s.Apply(1, &obs); err != nil {
		t.Fatal(err)
	}
	labels[0] = "mutated"
	r1 := s.Runners.Runners[1]
	if r1.Labels[0] != "self-hosted" || !r1.CreatedAt.Equal(t0) || !r1.UpdatedAt.Equal(t0) {
		t.Fatalf("got %+v; want own labels, created and updated at t0", r1)
	}

	later := t0.Add(time.Minute)
	change := Event{Type: RunnersObserved, Time: later, Runners: []Runner{{ID: 1, Name: "r1", Busy: true, Status: "online"}}, RunnerIDs: []int64{2}}
	if err := s.Apply(2, &change); err != nil {
		t.Fatal(err)
	}
	r1 = s.Runners.Runners[1]
	if !r1.Busy || !r1.CreatedAt.Equal(t0) || !r1.UpdatedAt.Equal(later) {
		t.Fatalf("got %+v; want busy, created kept, updated later", r1)
	}
	if s.Runners.Runners[2] != nil {
		t.Fatalf("a runner reported gone is still there")
	}
	if err := s.Runners.Apply(3, &Event{Type: SessionCreated}); err == nil {
		t.Fatalf("got no error for a foreign event type")
	}
	if s.Runners.Index != 2 {
		t.Fatalf("got index %d; want 2", s.Runners.Index)
	}
}

func TestMatches(t *testing.T) {
	f := func(runner, want []string, ok bool) {
		t.Helper()
		if got := Matches(runner, want); got != ok {
			t.Fatalf("Matches(%v, %v) = %v; want %v", runner, want, got, ok)
		}
	}
	f([]string{"self-hosted", "linux", "x64"}, []string{"self-hosted", "linux"}, true)
	f([]string{"Self-Hosted", "LINUX"}, []string{"self-hosted", "linux"}, true)
	f([]string{"self-hosted"}, []string{"self-hosted", "linux"}, false)
	f([]string{"self-hosted", "linux"}, nil, true)
	f(nil, []string{"linux"}, false)
	f([]string{"linux"}, []string{"linux", "LINUX"}, true)
	f([]string{"linux-arm"}, []string{"linux"}, false)
}
