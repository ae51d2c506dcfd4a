package httpd

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/dispatchoor/dispatchoor/actors"
	"github.com/dispatchoor/dispatchoor/actors/state"
	"github.com/dispatchoor/dispatchoor/github/sim"
)

// OAuth app credentials shared by the simulator and the server under test.
const (
	oauthClientID     = "test-client-id"
	oauthClientSecret = "test-client-secret-do-not-leak"
)

// The sign-in routes' access decisions and bad inputs live here, beside
// their tests, and join the package-wide tables that require one for every
// route.
func init() {
	routeDecisions["GET "+pathGitHubStart] = struct {
		access Access
		tier   Tier
	}{AccessPublic, TierAuth}
	routeDecisions["GET "+pathGitHubCallback] = struct {
		access Access
		tier   Tier
	}{AccessPublic, TierAuth}
	routeDecisions["POST "+pathAuthExchange] = struct {
		access Access
		tier   Tier
	}{AccessPublic, TierPublic}
	badInputs["POST "+pathAuthExchange] = []badCase{
		{name: "missing body", body: "", status: 400, errorHas: "required"},
		{name: "empty code", body: `{"code":""}`, status: 400, errorHas: "Code is required"},
		{name: "code not a string", body: `{"code":7}`, status: 400, errorHas: `"code"`},
		{name: "unknown field", body: `{"code":"x","state":"y"}`, status: 400, errorHas: `unknown field "state"`},
		{name: "github sign-in off", body: `{"code":"x"}`, status: 404, errorHas: "GitHub auth is not enabled"},
	}
}

// fakeUsers is the GitHub user store over the fake service: revoking a
// user's sessions removes them from the fake, as the real system does.
type fakeUsers struct {
	fake *fakeService

	mu      sync.Mutex
	byID    map[string]state.User
	upserts []state.User
	revoked []string // usernames, in call order
}

var _ GitHubUsers = (*fakeUsers)(nil)

func newFakeUsers(fake *fakeService) *fakeUsers {
	return &fakeUsers{fake: fake, byID: map[string]state.User{}}
}

func (u *fakeUsers) UserByGitHubID(id string) (state.User, bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	got, ok := u.byID[id]
	return got, ok
}

func (u *fakeUsers) UpsertUser(_ context.Context, _ actors.Who, user state.User) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	if old, ok := u.byID[user.GitHubID]; ok {
		user.CreatedAt = old.CreatedAt
	} else {
		user.CreatedAt = u.fake.now()
	}
	user.UpdatedAt = u.fake.now()
	u.byID[user.GitHubID] = user
	u.upserts = append(u.upserts, user)
	return nil
}

func (u *fakeUsers) RevokeUserSessions(_ context.Context, _ actors.Who, username, _ string) error {
	u.mu.Lock()
	u.revoked = append(u.revoked, username)
	u.mu.Unlock()
	u.fake.mu.Lock()
	defer u.fake.mu.Unlock()
	for h, s := range u.fake.sessions {
		if s.Username == username {
			delete(u.fake.sessions, h)
		}
	}
	u.fake.mutated("RevokeUserSessions %s", username)
	return nil
}

func (u *fakeUsers) upsertCount() int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return len(u.upserts)
}

// oauthEnv is a server with GitHub sign-in against an in-process simulator.
type oauthEnv struct {
	*testEnv
	*simGitHub
	users *fakeUsers
}

// simGitHub is the simulator serving GitHub over HTTP.
type simGitHub struct {
	sim    *sim.Sim
	simURL string // the server's root
	apiURL string // the REST base for the simulator's mode
	tokens *issuedTokens
	// browser talks to the simulator and never follows redirects, so each
	// hop of the flow can be checked.
	browser *http.Client
	http    *http.Client // for the server under test
}

// oauthSetup describes one test world.
type oauthSetup struct {
	simMode  string // "" for dotcom
	simUsers []sim.OAuthUser
	edit     func(*OAuthOptions)
}

func newSimGitHub(t testing.TB, mode string, users []sim.OAuthUser) *simGitHub {
	t.Helper()
	cfg := sim.DefaultConfig()
	cfg.Seed = 3
	cfg.Mode = mode
	cfg.Clock = sim.NewManualClock(testEpoch)
	cfg.Timing = sim.Timing{}
	cfg.OAuth = sim.OAuthConfig{ClientID: oauthClientID, ClientSecret: oauthClientSecret, Users: users}
	s, err := sim.Build(cfg)
	if err != nil {
		t.Fatalf("build simulator: %v", err)
	}
	tokens := &issuedTokens{}
	hs := httptest.NewServer(tokens.wrap(s.Handler()))
	t.Cleanup(func() {
		hs.Close()
		s.Close()
	})
	apiURL := hs.URL + "/"
	if strings.HasPrefix(mode, "ghes:") {
		apiURL = hs.URL + "/api/v3/"
	}
	browser := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &simGitHub{sim: s, simURL: hs.URL, apiURL: apiURL, tokens: tokens, browser: browser, http: hs.Client()}
}

// oauthOptions are sign-in options pointing at the simulator.
func (g *simGitHub) oauthOptions() *OAuthOptions {
	return &OAuthOptions{
		ClientID:     oauthClientID,
		ClientSecret: oauthClientSecret,
		APIURL:       g.apiURL,
		StateKey:     []byte("0123456789abcdef0123456789abcdef"),
		HTTPClient:   g.http,
	}
}

func newOAuthEnv(t *testing.T, setup oauthSetup) *oauthEnv {
	t.Helper()
	g := newSimGitHub(t, setup.simMode, setup.simUsers)
	var users *fakeUsers
	env := newTestEnv(t, func(o *Options) {
		users = newFakeUsers(o.Service.(*fakeService))
		o.GitHubAuthEnabled = true
		o.GitHubOAuth = g.oauthOptions()
		o.GitHubOAuth.Users = users
		if setup.edit != nil {
			setup.edit(o.GitHubOAuth)
		}
	})
	return &oauthEnv{testEnv: env, simGitHub: g, users: users}
}

// issuedTokens watches the simulator's token endpoint: how often it was
// called and which access tokens it handed out.
type issuedTokens struct {
	mu     sync.Mutex
	calls  int
	values []string
}

func (it *issuedTokens) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/login/oauth/access_token" {
			next.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		var body struct {
			AccessToken string `json:"access_token"`
		}
		_ = json.Unmarshal(rec.Body.Bytes(), &body)
		it.mu.Lock()
		it.calls++
		if body.AccessToken != "" {
			it.values = append(it.values, body.AccessToken)
		}
		it.mu.Unlock()
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	})
}

func (it *issuedTokens) snapshot() (calls int, values []string) {
	it.mu.Lock()
	defer it.mu.Unlock()
	return it.calls, append([]string(nil), it.values...)
}

// started is a sign-in sent to GitHub: where the browser was sent and the
// cookie it holds.
type started struct {
	authorize *url.URL
	binding   string
}

// start calls GET /api/v1/auth/github with query ("" or "redirect=...")
// and a browser cookie ("" for a fresh browser).
func (e *oauthEnv) start(query, binding string) started {
	e.t.Helper()
	path := pathGitHubStart
	if query != "" {
		path += "?" + query
	}
	r := request{method: "GET", path: path}
	if binding != "" {
		r.headers = map[string]string{"Cookie": bindingCookie + "=" + binding}
	}
	resp := e.do(r)
	wantStatus(e.t, resp, http.StatusTemporaryRedirect)
	loc, err := url.Parse(resp.header("Location"))
	if err != nil {
		e.t.Fatalf("Location %q: %v", resp.header("Location"), err)
	}
	return started{authorize: loc, binding: cookieValue(e.t, resp, bindingCookie)}
}

// approve lets the simulator's GitHub approve the sign-in as login and
// returns the callback path with its query, as GitHub sends the browser.
func (e *oauthEnv) approve(s started, login string) string {
	e.t.Helper()
	u := *s.authorize
	q := u.Query()
	q.Set("login", login)
	u.RawQuery = q.Encode()
	req, err := http.NewRequest(http.MethodGet, u.String(), nil)
	if err != nil {
		e.t.Fatalf("authorize request: %v", err)
	}
	resp, err := e.browser.Do(req)
	if err != nil {
		e.t.Fatalf("authorize: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		e.t.Fatalf("authorize: status %d; want 302", resp.StatusCode)
	}
	back, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		e.t.Fatalf("callback location: %v", err)
	}
	if want := "http://dispatchoor.test" + pathGitHubCallback; back.Scheme+"://"+back.Host+back.Path != want {
		e.t.Fatalf("GitHub sent the browser to %s; want %s", back, want)
	}
	return back.RequestURI()
}

// callback delivers GitHub's redirect to the server with the browser's
// cookie ("" for none).
func (e *oauthEnv) callback(pathQuery, binding string, headers ...string) *response {
	e.t.Helper()
	h := map[string]string{}
	if binding != "" {
		h["Cookie"] = bindingCookie + "=" + binding
	}
	for i := 0; i+1 < len(headers); i += 2 {
		h[headers[i]] = headers[i+1]
	}
	return e.do(request{method: "GET", path: pathQuery, headers: h})
}

// exchange trades a one-time code for a session.
func (e *oauthEnv) exchange(code string) *response {
	e.t.Helper()
	return e.do(request{method: "POST", path: pathAuthExchange, body: `{"code":"` + code + `"}`})
}

// signIn runs the browser's part of a sign-in up to the redirect back to
// the UI, returning that redirect's target.
func (e *oauthEnv) signIn(login, query string) *url.URL {
	e.t.Helper()
	s := e.start(query, "")
	resp := e.callback(e.approve(s, login), s.binding)
	wantStatus(e.t, resp, http.StatusTemporaryRedirect)
	loc, err := url.Parse(resp.header("Location"))
	if err != nil {
		e.t.Fatalf("Location %q: %v", resp.header("Location"), err)
	}
	return loc
}

// githubSessions returns the GitHub sessions the fake service holds.
func (e *oauthEnv) githubSessions() []state.Session {
	e.fake.mu.Lock()
	defer e.fake.mu.Unlock()
	var out []state.Session
	for _, s := range e.fake.sessions {
		if s.Provider == ProviderGitHub {
			out = append(out, s)
		}
	}
	return out
}

// cookieValue returns the value a Set-Cookie header gives name.
func cookieValue(t testing.TB, resp *response, name string) string {
	t.Helper()
	raw, ok := resp.cookies[name]
	if !ok {
		t.Fatalf("no %s cookie set (cookies %v)", name, resp.cookies)
	}
	v, _, _ := strings.Cut(strings.TrimPrefix(raw, name+"="), ";")
	return v
}

// stateUser is a GitHub user remembered from an earlier sign-in.
func stateUser(githubID, login, role string) state.User {
	return state.User{ID: "u-" + login, Username: login, Role: role, Provider: ProviderGitHub, GitHubID: githubID,
		CreatedAt: testEpoch, UpdatedAt: testEpoch}
}

// stateSession is a live GitHub session of such a user.
func stateSession(login, role string) state.Session {
	return state.Session{Username: login, Role: role, Provider: ProviderGitHub}
}
