package httpd

import (
	"bytes"
	"encoding/base64"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
	"golang.org/x/crypto/bcrypt"

	"github.com/dispatchoor/dispatchoor/actors/state"
)

type loginResult struct {
	Token string   `json:"token"`
	User  userView `json:"user"`
}

func (e *testEnv) login(username, password string, extra ...func(*request)) *response {
	e.t.Helper()
	r := request{method: "POST", path: "/api/v1/auth/login",
		body: `{"username":"` + username + `","password":"` + password + `"}`}
	for _, x := range extra {
		x(&r)
	}
	return e.do(r)
}

func TestLoginIssuesSessionAndCookie(t *testing.T) {
	env := newTestEnv(t)
	resp := env.login(adminUser, adminPass)
	wantStatus(t, resp, fasthttp.StatusOK)
	got := decode[loginResult](t, resp)

	if len(got.Token) != 44 || !strings.HasSuffix(got.Token, "=") {
		t.Fatalf("token %q: want 44 characters of padded base64url", got.Token)
	}
	if raw, err := base64.URLEncoding.DecodeString(got.Token); err != nil || len(raw) != 32 {
		t.Fatalf("token %q decodes to %d bytes (%v); want 32", got.Token, len(raw), err)
	}
	wantUser := userView{ID: BasicUserID(adminUser), Username: adminUser, Role: RoleAdmin, AuthProvider: ProviderBasic,
		CreatedAt: testEpoch, UpdatedAt: testEpoch}
	if got.User != wantUser {
		t.Fatalf("user = %+v; want %+v", got.User, wantUser)
	}

	env.fake.mu.Lock()
	sess, who := env.fake.lastSession, env.fake.lastWho
	_, stored := env.fake.sessions[HashToken(got.Token)]
	env.fake.mu.Unlock()
	if !stored || sess.TokenHash != HashToken(got.Token) || strings.Contains(sess.TokenHash, got.Token) {
		t.Fatalf("session stored under %q; want only the SHA-256 of the token", sess.TokenHash)
	}
	if sess.Provider != ProviderBasic || sess.Username != adminUser || sess.Role != RoleAdmin ||
		!sess.ExpiresAt.Equal(testEpoch.Add(DefaultSessionTTL)) || sess.ID == "" {
		t.Fatalf("session = %+v", sess)
	}
	if who.Username != adminUser || who.IP != "192.0.2.10" {
		t.Fatalf("who = %+v; want alice from 192.0.2.10", who)
	}

	cookie := resp.cookies[sessionCookie]
	for _, part := range []string{"session=" + got.Token, "max-age=86400", "path=/", "HttpOnly", "SameSite=Lax"} {
		if !strings.Contains(cookie, part) {
			t.Errorf("cookie %q lacks %q", cookie, part)
		}
	}
	if strings.Contains(strings.ToLower(cookie), "secure") {
		t.Errorf("cookie %q is Secure on a plain-HTTP request", cookie)
	}

	me := env.do(request{method: "GET", path: "/api/v1/auth/me", token: got.Token})
	wantStatus(t, me, fasthttp.StatusOK)
	if u := decode[userView](t, me); u != wantUser {
		t.Fatalf("me = %+v; want %+v", u, wantUser)
	}
}

func TestLoginCookieSecureBehindTrustedProxy(t *testing.T) {
	env := newTestEnv(t, func(o *Options) { o.TrustedProxies = []string{"10.0.0.0/8"} })
	https := func(from string) func(*request) {
		return func(r *request) {
			r.from = from
			r.headers = map[string]string{"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
		}
	}
	trusted := env.login(adminUser, adminPass, https("10.1.2.3:5000"))
	wantStatus(t, trusted, fasthttp.StatusOK)
	if c := trusted.cookies[sessionCookie]; !strings.Contains(c, "secure") {
		t.Fatalf("cookie via trusted https proxy = %q; want Secure", c)
	}
	env.fake.mu.Lock()
	ip := env.fake.lastWho.IP
	env.fake.mu.Unlock()
	if ip != "203.0.113.9" {
		t.Fatalf("session journaled from %q; want the forwarded client 203.0.113.9", ip)
	}
	untrusted := env.login(adminUser, adminPass, https("192.0.2.77:5000"))
	wantStatus(t, untrusted, fasthttp.StatusOK)
	if c := untrusted.cookies[sessionCookie]; strings.Contains(c, "secure") {
		t.Fatalf("cookie from an untrusted peer claiming https = %q; want not Secure", c)
	}
}

// countingCompare wraps the password comparison to record which hashes it
// was asked to compare against.
type countingCompare struct {
	mu     sync.Mutex
	hashes [][]byte
}

func (c *countingCompare) compare(hash, pw []byte) error {
	c.mu.Lock()
	c.hashes = append(c.hashes, hash)
	c.mu.Unlock()
	return bcrypt.CompareHashAndPassword(hash, pw)
}

func TestLoginAlwaysComparesOnce(t *testing.T) {
	env := newTestEnv(t)
	cc := &countingCompare{}
	env.srv.auth.compare = cc.compare
	f := func(user, pass string, wantCode int, wantHash []byte) {
		t.Helper()
		cc.mu.Lock()
		cc.hashes = nil
		cc.mu.Unlock()
		resp := env.login(user, pass)
		wantStatus(t, resp, wantCode)
		cc.mu.Lock()
		defer cc.mu.Unlock()
		if len(cc.hashes) != 1 {
			t.Fatalf("login %s: %d comparisons; want exactly 1", user, len(cc.hashes))
		}
		if !bytes.Equal(cc.hashes[0], wantHash) {
			t.Fatalf("login %s compared against the wrong hash", user)
		}
	}
	dummy := env.srv.auth.dummyHash
	alice := env.srv.auth.accounts[adminUser].hash
	f(adminUser, adminPass, 200, alice)
	f(adminUser, "wrong", 401, alice)
	// An unknown user costs the same bcrypt comparison, against the dummy.
	f("mallory", "whatever", 401, dummy)
	// Over-long passwords would be truncated by bcrypt: compared against
	// the dummy and refused.
	f(adminUser, adminPass+strings.Repeat("x", 80), 401, dummy)
}

func TestLoginRefusedWhenBasicAuthDisabled(t *testing.T) {
	env := newTestEnv(t, func(o *Options) { o.BasicAuthEnabled = false })
	resp := env.login(adminUser, adminPass)
	wantStatus(t, resp, fasthttp.StatusUnauthorized)
	if msg := resp.errorText(t); msg != "Invalid credentials" {
		t.Fatalf("error = %q", msg)
	}
	if n := env.fake.callCount("CreateSession"); n != 0 {
		t.Fatalf("CreateSession called %d times; want 0", n)
	}
}

func TestPasswordsHashedOnceAtDefaultCost(t *testing.T) {
	clock := newFakeClock()
	opts := Options{
		Service:          newFakeService(clock.Now),
		BasicAuthEnabled: true,
		BasicUsers:       []BasicUser{{Username: "u", Password: "p"}},
		Now:              clock.Now,
	}
	srv, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	acct := srv.auth.accounts["u"]
	if cost, err := bcrypt.Cost(acct.hash); err != nil || cost != 10 {
		t.Fatalf("bcrypt cost = %d (%v); want 10", cost, err)
	}
	if cost, _ := bcrypt.Cost(srv.auth.dummyHash); cost != 10 {
		t.Fatalf("dummy hash cost = %d; want 10 so unknown users take as long", cost)
	}
	if acct.role != RoleReadonly {
		t.Fatalf("empty role became %q; want readonly", acct.role)
	}
	if _, err := New(Options{Service: opts.Service, BasicUsers: []BasicUser{{Username: "u", Password: strings.Repeat("p", 73)}}}); err == nil {
		t.Fatal("New accepted a password bcrypt would truncate")
	}
}

func TestTokenSources(t *testing.T) {
	whoami := func(ctx *fasthttp.RequestCtx) { ctx.SetBodyString(PrincipalFrom(ctx).Username) }
	env := newTestEnvWithRoutes(t, []Route{
		{Method: "GET", Path: "/api/v1/ws-like", Tier: TierAuthenticated, Access: AccessUser, QueryToken: true, Handler: whoami},
	})
	tok := env.adminToken()
	f := func(name string, r request, want int) {
		t.Helper()
		if r.method == "" {
			r.method = "GET"
		}
		resp := env.do(r)
		if resp.status != want {
			t.Fatalf("%s: status %d; want %d (body %s)", name, resp.status, want, resp.body)
		}
	}
	me := "/api/v1/auth/me"
	f("bearer", request{path: me, token: tok}, 200)
	f("bearer, any case", request{path: me, headers: map[string]string{"Authorization": "bEaReR " + tok}}, 200)
	f("bare token", request{path: me, headers: map[string]string{"Authorization": tok}}, 200)
	f("cookie", request{path: me, headers: map[string]string{"Cookie": "session=" + tok}}, 200)
	f("query token on a REST route", request{path: me + "?token=" + tok}, 401)
	f("header wins over cookie", request{path: me, headers: map[string]string{"Authorization": "Bearer bad", "Cookie": "session=" + tok}}, 401)
	f("unknown token", request{path: me, token: "not-a-session"}, 401)
	f("query token where allowed", request{path: "/api/v1/ws-like?token=" + tok}, 200)
}

func TestSessionsRejectedWhenLoginNoLongerAllowed(t *testing.T) {
	env := newTestEnv(t)
	f := func(name string, s state.Session, path string, want int) {
		t.Helper()
		tok := env.sessionWith(s)
		resp := env.do(request{method: "GET", path: path, token: tok})
		if resp.status != want {
			t.Fatalf("%s: status %d; want %d", name, resp.status, want)
		}
	}
	// A basic user removed from the config keeps no access.
	f("removed basic user", state.Session{Username: "mallory", Role: RoleAdmin, Provider: ProviderBasic}, "/api/v1/auth/me", 401)
	// The role comes from the config, not the session: a demoted user is
	// read-only at once.
	tok := env.sessionWith(state.Session{Username: readonlyUser, Role: RoleAdmin, Provider: ProviderBasic})
	wantStatus(t, env.do(request{method: "POST", path: "/api/v1/runners/refresh", token: tok}), fasthttp.StatusForbidden)
	// GitHub sessions need GitHub auth switched on.
	f("github session, github auth off", state.Session{Username: "octo", Role: RoleAdmin, Provider: ProviderGitHub}, "/api/v1/auth/me", 401)
	f("unknown provider", state.Session{Username: adminUser, Role: RoleAdmin, Provider: "ldap"}, "/api/v1/auth/me", 401)

	ghEnv := newTestEnv(t, func(o *Options) { o.GitHubAuthEnabled = true })
	ghTok := ghEnv.sessionWith(state.Session{Username: "octo", Role: RoleAdmin, Provider: ProviderGitHub})
	resp := ghEnv.do(request{method: "GET", path: "/api/v1/auth/me", token: ghTok})
	wantStatus(t, resp, fasthttp.StatusOK)
	if u := decode[userView](t, resp); u.Username != "octo" || u.AuthProvider != ProviderGitHub || u.Role != RoleAdmin {
		t.Fatalf("github me = %+v", u)
	}
}

func TestExpiredSessionRejected(t *testing.T) {
	env := newTestEnv(t)
	tok := env.sessionWith(state.Session{Username: adminUser, Provider: ProviderBasic, ExpiresAt: testEpoch.Add(time.Minute)})
	wantStatus(t, env.do(request{method: "GET", path: "/api/v1/auth/me", token: tok}), fasthttp.StatusOK)
	env.clock.Advance(time.Minute)
	wantStatus(t, env.do(request{method: "GET", path: "/api/v1/auth/me", token: tok}), fasthttp.StatusUnauthorized)
}

func TestLogout(t *testing.T) {
	env := newTestEnv(t)
	login := decode[loginResult](t, env.login(adminUser, adminPass))
	other := env.adminToken()

	resp := env.do(request{method: "POST", path: "/api/v1/auth/logout", headers: map[string]string{"Cookie": "session=" + login.Token}})
	wantStatus(t, resp, fasthttp.StatusNoContent)
	if c := resp.cookies[sessionCookie]; !strings.Contains(c, "session=;") || !strings.Contains(c, "max-age=0") {
		t.Fatalf("logout cookie = %q; want it cleared", c)
	}
	wantStatus(t, env.do(request{method: "GET", path: "/api/v1/auth/me", token: login.Token}), fasthttp.StatusUnauthorized)
	// Only the presented session ends.
	wantStatus(t, env.do(request{method: "GET", path: "/api/v1/auth/me", token: other}), fasthttp.StatusOK)
}

func TestBasicUserIDIsStableUUID(t *testing.T) {
	id := BasicUserID("alice")
	if id != BasicUserID("alice") || id == BasicUserID("bob") {
		t.Fatal("basic user ids must be stable and distinct")
	}
	if len(id) != 36 || id[14] != '5' || !strings.ContainsAny(id[19:20], "89ab") {
		t.Fatalf("id %q is not a version-5 style UUID", id)
	}
}
