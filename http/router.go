package httpd

import (
	"fmt"
	"slices"
	"strings"

	"github.com/valyala/fasthttp"
)

// Tier is the rate-limit tier of a route (spec §5.5).
type Tier int

// Rate-limit tiers.
const (
	TierPublic Tier = iota
	TierAuth
	TierAuthenticated
	// TierSigned is never rate limited: its routes authenticate the caller
	// by a signature over the body (GitHub webhooks), and GitHub does not
	// redeliver what a limit refused, so a burst of run events from its
	// few addresses must all get through.
	TierSigned
)

func (t Tier) String() string {
	switch t {
	case TierPublic:
		return "public"
	case TierAuth:
		return "auth"
	case TierAuthenticated:
		return "authenticated"
	case TierSigned:
		return "signed"
	}
	return fmt.Sprintf("tier(%d)", int(t))
}

// Access is who may call a route.
type Access int

// Access levels.
const (
	// AccessPublic needs no session.
	AccessPublic Access = iota
	// AccessUser needs a session of any role.
	AccessUser
	// AccessAdmin needs a session with the admin role.
	AccessAdmin
)

func (a Access) String() string {
	switch a {
	case AccessPublic:
		return "public"
	case AccessUser:
		return "user"
	case AccessAdmin:
		return "admin"
	}
	return fmt.Sprintf("access(%d)", int(a))
}

// Route is one entry of the route table.
type Route struct {
	Method string
	// Path is a pattern: literal segments and {name} segments, which match
	// one non-empty segment and are read with Param(ctx, name).
	Path   string
	Tier   Tier
	Access Access
	// QueryToken accepts the session token from the ?token= parameter. Only
	// the WebSocket route sets it: browsers cannot send headers on an
	// upgrade, and a token in a URL ends up in logs elsewhere.
	QueryToken bool
	// Summary, Request, Response and Status document the route in the
	// OpenAPI document only. Request and Response are values of the body
	// types (nil for none); Status is the success code (200 when zero, or
	// 204 when there is no Response).
	Summary  string
	Request  any
	Response any
	Status   int
	Handler  fasthttp.RequestHandler

	segments []string
}

// Param returns the value of a {name} path segment of the matched route.
func Param(ctx *fasthttp.RequestCtx, name string) string {
	v, _ := ctx.UserValue(paramKey(name)).(string)
	return v
}

type paramKey string

// router matches a request to a route. The table is small (a few dozen
// routes), so a linear scan over pre-split patterns is both the simplest and
// fast enough; it is frozen before the server starts, so reads need no lock.
type router struct {
	routes []*Route
}

func (r *router) add(rt Route) error {
	if rt.Method == "" || !strings.HasPrefix(rt.Path, "/") || rt.Handler == nil {
		return fmt.Errorf("add route %s %s: method, absolute path and handler are required", rt.Method, rt.Path)
	}
	rt.segments = strings.Split(strings.TrimPrefix(rt.Path, "/"), "/")
	for _, seg := range rt.segments {
		if strings.HasPrefix(seg, "{") != strings.HasSuffix(seg, "}") || seg == "{}" {
			return fmt.Errorf("add route %s %s: malformed segment %q", rt.Method, rt.Path, seg)
		}
	}
	for _, old := range r.routes {
		if old.Method == rt.Method && samePattern(old.segments, rt.segments) {
			return fmt.Errorf("add route %s %s: conflicts with %s", rt.Method, rt.Path, old.Path)
		}
	}
	r.routes = append(r.routes, &rt)
	return nil
}

// samePattern reports whether two patterns match the same paths.
func samePattern(a, b []string) bool {
	return slices.EqualFunc(a, b, func(x, y string) bool {
		return x == y || (isParam(x) && isParam(y))
	})
}

func isParam(seg string) bool { return strings.HasPrefix(seg, "{") }

// match finds the route for method and path. When the path matches only
// routes of other methods, it returns those methods for a 405.
func (r *router) match(method, path string) (rt *Route, params []string, allowed []string) {
	segs := strings.Split(strings.TrimPrefix(path, "/"), "/")
	if method == fasthttp.MethodHead {
		method = fasthttp.MethodGet
	}
	for _, cand := range r.routes {
		p, ok := matchSegments(cand.segments, segs)
		if !ok {
			continue
		}
		if cand.Method == method {
			return cand, p, nil
		}
		allowed = append(allowed, cand.Method)
	}
	return nil, nil, allowed
}

// matchSegments returns the {name}, value pairs of a match.
func matchSegments(pattern, segs []string) ([]string, bool) {
	if len(pattern) != len(segs) {
		return nil, false
	}
	var params []string
	for i, p := range pattern {
		switch {
		case isParam(p):
			if segs[i] == "" {
				return nil, false
			}
			params = append(params, p[1:len(p)-1], segs[i])
		case p != segs[i]:
			return nil, false
		}
	}
	return params, true
}

func setParams(ctx *fasthttp.RequestCtx, params []string) {
	for i := 0; i+1 < len(params); i += 2 {
		ctx.SetUserValue(paramKey(params[i]), params[i+1])
	}
}
