package actors

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/dispatchoor/dispatchoor/actors/state"
)

// authOwner owns the auth partition (sessions and GitHub users). Its
// commands are few and tiny, so a mutex serialises them instead of a
// mailbox; session lookups, which every request makes, read a copy-on-write
// map without taking the lock.
type authOwner struct {
	sys *System

	mu   sync.Mutex
	st   *state.AuthState
	last *batch

	sessions sync.Map // token hash -> *state.Session (immutable copies)
}

func newAuthOwner(sys *System, st *state.AuthState) *authOwner {
	a := &authOwner{sys: sys, st: st}
	for h, sess := range st.Sessions {
		c := *sess
		a.sessions.Store(h, &c)
	}
	return a
}

// commit applies and journals auth events under the owner's lock.
func (a *authOwner) commit(ctx context.Context, events []state.Event) error {
	if len(events) == 0 {
		return nil
	}
	if err := a.sys.Err(); err != nil {
		return fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	a.mu.Lock()
	b, first, err := a.sys.submit(events, func(idx uint64, e *state.Event) error {
		if err := a.st.Apply(idx, e); err != nil {
			return err
		}
		a.mirror(e)
		return nil
	})
	if err == nil {
		a.last = b
		pub := make([]Committed, len(events))
		for i := range events {
			pub[i] = Committed{Index: first + uint64(i), Event: &events[i]}
		}
		b.setPrepared(pub)
	}
	a.mu.Unlock()
	if err != nil {
		return err
	}
	return b.Wait(ctx)
}

// mirror keeps the lock-free lookup map in step with the partition.
func (a *authOwner) mirror(e *state.Event) {
	switch e.Type {
	case state.SessionCreated:
		c := *e.Session
		a.sessions.Store(c.TokenHash, &c)
	case state.SessionRevoked:
		a.sessions.Delete(e.TokenHash)
	case state.SessionsRevoked, state.SessionsExpired:
		a.sessions.Range(func(k, _ any) bool {
			if _, ok := a.st.Sessions[k.(string)]; !ok {
				a.sessions.Delete(k)
			}
			return true
		})
	}
}

func (a *authOwner) capture(floor uint64) (uint64, []byte, *batch, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.st.Index < floor {
		a.st.Index = floor
	}
	data, err := a.st.MarshalAuth()
	last := a.last
	if last == nil {
		last = durableBatch()
	}
	return a.st.Index, data, last, err
}

// revokeRemovedUsers revokes the sessions of basic users that are no longer
// configured.
func (a *authOwner) revokeRemovedUsers(ctx context.Context, configured []string) error {
	a.mu.Lock()
	gone := map[string]bool{}
	for _, s := range a.st.Sessions {
		if s.Provider == "basic" && !slices.Contains(configured, s.Username) {
			gone[s.Username] = true
		}
	}
	a.mu.Unlock()
	var events []state.Event
	m := a.sys.meta(Who{Username: state.ActorConfig})
	for u := range gone {
		events = append(events, state.Event{Type: state.SessionsRevoked, Time: m.Time, Actor: m.Actor,
			Username: u, Reason: "user removed from config"})
	}
	slices.SortFunc(events, func(x, y state.Event) int {
		if x.Username < y.Username {
			return -1
		}
		return 1
	})
	return a.commit(ctx, events)
}

// CreateSession journals a new session. Only the token's hash is given.
func (s *System) CreateSession(ctx context.Context, who Who, sess state.Session) error {
	if sess.TokenHash == "" {
		return state.Invalidf("session without token hash")
	}
	m := s.meta(who)
	if sess.ID == "" {
		sess.ID = m.NewID()
	}
	if sess.CreatedAt.IsZero() {
		sess.CreatedAt = m.Time
	}
	e := state.Event{Type: state.SessionCreated, Time: m.Time, Actor: who.Username, IP: who.IP, Session: &sess}
	return s.auth.commit(ctx, []state.Event{e})
}

// LookupSession finds a live session by token hash without blocking.
func (s *System) LookupSession(tokenHash string) (*state.Session, bool) {
	v, ok := s.auth.sessions.Load(tokenHash)
	if !ok {
		return nil, false
	}
	sess := v.(*state.Session)
	if !sess.ExpiresAt.After(s.opts.Now()) {
		return nil, false
	}
	c := *sess
	return &c, true
}

// RevokeSession ends one session (logout).
func (s *System) RevokeSession(ctx context.Context, who Who, tokenHash string) error {
	m := s.meta(who)
	e := state.Event{Type: state.SessionRevoked, Time: m.Time, Actor: who.Username, IP: who.IP, TokenHash: tokenHash}
	return s.auth.commit(ctx, []state.Event{e})
}

// RevokeUserSessions ends every session of a user (role changed, removed).
func (s *System) RevokeUserSessions(ctx context.Context, who Who, username, reason string) error {
	m := s.meta(who)
	e := state.Event{Type: state.SessionsRevoked, Time: m.Time, Actor: who.Username, IP: who.IP, Username: username, Reason: reason}
	return s.auth.commit(ctx, []state.Event{e})
}

// UpsertUser remembers a GitHub-authenticated user.
func (s *System) UpsertUser(ctx context.Context, who Who, u state.User) error {
	m := s.meta(who)
	if u.CreatedAt.IsZero() {
		u.CreatedAt = m.Time
	}
	u.UpdatedAt = m.Time
	e := state.Event{Type: state.UserUpserted, Time: m.Time, Actor: who.Username, IP: who.IP, User: &u}
	return s.auth.commit(ctx, []state.Event{e})
}

// UserByGitHubID finds a remembered GitHub user.
func (s *System) UserByGitHubID(githubID string) (state.User, bool) {
	s.auth.mu.Lock()
	defer s.auth.mu.Unlock()
	u := s.auth.st.UserByGitHubID(githubID)
	if u == nil {
		return state.User{}, false
	}
	return *u, true
}

// expireSessions journals the removal of expired sessions, if any.
func (a *authOwner) expireSessions(ctx context.Context, now time.Time) error {
	a.mu.Lock()
	any := false
	for _, s := range a.st.Sessions {
		if !s.ExpiresAt.After(now) {
			any = true
			break
		}
	}
	a.mu.Unlock()
	if !any {
		return nil
	}
	return a.commit(ctx, []state.Event{{Type: state.SessionsExpired, Time: now, Actor: state.ActorSystem}})
}
