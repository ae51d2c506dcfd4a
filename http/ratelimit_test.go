package httpd

import (
	"fmt"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
)

func TestLimiterBucket(t *testing.T) {
	clock := newFakeClock()
	l := newLimiter(6, clock.Now) // 6 per minute: one token every 10 s, burst 6
	for i := range 6 {
		if ok, _ := l.allow("a"); !ok {
			t.Fatalf("request %d refused within the burst", i+1)
		}
	}
	ok, retry := l.allow("a")
	if ok || retry != 10*time.Second {
		t.Fatalf("7th request: ok=%v retry=%v; want refused, retry 10s", ok, retry)
	}
	if ok, _ := l.allow("b"); !ok {
		t.Fatal("another key shares the exhausted bucket")
	}
	clock.Advance(4 * time.Second)
	if _, retry := l.allow("a"); retry != 6*time.Second {
		t.Fatalf("retry after 4s = %v; want 6s", retry)
	}
	clock.Advance(6 * time.Second)
	if ok, _ := l.allow("a"); !ok {
		t.Fatal("bucket did not refill")
	}
}

func TestLimiterPurgesIdleBuckets(t *testing.T) {
	clock := newFakeClock()
	l := newLimiter(60, clock.Now)
	l.allow("old")
	clock.Advance(idleBucketTTL / 2)
	l.allow("recent")
	clock.Advance(idleBucketTTL/2 + time.Second)
	l.allow("new")
	if n := l.size(); n != 2 {
		t.Fatalf("%d buckets after purge; want 2 (recent, new)", n)
	}
	if _, ok := l.buckets["old"]; ok {
		t.Fatal("idle bucket kept")
	}
}

func TestAuthTierOnByDefaultPerIPWithoutPort(t *testing.T) {
	env := newTestEnv(t)
	for i := range 10 {
		resp := env.login(adminUser, "wrong", func(r *request) { r.from = fmt.Sprintf("198.51.100.7:%d", 1000+i) })
		wantStatus(t, resp, fasthttp.StatusUnauthorized)
	}
	// A new source port is the same client.
	resp := env.login(adminUser, adminPass, func(r *request) { r.from = "198.51.100.7:9999" })
	wantStatus(t, resp, fasthttp.StatusTooManyRequests)
	if msg := resp.errorText(t); msg != "rate limit exceeded" {
		t.Fatalf("error = %q", msg)
	}
	if ra := resp.header("Retry-After"); ra != "6" {
		t.Fatalf("Retry-After = %q; want 6 (one token per 6 s at 10/min)", ra)
	}
	if n := env.fake.callCount("CreateSession"); n != 0 {
		t.Fatalf("rate-limited login created %d sessions", n)
	}
	// Another client is unaffected; other tiers are off by default.
	wantStatus(t, env.login(adminUser, adminPass, func(r *request) { r.from = "198.51.100.8:1000" }), fasthttp.StatusOK)
	for range 20 {
		wantStatus(t, env.do(request{method: "GET", path: "/health", from: "198.51.100.7:1"}), fasthttp.StatusOK)
	}
}

func TestAuthenticatedTierCheckedBeforeAuthentication(t *testing.T) {
	env := newTestEnv(t, func(o *Options) {
		rl := DefaultRateLimit()
		rl.Authenticated = RateTier{Enabled: true, RequestsPerMinute: 3}
		o.RateLimit = &rl
	})
	for range 3 {
		wantStatus(t, env.do(request{method: "GET", path: "/api/v1/groups", token: "guess"}), fasthttp.StatusUnauthorized)
	}
	resp := env.do(request{method: "GET", path: "/api/v1/groups", token: "guess"})
	wantStatus(t, resp, fasthttp.StatusTooManyRequests)
	if n := env.fake.callCount("LookupSession"); n != 3 {
		t.Fatalf("%d session lookups; want 3 (the limited request must not reach authentication)", n)
	}
	// A valid token from the same address is limited too.
	wantStatus(t, env.do(request{method: "GET", path: "/api/v1/groups", token: env.adminToken()}), fasthttp.StatusTooManyRequests)
}

func TestPublicTierWhenConfigured(t *testing.T) {
	env := newTestEnv(t, func(o *Options) {
		rl := DefaultRateLimit()
		rl.Public = RateTier{Enabled: true} // zero rpm takes the default, 60
		o.RateLimit = &rl
	})
	for range 60 {
		wantStatus(t, env.do(request{method: "GET", path: "/health"}), fasthttp.StatusOK)
	}
	wantStatus(t, env.do(request{method: "GET", path: "/health"}), fasthttp.StatusTooManyRequests)
	// The dashboard is in the public tier too.
	wantStatus(t, env.do(request{method: "GET", path: "/"}), fasthttp.StatusTooManyRequests)
}

func TestForwardedHeadersOnlyFromTrustedProxies(t *testing.T) {
	env := newTestEnv(t, func(o *Options) {
		o.TrustedProxies = []string{"10.0.0.0/8", "2001:db8::1"}
		rl := DefaultRateLimit()
		rl.Auth.RequestsPerMinute = 2
		o.RateLimit = &rl
	})
	via := func(peer, xff string) func(*request) {
		return func(r *request) { r.from = peer; r.headers = map[string]string{"X-Forwarded-For": xff} }
	}
	// Through the trusted proxy, each forwarded client has its own bucket,
	// whatever the proxy's address.
	for range 2 {
		wantStatus(t, env.login(adminUser, "x", via("10.0.0.1:1", "203.0.113.1, 10.0.0.2")), fasthttp.StatusUnauthorized)
	}
	wantStatus(t, env.login(adminUser, "x", via("10.0.0.3:1", "203.0.113.1")), fasthttp.StatusTooManyRequests)
	wantStatus(t, env.login(adminUser, "x", via("10.0.0.1:1", "203.0.113.2")), fasthttp.StatusUnauthorized)

	// From an untrusted peer the header is ignored: changing it does not
	// buy a fresh bucket.
	wantStatus(t, env.login(adminUser, "x", via("192.0.2.50:1", "1.1.1.1")), fasthttp.StatusUnauthorized)
	wantStatus(t, env.login(adminUser, "x", via("192.0.2.50:2", "2.2.2.2")), fasthttp.StatusUnauthorized)
	wantStatus(t, env.login(adminUser, "x", via("192.0.2.50:3", "3.3.3.3")), fasthttp.StatusTooManyRequests)
}

func TestClientAddr(t *testing.T) {
	ps, err := newProxySet([]string{"10.0.0.0/8", "::ffff:192.168.1.1", "2001:db8::/32"})
	if err != nil {
		t.Fatal(err)
	}
	f := func(peer string, headers map[string]string, want string) {
		t.Helper()
		var ctx fasthttp.RequestCtx
		ap := netip.MustParseAddrPort(peer)
		ctx.Init(&fasthttp.Request{}, net.TCPAddrFromAddrPort(ap), nil)
		for k, v := range headers {
			ctx.Request.Header.Set(k, v)
		}
		if got := ps.clientAddr(&ctx).String(); got != want {
			t.Fatalf("peer %s headers %v: client %s; want %s", peer, headers, got, want)
		}
	}
	xff := func(v string) map[string]string { return map[string]string{"X-Forwarded-For": v} }
	f("192.0.2.1:5", nil, "192.0.2.1")
	f("192.0.2.1:5", xff("203.0.113.1"), "192.0.2.1")
	f("10.1.1.1:5", nil, "10.1.1.1")
	f("10.1.1.1:5", xff("203.0.113.1"), "203.0.113.1")
	// The client may prepend anything; the rightmost untrusted entry wins.
	f("10.1.1.1:5", xff("6.6.6.6, 203.0.113.1, 10.2.2.2"), "203.0.113.1")
	f("10.1.1.1:5", xff("10.3.3.3, 10.2.2.2"), "10.3.3.3")
	f("10.1.1.1:5", xff("203.0.113.1:8080"), "203.0.113.1")
	f("10.1.1.1:5", xff("[2001:db9::5]:443"), "2001:db9::5")
	f("10.1.1.1:5", xff("garbage, 10.2.2.2"), "10.2.2.2")
	f("10.1.1.1:5", map[string]string{"X-Real-IP": "203.0.113.4"}, "203.0.113.4")
	f("192.0.2.1:5", map[string]string{"X-Real-IP": "203.0.113.4"}, "192.0.2.1")
	f("[::ffff:192.168.1.1]:5", xff("203.0.113.1"), "203.0.113.1")
	f("[2001:db8::7]:5", xff("2001:db9::1"), "2001:db9::1")

	if _, err := newProxySet([]string{"not-an-ip"}); err == nil {
		t.Fatal("invalid trusted proxy accepted")
	}
}
