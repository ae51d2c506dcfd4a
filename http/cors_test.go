package httpd

import (
	"testing"

	"github.com/valyala/fasthttp"
)

func preflight(origin string) request {
	return request{method: "OPTIONS", path: "/api/v1/groups/g1/queue", headers: map[string]string{
		"Origin": origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type,authorization",
	}}
}

func TestCORSWithoutConfiguredOrigins(t *testing.T) {
	env := newTestEnv(t)
	tok := env.adminToken()
	same := map[string]string{"Origin": "http://dispatchoor.test"}

	// Same origin always works, including state changes.
	resp := env.do(request{method: "POST", path: "/api/v1/jobs/j1/pause", token: tok, headers: same})
	wantStatus(t, resp, fasthttp.StatusOK)
	wantStatus(t, env.do(preflight("http://dispatchoor.test")), fasthttp.StatusNoContent)

	// A foreign origin's state change is refused before it reaches a
	// handler; its preflight is refused as well.
	before := env.fake.mutationCount()
	resp = env.do(request{method: "POST", path: "/api/v1/jobs/j1/unpause", token: tok, headers: map[string]string{"Origin": "https://evil.example"}})
	wantStatus(t, resp, fasthttp.StatusForbidden)
	if msg := resp.errorText(t); msg != "origin not allowed" {
		t.Fatalf("error = %q", msg)
	}
	if env.fake.mutationCount() != before {
		t.Fatal("refused cross-origin request changed state")
	}
	resp = env.do(preflight("https://evil.example"))
	wantStatus(t, resp, fasthttp.StatusForbidden)
	resp.errorText(t)

	// A foreign GET is served without CORS headers: the browser keeps the
	// answer from the page.
	resp = env.do(request{method: "GET", path: "/api/v1/groups", token: tok, headers: map[string]string{"Origin": "https://evil.example"}})
	wantStatus(t, resp, fasthttp.StatusOK)
	if h := resp.header("Access-Control-Allow-Origin"); h != "" {
		t.Fatalf("Access-Control-Allow-Origin = %q for a refused origin", h)
	}
}

func TestCORSListedOrigin(t *testing.T) {
	env := newTestEnv(t, func(o *Options) { o.CORSOrigins = []string{"https://ui.example.com/"} })
	resp := env.do(preflight("https://ui.example.com"))
	wantStatus(t, resp, fasthttp.StatusNoContent)
	want := map[string]string{
		"Access-Control-Allow-Origin":      "https://ui.example.com",
		"Access-Control-Allow-Credentials": "true",
		"Access-Control-Allow-Methods":     "GET, POST, PUT, DELETE, OPTIONS",
		"Access-Control-Allow-Headers":     "Content-Type, Authorization, X-Request-ID",
		"Vary":                             "Origin",
	}
	for k, v := range want {
		if got := resp.header(k); got != v {
			t.Errorf("%s = %q; want %q", k, got, v)
		}
	}
	resp = env.do(request{method: "GET", path: "/api/v1/groups", token: env.adminToken(),
		headers: map[string]string{"Origin": "https://ui.example.com"}})
	wantStatus(t, resp, fasthttp.StatusOK)
	if resp.header("Access-Control-Allow-Origin") != "https://ui.example.com" || resp.header("Access-Control-Allow-Credentials") != "true" {
		t.Fatalf("CORS headers on a listed origin's GET: %v", resp.headers)
	}
	wantStatus(t, env.do(preflight("https://other.example.com")), fasthttp.StatusForbidden)
}

func TestCORSWildcardNeverAllowsCredentials(t *testing.T) {
	env := newTestEnv(t, func(o *Options) { o.CORSOrigins = []string{"*", "https://ui.example.com"} })
	resp := env.do(preflight("https://anyone.example"))
	wantStatus(t, resp, fasthttp.StatusNoContent)
	if got := resp.header("Access-Control-Allow-Origin"); got != "*" {
		t.Fatalf("Access-Control-Allow-Origin = %q; want *", got)
	}
	if got := resp.header("Access-Control-Allow-Credentials"); got != "" {
		t.Fatalf("Access-Control-Allow-Credentials = %q for a wildcard origin; want none", got)
	}
	// A listed origin still gets credentials.
	resp = env.do(preflight("https://ui.example.com"))
	if resp.header("Access-Control-Allow-Credentials") != "true" || resp.header("Access-Control-Allow-Origin") != "https://ui.example.com" {
		t.Fatalf("listed origin lost credentials next to *: %v", resp.headers)
	}
}

func TestOriginAllowedForWebSocket(t *testing.T) {
	env := newTestEnv(t, func(o *Options) { o.CORSOrigins = []string{"https://ui.example.com:443"} })
	f := func(origin, host string, want bool) {
		t.Helper()
		var ctx fasthttp.RequestCtx
		ctx.Request.Header.SetHost(host)
		if origin != "" {
			ctx.Request.Header.Set("Origin", origin)
		}
		if got := env.srv.OriginAllowed(&ctx); got != want {
			t.Fatalf("origin %q host %q: allowed %v; want %v", origin, host, got, want)
		}
	}
	f("", "api.example.com", true)
	f("https://api.example.com", "api.example.com", true)
	f("https://ui.example.com", "api.example.com", true)
	f("https://UI.example.com", "api.example.com", true)
	f("https://evil.example.com", "api.example.com", false)
	f("null", "api.example.com", false)
}
