package httpd

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/dispatchoor/dispatchoor/github/sim"
)

// The world of most tests: one user mapped by login, users mapped through
// organisations, and one nobody mapped.
var (
	simAdmin  = sim.OAuthUser{Login: "Octo-Admin", ID: 101, Orgs: []string{"unrelated"}}
	simCarol  = sim.OAuthUser{Login: "carol", ID: 102, Orgs: []string{"readers", "unrelated", "Builders"}}
	simDave   = sim.OAuthUser{Login: "dave", ID: 103, Orgs: []string{"unrelated", "READERS"}}
	simMallet = sim.OAuthUser{Login: "mallet", ID: 104, Orgs: []string{"unrelated"}}
)

func standardSetup() oauthSetup {
	return oauthSetup{
		simUsers: []sim.OAuthUser{simAdmin, simCarol, simDave, simMallet},
		edit: func(o *OAuthOptions) {
			o.UserRoleMapping = map[string]string{"octo-admin": RoleAdmin}
			// GitHub lists carol's "readers" first; the highest role wins
			// all the same, and organisation names match in any case.
			o.OrgRoleMapping = map[string]string{"Readers": RoleReadonly, "builders": RoleAdmin}
			o.AllowedRedirectOrigins = []string{"https://ui.example.com"}
		},
	}
}

// finish exchanges the code in a redirect back to the UI and checks the
// answer and the single session it creates.
func finish(t *testing.T, e *oauthEnv, back *url.URL, login, role string) loginResult {
	t.Helper()
	code := back.Query().Get("code")
	if code == "" {
		t.Fatalf("redirect %s carries no code", back)
	}
	resp := e.exchange(code)
	wantStatus(t, resp, http.StatusOK)
	got := decode[loginResult](t, resp)
	if got.User.Username != login || got.User.Role != role || got.User.AuthProvider != ProviderGitHub || got.User.GitHubID == "" {
		t.Fatalf("signed in as %+v; want %s with role %s", got.User, login, role)
	}
	if c := cookieValue(t, resp, sessionCookie); c != got.Token {
		t.Fatalf("session cookie %q; want the token", c)
	}
	me := e.do(request{method: "GET", path: "/api/v1/auth/me", token: got.Token})
	wantStatus(t, me, http.StatusOK)
	if u := decode[userView](t, me); u.Username != login || u.Role != role {
		t.Fatalf("me = %+v", u)
	}
	return got
}

func TestGitHubSignInRoles(t *testing.T) {
	cases := []struct {
		name, login, role string
	}{
		{"admin by user mapping, login in another case", simAdmin.Login, RoleAdmin},
		{"admin by the higher of two organisations", simCarol.Login, RoleAdmin},
		{"readonly by organisation", simDave.Login, RoleReadonly},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newOAuthEnv(t, standardSetup())
			back := e.signIn(tc.login, "")
			if back.Path != "/" {
				t.Fatalf("returned to %s; want / with a code", back)
			}
			if n := len(e.githubSessions()); n != 0 {
				t.Fatalf("%d sessions before the exchange; the code must not need one", n)
			}
			finish(t, e, back, tc.login, tc.role)
			sessions := e.githubSessions()
			if len(sessions) != 1 || sessions[0].Username != tc.login || sessions[0].Role != tc.role {
				t.Fatalf("sessions = %+v; want exactly one for %s as %s", sessions, tc.login, tc.role)
			}
			if n := e.fake.callCount("CreateSession"); n != 1 {
				t.Fatalf("CreateSession called %d times; want 1", n)
			}
			u, ok := e.users.UserByGitHubID(fmt.Sprint(map[string]int64{
				simAdmin.Login: simAdmin.ID, simCarol.Login: simCarol.ID, simDave.Login: simDave.ID}[tc.login]))
			if !ok || u.Role != tc.role || u.Username != tc.login || u.Provider != ProviderGitHub || u.ID != sessions[0].UserID {
				t.Fatalf("remembered user %+v (found %v); session user id %s", u, ok, sessions[0].UserID)
			}
		})
	}
}

func TestGitHubSignInAuthorizeRedirect(t *testing.T) {
	e := newOAuthEnv(t, standardSetup())
	s := e.start("", "")
	q := s.authorize.Query()
	if got := s.authorize.Scheme + "://" + s.authorize.Host + s.authorize.Path; got != e.simURL+"/login/oauth/authorize" {
		t.Fatalf("authorize page %s; want the simulator's", got)
	}
	if q.Get("client_id") != oauthClientID || q.Get("scope") != "read:org" || q.Get("state") == "" ||
		q.Get("redirect_uri") != "http://dispatchoor.test"+pathGitHubCallback {
		t.Fatalf("authorize query %v", q)
	}
	if strings.Contains(s.authorize.String(), oauthClientSecret) {
		t.Fatal("the client secret went to the browser")
	}
	// A second sign-in in the same browser keeps its cookie, so two tabs
	// can sign in at once.
	if again := e.start("", s.binding); again.binding != s.binding {
		t.Fatalf("binding cookie changed from %q to %q", s.binding, again.binding)
	}
}

func TestGitHubSignInUnmappedRefused(t *testing.T) {
	e := newOAuthEnv(t, standardSetup())
	s := e.start("", "")
	resp := e.callback(e.approve(s, simMallet.Login), s.binding)
	wantStatus(t, resp, http.StatusForbidden)
	if ct := resp.header("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Fatalf("Content-Type %q; want an HTML page", ct)
	}
	if body := string(resp.body); !strings.Contains(body, "mallet") || !strings.Contains(body, "not allowed") {
		t.Fatalf("page does not say who was refused and why: %s", body)
	}
	if n := len(e.githubSessions()); n != 0 || e.fake.callCount("CreateSession") != 0 {
		t.Fatalf("%d sessions after a refused sign-in; want none", n)
	}
	if e.users.upsertCount() != 0 {
		t.Fatal("an unmapped stranger was remembered")
	}
	if resp.header("Location") != "" {
		t.Fatalf("refusal redirected to %s", resp.header("Location"))
	}
}

// TestGitHubSignInBadState covers every way the state can fail; none may
// create a session or even reach GitHub's token endpoint.
func TestGitHubSignInBadState(t *testing.T) {
	cases := []struct {
		name string
		run  func(e *oauthEnv, s started, cb string) *response
		want int
	}{
		{"missing state", func(e *oauthEnv, s started, cb string) *response {
			return e.callback(dropParam(cb, "state"), s.binding)
		}, http.StatusBadRequest},
		{"missing code", func(e *oauthEnv, s started, cb string) *response {
			return e.callback(dropParam(cb, "code"), s.binding)
		}, http.StatusBadRequest},
		{"tampered state", func(e *oauthEnv, s started, cb string) *response {
			return e.callback(editParam(cb, "state", flipSecondChar), s.binding)
		}, http.StatusBadRequest},
		{"state of another deployment", func(e *oauthEnv, s started, cb string) *response {
			other := newStateSigner(oauthClientSecret, []byte("another deployment key..........."), e.clock.Now)
			forged, err := other.mint(strings.NewReader(strings.Repeat("x", 64)), s.binding, "")
			if err != nil {
				e.t.Fatal(err)
			}
			return e.callback(editParam(cb, "state", func(string) string { return forged }), s.binding)
		}, http.StatusBadRequest},
		{"no browser cookie", func(e *oauthEnv, _ started, cb string) *response {
			return e.callback(cb, "")
		}, http.StatusBadRequest},
		{"another browser's cookie", func(e *oauthEnv, _ started, cb string) *response {
			victim := e.start("", "")
			return e.callback(cb, victim.binding)
		}, http.StatusBadRequest},
		{"expired", func(e *oauthEnv, s started, cb string) *response {
			e.clock.Advance(stateTTL + time.Second)
			return e.callback(cb, s.binding)
		}, http.StatusBadRequest},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newOAuthEnv(t, standardSetup())
			s := e.start("", "")
			cb := e.approve(s, simAdmin.Login)
			resp := tc.run(e, s, cb)
			wantStatus(t, resp, tc.want)
			if !strings.Contains(string(resp.body), "state parameter") && !strings.Contains(string(resp.body), "code parameter") {
				t.Fatalf("page does not name the problem: %s", resp.body)
			}
			if n := len(e.githubSessions()); n != 0 || e.users.upsertCount() != 0 {
				t.Fatalf("%d sessions, %d users after a refused callback; want none", n, e.users.upsertCount())
			}
			// GitHub's code was never spent: the state is checked first.
			if calls, _ := e.tokens.snapshot(); calls != 0 {
				t.Fatalf("token endpoint called %d times for a refused state", calls)
			}
		})
	}
}

func TestGitHubSignInStateIsSingleUse(t *testing.T) {
	e := newOAuthEnv(t, standardSetup())
	s := e.start("", "")
	cb := e.approve(s, simAdmin.Login)
	first := e.callback(cb, s.binding)
	wantStatus(t, first, http.StatusTemporaryRedirect)
	// Replayed as is, with a fresh GitHub code, and with JSON: refused.
	wantStatus(t, e.callback(cb, s.binding), http.StatusBadRequest)
	fresh := e.approve(s, simAdmin.Login)
	wantStatus(t, e.callback(fresh, s.binding), http.StatusBadRequest)
	wantStatus(t, e.callback(fresh, s.binding, "Accept", "application/json"), http.StatusBadRequest)
	if n := len(e.githubSessions()); n != 0 {
		t.Fatalf("%d sessions; the replays must create none (and the first waits for its exchange)", n)
	}
}

func TestGitHubSignInCodeIsSingleUse(t *testing.T) {
	e := newOAuthEnv(t, standardSetup())
	back := e.signIn(simDave.Login, "")
	finish(t, e, back, simDave.Login, RoleReadonly)
	resp := e.exchange(back.Query().Get("code"))
	wantStatus(t, resp, http.StatusUnauthorized)
	if msg := resp.errorText(t); msg != "Invalid or expired code" {
		t.Fatalf("error %q", msg)
	}
	if n := len(e.githubSessions()); n != 1 {
		t.Fatalf("%d sessions; want the first exchange's only", n)
	}
}

func TestGitHubSignInCodeExpires(t *testing.T) {
	e := newOAuthEnv(t, standardSetup())
	back := e.signIn(simDave.Login, "")
	e.clock.Advance(codeTTL)
	resp := e.exchange(back.Query().Get("code"))
	wantStatus(t, resp, http.StatusUnauthorized)
	// Looking an expired code up spends it too.
	e.clock.Advance(-time.Second)
	wantStatus(t, e.exchange(back.Query().Get("code")), http.StatusUnauthorized)
	if n := len(e.githubSessions()); n != 0 {
		t.Fatalf("%d sessions from an expired code", n)
	}
	// Just inside the window a code works.
	back = e.signIn(simDave.Login, "")
	e.clock.Advance(codeTTL - time.Second)
	finish(t, e, back, simDave.Login, RoleReadonly)
}

func TestGitHubSignInRedirectTargets(t *testing.T) {
	refused := []string{
		"https://evil.example/steal",
		"//evil.example/steal",
		"/\\evil.example",
		"https://ui.example.com.evil.example/",
		"https://user@ui.example.com/",
		"javascript:alert(1)",
		"http://ui.example.com/", // allowed over https only
		"/a\tb",
	}
	for _, target := range refused {
		t.Run("refused "+target, func(t *testing.T) {
			e := newOAuthEnv(t, standardSetup())
			resp := e.do(request{method: "GET", path: pathGitHubStart + "?redirect=" + url.QueryEscape(target)})
			wantStatus(t, resp, http.StatusBadRequest)
			if msg := resp.errorText(t); !strings.Contains(msg, "redirect target not allowed") {
				t.Fatalf("error %q", msg)
			}
			if resp.header("Location") != "" || resp.cookies[bindingCookie] != "" {
				t.Fatal("a refused redirect still started a sign-in")
			}
		})
	}
	accepted := []struct{ target, wantPrefix string }{
		{"/groups/g1?tab=history#top", "/groups/g1?"},
		{"https://ui.example.com/app", "https://ui.example.com/app?"},
		{"https://UI.example.com:443/app", "https://UI.example.com:443/app?"},
		{"http://dispatchoor.test/runners", "http://dispatchoor.test/runners?"},
	}
	for _, tc := range accepted {
		t.Run("accepted "+tc.target, func(t *testing.T) {
			e := newOAuthEnv(t, standardSetup())
			back := e.signIn(simAdmin.Login, "redirect="+url.QueryEscape(tc.target))
			if !strings.HasPrefix(back.String(), tc.wantPrefix) {
				t.Fatalf("returned to %s; want %s...", back, tc.wantPrefix)
			}
			if tc.target == accepted[0].target && (back.Query().Get("tab") != "history" || back.Fragment != "top") {
				t.Fatalf("returned to %s; the target's query and fragment were lost", back)
			}
			finish(t, e, back, simAdmin.Login, RoleAdmin)
		})
	}
}

func TestGitHubSignInDefaultLanding(t *testing.T) {
	setup := standardSetup()
	edit := setup.edit
	setup.edit = func(o *OAuthOptions) {
		edit(o)
		o.RedirectURL = "https://console.example.org/ui/"
	}
	e := newOAuthEnv(t, setup)
	back := e.signIn(simAdmin.Login, "")
	if !strings.HasPrefix(back.String(), "https://console.example.org/ui/?code=") {
		t.Fatalf("returned to %s; want the configured redirect_url", back)
	}
	// RedirectURL's origin is allowed as a target too.
	back = e.signIn(simAdmin.Login, "redirect="+url.QueryEscape("https://console.example.org/ui/groups/g1"))
	if back.Path != "/ui/groups/g1" {
		t.Fatalf("returned to %s", back)
	}
}

func TestGitHubSignInJSONCallback(t *testing.T) {
	e := newOAuthEnv(t, standardSetup())
	s := e.start("", "")
	resp := e.callback(e.approve(s, simCarol.Login), s.binding, "Accept", "application/json")
	wantStatus(t, resp, http.StatusOK)
	got := decode[loginResult](t, resp)
	if got.User.Username != simCarol.Login || got.User.Role != RoleAdmin || got.Token == "" {
		t.Fatalf("callback answered %+v", got)
	}
	if n := len(e.githubSessions()); n != 1 {
		t.Fatalf("%d sessions; want exactly one", n)
	}
	wantStatus(t, e.do(request{method: "GET", path: "/api/v1/auth/me", token: got.Token}), http.StatusOK)
}

func TestGitHubSignInErrorsFromGitHub(t *testing.T) {
	e := newOAuthEnv(t, standardSetup())
	// The user said no on GitHub's page.
	s := e.start("", "")
	st := s.authorize.Query().Get("state")
	resp := e.callback(pathGitHubCallback+"?error=access_denied&state="+url.QueryEscape(st), s.binding)
	wantStatus(t, resp, http.StatusUnauthorized)
	if !strings.Contains(string(resp.body), "access_denied") {
		t.Fatalf("page %s", resp.body)
	}
	// A code GitHub does not know.
	s = e.start("", "")
	cb := editParam(e.approve(s, simAdmin.Login), "code", func(string) string { return "bogus" })
	resp = e.callback(cb, s.binding, "Accept", "application/json")
	wantStatus(t, resp, http.StatusUnauthorized)
	if msg := resp.errorText(t); msg != "Authentication failed" {
		t.Fatalf("error %q", msg)
	}
	if n := len(e.githubSessions()); n != 0 {
		t.Fatalf("%d sessions", n)
	}
}

func TestGitHubSignInAllMembershipPages(t *testing.T) {
	var orgs []string
	for i := range 150 {
		orgs = append(orgs, fmt.Sprintf("org-%03d", i))
	}
	e := newOAuthEnv(t, oauthSetup{
		simUsers: []sim.OAuthUser{{Login: "erin", ID: 105, Orgs: orgs}},
		// The admin organisation is on the second page of 100; the first
		// page alone would make erin read-only.
		edit: func(o *OAuthOptions) {
			o.OrgRoleMapping = map[string]string{"ORG-142": RoleAdmin, "org-007": RoleReadonly}
		},
	})
	finish(t, e, e.signIn("erin", ""), "erin", RoleAdmin)
}

func TestGitHubSignInRoleChangeRevokesSessions(t *testing.T) {
	e := newOAuthEnv(t, standardSetup())
	// dave signed in earlier as admin; the mapping now makes him read-only.
	id := fmt.Sprint(simDave.ID)
	e.users.byID[id] = stateUser(id, "dave", RoleAdmin)
	old := e.sessionWith(stateSession("dave", RoleAdmin))
	wantStatus(t, e.do(request{method: "GET", path: "/api/v1/auth/me", token: old}), http.StatusOK)

	finish(t, e, e.signIn("dave", ""), "dave", RoleReadonly)
	wantStatus(t, e.do(request{method: "GET", path: "/api/v1/auth/me", token: old}), http.StatusUnauthorized)
	if got := e.users.revoked; len(got) != 1 || got[0] != "dave" {
		t.Fatalf("revoked %v; want dave once", got)
	}
	if u, _ := e.users.UserByGitHubID(id); u.Role != RoleReadonly || u.ID != "u-dave" {
		t.Fatalf("user %+v; want the same id with the new role", u)
	}
	// Same role next time: nothing revoked, nothing journaled.
	before := e.users.upsertCount()
	finish(t, e, e.signIn("dave", ""), "dave", RoleReadonly)
	if len(e.users.revoked) != 1 || e.users.upsertCount() != before {
		t.Fatalf("an unchanged sign-in revoked %v and upserted %d times", e.users.revoked, e.users.upsertCount()-before)
	}
}

func TestGitHubSignInUnmappedKnownUserLosesSessions(t *testing.T) {
	e := newOAuthEnv(t, standardSetup())
	id := fmt.Sprint(simMallet.ID)
	e.users.byID[id] = stateUser(id, "mallet", RoleAdmin)
	old := e.sessionWith(stateSession("mallet", RoleAdmin))
	s := e.start("", "")
	wantStatus(t, e.callback(e.approve(s, "mallet"), s.binding), http.StatusForbidden)
	wantStatus(t, e.do(request{method: "GET", path: "/api/v1/auth/me", token: old}), http.StatusUnauthorized)
	if u, _ := e.users.UserByGitHubID(id); u.Role != "" {
		t.Fatalf("user %+v; want the role cleared", u)
	}
	// Refused again: nothing more to revoke.
	s = e.start("", "")
	wantStatus(t, e.callback(e.approve(s, "mallet"), s.binding), http.StatusForbidden)
	if len(e.users.revoked) != 1 {
		t.Fatalf("revoked %v; want once", e.users.revoked)
	}
}

func TestGitHubSignInBasicUserNameRefused(t *testing.T) {
	e := newOAuthEnv(t, oauthSetup{
		simUsers: []sim.OAuthUser{{Login: "ALICE", ID: 106}},
		edit:     func(o *OAuthOptions) { o.UserRoleMapping = map[string]string{"alice": RoleAdmin} },
	})
	s := e.start("", "")
	resp := e.callback(e.approve(s, "ALICE"), s.binding)
	wantStatus(t, resp, http.StatusForbidden)
	if !strings.Contains(string(resp.body), "password user") || len(e.githubSessions()) != 0 {
		t.Fatalf("page %s, sessions %v", resp.body, e.githubSessions())
	}
}

func TestGitHubSignInGHES(t *testing.T) {
	e := newOAuthEnv(t, oauthSetup{
		simMode:  "ghes:3.20",
		simUsers: []sim.OAuthUser{simCarol},
		edit:     func(o *OAuthOptions) { o.OrgRoleMapping = map[string]string{"builders": RoleAdmin} },
	})
	s := e.start("", "")
	// API at /api/v3/, sign-in pages at the host's root, as on GHES.
	if got := s.authorize.Scheme + "://" + s.authorize.Host + s.authorize.Path; got != e.simURL+"/login/oauth/authorize" {
		t.Fatalf("authorize page %s", got)
	}
	resp := e.callback(e.approve(s, "carol"), s.binding)
	wantStatus(t, resp, http.StatusTemporaryRedirect)
	back, _ := url.Parse(resp.header("Location"))
	finish(t, e, back, "carol", RoleAdmin)
}

func TestGitHubSignInSecretsStayInside(t *testing.T) {
	e := newOAuthEnv(t, standardSetup())
	s := e.start("", "")
	cb := e.callback(e.approve(s, simAdmin.Login), s.binding)
	back, _ := url.Parse(cb.header("Location"))
	got := finish(t, e, back, simAdmin.Login, RoleAdmin)
	_, issued := e.tokens.snapshot()
	if len(issued) != 1 {
		t.Fatalf("simulator issued %d access tokens; want 1", len(issued))
	}
	logs := e.logs.String()
	for _, secret := range []string{issued[0], oauthClientSecret, got.Token} {
		if strings.Contains(logs, secret) {
			t.Fatalf("logs contain a secret %q:\n%s", secret, logs)
		}
		if strings.Contains(cb.header("Location"), secret) || strings.Contains(string(cb.body), secret) {
			t.Fatalf("the browser was handed a secret %q", secret)
		}
	}
	if !strings.Contains(logs, "github sign-in") {
		t.Fatalf("sign-in not logged:\n%s", logs)
	}
}

func TestGitHubSignInDisabled(t *testing.T) {
	env := newTestEnv(t)
	resp := env.do(request{method: "GET", path: pathGitHubStart})
	wantStatus(t, resp, http.StatusNotFound)
	if msg := resp.errorText(t); msg != "GitHub auth is not enabled" {
		t.Fatalf("error %q", msg)
	}
	wantStatus(t, env.do(request{method: "GET", path: pathGitHubCallback + "?code=a&state=b"}), http.StatusNotFound)
	wantStatus(t, env.do(request{method: "POST", path: pathAuthExchange, body: `{"code":"a"}`}), http.StatusNotFound)
}

func dropParam(pathQuery, name string) string {
	return editParam(pathQuery, name, nil)
}

// editParam rewrites (or with nil, drops) one query parameter.
func editParam(pathQuery, name string, edit func(string) string) string {
	u, err := url.Parse(pathQuery)
	if err != nil {
		panic(err)
	}
	q := u.Query()
	if edit == nil {
		q.Del(name)
	} else {
		q.Set(name, edit(q.Get(name)))
	}
	u.RawQuery = q.Encode()
	return u.RequestURI()
}

// flipSecondChar changes a state's payload (the high bytes of its issue
// time) while leaving it well-formed.
func flipSecondChar(v string) string {
	c := byte('B')
	if v[1] == c {
		c = 'C'
	}
	return v[:1] + string(c) + v[2:]
}
