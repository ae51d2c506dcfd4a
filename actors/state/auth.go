package state

import (
	"fmt"
	"time"
)

var zeroTime time.Time

// AuthState is the auth partition: sessions and GitHub users.
type AuthState struct {
	Index    uint64
	Sessions map[string]*Session // by token hash
	Users    map[string]*User    // by user id
}

// NewAuthState returns an empty auth partition.
func NewAuthState() *AuthState {
	return &AuthState{Sessions: map[string]*Session{}, Users: map[string]*User{}}
}

// Apply applies an auth event.
func (a *AuthState) Apply(idx uint64, e *Event) error {
	if idx != 0 && idx <= a.Index {
		return nil
	}
	switch e.Type {
	case SessionCreated:
		if e.Session == nil {
			return fmt.Errorf("apply %s: no session", e.Type)
		}
		s := *e.Session
		a.Sessions[s.TokenHash] = &s
	case SessionRevoked:
		delete(a.Sessions, e.TokenHash)
	case SessionsRevoked:
		for h, s := range a.Sessions {
			if s.Username == e.Username {
				delete(a.Sessions, h)
			}
		}
	case SessionsExpired:
		for h, s := range a.Sessions {
			if !s.ExpiresAt.After(e.Time) {
				delete(a.Sessions, h)
			}
		}
	case UserUpserted:
		if e.User == nil {
			return fmt.Errorf("apply %s: no user", e.Type)
		}
		u := *e.User
		if old, ok := a.Users[u.ID]; ok {
			u.CreatedAt = old.CreatedAt
		}
		a.Users[u.ID] = &u
	default:
		return fmt.Errorf("apply: unknown event type %q for auth partition", e.Type)
	}
	if idx != 0 {
		a.Index = idx
	}
	return nil
}

// Session returns a live session for a token hash at time now, or nil.
func (a *AuthState) Session(hash string, now time.Time) *Session {
	s := a.Sessions[hash]
	if s == nil || !s.ExpiresAt.After(now) {
		return nil
	}
	return s
}

// UserByGitHubID finds a GitHub user.
func (a *AuthState) UserByGitHubID(id string) *User {
	for _, u := range a.Users {
		if u.GitHubID == id {
			return u
		}
	}
	return nil
}
