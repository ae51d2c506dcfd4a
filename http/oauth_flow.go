package httpd

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/valyala/fasthttp"

	"github.com/dispatchoor/dispatchoor/actors"
	"github.com/dispatchoor/dispatchoor/actors/state"
)

// oauthFlow serves the GitHub sign-in routes. A nil *oauthFlow (GitHub
// sign-in off or not configured) answers them with 404.
type oauthFlow struct {
	s             *Server
	clientID      string
	fixedCallback string // CallbackURL, or "" to build it per request
	landing       string // RedirectURL, or "" for "/"
	ep            githubEndpoints
	gh            *githubAPI
	roles         roleMapper
	redirects     redirectPolicy
	states        *stateSigner
	codes         *codeStore
	users         GitHubUsers
}

// newOAuthFlow builds the flow from options that validate accepted.
func newOAuthFlow(s *Server) *oauthFlow {
	o := s.opts.GitHubOAuth
	if !s.opts.GitHubAuthEnabled || o == nil {
		return nil
	}
	ep, err1 := githubEndpointsFor(o.APIURL, o.WebURL)
	roles, err2 := newRoleMapper(o.UserRoleMapping, o.OrgRoleMapping)
	redirects, err3 := newRedirectPolicy(o.RedirectURL, o.AllowedRedirectOrigins)
	if err := errors.Join(err1, err2, err3); err != nil {
		// Options.validate ran the same checks in New.
		panic(fmt.Sprintf("github oauth options changed after validation: %v", err))
	}
	return &oauthFlow{
		s:             s,
		clientID:      o.ClientID,
		fixedCallback: o.CallbackURL,
		landing:       o.RedirectURL,
		ep:            ep,
		gh:            newGitHubAPI(o, ep),
		roles:         roles,
		redirects:     redirects,
		states:        newStateSigner(o.ClientSecret, o.StateKey, s.opts.Now),
		codes:         newCodeStore(s.opts.Now),
		users:         o.users(s.svc),
	}
}

// exchangeDoc is the body of POST /auth/exchange, for the API document.
type exchangeDoc struct {
	Code string `json:"code"`
}

// oauthRoutes are the sign-in routes. Starting a sign-in and the callback,
// which makes the server call GitHub, are in the auth rate tier like the
// password login. The exchange is in the public tier: its codes are 256
// random bits, single-use and valid for 30 s, so there is nothing to guess,
// and counting it against the auth tier would only let failed password
// attempts from a shared address stop people finishing a GitHub sign-in.
func (s *Server) oauthRoutes() []Route {
	f := newOAuthFlow(s)
	route := func(m, p, sum string, h fasthttp.RequestHandler) Route {
		return Route{Method: m, Path: p, Tier: TierAuth, Access: AccessPublic, Summary: sum, Handler: h}
	}
	exchange := route(post, pathAuthExchange, "Trade a one-time code (valid 30 s, single use) for a session token; sets the session cookie",
		s.api(f.exchange)).doc(exchangeDoc{}, 0, loginResponse{})
	exchange.Tier = TierPublic
	return []Route{
		route(get, pathGitHubStart, "Start a GitHub sign-in: 307 to GitHub; query: redirect (where to return; "+
			"this server, auth.github.redirect_url or an allowed origin)", f.start).doc(nil, fasthttp.StatusTemporaryRedirect, nil),
		route(get, pathGitHubCallback, "GitHub returns here; answers 307 to the UI with a one-time code, "+
			"or {token, user} when Accept is application/json", f.callback).doc(nil, fasthttp.StatusTemporaryRedirect, nil),
		exchange,
	}
}

var errGitHubDisabled = notFound("GitHub auth is not enabled")

// exchange handles POST /api/v1/auth/exchange.
// The body is checked first, so a malformed request gets the same answer
// whether or not GitHub sign-in is on.
func (f *oauthFlow) exchange(c *call) (int, any, error) {
	code, err := decodeExchange(c.body())
	if err != nil {
		return 0, nil, err
	}
	if f == nil {
		return 0, nil, errGitHubDisabled
	}
	u, ok := f.codes.take(code)
	if !ok {
		return 0, nil, &apiError{status: fasthttp.StatusUnauthorized, msg: "Invalid or expired code"}
	}
	tok, err := f.createSession(c, u)
	if err != nil {
		return 0, nil, err
	}
	return fasthttp.StatusOK, loginResponse{Token: tok, User: githubUserView(u)}, nil
}

func decodeExchange(body []byte) (string, error) {
	var code string
	if _, err := decodeObject(body, &code, exchangeFields); err != nil {
		return "", err
	}
	if code == "" {
		return "", badRequest("Code is required")
	}
	return code, nil
}

var exchangeFields = fieldSet[string]{"code": {wantString, func(code *string) any { return code }}}

// createSession journals the one session of a sign-in and sets its cookie.
func (f *oauthFlow) createSession(c *call, u state.User) (string, error) {
	s := f.s
	tok, err := newToken(s.opts.random)
	if err != nil {
		return "", err
	}
	id, err := newUUID(s.opts.random)
	if err != nil {
		return "", err
	}
	now := s.opts.Now()
	sess := state.Session{
		TokenHash: HashToken(tok), ID: id, UserID: u.ID, Username: u.Username, Role: u.Role,
		Provider: ProviderGitHub, CreatedAt: now, ExpiresAt: now.Add(s.opts.SessionTTL),
	}
	who := c.who()
	who.Username = u.Username
	if err := s.svc.CreateSession(c.c, who, sess); err != nil {
		return "", fmt.Errorf("create session for github user %s: %w", u.Username, err)
	}
	s.setSessionCookie(c.ctx, tok, int(s.opts.SessionTTL.Seconds()))
	return tok, nil
}

func githubUserView(u state.User) userView {
	return userView{ID: u.ID, Username: u.Username, Role: u.Role, AuthProvider: ProviderGitHub,
		GitHubID: u.GitHubID, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt}
}

// signInRefusal is a sign-in that failed for a reason the user should read.
type signInRefusal struct {
	status int
	title  string
	msg    string
}

func (r *signInRefusal) Error() string { return r.msg }

// authorise turns a GitHub account into a remembered user with a role, or
// refuses it. orgs is called only when the organisations can matter.
func (f *oauthFlow) authorise(ctx context.Context, who actors.Who, acct githubAccount, orgs func() ([]string, error)) (state.User, error) {
	if f.collidesWithBasicUser(acct.Login) {
		return state.User{}, &signInRefusal{status: fasthttp.StatusForbidden, title: "Sign-in refused",
			msg: fmt.Sprintf("The GitHub account %s has the same name as a password user of this server, "+
				"so it cannot sign in with GitHub.", acct.Login)}
	}
	role, via, err := f.mapRole(acct.Login, orgs)
	if err != nil {
		return state.User{}, err
	}
	old, known := f.users.UserByGitHubID(acct.ID)
	if role == "" {
		// A user who lost their mapping loses their sessions too; the
		// empty role records that, so repeated refusals journal nothing.
		if known && old.Role != "" {
			if err := f.forget(ctx, who, old, acct, "no longer in any role mapping"); err != nil {
				return state.User{}, err
			}
		}
		return state.User{}, &signInRefusal{status: fasthttp.StatusForbidden, title: "Sign-in refused",
			msg: fmt.Sprintf("The GitHub account %s is not allowed to use this server: neither the account nor "+
				"any of its organisations is in the role mapping. Ask an administrator to add it.", acct.Login)}
	}
	u, err := f.remember(ctx, who, old, known, acct, role)
	if err != nil {
		return state.User{}, err
	}
	f.s.log.Info("github sign-in", "login", u.Username, "github_id", u.GitHubID, "role", u.Role, "via", via)
	return u, nil
}

// mapRole applies the user mapping, then the organisation mapping. It
// returns "" when neither grants a role, and what granted it otherwise.
func (f *oauthFlow) mapRole(login string, orgs func() ([]string, error)) (role, via string, err error) {
	if role, ok := f.roles.userRole(login); ok {
		return role, "user_role_mapping", nil
	}
	if !f.roles.usesOrgs() {
		return "", "", nil
	}
	list, err := orgs()
	if err != nil {
		return "", "", err
	}
	role, org, _ := f.roles.orgRole(list)
	return role, "org_role_mapping " + org, nil
}

// remember journals the user's current login and role when either changed,
// revoking their sessions first when the role did.
func (f *oauthFlow) remember(ctx context.Context, who actors.Who, old state.User, known bool, acct githubAccount, role string) (state.User, error) {
	if known && old.Username == acct.Login && old.Role == role {
		return old, nil
	}
	u := state.User{ID: old.ID, Username: acct.Login, Role: role, Provider: ProviderGitHub, GitHubID: acct.ID, CreatedAt: old.CreatedAt}
	if !known {
		id, err := newUUID(f.s.opts.random)
		if err != nil {
			return state.User{}, err
		}
		u.ID = id
	}
	if known && old.Role != "" && old.Role != role {
		// Revoked first: if the upsert then fails the user merely signs
		// in again, whereas the other order could leave sessions carrying
		// the old role.
		reason := fmt.Sprintf("role changed from %s to %s", old.Role, role)
		if err := f.users.RevokeUserSessions(ctx, who, old.Username, reason); err != nil {
			return state.User{}, fmt.Errorf("revoke sessions of %s: %w", old.Username, err)
		}
	}
	if err := f.users.UpsertUser(ctx, who, u); err != nil {
		return state.User{}, fmt.Errorf("remember github user %s: %w", u.Username, err)
	}
	// The store stamps the times; read them back for the answer.
	if got, ok := f.users.UserByGitHubID(acct.ID); ok {
		u = got
	}
	return u, nil
}

// forget revokes a known user's sessions and records that they have no role.
func (f *oauthFlow) forget(ctx context.Context, who actors.Who, old state.User, acct githubAccount, reason string) error {
	if err := f.users.RevokeUserSessions(ctx, who, old.Username, reason); err != nil {
		return fmt.Errorf("revoke sessions of %s: %w", old.Username, err)
	}
	old.Username, old.Role = acct.Login, ""
	if err := f.users.UpsertUser(ctx, who, old); err != nil {
		return fmt.Errorf("remember github user %s: %w", acct.Login, err)
	}
	return nil
}

// collidesWithBasicUser reports whether a GitHub login names a configured
// password user. Sessions are revoked by username, so the two must not
// share one (the reference failed such sign-ins on a unique constraint).
func (f *oauthFlow) collidesWithBasicUser(login string) bool {
	for name := range f.s.auth.accounts {
		if strings.EqualFold(name, login) {
			return true
		}
	}
	return false
}
