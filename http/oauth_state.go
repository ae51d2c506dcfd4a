package httpd

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// stateTTL is how long a sign-in may take from the redirect to GitHub to
// the callback.
const stateTTL = 5 * time.Minute

// stateClockSkew tolerates a state issued by a node whose clock runs ahead.
const stateClockSkew = time.Minute

// bindingCookie ties a state to the browser that started the sign-in
// (double submit): a state stolen from, or planted in, another browser
// fails the signature check because that browser's cookie differs.
const bindingCookie = "dispatchoor_oauth"

const (
	stateVersion  = 1
	nonceLen      = 16
	bindingLen    = 32
	statePrefix   = 1 + 8 + nonceLen // version, issued-at seconds, nonce
	stateKeyLabel = "dispatchoor oauth state v1"
)

// Reasons a state is refused. The client is told only that the state is
// invalid or expired; the reason goes to the log.
var (
	errStateMalformed = errors.New("malformed state")
	errStateUnbound   = errors.New("no sign-in cookie")
	errStateSignature = errors.New("state signature does not match")
	errStateExpired   = errors.New("state expired")
	errStateReused    = errors.New("state already used")
)

// stateSigner mints and redeems signed states. A state is
//
//	base64url(version | issued-at | nonce | redirect) "." base64url(mac)
//
// where mac = HMAC-SHA256(key, payload | 0 | binding cookie), so checking it
// needs no storage and works on any node with the same key. Redeemed nonces
// are remembered until their state would have expired anyway, which makes a
// state single-use on this node.
type stateSigner struct {
	key []byte
	now func() time.Time

	mu        sync.Mutex
	used      map[[nonceLen]byte]time.Time // nonce → when it can be forgotten
	nextSweep time.Time
}

// newStateSigner derives the signing key from the client secret and the
// per-deployment key, so that neither alone is enough to forge a state.
func newStateSigner(clientSecret string, deploymentKey []byte, now func() time.Time) *stateSigner {
	mac := hmac.New(sha256.New, []byte(clientSecret))
	mac.Write([]byte(stateKeyLabel))
	mac.Write([]byte{0})
	mac.Write(deploymentKey)
	return &stateSigner{key: mac.Sum(nil), now: now, used: map[[nonceLen]byte]time.Time{}}
}

// mint returns a state for a sign-in started by the browser holding
// binding, returning to redirect ("" for the default).
func (s *stateSigner) mint(random io.Reader, binding, redirect string) (string, error) {
	payload := make([]byte, statePrefix, statePrefix+len(redirect))
	payload[0] = stateVersion
	binary.BigEndian.PutUint64(payload[1:9], uint64(s.now().Unix()))
	if _, err := io.ReadFull(random, payload[9:statePrefix]); err != nil {
		return "", fmt.Errorf("state nonce: %w", err)
	}
	payload = append(payload, redirect...)
	enc := base64.RawURLEncoding
	return enc.EncodeToString(payload) + "." + enc.EncodeToString(s.sign(payload, binding)), nil
}

func (s *stateSigner) sign(payload []byte, binding string) []byte {
	mac := hmac.New(sha256.New, s.key)
	mac.Write(payload)
	mac.Write([]byte{0})
	mac.Write([]byte(binding))
	return mac.Sum(nil)
}

// redeem checks a state against the browser's binding cookie and returns
// its redirect target. A state redeems at most once, whatever the outcome
// of the sign-in that follows.
func (s *stateSigner) redeem(st, binding string) (string, error) {
	if binding == "" {
		return "", errStateUnbound
	}
	body, sig, ok := strings.Cut(st, ".")
	if !ok {
		return "", errStateMalformed
	}
	enc := base64.RawURLEncoding
	payload, err1 := enc.DecodeString(body)
	mac, err2 := enc.DecodeString(sig)
	if err1 != nil || err2 != nil || len(payload) < statePrefix || payload[0] != stateVersion {
		return "", errStateMalformed
	}
	if !hmac.Equal(mac, s.sign(payload, binding)) {
		return "", errStateSignature
	}
	issued := time.Unix(int64(binary.BigEndian.Uint64(payload[1:9])), 0)
	now := s.now()
	if now.Sub(issued) > stateTTL || issued.Sub(now) > stateClockSkew {
		return "", errStateExpired
	}
	var nonce [nonceLen]byte
	copy(nonce[:], payload[9:statePrefix])
	if !s.markUsed(nonce, issued.Add(stateTTL+stateClockSkew), now) {
		return "", errStateReused
	}
	return string(payload[statePrefix:]), nil
}

// markUsed records a nonce, reporting false if it was already recorded.
func (s *stateSigner) markUsed(nonce [nonceLen]byte, forgetAt, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !now.Before(s.nextSweep) {
		for n, at := range s.used {
			if !now.Before(at) {
				delete(s.used, n)
			}
		}
		s.nextSweep = now.Add(stateTTL)
	}
	if _, seen := s.used[nonce]; seen {
		return false
	}
	s.used[nonce] = forgetAt
	return true
}

// newBinding returns a fresh binding cookie value.
func newBinding(random io.Reader) (string, error) {
	b := make([]byte, bindingLen)
	if _, err := io.ReadFull(random, b); err != nil {
		return "", fmt.Errorf("sign-in cookie: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// validBinding reports whether a cookie value could have come from
// newBinding; anything else is replaced rather than trusted.
func validBinding(v string) bool {
	b, err := base64.RawURLEncoding.DecodeString(v)
	return err == nil && len(b) == bindingLen
}
