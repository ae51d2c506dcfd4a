package sim_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-github/v88/github"
)

func TestGHESBelow321RefusesRunDetails(t *testing.T) {
	cfg := baseConfig(fixedStart)
	cfg.Mode = "ghes:3.20"
	h := newHarness(t, cfg)
	gh := h.enterpriseClient(testToken)

	req, err := gh.NewRequest(h.ctx, "GET", "meta", nil)
	if err != nil {
		t.Fatalf("new request: %v", err)
	}
	if !strings.HasSuffix(req.URL.Path, "/api/v3/meta") {
		t.Fatalf("client path %q; want the /api/v3 prefix", req.URL.Path)
	}
	var meta map[string]any
	if _, err := gh.Do(req, &meta); err != nil || meta["installed_version"] != "3.20.0" {
		t.Fatalf("meta %v err %v; want installed_version 3.20.0", meta, err)
	}

	_, resp, err := gh.Actions.CreateWorkflowDispatchEventByFileName(h.ctx, testOwner, testRepo, "sync.yml",
		github.CreateWorkflowDispatchEventRequest{Ref: "main", Inputs: map[string]any{"network": "x"}, ReturnRunDetails: github.Ptr(true)})
	var er *github.ErrorResponse
	if !errors.As(err, &er) || resp.StatusCode != http.StatusBadRequest || er.Message != `"return_run_details" is not a permitted key.` {
		t.Fatalf("got %v (status %d); want 400 not a permitted key", err, resp.StatusCode)
	}
	if n := len(h.sim.State().Runs); n != 0 {
		t.Fatalf("a refused dispatch created %d runs", n)
	}
	details, resp, err := gh.Actions.CreateWorkflowDispatchEventByFileName(h.ctx, testOwner, testRepo, "sync.yml",
		github.CreateWorkflowDispatchEventRequest{Ref: "main", Inputs: map[string]any{"network": "x"}})
	if err != nil || details != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("retry without the flag: (%v, %d, %v); want (nil, 204, nil)", details, resp.StatusCode, err)
	}
	runs, _, err := gh.Actions.ListRepositoryWorkflowRuns(h.ctx, testOwner, testRepo, nil)
	if err != nil || runs.GetTotalCount() != 1 {
		t.Fatalf("list: %v total %d", err, runs.GetTotalCount())
	}
	if u := runs.WorkflowRuns[0].GetURL(); !strings.HasPrefix(u, h.srv.URL+"/api/v3/repos/") {
		t.Fatalf("run url %q; want the ghes API prefix", u)
	}

	// GHES ships with rate limiting off: no headers, /rate_limit is 404.
	if resp.Header.Get("X-Ratelimit-Limit") != "" {
		t.Fatalf("rate-limit headers present with limits off")
	}
	_, _, err = gh.RateLimit.Get(h.ctx)
	if !errors.As(err, &er) || er.Response.StatusCode != http.StatusNotFound {
		t.Fatalf("rate_limit: %v; want 404", err)
	}
}

func TestGHES321ReturnsRunDetails(t *testing.T) {
	cfg := baseConfig(fixedStart)
	cfg.Mode = "ghes:3.21"
	h := newHarness(t, cfg)
	gh := h.enterpriseClient(testToken)
	details, resp, err := gh.Actions.CreateWorkflowDispatchEventByFileName(h.ctx, testOwner, testRepo, "sync.yml",
		github.CreateWorkflowDispatchEventRequest{Ref: "main", Inputs: map[string]any{"network": "x"}, ReturnRunDetails: github.Ptr(true)})
	if err != nil || resp.StatusCode != http.StatusOK || details.GetWorkflowRunID() == 0 {
		t.Fatalf("got (%v, %d, %v); want 200 with details", details, resp.StatusCode, err)
	}
	if !strings.HasPrefix(details.GetRunURL(), h.srv.URL+"/api/v3/repos/acme/sync-tests/actions/runs/") {
		t.Fatalf("run_url %q", details.GetRunURL())
	}
}

// versionTransport sets X-GitHub-Api-Version, which go-github's typed
// methods do not let callers change (spec §0.2).
type versionTransport struct{ version string }

func (v versionTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("X-GitHub-Api-Version", v.version)
	return http.DefaultTransport.RoundTrip(r)
}

func TestAPIVersion2026AlwaysReturnsDetails(t *testing.T) {
	h := newHarness(t, baseConfig(fixedStart))
	base := h.srv.URL + "/"
	gh, err := github.NewClient(github.WithAuthToken(testToken), github.WithURLs(&base, &base),
		github.WithTransport(versionTransport{"2026-03-10"}))
	if err != nil {
		t.Fatalf("client: %v", err)
	}
	ctx := h.ctx
	details, resp, err := gh.Actions.CreateWorkflowDispatchEventByFileName(ctx, testOwner, testRepo, "sync.yml",
		github.CreateWorkflowDispatchEventRequest{Ref: "main", Inputs: map[string]any{"network": "x"}})
	if err != nil || resp.StatusCode != http.StatusOK || details.GetWorkflowRunID() == 0 {
		t.Fatalf("got (%v, %d, %v); want 200 with details", details, resp.StatusCode, err)
	}
	_, resp, err = gh.Actions.CreateWorkflowDispatchEventByFileName(ctx, testOwner, testRepo, "sync.yml",
		github.CreateWorkflowDispatchEventRequest{Ref: "main", Inputs: map[string]any{"network": "x"}, ReturnRunDetails: github.Ptr(true)})
	if err == nil || resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("removed parameter: status %d err %v; want 400", resp.StatusCode, err)
	}
	var raw map[string]any
	req, _ := gh.NewRequest(ctx, "GET", "rate_limit", nil)
	if _, err := gh.Do(req, &raw); err != nil {
		t.Fatalf("rate_limit: %v", err)
	}
	if _, ok := raw["rate"]; ok {
		t.Fatalf("rate_limit has the top-level rate removed in 2026-03-10")
	}

	bad := h.do("GET", "/meta", "", map[string]string{"X-GitHub-Api-Version": "2099-01-01"})
	if bad.StatusCode != http.StatusBadRequest {
		t.Fatalf("unknown version: status %d; want 400", bad.StatusCode)
	}
}

func TestAuthAndVisibility(t *testing.T) {
	cfg := baseConfig(fixedStart)
	cfg.Tokens = append(cfg.Tokens,
		simToken("reader", "pat", []string{"actions:read"}, nil),
		simToken("app-reader", "app", []string{"actions:read"}, nil),
		simToken("other-repo", "pat", nil, []string{"acme/elsewhere"}))
	h := newHarness(t, cfg)

	anon := h.do("GET", "/orgs/acme/actions/runners", "", map[string]string{"Authorization": ""})
	if anon.StatusCode != http.StatusUnauthorized || decodeError(t, anon).Message != "Bad credentials" {
		t.Fatalf("no token: status %d; want 401 Bad credentials", anon.StatusCode)
	}
	if anon.Header.Get("X-Ratelimit-Limit") != "60" {
		t.Fatalf("401 rate headers %q; want the anonymous limit", anon.Header.Get("X-Ratelimit-Limit"))
	}
	unknown := h.do("GET", "/meta", "", map[string]string{"Authorization": "Bearer nope"})
	if unknown.StatusCode != http.StatusUnauthorized {
		t.Fatalf("unknown token: status %d; want 401", unknown.StatusCode)
	}
	if ok := h.do("GET", "/meta", "", map[string]string{"Authorization": ""}); ok.StatusCode != http.StatusOK {
		t.Fatalf("anonymous /meta: status %d; want 200", ok.StatusCode)
	}

	check := func(tok, method, path string, status int, msg string) {
		t.Helper()
		resp := h.do(method, path, `{"ref":"main","inputs":{"network":"x"}}`, map[string]string{"Authorization": "Bearer " + tok})
		if resp.StatusCode != status {
			t.Fatalf("%s %s with %s: status %d; want %d", method, path, tok, resp.StatusCode, status)
		}
		if msg != "" && decodeError(t, resp).Message != msg {
			t.Fatalf("%s %s with %s: wrong message", method, path, tok)
		}
	}
	dispatch := "/repos/acme/sync-tests/actions/workflows/sync.yml/dispatches"
	check("reader", "GET", "/repos/acme/sync-tests/actions/runs", 200, "")
	check("reader", "POST", dispatch, 403, "Resource not accessible by personal access token")
	check("app-reader", "POST", dispatch, 403, "Resource not accessible by integration")
	check("reader", "GET", "/orgs/acme/actions/runners", 403, "")
	check("other-repo", "GET", "/repos/acme/sync-tests/actions/runs", 404, "Not Found")
	check(testToken, "GET", "/repos/acme/nope/actions/runs", 404, "Not Found")
	check(testToken, "GET", "/no/such/endpoint", 404, "Not Found")
}
