package httpd

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	gh "github.com/google/go-github/v88/github"
)

// maxTokenResponse caps the token endpoint's answer; a real one is ~150 bytes.
const maxTokenResponse = 64 << 10

// maxOrgPages bounds the membership listing (100 per page): a user in more
// than 10,000 organisations is refused rather than followed forever.
const maxOrgPages = 100

// githubAccount is who signed in.
type githubAccount struct {
	ID    string // GitHub's numeric id, which survives renames
	Login string
}

// githubAPI is the part of GitHub a sign-in talks to. The access token it
// obtains is returned to the caller only, which uses it for the reads and
// drops it; no error message here ever contains it.
type githubAPI struct {
	ep           githubEndpoints
	clientID     string
	clientSecret string
	hc           *http.Client
	timeout      time.Duration
}

func newGitHubAPI(o *OAuthOptions, ep githubEndpoints) *githubAPI {
	hc := o.HTTPClient
	if hc == nil {
		hc = &http.Client{}
	}
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = defaultGitHubTimeout
	}
	return &githubAPI{ep: ep, clientID: o.ClientID, clientSecret: o.ClientSecret, hc: hc, timeout: timeout}
}

// tokenResponse is the token endpoint's JSON answer. GitHub answers 200
// with an error field when the code is bad.
type tokenResponse struct {
	AccessToken      string `json:"access_token"`
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
}

// exchange trades the callback's code for an access token.
func (g *githubAPI) exchange(ctx context.Context, code, redirectURI string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, g.timeout)
	defer cancel()
	form := url.Values{
		"client_id":     {g.clientID},
		"client_secret": {g.clientSecret},
		"code":          {code},
		"redirect_uri":  {redirectURI},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.ep.token, strings.NewReader(form.Encode()))
	if err != nil {
		return "", fmt.Errorf("token request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := g.hc.Do(req)
	if err != nil {
		// *url.Error names the URL, which carries no secret: they are in
		// the body.
		return "", fmt.Errorf("token request: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("token request: status %d", resp.StatusCode)
	}
	var tr tokenResponse
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxTokenResponse)).Decode(&tr); err != nil {
		// The decoder's message could quote the body, token included.
		return "", errors.New("token response: not the expected JSON")
	}
	if tr.Error != "" {
		return "", fmt.Errorf("token request refused: %s (%s)", tr.Error, tr.ErrorDescription)
	}
	if tr.AccessToken == "" {
		return "", errors.New("token response: no access token")
	}
	return tr.AccessToken, nil
}

// client returns a REST client acting as the signed-in user.
func (g *githubAPI) client(token string) (*gh.Client, error) {
	api := g.ep.api
	c, err := gh.NewClient(gh.WithHTTPClient(g.hc), gh.WithAuthToken(token), gh.WithURLs(&api, &api),
		gh.WithUserAgent("dispatchoor"))
	if err != nil {
		return nil, fmt.Errorf("github client: %w", err)
	}
	return c, nil
}

// user reads the signed-in account.
func (g *githubAPI) user(ctx context.Context, c *gh.Client) (githubAccount, error) {
	ctx, cancel := context.WithTimeout(ctx, g.timeout)
	defer cancel()
	u, _, err := c.Users.Get(ctx, "")
	if err != nil {
		return githubAccount{}, fmt.Errorf("read user: %w", err)
	}
	if u.GetID() == 0 || u.GetLogin() == "" {
		return githubAccount{}, errors.New("read user: no id or login in the answer")
	}
	return githubAccount{ID: strconv.FormatInt(u.GetID(), 10), Login: u.GetLogin()}, nil
}

// orgs lists the organisations where the user's membership is active,
// every page of them: the reference read only the first.
func (g *githubAPI) orgs(ctx context.Context, c *gh.Client) ([]string, error) {
	opts := &gh.ListOrgMembershipsOptions{State: "active", ListOptions: gh.ListOptions{PerPage: 100}}
	var out []string
	for range maxOrgPages {
		page, next, err := g.orgPage(ctx, c, opts)
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if next == 0 {
			return out, nil
		}
		opts.Page = next
	}
	return nil, fmt.Errorf("list memberships: more than %d pages", maxOrgPages)
}

func (g *githubAPI) orgPage(ctx context.Context, c *gh.Client, opts *gh.ListOrgMembershipsOptions) ([]string, int, error) {
	ctx, cancel := context.WithTimeout(ctx, g.timeout)
	defer cancel()
	ms, resp, err := c.Organizations.ListOrgMemberships(ctx, opts)
	if err != nil {
		return nil, 0, fmt.Errorf("list memberships (page %d): %w", max(opts.Page, 1), err)
	}
	var out []string
	for _, m := range ms {
		// Asked for active ones only; checked again because a pending
		// invitation must never grant a role.
		if m.GetState() == "active" && m.GetOrganization().GetLogin() != "" {
			out = append(out, m.GetOrganization().GetLogin())
		}
	}
	return out, resp.NextPage, nil
}
