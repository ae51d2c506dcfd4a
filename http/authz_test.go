package httpd

import (
	"strings"
	"testing"

	"github.com/valyala/fasthttp"
)

// routeDecisions is the access decision for every route of the table. A
// route added to the table without a line here fails
// TestRouteTableDecisions, so nobody adds a route without deciding who may
// call it.
var routeDecisions = map[string]struct {
	access Access
	tier   Tier
}{
	"GET /health":                            {AccessPublic, TierPublic},
	"GET /metrics":                           {AccessPublic, TierPublic},
	"GET /api/v1/openapi.json":               {AccessPublic, TierPublic},
	"POST /api/v1/auth/login":                {AccessPublic, TierAuth},
	"POST /api/v1/auth/logout":               {AccessUser, TierAuthenticated},
	"GET /api/v1/auth/me":                    {AccessUser, TierAuthenticated},
	"GET /api/v1/groups":                     {AccessUser, TierAuthenticated},
	"GET /api/v1/groups/{id}":                {AccessUser, TierAuthenticated},
	"GET /api/v1/groups/{id}/templates":      {AccessUser, TierAuthenticated},
	"GET /api/v1/templates/{id}":             {AccessUser, TierAuthenticated},
	"GET /api/v1/groups/{id}/queue":          {AccessUser, TierAuthenticated},
	"GET /api/v1/groups/{id}/history":        {AccessUser, TierAuthenticated},
	"GET /api/v1/groups/{id}/history/stats":  {AccessUser, TierAuthenticated},
	"GET /api/v1/jobs/{id}":                  {AccessUser, TierAuthenticated},
	"GET /api/v1/groups/{id}/runners":        {AccessUser, TierAuthenticated},
	"GET /api/v1/runners":                    {AccessUser, TierAuthenticated},
	"GET /api/v1/status":                     {AccessUser, TierAuthenticated},
	"POST /api/v1/groups/{id}/pause":         {AccessAdmin, TierAuthenticated},
	"POST /api/v1/groups/{id}/unpause":       {AccessAdmin, TierAuthenticated},
	"POST /api/v1/groups/{id}/queue":         {AccessAdmin, TierAuthenticated},
	"PUT /api/v1/groups/{id}/queue/reorder":  {AccessAdmin, TierAuthenticated},
	"PUT /api/v1/jobs/{id}":                  {AccessAdmin, TierAuthenticated},
	"DELETE /api/v1/jobs/{id}":               {AccessAdmin, TierAuthenticated},
	"POST /api/v1/jobs/{id}/pause":           {AccessAdmin, TierAuthenticated},
	"POST /api/v1/jobs/{id}/unpause":         {AccessAdmin, TierAuthenticated},
	"POST /api/v1/jobs/{id}/cancel":          {AccessAdmin, TierAuthenticated},
	"POST /api/v1/jobs/{id}/disable-requeue": {AccessAdmin, TierAuthenticated},
	"PUT /api/v1/jobs/{id}/auto-requeue":     {AccessAdmin, TierAuthenticated},
	"POST /api/v1/runners/refresh":           {AccessAdmin, TierAuthenticated},
	"POST /api/v1/templates/reload":          {AccessAdmin, TierAuthenticated},
}

func routeKey(r Route) string { return r.Method + " " + r.Path }

func TestRouteTableDecisions(t *testing.T) {
	env := newTestEnv(t)
	seen := map[string]bool{}
	for _, r := range env.srv.Routes() {
		key := routeKey(r)
		seen[key] = true
		want, ok := routeDecisions[key]
		if !ok {
			t.Errorf("route %s has no access decision in routeDecisions", key)
			continue
		}
		if r.Access != want.access || r.Tier != want.tier {
			t.Errorf("route %s: access %v tier %v; want access %v tier %v", key, r.Access, r.Tier, want.access, want.tier)
		}
		if r.QueryToken {
			t.Errorf("route %s accepts ?token=; only the WebSocket route may", key)
		}
	}
	for key := range routeDecisions {
		if !seen[key] {
			t.Errorf("decision for %s, which is not in the route table", key)
		}
	}
}

// concretePath fills a pattern's parameters with ids the fake knows.
func concretePath(pattern string) string {
	switch {
	case strings.HasPrefix(pattern, "/api/v1/jobs/"):
		return strings.Replace(pattern, "{id}", "j1", 1)
	case strings.HasPrefix(pattern, "/api/v1/templates/"):
		return strings.Replace(pattern, "{id}", "t1", 1)
	}
	return strings.Replace(pattern, "{id}", "g1", 1)
}

func TestAuthorizationMatrix(t *testing.T) {
	env := newTestEnv(t)
	type caller struct {
		name  string
		token func() string
	}
	callers := []caller{
		{"anonymous", func() string { return "" }},
		{"readonly", env.readonlyToken},
		{"admin", env.adminToken},
	}
	for _, r := range env.srv.Routes() {
		for _, c := range callers {
			t.Run(c.name+" "+routeKey(r), func(t *testing.T) {
				before := env.fake.mutationCount()
				resp := env.do(request{method: r.Method, path: concretePath(r.Path), token: c.token()})
				denied := false
				switch {
				case r.Access != AccessPublic && c.name == "anonymous":
					wantStatus(t, resp, fasthttp.StatusUnauthorized)
					denied = true
				case r.Access == AccessAdmin && c.name == "readonly":
					wantStatus(t, resp, fasthttp.StatusForbidden)
					denied = true
				case resp.status == fasthttp.StatusUnauthorized || resp.status == fasthttp.StatusForbidden:
					t.Fatalf("status = %d for %s; want access (body %s)", resp.status, c.name, resp.body)
				}
				if denied {
					resp.errorText(t)
					if got := env.fake.mutationCount(); got != before {
						t.Fatalf("denied request changed state: %d mutations; want %d", got, before)
					}
				}
			})
		}
	}
}

func TestAdminOnlyErrorsAreJSON(t *testing.T) {
	env := newTestEnv(t)
	resp := env.do(request{method: "POST", path: "/api/v1/groups/g1/pause", token: env.readonlyToken()})
	wantStatus(t, resp, fasthttp.StatusForbidden)
	if got := resp.errorText(t); got != "forbidden" {
		t.Fatalf("error = %q; want forbidden", got)
	}
	resp = env.do(request{method: "GET", path: "/api/v1/groups"})
	wantStatus(t, resp, fasthttp.StatusUnauthorized)
	if got := resp.errorText(t); got != "unauthorized" {
		t.Fatalf("error = %q; want unauthorized", got)
	}
}
