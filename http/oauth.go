package httpd

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/dispatchoor/dispatchoor/actors"
	"github.com/dispatchoor/dispatchoor/actors/state"
)

// GitHub sign-in (the OAuth web flow):
//
//	GET  /api/v1/auth/github[?redirect=URL]  → 307 to GitHub's authorize page
//	GET  /api/v1/auth/github/callback        ← GitHub sends the browser back
//	POST /api/v1/auth/exchange {code}        → {token, user}, one session
//
// The state parameter is signed, not stored, so any node holding the same
// client secret and state key can check it; it is bound to a cookie on the
// browser that started the sign-in, expires after stateTTL and is accepted
// once per node. The callback hands the browser a one-time code rather than
// a token, because the UI may live on another origin and a token must not
// travel in a URL; the session is created when the code is exchanged, so a
// sign-in makes exactly one. The GitHub access token is used for three reads
// and dropped: it is never stored, journaled or logged.

// DefaultGitHubAPIURL is the REST base of github.com.
const DefaultGitHubAPIURL = "https://api.github.com/"

// Paths of the sign-in routes.
const (
	pathGitHubStart    = "/api/v1/auth/github"
	pathGitHubCallback = "/api/v1/auth/github/callback"
	pathAuthExchange   = "/api/v1/auth/exchange"
)

// oauthScope lets the server read the user's organisation memberships,
// private ones included, and nothing else.
const oauthScope = "read:org"

// defaultGitHubTimeout bounds each request to GitHub during a sign-in.
const defaultGitHubTimeout = 10 * time.Second

// GitHubUsers remembers GitHub-authenticated users. *actors.System
// implements it.
type GitHubUsers interface {
	// UserByGitHubID finds a remembered user by GitHub's numeric id.
	UserByGitHubID(githubID string) (state.User, bool)
	// UpsertUser journals a user's current login and role.
	UpsertUser(ctx context.Context, who actors.Who, u state.User) error
	// RevokeUserSessions ends every session of a user.
	RevokeUserSessions(ctx context.Context, who actors.Who, username, reason string) error
}

// OAuthOptions configure GitHub sign-in (Options.GitHubOAuth). They take
// effect only when Options.GitHubAuthEnabled is set.
type OAuthOptions struct {
	// ClientID and ClientSecret are the OAuth app's credentials. The secret
	// is sent to GitHub's token endpoint only.
	ClientID     string
	ClientSecret string
	// APIURL is the REST base users are read from: DefaultGitHubAPIURL
	// when empty, "https://HOST/api/v3/" for GHES, a simulator's base URL
	// in tests and the demo.
	APIURL string
	// WebURL is the base of GitHub's /login/oauth/ pages. Empty derives it
	// from APIURL (see githubWebURL): github.com for api.github.com, the
	// host itself for GHES, APIURL's root for anything else.
	WebURL string
	// CallbackURL is this server's callback as registered on the OAuth
	// app, e.g. "https://dispatchoor.example.com/api/v1/auth/github/callback".
	// Empty builds it from the request's scheme and host (forwarding
	// headers are believed from trusted proxies only).
	CallbackURL string
	// RedirectURL is where the browser goes after signing in when the
	// sign-in did not name a target: the UI. Empty means "/" on this server.
	RedirectURL string
	// AllowedRedirectOrigins are the origins ("https://ui.example.com") a
	// sign-in's redirect parameter may point at, besides this server's
	// own and RedirectURL's.
	AllowedRedirectOrigins []string
	// UserRoleMapping maps a GitHub login (any case) to RoleAdmin or
	// RoleReadonly. It is consulted first.
	UserRoleMapping map[string]string
	// OrgRoleMapping maps an organisation login (any case) to a role; a
	// user gets the highest role among their active memberships.
	OrgRoleMapping map[string]string
	// StateKey is a random per-deployment secret mixed with ClientSecret
	// into the key that signs states (see LoadOrCreateStateKey). Nodes
	// accept each other's states when they share both.
	StateKey []byte
	// Users remembers GitHub users; nil uses Options.Service, which must
	// then implement GitHubUsers.
	Users GitHubUsers
	// HTTPClient sends the requests to GitHub; nil uses a plain client.
	// Each request is bounded by Timeout either way.
	HTTPClient *http.Client
	// Timeout bounds each request to GitHub (10 s when 0).
	Timeout time.Duration
}

// validate checks the options New relies on, so that building the routes
// cannot fail later.
func (o *OAuthOptions) validate(svc Service) error {
	if o.ClientID == "" || o.ClientSecret == "" {
		return errors.New("github oauth: client id and client secret are required")
	}
	if _, err := githubEndpointsFor(o.APIURL, o.WebURL); err != nil {
		return fmt.Errorf("github oauth: %w", err)
	}
	if o.CallbackURL != "" {
		if _, err := parseOrigin(o.CallbackURL); err != nil {
			return fmt.Errorf("github oauth: callback url: %w", err)
		}
	}
	if _, err := newRedirectPolicy(o.RedirectURL, o.AllowedRedirectOrigins); err != nil {
		return fmt.Errorf("github oauth: %w", err)
	}
	if _, err := newRoleMapper(o.UserRoleMapping, o.OrgRoleMapping); err != nil {
		return fmt.Errorf("github oauth: %w", err)
	}
	if o.users(svc) == nil {
		return errors.New("github oauth: Users is required when the Service does not implement GitHubUsers")
	}
	return nil
}

func (o *OAuthOptions) users(svc Service) GitHubUsers {
	if o.Users != nil {
		return o.Users
	}
	u, _ := svc.(GitHubUsers)
	return u
}

// githubEndpoints are the three places a sign-in talks to.
type githubEndpoints struct {
	authorize string // the page the browser is sent to
	token     string // where the code is exchanged for a token
	api       string // the REST base, with a trailing slash
}

// githubEndpointsFor derives the endpoints from the REST base and an
// optional explicit web base.
func githubEndpointsFor(apiURL, webURL string) (githubEndpoints, error) {
	if apiURL == "" {
		apiURL = DefaultGitHubAPIURL
	}
	api, err := parseBaseURL(apiURL)
	if err != nil {
		return githubEndpoints{}, fmt.Errorf("api url: %w", err)
	}
	var web *url.URL
	if webURL != "" {
		if web, err = parseBaseURL(webURL); err != nil {
			return githubEndpoints{}, fmt.Errorf("web url: %w", err)
		}
	} else {
		web = githubWebURL(api)
	}
	base := strings.TrimSuffix(web.String(), "/")
	return githubEndpoints{
		authorize: base + "/login/oauth/authorize",
		token:     base + "/login/oauth/access_token",
		api:       api.String(),
	}, nil
}

// githubWebURL is where GitHub serves its sign-in pages for a REST base:
//
//	https://api.github.com/         → https://github.com/
//	https://api.SUB.ghe.com/        → https://SUB.ghe.com/ (data residency)
//	https://HOST/api/v3/            → https://HOST/        (GHES)
//	http://127.0.0.1:8080/          → http://127.0.0.1:8080/ (a simulator)
func githubWebURL(api *url.URL) *url.URL {
	web := &url.URL{Scheme: api.Scheme, Host: api.Host, Path: "/"}
	switch {
	case strings.HasSuffix(api.Path, "/api/v3/"):
		web.Path = strings.TrimSuffix(api.Path, "api/v3/")
	case strings.HasPrefix(api.Hostname(), "api."):
		web.Host = strings.TrimPrefix(api.Host, "api.")
	default:
		web.Path = api.Path
	}
	return web
}

// parseBaseURL parses an absolute http(s) URL and gives it a trailing
// slash, as go-github expects of a base.
func parseBaseURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("parse %q: %w", s, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("%q: want an http(s) URL without credentials, query or fragment", s)
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	u.RawPath = ""
	return u, nil
}
