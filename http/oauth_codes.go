package httpd

import (
	"encoding/base64"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/dispatchoor/dispatchoor/actors/state"
)

// codeTTL is how long the UI has to exchange the code it was handed.
const codeTTL = 30 * time.Second

// codeStore holds the one-time codes of finished sign-ins until the UI
// exchanges them. Codes are kept by hash, so a memory dump does not yield
// usable codes, and are deleted when looked up, so each is single-use even
// when the lookup finds it expired.
type codeStore struct {
	now func() time.Time

	mu    sync.Mutex
	codes map[string]pendingLogin // by HashToken(code)
}

// pendingLogin is a signed-in user waiting for their session.
type pendingLogin struct {
	user    state.User
	expires time.Time
}

func newCodeStore(now func() time.Time) *codeStore {
	return &codeStore{now: now, codes: map[string]pendingLogin{}}
}

// issue returns a new code for u.
func (c *codeStore) issue(random io.Reader, u state.User) (string, error) {
	b := make([]byte, 32)
	if _, err := io.ReadFull(random, b); err != nil {
		return "", fmt.Errorf("one-time code: %w", err)
	}
	code := base64.RawURLEncoding.EncodeToString(b)
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	// Codes are made only by successful sign-ins, so sweeping on each
	// issue keeps the map small without a timer.
	for h, p := range c.codes {
		if !now.Before(p.expires) {
			delete(c.codes, h)
		}
	}
	c.codes[HashToken(code)] = pendingLogin{user: u, expires: now.Add(codeTTL)}
	return code, nil
}

// take redeems a code: it returns the user once, and never after expiry.
func (c *codeStore) take(code string) (state.User, bool) {
	h := HashToken(code)
	c.mu.Lock()
	p, ok := c.codes[h]
	delete(c.codes, h)
	c.mu.Unlock()
	if !ok || !c.now().Before(p.expires) {
		return state.User{}, false
	}
	return p.user, true
}
