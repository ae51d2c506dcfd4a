package httpd

import (
	"net/url"
	"strings"

	"github.com/valyala/fasthttp"
)

// corsPolicy implements server.cors_origins.
//
// Credentials are allowed only for origins listed exactly. A "*" entry lets
// any other origin call the API, but is answered with a literal
// "Access-Control-Allow-Origin: *" and no Allow-Credentials: browsers then
// refuse to attach the session cookie, so an arbitrary web page cannot act
// with a logged-in operator's cookie. Such pages can still call the API with
// a bearer token they hold themselves, which is what "*" is for. (The
// reference echoed every origin with credentials, which hands any site the
// operator's session.)
//
// Same-origin requests (Origin matching the Host the client addressed) need
// no entry and always work, including the dashboard's own WebSocket.
type corsPolicy struct {
	listed  map[string]bool
	any     bool
	proxies *proxySet
}

type originClass int

const (
	originNone     originClass = iota // no Origin header: not a browser cross-origin call
	originSame                        // the page was served by us
	originListed                      // listed exactly: credentials allowed
	originWildcard                    // allowed by "*": no credentials
	originRefused
)

const (
	corsAllowMethods  = "GET, POST, PUT, DELETE, OPTIONS"
	corsAllowHeaders  = "Content-Type, Authorization, X-Request-ID"
	corsExposeHeaders = "X-Request-ID, Retry-After"
	corsMaxAge        = "600"
)

func newCORSPolicy(origins []string, proxies *proxySet) *corsPolicy {
	c := &corsPolicy{listed: map[string]bool{}, proxies: proxies}
	for _, o := range origins {
		if strings.TrimSpace(o) == "*" {
			c.any = true
			continue
		}
		c.listed[normalizeOrigin(o)] = true
	}
	return c
}

// normalizeOrigin lowercases an origin and drops a trailing slash and a
// default port, the forms in which browsers never send it.
func normalizeOrigin(o string) string {
	o = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(o), "/"))
	u, err := url.Parse(o)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return o
	}
	host := u.Host
	if (u.Scheme == "https" && strings.HasSuffix(host, ":443")) || (u.Scheme == "http" && strings.HasSuffix(host, ":80")) {
		host = host[:strings.LastIndexByte(host, ':')]
	}
	return u.Scheme + "://" + host
}

func (c *corsPolicy) classify(ctx *fasthttp.RequestCtx) originClass {
	origin := string(ctx.Request.Header.Peek(fasthttp.HeaderOrigin))
	if origin == "" {
		return originNone
	}
	if c.sameOrigin(ctx, origin) {
		return originSame
	}
	if c.listed[normalizeOrigin(origin)] {
		return originListed
	}
	if c.any {
		return originWildcard
	}
	return originRefused
}

func (c *corsPolicy) sameOrigin(ctx *fasthttp.RequestCtx, origin string) bool {
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	host := strings.ToLower(u.Host)
	if host == strings.ToLower(string(ctx.Host())) {
		return true
	}
	fwd := c.proxies.forwardedHeader(ctx, "X-Forwarded-Host")
	return fwd != "" && host == strings.ToLower(fwd)
}

// handle applies the policy. It reports true when it has answered the
// request itself: a preflight, or a state-changing call from a refused
// origin (refusing it here means it never reaches a handler, which also
// blocks cross-site form posts that would carry a Lax cookie from a sibling
// subdomain).
func (c *corsPolicy) handle(ctx *fasthttp.RequestCtx) bool {
	class := c.classify(ctx)
	preflight := ctx.IsOptions() && len(ctx.Request.Header.Peek(fasthttp.HeaderAccessControlRequestMethod)) > 0
	if class == originRefused {
		if preflight || !(ctx.IsGet() || ctx.IsHead()) {
			writeErrorStatus(ctx, fasthttp.StatusForbidden, msgOriginRefused)
			return true
		}
		return false
	}
	c.setHeaders(ctx, class)
	if preflight && class != originNone {
		h := &ctx.Response.Header
		h.Set(fasthttp.HeaderAccessControlAllowMethods, corsAllowMethods)
		h.Set(fasthttp.HeaderAccessControlAllowHeaders, corsAllowHeaders)
		h.Set(fasthttp.HeaderAccessControlMaxAge, corsMaxAge)
		ctx.SetStatusCode(fasthttp.StatusNoContent)
		return true
	}
	return false
}

func (c *corsPolicy) setHeaders(ctx *fasthttp.RequestCtx, class originClass) {
	h := &ctx.Response.Header
	switch class {
	case originListed, originSame:
		h.Set(fasthttp.HeaderAccessControlAllowOrigin, string(ctx.Request.Header.Peek(fasthttp.HeaderOrigin)))
		h.Set(fasthttp.HeaderAccessControlAllowCredentials, "true")
		h.Add(fasthttp.HeaderVary, fasthttp.HeaderOrigin)
	case originWildcard:
		h.Set(fasthttp.HeaderAccessControlAllowOrigin, "*")
	default:
		return
	}
	h.Set(fasthttp.HeaderAccessControlExposeHeaders, corsExposeHeaders)
}

// allowed reports whether a browser page at the request's Origin may use
// the API: no Origin, same origin, or allowed by cors_origins.
func (c *corsPolicy) allowed(ctx *fasthttp.RequestCtx) bool {
	return c.classify(ctx) != originRefused
}
