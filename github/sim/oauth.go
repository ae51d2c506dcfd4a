package sim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// oauthCodeTTL is how long an authorization code stays valid (GitHub: 10 min).
const oauthCodeTTL = 10 * time.Minute

const docOAuthErrors = "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors"

type oauthCode struct {
	user     OAuthUser
	scope    string
	redirect string
	expires  time.Time
}

type oauthState struct {
	codes map[string]*oauthCode
}

func newOAuthState() *oauthState { return &oauthState{codes: map[string]*oauthCode{}} }

// defaultOAuthUser signs in when the configuration names nobody.
var defaultOAuthUser = OAuthUser{Login: "octocat", ID: 583231, Name: "The Octocat"}

// oauthUser picks the approving user: ?login= if given, else the first
// configured user.
func (s *Sim) oauthUser(login string) (OAuthUser, bool) {
	users := s.cfg.OAuth.Users
	if len(users) == 0 {
		u := defaultOAuthUser
		for _, o := range s.w.orgList {
			u.Orgs = append(u.Orgs, o.login)
		}
		users = []OAuthUser{u}
	}
	if login == "" {
		return users[0], true
	}
	for _, u := range users {
		if strings.EqualFold(u.Login, login) {
			return u, true
		}
	}
	return OAuthUser{}, false
}

// serveOAuth implements the web-flow endpoints on the "github.com" side
// (outside /api/v3 even in ghes mode).
func (s *Sim) serveOAuth(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/login/oauth/authorize" && r.Method == http.MethodGet:
		s.oauthAuthorize(w, r)
	case r.URL.Path == "/login/oauth/access_token" && r.Method == http.MethodPost:
		s.oauthAccessToken(w, r)
	default:
		notFound().write(w)
	}
}

// oauthAuthorize approves at once as the configured user and redirects
// back with a single-use code and the caller's state.
func (s *Sim) oauthAuthorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	now := s.lock()
	defer s.unlock(now)
	if id := s.cfg.OAuth.ClientID; id != "" && q.Get("client_id") != id {
		http.Error(w, "The client_id is not valid for this application.", http.StatusNotFound)
		return
	}
	redirect := q.Get("redirect_uri")
	if redirect == "" {
		redirect = s.cfg.OAuth.CallbackURL
	}
	target, err := url.Parse(redirect)
	if redirect == "" || err != nil {
		http.Error(w, "The redirect_uri is missing or invalid.", http.StatusBadRequest)
		return
	}
	user, ok := s.oauthUser(q.Get("login"))
	if !ok {
		http.Error(w, "Unknown login "+q.Get("login"), http.StatusNotFound)
		return
	}
	code := s.rng.hex(20)
	s.oauth.codes[code] = &oauthCode{user: user, scope: q.Get("scope"), redirect: q.Get("redirect_uri"),
		expires: now.Add(oauthCodeTTL)}
	v := target.Query()
	v.Set("code", code)
	if st := q.Get("state"); st != "" {
		v.Set("state", st)
	}
	target.RawQuery = v.Encode()
	http.Redirect(w, r, target.String(), http.StatusFound)
}

// oauthAccessToken exchanges a code for a token. Like GitHub it answers 200
// even for errors, with an "error" field.
func (s *Sim) oauthAccessToken(w http.ResponseWriter, r *http.Request) {
	params, err := oauthParams(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	now := s.lock()
	out := s.exchangeLocked(params, now)
	s.unlock(now)
	if strings.Contains(r.Header.Get("Accept"), "json") {
		b, _ := json.Marshal(out)
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, _ = w.Write(b)
		return
	}
	v := url.Values{}
	for k, val := range out {
		v.Set(k, val)
	}
	w.Header().Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	_, _ = w.Write([]byte(v.Encode()))
}

func (s *Sim) exchangeLocked(p map[string]string, now time.Time) map[string]string {
	fail := func(code, desc, anchor string) map[string]string {
		return map[string]string{"error": code, "error_description": desc, "error_uri": docOAuthErrors + "#" + anchor}
	}
	cfg := s.cfg.OAuth
	if (cfg.ClientID != "" && p["client_id"] != cfg.ClientID) || (cfg.ClientSecret != "" && p["client_secret"] != cfg.ClientSecret) {
		return fail("incorrect_client_credentials", "The client_id and/or client_secret passed are incorrect.", "incorrect-client-credentials")
	}
	c := s.oauth.codes[p["code"]]
	if c == nil || now.After(c.expires) {
		return fail("bad_verification_code", "The code passed is incorrect or expired.", "bad-verification-code")
	}
	if ru := p["redirect_uri"]; ru != "" && c.redirect != "" && ru != c.redirect {
		return fail("redirect_uri_mismatch", "The redirect_uri MUST match the registered callback URL for this application.", "redirect-uri-mismatch")
	}
	delete(s.oauth.codes, p["code"]) // single use
	value := "gho_" + s.rng.hex(36)
	user := c.user
	s.w.tokens[value] = &token{value: value, kind: tokenOAuth, login: user.Login, userID: user.ID,
		perms: map[string]bool{}, repos: map[string]bool{}, scope: c.scope, oauth: &user}
	return map[string]string{"access_token": value, "token_type": "bearer", "scope": c.scope}
}

// oauthParams reads client_id, client_secret, code and redirect_uri from a
// form body, a JSON body or the query string.
func oauthParams(r *http.Request) (map[string]string, error) {
	out := map[string]string{}
	if strings.Contains(r.Header.Get("Content-Type"), "json") {
		if err := json.NewDecoder(r.Body).Decode(&out); err != nil {
			return nil, fmt.Errorf("decode json body: %w", err)
		}
		return out, nil
	}
	if err := r.ParseForm(); err != nil {
		return nil, fmt.Errorf("parse form: %w", err)
	}
	for _, k := range []string{"client_id", "client_secret", "code", "redirect_uri"} {
		out[k] = r.Form.Get(k)
	}
	return out, nil
}

// tokenUser describes the user behind a token for /user endpoints.
func (s *Sim) tokenUser(t *token) OAuthUser {
	if t.oauth != nil {
		return *t.oauth
	}
	u := OAuthUser{Login: t.login, ID: t.userID}
	for _, o := range s.w.orgList {
		u.Orgs = append(u.Orgs, o.login)
	}
	return u
}

func (s *Sim) handleUser(q *request) *response {
	u := s.tokenUser(q.tok)
	uj := userWire(s.apiBase(q.base), q.base, u.Login, u.ID, "User")
	return jsonResponse(http.StatusOK, map[string]any{
		"login": uj.Login, "id": uj.ID, "node_id": uj.NodeID, "avatar_url": uj.AvatarURL, "url": uj.URL,
		"html_url": uj.HTMLURL, "type": uj.Type, "site_admin": false, "name": strPtr(u.Name),
		"email": strPtr(u.Email), "company": nil, "created_at": stamp(DefaultStart.AddDate(-5, 0, 0)),
	})
}

// userOrgs returns the organisations of a user, creating none.
func (s *Sim) userOrgs(u OAuthUser) []*org {
	var out []*org
	for _, login := range u.Orgs {
		if o := s.w.orgs[strings.ToLower(login)]; o != nil {
			out = append(out, o)
		} else {
			// Orgs named only in the OAuth config still exist for sign-in.
			out = append(out, &org{login: login, id: 1_000 + int64(len(out))})
		}
	}
	return out
}

func (s *Sim) handleUserOrgs(q *request) *response {
	orgs := s.userOrgs(s.tokenUser(q.tok))
	p := newPager(q, len(orgs))
	out := []orgJSON{}
	for _, o := range orgs[p.lo:p.hi] {
		out = append(out, orgWire(s.apiBase(q.base), q.base, o))
	}
	return p.setLink(s, q, jsonResponse(http.StatusOK, out))
}

type membershipJSON struct {
	URL             string   `json:"url"`
	State           string   `json:"state"`
	Role            string   `json:"role"`
	OrganizationURL string   `json:"organization_url"`
	Organization    orgJSON  `json:"organization"`
	User            userJSON `json:"user"`
}

func (s *Sim) handleUserMemberships(q *request) *response {
	if st := q.query.Get("state"); st == "pending" {
		return jsonResponse(http.StatusOK, []membershipJSON{})
	}
	u := s.tokenUser(q.tok)
	api := s.apiBase(q.base)
	orgs := s.userOrgs(u)
	p := newPager(q, len(orgs))
	out := []membershipJSON{}
	for _, o := range orgs[p.lo:p.hi] {
		role := "member"
		if slices.ContainsFunc(u.AdminOrgs, func(a string) bool { return strings.EqualFold(a, o.login) }) {
			role = "admin"
		}
		oj := orgWire(api, q.base, o)
		out = append(out, membershipJSON{URL: fmt.Sprintf("%s/orgs/%s/memberships/%s", api, o.login, u.Login),
			State: "active", Role: role, OrganizationURL: oj.URL, Organization: oj,
			User: userWire(api, q.base, u.Login, u.ID, "User")})
	}
	return p.setLink(s, q, jsonResponse(http.StatusOK, out))
}
