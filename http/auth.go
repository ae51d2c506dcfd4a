package httpd

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/valyala/fasthttp"
	"golang.org/x/crypto/bcrypt"

	"github.com/dispatchoor/dispatchoor/actors/state"
)

// Session providers.
const (
	ProviderBasic  = "basic"
	ProviderGitHub = "github"
)

// sessionCookie is the cookie that carries the token for browsers.
const sessionCookie = "session"

// maxPasswordBytes is bcrypt's limit; longer passwords would be silently
// truncated by the comparison, so they are refused.
const maxPasswordBytes = 72

// Principal is the authenticated caller of a request.
type Principal struct {
	UserID   string
	Username string
	// Role is the current role: for basic users it comes from the config,
	// not from the session, so a demotion takes effect at once.
	Role      string
	Provider  string
	TokenHash string
	SessionID string
	ExpiresAt time.Time

	userCreatedAt time.Time
}

// IsAdmin reports whether the principal passes admin checks. Any role other
// than "admin" is read-only, as in the reference.
func (p *Principal) IsAdmin() bool { return p.Role == RoleAdmin }

func (p *Principal) user() userView {
	return userView{
		ID: p.UserID, Username: p.Username, Role: p.Role, AuthProvider: p.Provider,
		CreatedAt: p.userCreatedAt, UpdatedAt: p.userCreatedAt,
	}
}

type principalKey struct{}

// PrincipalFrom returns the principal the server authenticated for this
// request, or nil on public routes.
func PrincipalFrom(ctx *fasthttp.RequestCtx) *Principal {
	p, _ := ctx.UserValue(principalKey{}).(*Principal)
	return p
}

// basicAccount is a configured user with its password hashed once.
type basicAccount struct {
	id, username, role string
	hash               []byte
}

// authenticator checks passwords and sessions.
type authenticator struct {
	basicEnabled  bool
	githubEnabled bool
	accounts      map[string]*basicAccount
	// dummyHash is compared against when the username is unknown, so that
	// a login takes one bcrypt comparison whether or not the user exists
	// and its timing does not reveal valid usernames.
	dummyHash []byte
	// compare is bcrypt.CompareHashAndPassword, which runs in constant time
	// in the password; tests wrap it to check that it is always called.
	compare   func(hash, password []byte) error
	svc       Service
	now       func() time.Time
	createdAt time.Time
}

func newAuthenticator(o *Options) (*authenticator, error) {
	cost := o.bcryptCost
	if cost == 0 {
		cost = bcrypt.DefaultCost
	}
	a := &authenticator{
		basicEnabled:  o.BasicAuthEnabled,
		githubEnabled: o.GitHubAuthEnabled,
		accounts:      map[string]*basicAccount{},
		compare:       bcrypt.CompareHashAndPassword,
		svc:           o.Service,
		now:           o.Now,
		createdAt:     o.Now(),
	}
	for _, u := range o.BasicUsers {
		if len(u.Password) > maxPasswordBytes {
			return nil, fmt.Errorf("basic user %q: password longer than %d bytes", u.Username, maxPasswordBytes)
		}
		hash, err := bcrypt.GenerateFromPassword([]byte(u.Password), cost)
		if err != nil {
			return nil, fmt.Errorf("hash password of basic user %q: %w", u.Username, err)
		}
		role := u.Role
		if role == "" {
			role = RoleReadonly
		}
		a.accounts[u.Username] = &basicAccount{id: BasicUserID(u.Username), username: u.Username, role: role, hash: hash}
	}
	dummy := make([]byte, 24)
	if _, err := io.ReadFull(o.random, dummy); err != nil {
		return nil, fmt.Errorf("dummy password: %w", err)
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(hex.EncodeToString(dummy)), cost)
	if err != nil {
		return nil, fmt.Errorf("hash dummy password: %w", err)
	}
	a.dummyHash = hash
	return a, nil
}

// checkPassword returns the account for a correct username and password.
// It performs exactly one bcrypt comparison on every path.
func (a *authenticator) checkPassword(username, password string) (*basicAccount, bool) {
	acct := a.accounts[username]
	hash := a.dummyHash
	if acct != nil && len(password) <= maxPasswordBytes {
		hash = acct.hash
	}
	err := a.compare(hash, []byte(password))
	if acct == nil || len(password) > maxPasswordBytes || err != nil || !a.basicEnabled {
		return nil, false
	}
	return acct, true
}

// principal turns a live session into a principal, or refuses it when the
// login method behind it is no longer allowed: a basic user removed from the
// config (the reference let them log in forever), or a provider switched off.
func (a *authenticator) principal(s *state.Session) (*Principal, bool) {
	p := &Principal{
		UserID: s.UserID, Username: s.Username, Role: s.Role, Provider: s.Provider,
		TokenHash: s.TokenHash, SessionID: s.ID, ExpiresAt: s.ExpiresAt, userCreatedAt: s.CreatedAt,
	}
	switch s.Provider {
	case ProviderBasic:
		acct := a.accounts[s.Username]
		if !a.basicEnabled || acct == nil {
			return nil, false
		}
		p.UserID, p.Role, p.userCreatedAt = acct.id, acct.role, a.createdAt
	case ProviderGitHub:
		if !a.githubEnabled {
			return nil, false
		}
	default:
		return nil, false
	}
	return p, true
}

// Authenticate finds the caller's session: the Authorization header
// ("Bearer <token>" or a bare token), then the session cookie, then, only
// when allowQueryToken is set (the WebSocket route), the token query
// parameter. It returns ErrUnauthenticated when none yields a live session.
func (s *Server) Authenticate(ctx *fasthttp.RequestCtx, allowQueryToken bool) (*Principal, error) {
	tok := tokenFrom(ctx, allowQueryToken)
	if tok == "" {
		return nil, ErrUnauthenticated
	}
	sess, ok := s.svc.LookupSession(HashToken(tok))
	if !ok || sess == nil || !sess.ExpiresAt.After(s.opts.Now()) {
		return nil, ErrUnauthenticated
	}
	p, ok := s.auth.principal(sess)
	if !ok {
		return nil, ErrUnauthenticated
	}
	return p, nil
}

func tokenFrom(ctx *fasthttp.RequestCtx, allowQueryToken bool) string {
	if h := strings.TrimSpace(string(ctx.Request.Header.Peek(fasthttp.HeaderAuthorization))); h != "" {
		if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
			return strings.TrimSpace(h[7:])
		}
		return h
	}
	if c := ctx.Request.Header.Cookie(sessionCookie); len(c) > 0 {
		return string(c)
	}
	if allowQueryToken {
		return string(ctx.QueryArgs().Peek("token"))
	}
	return ""
}

// HashToken is how a session token is stored: hex SHA-256.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// newToken returns 32 random bytes in base64url with padding (44
// characters), the reference's token format.
func newToken(r io.Reader) (string, error) {
	b := make([]byte, 32)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", fmt.Errorf("session token: %w", err)
	}
	return base64.URLEncoding.EncodeToString(b), nil
}

// newUUID returns a random (version 4) UUID.
func newUUID(r io.Reader) (string, error) {
	var b [16]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return "", fmt.Errorf("uuid: %w", err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return formatUUID(b), nil
}

// BasicUserID is the stable user id of a basic user: a name-based (version
// 5 style) UUID of "basic:"+username, so it survives restarts without being
// stored anywhere.
func BasicUserID(username string) string {
	sum := sha1.Sum([]byte("basic:" + username))
	var b [16]byte
	copy(b[:], sum[:16])
	b[6] = b[6]&0x0f | 0x50
	b[8] = b[8]&0x3f | 0x80
	return formatUUID(b)
}

func formatUUID(b [16]byte) string {
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// setSessionCookie sets (maxAge > 0) or clears (maxAge < 0) the session
// cookie. Secure is set when the client reached us over HTTPS, so a cookie
// issued over https is never sent back in clear.
func (s *Server) setSessionCookie(ctx *fasthttp.RequestCtx, value string, maxAge int) {
	c := fasthttp.AcquireCookie()
	defer fasthttp.ReleaseCookie(c)
	c.SetKey(sessionCookie)
	c.SetValue(value)
	c.SetPath("/")
	c.SetHTTPOnly(true)
	c.SetSameSite(fasthttp.CookieSameSiteLaxMode)
	c.SetMaxAge(maxAge)
	c.SetSecure(s.proxies.isHTTPS(ctx))
	ctx.Response.Header.SetCookie(c)
}
