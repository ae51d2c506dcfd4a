package httpd

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/valyala/fasthttp"
)

var testUI = fstest.MapFS{
	"index.html":             {Data: []byte(`<!doctype html><html><head><script src="/assets/app-1a2b.js"></script></head><body><div id="root"></div></body></html>`)},
	"assets/app-1a2b.js":     {Data: []byte("console.log('" + strings.Repeat("dispatchoor ", 100) + "');")},
	"assets/style-9f8e.css":  {Data: []byte("body{color:#111}")},
	"favicon.svg":            {Data: []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`)},
	"assets/nested/font.txt": {Data: []byte("x")},
}

func TestStaticUI(t *testing.T) {
	env := newTestEnv(t, func(o *Options) { o.StaticFS = testUI })
	f := func(path string, wantCode int, wantType, wantCache, wantBodyPrefix string) {
		t.Helper()
		resp := env.do(request{method: "GET", path: path})
		wantStatus(t, resp, wantCode)
		if got := resp.header("Content-Type"); got != wantType {
			t.Errorf("%s: Content-Type %q; want %q", path, got, wantType)
		}
		if got := resp.header("Cache-Control"); got != wantCache {
			t.Errorf("%s: Cache-Control %q; want %q", path, got, wantCache)
		}
		if !strings.HasPrefix(string(resp.body), wantBodyPrefix) {
			t.Errorf("%s: body %.60q; want prefix %q", path, resp.body, wantBodyPrefix)
		}
	}
	const html = "text/html; charset=utf-8"
	f("/", 200, html, "no-cache", "<!doctype html>")
	f("/index.html", 200, html, "no-cache", "<!doctype html>")
	// Client-side routes fall back to index.html.
	f("/groups/sync-tests.v2", 200, html, "no-cache", "<!doctype html>")
	f("/runners", 200, html, "no-cache", "<!doctype html>")
	f("/assets/app-1a2b.js", 200, "text/javascript; charset=utf-8", "public, max-age=31536000, immutable", "console.log")
	f("/assets/style-9f8e.css", 200, "text/css; charset=utf-8", "public, max-age=31536000, immutable", "body{")
	f("/favicon.svg", 200, "image/svg+xml", "no-cache", "<svg")
	// A missing hashed asset is a 404, never index.html cached for a year.
	f("/assets/app-old.js", 404, "application/json", "", `{"error":"not found"}`)
	f("/config.json", 200, "application/json", "no-cache", `{"apiUrl":"/api/v1"}`)
	// Unknown API paths are JSON 404s, not the dashboard.
	f("/api/v1/nope", 404, "application/json", "", `{"error":"not found"}`)

	if resp := env.do(request{method: "HEAD", path: "/"}); resp.status != 200 || len(resp.body) != 0 {
		t.Fatalf("HEAD /: status %d body %q", resp.status, resp.body)
	}
	if resp := env.do(request{method: "POST", path: "/groups/x"}); resp.status != 404 {
		t.Fatalf("POST to a page path: status %d; want 404", resp.status)
	}
}

func TestStaticConfigJSONFromFS(t *testing.T) {
	ui := fstest.MapFS{"index.html": testUI["index.html"], "config.json": {Data: []byte(`{"apiUrl":"https://api.example.com/api/v1"}`)}}
	env := newTestEnv(t, func(o *Options) { o.StaticFS = ui })
	resp := env.do(request{method: "GET", path: "/config.json"})
	wantBody(t, resp, `{"apiUrl":"https://api.example.com/api/v1"}`)
}

func TestStaticCompression(t *testing.T) {
	env := newTestEnv(t, func(o *Options) { o.StaticFS = testUI })
	plain := testUI["assets/app-1a2b.js"].Data
	for _, enc := range []string{"br", "gzip"} {
		resp := env.do(request{method: "GET", path: "/assets/app-1a2b.js", headers: map[string]string{"Accept-Encoding": enc}})
		wantStatus(t, resp, 200)
		if got := resp.header("Content-Encoding"); got != enc {
			t.Fatalf("Accept-Encoding %s: Content-Encoding %q", enc, got)
		}
		var body []byte
		var err error
		if enc == "br" {
			body, err = fasthttp.AppendUnbrotliBytes(nil, resp.body)
		} else {
			body, err = fasthttp.AppendGunzipBytes(nil, resp.body)
		}
		if err != nil || string(body) != string(plain) {
			t.Fatalf("%s body does not decompress to the asset (%v)", enc, err)
		}
		if len(resp.body) >= len(plain) {
			t.Fatalf("%s body %d bytes; want smaller than %d", enc, len(resp.body), len(plain))
		}
	}
}

func TestStaticWithoutUI(t *testing.T) {
	env := newTestEnv(t)
	for _, p := range []string{"/", "/groups/g1"} {
		resp := env.do(request{method: "GET", path: p})
		wantStatus(t, resp, 200)
		if !strings.Contains(string(resp.body), "make ui") || !strings.Contains(string(resp.body), "make build") {
			t.Fatalf("%s: page does not say how to build the UI: %s", p, resp.body)
		}
	}
	wantBody(t, env.do(request{method: "GET", path: "/config.json"}), `{"apiUrl":"/api/v1"}`)
}
