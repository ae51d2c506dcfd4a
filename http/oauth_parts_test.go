package httpd

import (
	"bytes"
	"context"
	"errors"
	"maps"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/dispatchoor/dispatchoor/actors/state"
)

func TestGitHubEndpointDerivation(t *testing.T) {
	cases := []struct {
		api, web            string
		authorize, token, v string
	}{
		{"", "", "https://github.com/login/oauth/authorize", "https://github.com/login/oauth/access_token", "https://api.github.com/"},
		{"https://api.github.com", "", "https://github.com/login/oauth/authorize", "https://github.com/login/oauth/access_token", "https://api.github.com/"},
		{"https://ghe.corp.example/api/v3/", "", "https://ghe.corp.example/login/oauth/authorize",
			"https://ghe.corp.example/login/oauth/access_token", "https://ghe.corp.example/api/v3/"},
		{"https://ghe.corp.example:8443/api/v3", "", "https://ghe.corp.example:8443/login/oauth/authorize",
			"https://ghe.corp.example:8443/login/oauth/access_token", "https://ghe.corp.example:8443/api/v3/"},
		{"https://api.octocorp.ghe.com/", "", "https://octocorp.ghe.com/login/oauth/authorize",
			"https://octocorp.ghe.com/login/oauth/access_token", "https://api.octocorp.ghe.com/"},
		{"http://127.0.0.1:9999/", "", "http://127.0.0.1:9999/login/oauth/authorize",
			"http://127.0.0.1:9999/login/oauth/access_token", "http://127.0.0.1:9999/"},
		{"http://127.0.0.1:9999/api/v3/", "", "http://127.0.0.1:9999/login/oauth/authorize",
			"http://127.0.0.1:9999/login/oauth/access_token", "http://127.0.0.1:9999/api/v3/"},
		{"https://api.github.com/", "https://sso.example/gh", "https://sso.example/gh/login/oauth/authorize",
			"https://sso.example/gh/login/oauth/access_token", "https://api.github.com/"},
	}
	for _, tc := range cases {
		ep, err := githubEndpointsFor(tc.api, tc.web)
		if err != nil {
			t.Fatalf("%q, %q: %v", tc.api, tc.web, err)
		}
		if ep.authorize != tc.authorize || ep.token != tc.token || ep.api != tc.v {
			t.Errorf("%q, %q: got %+v; want %s, %s, %s", tc.api, tc.web, ep, tc.authorize, tc.token, tc.v)
		}
	}
	for _, bad := range []string{"api.github.com", "ftp://x/", "https://u:p@api.github.com/", "https://api.github.com/?x=1", "http://%zz"} {
		if _, err := githubEndpointsFor(bad, ""); err == nil {
			t.Errorf("api url %q accepted", bad)
		}
	}
}

func TestRoleMapperHighestRoleWhateverTheOrder(t *testing.T) {
	m, err := newRoleMapper(map[string]string{"Root": RoleAdmin},
		map[string]string{"Viewers": RoleReadonly, "ops": RoleAdmin, "more-viewers": RoleReadonly})
	if err != nil {
		t.Fatal(err)
	}
	if role, ok := m.userRole("ROOT"); !ok || role != RoleAdmin {
		t.Fatalf("user mapping: %q %v", role, ok)
	}
	if _, ok := m.userRole("rooted"); ok {
		t.Fatal("user mapping matched a different login")
	}
	orgs := []string{"viewers", "stray", "OPS", "More-Viewers"}
	rng := rand.New(rand.NewSource(1))
	for range 50 {
		rng.Shuffle(len(orgs), func(i, j int) { orgs[i], orgs[j] = orgs[j], orgs[i] })
		if role, org, ok := m.orgRole(orgs); !ok || role != RoleAdmin || org != "OPS" {
			t.Fatalf("orgRole(%v) = %q via %q; want admin via OPS", orgs, role, org)
		}
	}
	// Equal roles: the same organisation is named whatever the order.
	for _, o := range [][]string{{"viewers", "More-Viewers"}, {"More-Viewers", "viewers"}} {
		if role, org, _ := m.orgRole(o); role != RoleReadonly || org != "More-Viewers" {
			t.Fatalf("orgRole(%v) = %q via %q", o, role, org)
		}
	}
	if _, _, ok := m.orgRole([]string{"stray"}); ok {
		t.Fatal("an unmapped organisation granted a role")
	}
}

func TestRoleMapperRefusesBadMappings(t *testing.T) {
	cases := map[string][2]map[string]string{
		"unknown role":       {{"a": "superuser"}, nil},
		"empty role":         {nil, {"org": ""}},
		"empty login":        {{"": RoleAdmin}, nil},
		"case duplicate":     {{"Alice": RoleAdmin, "alice": RoleReadonly}, nil},
		"case duplicate 2":   {nil, {"ACME": RoleReadonly, "acme": RoleReadonly}},
		"role in wrong case": {{"a": "Admin"}, nil},
	}
	for name, m := range cases {
		if _, err := newRoleMapper(m[0], m[1]); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestStateSigner(t *testing.T) {
	clock := newFakeClock()
	s := newStateSigner("secret", []byte("deployment"), clock.Now)
	random := rand.New(rand.NewSource(2))
	mint := func(binding, redirect string) string {
		t.Helper()
		st, err := s.mint(random, binding, redirect)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	st := mint("browser-a", "/groups/g1")
	if _, err := s.redeem(st, "browser-b"); !errors.Is(err, errStateSignature) {
		t.Fatalf("other browser: %v", err)
	}
	if _, err := s.redeem(st, ""); !errors.Is(err, errStateUnbound) {
		t.Fatalf("no cookie: %v", err)
	}
	clock.Advance(stateTTL)
	if got, err := s.redeem(st, "browser-a"); err != nil || got != "/groups/g1" {
		t.Fatalf("at exactly the TTL: %q, %v", got, err)
	}
	if _, err := s.redeem(st, "browser-a"); !errors.Is(err, errStateReused) {
		t.Fatalf("second redeem: %v", err)
	}

	late := mint("browser-a", "")
	clock.Advance(stateTTL + time.Second)
	if _, err := s.redeem(late, "browser-a"); !errors.Is(err, errStateExpired) {
		t.Fatalf("expired: %v", err)
	}
	// A state from a node whose clock runs a little ahead is accepted; one
	// from far in the future is not.
	ahead := newStateSigner("secret", []byte("deployment"), func() time.Time { return clock.Now().Add(stateClockSkew) })
	if st, _ := ahead.mint(random, "b", ""); mustRedeem(s, st, "b") != nil {
		t.Fatal("state from a node 1 min ahead refused")
	}
	far := newStateSigner("secret", []byte("deployment"), func() time.Time { return clock.Now().Add(stateClockSkew + time.Second) })
	if st, _ := far.mint(random, "b", ""); !errors.Is(mustRedeem(s, st, "b"), errStateExpired) {
		t.Fatal("state from the future accepted")
	}
	// A different client secret or deployment key does not verify.
	for _, other := range []*stateSigner{
		newStateSigner("other", []byte("deployment"), clock.Now),
		newStateSigner("secret", []byte("other"), clock.Now),
	} {
		if st, _ := other.mint(random, "b", ""); !errors.Is(mustRedeem(s, st, "b"), errStateSignature) {
			t.Fatal("state signed with another key accepted")
		}
	}
	for _, junk := range []string{"", "nodot", "!!.!!", "AQ.AA", strings.Repeat("A", 40) + "." + strings.Repeat("A", 43)} {
		if err := mustRedeem(s, junk, "b"); err == nil {
			t.Fatalf("junk state %q accepted", junk)
		}
	}
}

func mustRedeem(s *stateSigner, st, binding string) error {
	_, err := s.redeem(st, binding)
	return err
}

func TestStateSignerForgetsOnlyExpiredNonces(t *testing.T) {
	clock := newFakeClock()
	s := newStateSigner("secret", nil, clock.Now)
	random := rand.New(rand.NewSource(3))
	var states []string
	for range 20 {
		st, _ := s.mint(random, "b", "")
		if err := mustRedeem(s, st, "b"); err != nil {
			t.Fatal(err)
		}
		states = append(states, st)
		clock.Advance(time.Minute)
	}
	// Every state still inside its lifetime is still refused as reused.
	for i := 15; i < 20; i++ {
		if err := mustRedeem(s, states[i], "b"); !errors.Is(err, errStateReused) {
			t.Fatalf("state %d: %v; want reused", i, err)
		}
	}
	s.mu.Lock()
	n := len(s.used)
	s.mu.Unlock()
	// Nonces live TTL+skew (6 min) and are swept every 5 min, so at most
	// 11 of the 20 can still be remembered.
	if n == 0 || n > 11 {
		t.Fatalf("%d nonces remembered", n)
	}
}

func TestCodeStore(t *testing.T) {
	clock := newFakeClock()
	c := newCodeStore(clock.Now)
	random := rand.New(rand.NewSource(4))
	u := state.User{ID: "u1", Username: "octo", Role: RoleAdmin}
	code, err := c.issue(random, u)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c.take(code + "x"); ok {
		t.Fatal("a wrong code was taken")
	}
	clock.Advance(codeTTL - time.Nanosecond)
	if got, ok := c.take(code); !ok || got != u {
		t.Fatalf("take = %+v, %v", got, ok)
	}
	if _, ok := c.take(code); ok {
		t.Fatal("a code was taken twice")
	}
	// Expired codes are swept when the next code is issued.
	if _, err := c.issue(random, u); err != nil {
		t.Fatal(err)
	}
	clock.Advance(codeTTL)
	if _, err := c.issue(random, u); err != nil {
		t.Fatal(err)
	}
	c.mu.Lock()
	n := len(c.codes)
	c.mu.Unlock()
	if n != 1 {
		t.Fatalf("%d codes kept; want only the live one", n)
	}
}

func TestLoadOrCreateStateKey(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "oauth-state.key")
	k1, err := LoadOrCreateStateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	k2, err := LoadOrCreateStateKey(path)
	if err != nil || !bytes.Equal(k1, k2) || len(k1) != stateKeyLen {
		t.Fatalf("second load: %x, %v; want %x", k2, err, k1)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, %v; want 0600", fi.Mode(), err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("temporary files left behind: %v", entries)
	}
	if err := os.WriteFile(path, []byte("short"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreateStateKey(path); err == nil {
		t.Fatal("a truncated key was accepted")
	}
	other, err := LoadOrCreateStateKey(filepath.Join(dir, "other.key"))
	if err != nil || bytes.Equal(other, k1) {
		t.Fatal("two deployments got the same key")
	}
}

func TestOAuthOptionsValidated(t *testing.T) {
	good := func() *OAuthOptions {
		return &OAuthOptions{ClientID: "id", ClientSecret: "secret", Users: newFakeUsers(nil)}
	}
	cases := map[string]func(o *OAuthOptions){
		"no client id":       func(o *OAuthOptions) { o.ClientID = "" },
		"no client secret":   func(o *OAuthOptions) { o.ClientSecret = "" },
		"bad api url":        func(o *OAuthOptions) { o.APIURL = "not a url" },
		"bad web url":        func(o *OAuthOptions) { o.WebURL = "ftp://x" },
		"bad callback":       func(o *OAuthOptions) { o.CallbackURL = "/relative" },
		"bad redirect url":   func(o *OAuthOptions) { o.RedirectURL = "javascript:x" },
		"bad allowed origin": func(o *OAuthOptions) { o.AllowedRedirectOrigins = []string{"ui.example.com"} },
		"bad user role":      func(o *OAuthOptions) { o.UserRoleMapping = map[string]string{"a": "root"} },
		"bad org role":       func(o *OAuthOptions) { o.OrgRoleMapping = map[string]string{"a": ""} },
		"no user store":      func(o *OAuthOptions) { o.Users = nil },
	}
	for name, edit := range cases {
		t.Run(name, func(t *testing.T) {
			clock := newFakeClock()
			opts := testOptions(clock, newFakeService(clock.Now), &syncBuffer{})
			opts.GitHubAuthEnabled = true
			opts.GitHubOAuth = good()
			edit(opts.GitHubOAuth)
			if _, err := New(opts); err == nil {
				t.Fatal("New accepted bad GitHub sign-in options")
			}
		})
	}
	clock := newFakeClock()
	opts := testOptions(clock, newFakeService(clock.Now), &syncBuffer{})
	opts.GitHubAuthEnabled = true
	opts.GitHubOAuth = good()
	if _, err := New(opts); err != nil {
		t.Fatalf("good options refused: %v", err)
	}
}

func TestExchangeDocMatchesDecoder(t *testing.T) {
	props := (&schemaSet{defs: map[string]any{}}).object(reflect.TypeOf(exchangeDoc{}))["properties"].(map[string]any)
	documented := slices.Sorted(maps.Keys(props))
	accepted := slices.Sorted(maps.Keys(exchangeFields))
	if !slices.Equal(documented, accepted) {
		t.Fatalf("exchangeDoc documents %v; decoder accepts %v", documented, accepted)
	}
}

// TestGitHubTimeout: a GitHub that never answers costs a sign-in the
// configured timeout, not a hung request.
func TestGitHubTimeout(t *testing.T) {
	release := make(chan struct{})
	hang := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer hang.Close()
	defer close(release) // before Close, which waits for the handler
	g := newGitHubAPI(&OAuthOptions{ClientID: "id", ClientSecret: "s", Timeout: 20 * time.Millisecond},
		githubEndpoints{token: hang.URL + "/login/oauth/access_token", api: hang.URL + "/"})
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	_, err := g.exchange(ctx, "code", "http://x/cb")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("exchange against a silent GitHub: %v; want a deadline error", err)
	}
	if ctx.Err() != nil {
		t.Fatal("the per-request timeout did not apply")
	}
}

// TestTokenResponseNeverQuoted: a token endpoint answering something
// unexpected must not get its body, which may hold a token, into errors.
func TestTokenResponseNeverQuoted(t *testing.T) {
	const leaked = "gho_secretvalue"
	for _, body := range []string{`{"access_token":"` + leaked + `",`, `access_token=` + leaked} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(body)) }))
		g := newGitHubAPI(&OAuthOptions{ClientID: "id", ClientSecret: "s"}, githubEndpoints{token: srv.URL})
		_, err := g.exchange(context.Background(), "code", "http://x/cb")
		srv.Close()
		if err == nil || strings.Contains(err.Error(), leaked) {
			t.Fatalf("error %v for body %q", err, body)
		}
	}
}

func TestSignInPageEscapes(t *testing.T) {
	var ctx fasthttp.RequestCtx
	var f *oauthFlow
	f.writePage(&ctx, fasthttp.StatusForbidden, "Refused", `<script>alert("x")</script>`)
	body := string(ctx.Response.Body())
	if strings.Contains(body, "<script>") || !strings.Contains(body, "&lt;script&gt;") {
		t.Fatalf("message not escaped: %s", body)
	}
	if csp := string(ctx.Response.Header.Peek("Content-Security-Policy")); !strings.Contains(csp, "default-src 'none'") {
		t.Fatalf("CSP %q", csp)
	}
}
