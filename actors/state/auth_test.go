package state

import (
	"slices"
	"testing"
	"time"
)

func session(hash, user string, expires time.Time) *Session {
	return &Session{TokenHash: hash, ID: "s-" + hash, UserID: "u-" + user, Username: user, Role: "admin",
		Provider: "basic", CreatedAt: t0, ExpiresAt: expires}
}

func sessionHashes(a *AuthState) []string {
	return sortedKeys(a.Sessions)
}

func TestSessions(t *testing.T) {
	s := New()
	apply := func(idx uint64, e Event) {
		t.Helper()
		if err := s.Apply(idx, &e); err != nil {
			t.Fatalf("apply %s: %v", e.Type, err)
		}
	}
	apply(1, Event{Type: SessionCreated, Time: t0, Session: session("h1", "alice", t0.Add(time.Hour))})
	apply(2, Event{Type: SessionCreated, Time: t0, Session: session("h2", "alice", t0.Add(2*time.Hour))})
	apply(3, Event{Type: SessionCreated, Time: t0, Session: session("h3", "bob", t0.Add(3*time.Hour))})
	apply(4, Event{Type: SessionCreated, Time: t0, Session: session("h4", "carol", t0.Add(4*time.Hour))})

	if got := s.Auth.Session("h1", t0.Add(30*time.Minute)); got == nil || got.Username != "alice" {
		t.Fatalf("got %+v; want alice's live session", got)
	}
	if got := s.Auth.Session("h1", t0.Add(time.Hour)); got != nil {
		t.Fatalf("got a session at its expiry instant; want none")
	}

	apply(5, Event{Type: SessionRevoked, TokenHash: "h4"})
	if got := sessionHashes(s.Auth); !slices.Equal(got, []string{"h1", "h2", "h3"}) {
		t.Fatalf("after revoke: got %v", got)
	}
	apply(6, Event{Type: SessionsExpired, Time: t0.Add(time.Hour)})
	if got := sessionHashes(s.Auth); !slices.Equal(got, []string{"h2", "h3"}) {
		t.Fatalf("after expiry at 1h: got %v; want sessions expiring at or before it gone", got)
	}
	apply(7, Event{Type: SessionsRevoked, Username: "alice"})
	if got := sessionHashes(s.Auth); !slices.Equal(got, []string{"h3"}) {
		t.Fatalf("after revoking alice: got %v", got)
	}
	if s.Auth.Index != 7 {
		t.Fatalf("got index %d; want 7", s.Auth.Index)
	}
	apply(7, Event{Type: SessionRevoked, TokenHash: "h3"})
	if s.Auth.Sessions["h3"] == nil {
		t.Fatalf("an event at an applied index was applied again")
	}
}

func TestUserUpsertKeepsCreatedAt(t *testing.T) {
	s := New()
	u := User{ID: "u1", Username: "octo", Role: "readonly", Provider: "github", GitHubID: "42", CreatedAt: t0, UpdatedAt: t0}
	if err := s.Apply(1, &Event{Type: UserUpserted, User: &u}); err != nil {
		t.Fatal(err)
	}
	later := u
	later.Role, later.CreatedAt, later.UpdatedAt = "admin", t0.Add(time.Hour), t0.Add(time.Hour)
	if err := s.Apply(2, &Event{Type: UserUpserted, User: &later}); err != nil {
		t.Fatal(err)
	}
	got := s.Auth.UserByGitHubID("42")
	if got == nil || got.Role != "admin" || !got.CreatedAt.Equal(t0) || !got.UpdatedAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("got %+v; want role admin, created t0 kept, updated 1h", got)
	}
	if s.Auth.UserByGitHubID("43") != nil {
		t.Fatalf("found a user for an unknown GitHub id")
	}
	later.Role = "mutated"
	if s.Auth.Users["u1"].Role != "admin" {
		t.Fatalf("the state shares the event's user")
	}
}

func TestAuthApplyRejects(t *testing.T) {
	for _, e := range []Event{
		{Type: SessionCreated},
		{Type: UserUpserted},
		{Type: JobPaused},
	} {
		s := New()
		if err := s.Apply(1, &e); err == nil {
			t.Fatalf("%s: got no error; want it refused", e.Type)
		}
		if s.Auth.Index != 0 {
			t.Fatalf("%s: a refused event moved the index", e.Type)
		}
	}
}
