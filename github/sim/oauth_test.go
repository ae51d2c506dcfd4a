package sim_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/dispatchoor/dispatchoor/github/sim"
	"github.com/google/go-github/v88/github"
)

func oauthConfig() sim.Config {
	cfg := baseConfig(fixedStart)
	cfg.OAuth = sim.OAuthConfig{ClientID: "cid", ClientSecret: "csecret", Users: []sim.OAuthUser{
		{Login: "admin", ID: 11, Orgs: []string{"acme"}, AdminOrgs: []string{"acme"}},
		{Login: "viewer", ID: 12, Orgs: []string{"acme", "other"}},
	}}
	return cfg
}

// authorize follows the authorize redirect by hand and returns its query.
func authorize(t *testing.T, h *harness, query string) url.Values {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequestWithContext(h.ctx, "GET", h.srv.URL+"/login/oauth/authorize?"+query, nil)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("authorize: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("authorize: status %d; want 302", resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || !strings.HasPrefix(loc.String(), "http://app.test/cb") {
		t.Fatalf("redirect %q", resp.Header.Get("Location"))
	}
	return loc.Query()
}

func exchange(t *testing.T, h *harness, form url.Values, accept string) (map[string]string, string) {
	t.Helper()
	req, _ := http.NewRequestWithContext(h.ctx, "POST", h.srv.URL+"/login/oauth/access_token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("exchange: status %d; GitHub answers 200 even for errors", resp.StatusCode)
	}
	b, _ := io.ReadAll(resp.Body)
	out := map[string]string{}
	if accept == "application/json" {
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatalf("exchange body %q: %v", b, err)
		}
	}
	return out, string(b)
}

func TestOAuthWebFlow(t *testing.T) {
	h := newHarness(t, oauthConfig())
	q := authorize(t, h, "client_id=cid&state=xyz&scope=read:org&redirect_uri="+url.QueryEscape("http://app.test/cb?x=1"))
	if q.Get("state") != "xyz" || q.Get("code") == "" || q.Get("x") != "1" {
		t.Fatalf("callback query %v", q)
	}
	form := url.Values{"client_id": {"cid"}, "client_secret": {"csecret"}, "code": {q.Get("code")}}
	out, _ := exchange(t, h, form, "application/json")
	tok := out["access_token"]
	if !strings.HasPrefix(tok, "gho_") || out["token_type"] != "bearer" || out["scope"] != "read:org" {
		t.Fatalf("token response %v", out)
	}
	again, _ := exchange(t, h, form, "application/json")
	if again["error"] != "bad_verification_code" {
		t.Fatalf("second use of a code: %v; want bad_verification_code", again)
	}

	gh := h.client(tok)
	user, _, err := gh.Users.Get(h.ctx, "")
	if err != nil || user.GetLogin() != "admin" || user.GetID() != 11 {
		t.Fatalf("user %v err %v", user, err)
	}
	orgs, _, err := gh.Organizations.List(h.ctx, "", nil)
	if err != nil || len(orgs) != 1 || orgs[0].GetLogin() != "acme" {
		t.Fatalf("orgs %v err %v", orgs, err)
	}
	ms, _, err := gh.Organizations.ListOrgMemberships(h.ctx, &github.ListOrgMembershipsOptions{State: "active"})
	if err != nil || len(ms) != 1 || ms[0].GetRole() != "admin" || ms[0].GetOrganization().GetLogin() != "acme" {
		t.Fatalf("memberships %v err %v", ms, err)
	}
}

func TestOAuthPicksUserByLoginAndChecksClient(t *testing.T) {
	h := newHarness(t, oauthConfig())
	q := authorize(t, h, "client_id=cid&state=s&login=viewer&redirect_uri="+url.QueryEscape("http://app.test/cb"))
	bad, _ := exchange(t, h, url.Values{"client_id": {"cid"}, "client_secret": {"wrong"}, "code": {q.Get("code")}}, "application/json")
	if bad["error"] != "incorrect_client_credentials" {
		t.Fatalf("wrong secret: %v", bad)
	}
	_, raw := exchange(t, h, url.Values{"client_id": {"cid"}, "client_secret": {"csecret"}, "code": {q.Get("code")}}, "")
	form, err := url.ParseQuery(raw)
	if err != nil || form.Get("access_token") == "" || form.Get("token_type") != "bearer" {
		t.Fatalf("form-encoded answer %q", raw)
	}
	orgs, _, err := h.client(form.Get("access_token")).Organizations.List(h.ctx, "", nil)
	if err != nil || len(orgs) != 2 {
		t.Fatalf("viewer orgs %v err %v", orgs, err)
	}
	resp := h.do("GET", "/login/oauth/authorize?client_id=nope&redirect_uri=http://app.test/cb", "", nil)
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown client: %d", resp.StatusCode)
	}
}

func TestOAuthOutsideTheGHESPrefix(t *testing.T) {
	cfg := oauthConfig()
	cfg.Mode = "ghes:3.21"
	cfg.OAuth.CallbackURL = "http://app.test/cb"
	h := newHarness(t, cfg)
	q := authorize(t, h, "client_id=cid&state=s")
	out, _ := exchange(t, h, url.Values{"client_id": {"cid"}, "client_secret": {"csecret"}, "code": {q.Get("code")}}, "application/json")
	user, _, err := h.enterpriseClient(out["access_token"]).Users.Get(h.ctx, "")
	if err != nil || user.GetLogin() != "admin" {
		t.Fatalf("GHES /api/v3/user: %v %v", user, err)
	}
}
