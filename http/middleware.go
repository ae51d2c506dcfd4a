package httpd

import (
	"fmt"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/VictoriaMetrics/metrics"
	"github.com/valyala/fasthttp"
)

const (
	headerRequestID = "X-Request-ID"
	maxRequestIDLen = 128
	// patternUnmatched and patternStatic name requests outside the route
	// table in logs and metrics, keeping label cardinality bounded.
	patternUnmatched = "unmatched"
	patternStatic    = "static"
)

type requestIDKey struct{}

// requestID returns the id assigned to the request.
func requestID(ctx *fasthttp.RequestCtx) string {
	id, _ := ctx.UserValue(requestIDKey{}).(string)
	return id
}

// serve is the request pipeline: request id, recovery and access log
// around CORS, routing, rate limiting, body cap, authentication and role
// check, in that order. The rate limit comes before authentication so that
// guessing tokens costs the same as any other request.
func (s *Server) serve(ctx *fasthttp.RequestCtx) {
	start := time.Now()
	id := s.assignRequestID(ctx)
	pattern := patternUnmatched
	defer func() {
		if v := recover(); v != nil {
			s.log.Error("panic in handler", "request_id", id, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			ctx.Response.Reset()
			ctx.Response.Header.Set(headerRequestID, id)
			writeErrorStatus(ctx, fasthttp.StatusInternalServerError, msgInternal)
		}
		s.observe(ctx, pattern, id, time.Since(start))
	}()
	ctx.Response.Header.Set("X-Content-Type-Options", "nosniff")

	if s.cors.handle(ctx) {
		return
	}
	route, params, allowed := s.router.match(string(ctx.Method()), string(ctx.Path()))
	if route == nil {
		pattern = s.unrouted(ctx, allowed)
		return
	}
	pattern = route.Path
	setParams(ctx, params)
	if !s.admit(ctx, route) {
		return
	}
	route.Handler(ctx)
}

// admit applies the rate limit, body cap and access rule of route,
// answering the request itself when it fails one.
func (s *Server) admit(ctx *fasthttp.RequestCtx, route *Route) bool {
	if !s.rateLimited(ctx, route.Tier) {
		return false
	}
	if int64(len(ctx.PostBody())) > s.opts.MaxBodyBytes {
		writeErrorStatus(ctx, fasthttp.StatusRequestEntityTooLarge, msgBodyTooLarge)
		return false
	}
	if route.Access == AccessPublic {
		return true
	}
	p, err := s.Authenticate(ctx, route.QueryToken)
	if err != nil {
		s.writeError(ctx, err)
		return false
	}
	if route.Access == AccessAdmin && !p.IsAdmin() {
		s.writeError(ctx, ErrForbidden)
		return false
	}
	ctx.SetUserValue(principalKey{}, p)
	return true
}

// unrouted answers a request no route matched: the dashboard for page
// loads, JSON 404 or 405 for the API. It returns the pattern to log.
func (s *Server) unrouted(ctx *fasthttp.RequestCtx, allowed []string) string {
	path := string(ctx.Path())
	isAPI := strings.HasPrefix(path, "/api/") || path == "/api"
	if len(allowed) > 0 {
		ctx.Response.Header.Set(fasthttp.HeaderAllow, strings.Join(allowed, ", "))
		writeErrorStatus(ctx, fasthttp.StatusMethodNotAllowed, "method not allowed")
		return patternUnmatched
	}
	if isAPI || !(ctx.IsGet() || ctx.IsHead()) {
		writeErrorStatus(ctx, fasthttp.StatusNotFound, "not found")
		return patternUnmatched
	}
	if s.rateLimited(ctx, TierPublic) {
		s.static(ctx)
	}
	return patternStatic
}

// rateLimited takes a token from the client's bucket in tier and reports
// whether the request may go on; if not, it has answered 429.
func (s *Server) rateLimited(ctx *fasthttp.RequestCtx, tier Tier) bool {
	l := s.limits[tier]
	if l == nil {
		return true
	}
	ok, retry := l.allow(s.proxies.clientAddr(ctx).String())
	if ok {
		return true
	}
	ctx.Response.Header.Set(fasthttp.HeaderRetryAfter, strconv.Itoa(int(retry/time.Second)))
	writeErrorStatus(ctx, fasthttp.StatusTooManyRequests, msgRateLimited)
	return false
}

// assignRequestID echoes a sane client X-Request-ID, so a request can be
// followed through proxies, or makes a new one.
func (s *Server) assignRequestID(ctx *fasthttp.RequestCtx) string {
	id := string(ctx.Request.Header.Peek(headerRequestID))
	if !validRequestID(id) {
		id = s.opts.newID()
	}
	ctx.SetUserValue(requestIDKey{}, id)
	ctx.Response.Header.Set(headerRequestID, id)
	return id
}

// validRequestID accepts short ids of URL-safe characters, so a client
// cannot inject line breaks or megabytes into logs.
func validRequestID(id string) bool {
	if id == "" || len(id) > maxRequestIDLen {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_.:", r)) {
			return false
		}
	}
	return true
}

// observe writes the access log line and the request metrics.
func (s *Server) observe(ctx *fasthttp.RequestCtx, pattern, id string, latency time.Duration) {
	status := ctx.Response.StatusCode()
	method := metricMethod(ctx)
	s.log.Info("http request",
		"method", method,
		"route", pattern,
		"status", status,
		"latency", latency,
		"request_id", id,
		"ip", s.proxies.clientAddr(ctx).String(),
	)
	m := s.routeMetrics(method, pattern, status)
	m.requests.Inc()
	m.duration.Update(latency.Seconds())
}

// metricKey names the metrics of one route answer.
type metricKey struct {
	method, pattern string
	status          int
}

// answerMetric is the counter and histogram of one route answer.
type answerMetric struct {
	requests *metrics.Counter
	duration *metrics.PrometheusHistogram
}

// routeMetrics returns the metrics of a route answer, remembered after the
// first so that a request does not format and look up metric names.
func (s *Server) routeMetrics(method, pattern string, status int) *answerMetric {
	k := metricKey{method, pattern, status}
	if m, ok := s.answers.Load(k); ok {
		return m.(*answerMetric)
	}
	m := &answerMetric{
		requests: s.metrics.GetOrCreateCounter(fmt.Sprintf(`dispatchoor_http_requests_total{method=%q,path=%q,status="%d"}`, method, pattern, status)),
		duration: s.metrics.GetOrCreatePrometheusHistogram(fmt.Sprintf(`dispatchoor_http_request_duration_seconds{method=%q,path=%q}`, method, pattern)),
	}
	actual, _ := s.answers.LoadOrStore(k, m)
	return actual.(*answerMetric)
}

// metricMethod bounds the method label to the standard methods.
func metricMethod(ctx *fasthttp.RequestCtx) string {
	switch m := string(ctx.Method()); m {
	case fasthttp.MethodGet, fasthttp.MethodHead, fasthttp.MethodPost, fasthttp.MethodPut,
		fasthttp.MethodDelete, fasthttp.MethodOptions, fasthttp.MethodPatch:
		return m
	}
	return "OTHER"
}
