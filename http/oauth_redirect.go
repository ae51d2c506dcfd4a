package httpd

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/valyala/fasthttp"
)

// maxRedirectLen bounds a redirect target; it travels inside the state.
const maxRedirectLen = 2048

// errRedirectRefused is answered before the browser is sent to GitHub, so
// a crafted sign-in link cannot end on someone else's site with a code.
var errRedirectRefused = errors.New("redirect target is not allowed")

// redirectPolicy decides where a finished sign-in may send the browser:
// a path on this server, this server's origin, RedirectURL's origin or one
// of the allowed origins. The reference followed any URL.
type redirectPolicy struct {
	allowed map[string]bool // normalised origins
}

func newRedirectPolicy(redirectURL string, origins []string) (redirectPolicy, error) {
	p := redirectPolicy{allowed: map[string]bool{}}
	if redirectURL != "" {
		o, err := parseOrigin(redirectURL)
		if err != nil {
			return redirectPolicy{}, fmt.Errorf("redirect url: %w", err)
		}
		p.allowed[o] = true
	}
	for _, s := range origins {
		o, err := parseOrigin(s)
		if err != nil {
			return redirectPolicy{}, fmt.Errorf("allowed redirect origin: %w", err)
		}
		p.allowed[o] = true
	}
	return p, nil
}

// check returns target if it may be redirected to from a server whose
// origin is self.
func (p redirectPolicy) check(target, self string) (string, error) {
	if len(target) > maxRedirectLen {
		return "", fmt.Errorf("%w: longer than %d bytes", errRedirectRefused, maxRedirectLen)
	}
	// Browsers read a backslash as a slash ("/\evil.example" is
	// protocol-relative to them) and drop tabs and newlines, so either
	// could turn a harmless-looking path into another origin.
	if strings.ContainsAny(target, "\\") || strings.ContainsFunc(target, isControl) {
		return "", errRedirectRefused
	}
	if strings.HasPrefix(target, "/") && !strings.HasPrefix(target, "//") {
		if _, err := url.Parse(target); err != nil {
			return "", errRedirectRefused
		}
		return target, nil
	}
	o, err := parseOrigin(target)
	if err != nil {
		return "", errRedirectRefused
	}
	if o != self && !p.allowed[o] {
		return "", fmt.Errorf("%w: origin %s", errRedirectRefused, o)
	}
	return target, nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// parseOrigin returns the origin of an absolute http(s) URL as
// "scheme://host[:port]", lower-cased, without a default port.
func parseOrigin(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil {
		return "", fmt.Errorf("parse %q: %w", s, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return "", fmt.Errorf("%q: want an absolute http(s) URL without credentials", s)
	}
	return originOf(u.Scheme, u.Host), nil
}

func originOf(scheme, host string) string {
	scheme, host = strings.ToLower(scheme), strings.ToLower(host)
	switch {
	case scheme == "http" && strings.HasSuffix(host, ":80"):
		host = strings.TrimSuffix(host, ":80")
	case scheme == "https" && strings.HasSuffix(host, ":443"):
		host = strings.TrimSuffix(host, ":443")
	}
	return scheme + "://" + host
}

// selfOrigin is the origin the browser used to reach this server: the Host
// header, or X-Forwarded-Host and X-Forwarded-Proto from a trusted proxy.
func (s *Server) selfOrigin(ctx *fasthttp.RequestCtx) (string, error) {
	host := s.proxies.forwardedHeader(ctx, "X-Forwarded-Host")
	if host == "" {
		host = string(ctx.Host())
	}
	scheme := "http"
	if s.proxies.isHTTPS(ctx) {
		scheme = "https"
	}
	u, err := url.Parse(scheme + "://" + host)
	if host == "" || err != nil || u.Host != host || u.Path != "" || u.User != nil {
		return "", fmt.Errorf("request host %q is not a valid host", host)
	}
	return originOf(scheme, host), nil
}

// withCode appends the one-time code to the sign-in's final target.
func withCode(target, code string) string {
	u, err := url.Parse(target)
	if err != nil {
		// Targets were checked when the sign-in started; this is only
		// reachable with a forged state, which the signature refuses.
		u = &url.URL{Path: "/"}
	}
	q := u.Query()
	q.Set("code", code)
	u.RawQuery = q.Encode()
	return u.String()
}
