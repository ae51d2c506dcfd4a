package config

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// testTimeout bounds every network test.
const testTimeout = 10 * time.Second

const urlTemplateYAML = "- id: remote\n  owner: o\n  repo: r\n  workflow_id: w.yml\n  inputs: {who: \"${WHO:-nobody}\"}\n"

// templateServer serves handler on 127.0.0.1 and counts requests.
func templateServer(tb testing.TB, handler http.HandlerFunc) (*httptest.Server, *atomic.Int32) {
	tb.Helper()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		handler(w, r)
	}))
	tb.Cleanup(srv.Close)
	return srv, &hits
}

func serveText(text string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, text) }
}

// urlConfig is a config whose only group takes its templates from rawURL.
func urlConfig(rawURL, templatesSection string) string {
	return authTOML + templatesSection + `
[[groups.github]]
id = "g"
runner_labels = ["x"]
workflow_dispatch_templates_urls = ["` + rawURL + `"]
`
}

func parseWithTimeout(tb testing.TB, text string, opts LoadOptions) (*Config, error) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	if opts.LookupEnv == nil {
		opts.LookupEnv = noEnv
	}
	return ParseContext(ctx, []byte(text), "toml", "", opts)
}

const allowPrivate = "\n[templates]\nallow_private_urls = true\n"

func TestURLTemplatesAllowedWhenPrivateAllowed(t *testing.T) {
	srv, _ := templateServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/t.toml" {
			fmt.Fprint(w, "[[templates]]\nid = \"remote-toml\"\nowner = \"o\"\nrepo = \"r\"\nworkflow_id = \"w.yml\"\n")
			return
		}
		fmt.Fprint(w, urlTemplateYAML)
	})
	text := authTOML + allowPrivate + `
[[groups.github]]
id = "g"
runner_labels = ["x"]
workflow_dispatch_templates_urls = ["` + srv.URL + `/t.yaml", "` + srv.URL + `/t.toml?v=1"]
`
	c, err := parseWithTimeout(t, text, LoadOptions{LookupEnv: env(map[string]string{"WHO": "me"})})
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	ts := c.Groups[0].Templates
	if len(ts) != 2 || ts[0].ID != "remote" || ts[1].ID != "remote-toml" {
		t.Fatalf("templates = %+v; want remote, remote-toml", ts)
	}
	if ts[0].SourceType != SourceURL || ts[0].SourcePath != srv.URL+"/t.yaml" || ts[0].Inputs["who"] != "me" {
		t.Fatalf("template = %+v; want source url %s and input from the environment", ts[0], srv.URL+"/t.yaml")
	}
}

func TestURLTemplatesRefusePrivateByDefault(t *testing.T) {
	srv, hits := templateServer(t, serveText(urlTemplateYAML))
	port := srv.URL[strings.LastIndex(srv.URL, ":")+1:]
	for _, u := range []string{
		srv.URL + "/t.yaml",                        // IP literal: refused before dialling
		"http://localhost:" + port + "/t.yaml",     // name: refused at dial time, after resolution
		"http://[::ffff:127.0.0.1]:" + port + "/t", // IPv4-mapped IPv6
	} {
		_, err := parseWithTimeout(t, urlConfig(u, ""), LoadOptions{})
		if err == nil {
			t.Fatalf("%s: Parse succeeded; want the URL refused", u)
		}
		for _, want := range []string{`template URL "` + u + `"`, "is loopback", "templates.allow_private_urls"} {
			if !strings.Contains(err.Error(), want) {
				t.Fatalf("%s: error %q does not mention %q", u, err, want)
			}
		}
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("server saw %d requests; want none", n)
	}
}

func TestURLTemplatesLimits(t *testing.T) {
	big := strings.Repeat("#", 300) + "\n" + urlTemplateYAML
	cases := []struct {
		name, settings string
		handler        http.HandlerFunc
		want           string
	}{
		{"size cap with length", "url_max_bytes = 100", serveText(big), "larger than 100 bytes (templates.url_max_bytes)"},
		{"size cap streamed", "url_max_bytes = 100", func(w http.ResponseWriter, _ *http.Request) {
			for i := 0; i < 10; i++ {
				fmt.Fprint(w, strings.Repeat("#", 50)+"\n")
				w.(http.Flusher).Flush() // no Content-Length: the cap must hold while reading
			}
		}, "larger than 100 bytes"},
		{"not found", "", func(w http.ResponseWriter, _ *http.Request) { http.NotFound(w, nil) }, "status 404 Not Found, want 200"},
		{"no content", "", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }, "status 204"},
		{"timeout", `url_timeout = "100ms"`, func(w http.ResponseWriter, r *http.Request) {
			<-r.Context().Done() // answer only once the client has given up
		}, "Client.Timeout"},
		{"bad document", "", serveText("- id: [\n"), "parse:"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, _ := templateServer(t, tc.handler)
			u := srv.URL + "/t.yaml"
			_, err := parseWithTimeout(t, urlConfig(u, allowPrivate+tc.settings+"\n"), LoadOptions{})
			if err == nil {
				t.Fatal("Parse succeeded; want an error")
			}
			for _, want := range []string{`group "g": template URL "` + u + `"`, tc.want} {
				if !strings.Contains(err.Error(), want) {
					t.Fatalf("error %q does not mention %q", err, want)
				}
			}
		})
	}
}

func TestURLTemplatesRefuseOtherSchemes(t *testing.T) {
	_, err := parseWithTimeout(t, urlConfig("file:///etc/passwd", allowPrivate), LoadOptions{})
	if err == nil || !strings.Contains(err.Error(), `scheme "file" is not allowed`) {
		t.Fatalf("err = %v; want the file scheme refused", err)
	}
	srv, _ := templateServer(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "ftp://example.com/t.yaml", http.StatusFound)
	})
	_, err = parseWithTimeout(t, urlConfig(srv.URL+"/t.yaml", allowPrivate), LoadOptions{})
	if err == nil || !strings.Contains(err.Error(), `redirect to scheme "ftp" is not allowed`) {
		t.Fatalf("err = %v; want the redirect refused", err)
	}
}

// TestFetcherChecksRedirectTargets serves on 127.0.0.1, which the test
// policy allows, and redirects to 127.0.0.2, which it blocks: the redirect
// must be refused when its address is dialled.
func TestFetcherChecksRedirectTargets(t *testing.T) {
	var redirected atomic.Int32
	srv, _ := templateServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/final" {
			redirected.Add(1)
			fmt.Fprint(w, urlTemplateYAML)
			return
		}
		port := r.Host[strings.LastIndex(r.Host, ":")+1:]
		http.Redirect(w, r, "http://127.0.0.2:"+port+"/final", http.StatusFound)
	})
	f := newFetcher(Default().Templates)
	defer f.close()
	blocked := netip.MustParseAddr("127.0.0.2")
	f.blocked = func(a netip.Addr) string {
		if a == blocked {
			return "test-blocked"
		}
		return ""
	}
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	_, err := f.fetch(ctx, srv.URL+"/start")
	if err == nil || !strings.Contains(err.Error(), "address 127.0.0.2 is test-blocked") {
		t.Fatalf("err = %v; want the redirect target refused", err)
	}
	if redirected.Load() != 0 {
		t.Fatal("the redirect target was reached")
	}
}

func TestBlockedReason(t *testing.T) {
	f := func(addr, want string) {
		t.Helper()
		if got := blockedReason(netip.MustParseAddr(addr).Unmap()); got != want {
			t.Fatalf("blockedReason(%s) = %q; want %q", addr, got, want)
		}
	}
	f("127.0.0.1", "loopback")
	f("::1", "loopback")
	f("::ffff:127.0.0.1", "loopback")
	f("169.254.169.254", "link-local")
	f("fe80::1", "link-local")
	f("10.1.2.3", "private")
	f("172.16.0.1", "private")
	f("192.168.0.1", "private")
	f("fd00::1", "private")
	f("0.0.0.0", "unspecified")
	f("0.1.2.3", "unspecified")
	f("::", "unspecified")
	f("224.0.0.251", "link-local")
	f("239.1.2.3", "multicast")
	f("ff02::1", "link-local")
	f("ff05::1", "multicast")
	f("140.82.112.3", "")
	f("2606:50c0:8000::153", "")
	f("172.32.0.1", "")
}
