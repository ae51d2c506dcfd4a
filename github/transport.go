package github

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptrace"
	"sync/atomic"
	"time"
)

// ctxKey keys the per-call values the transport reads from a request context.
type ctxKey int

const (
	opKey        ctxKey = iota // string: the operation name reported to OnCall
	cacheableKey               // bool: keep and send ETags for this request
)

// withOp tags ctx with the operation name for logs and OnCall.
func withOp(ctx context.Context, op string) context.Context {
	return context.WithValue(ctx, opKey, op)
}

// withETags marks ctx so that the transport answers its GETs from the ETag
// cache when GitHub says 304.
func withETags(ctx context.Context) context.Context {
	return context.WithValue(ctx, cacheableKey, true)
}

// transport sits under go-github. It sees every HTTP exchange, including error
// answers and 304s that go-github would turn into errors, which makes it the
// one place to add credentials, record rate-limit headers, report calls and
// serve conditional requests.
type transport struct {
	base    http.RoundTripper
	name    string
	token   string
	apiHost string // credentials go to this host only, never to a redirect target
	limits  *limiter
	etags   *etagCache
	clock   func() time.Time
	onCall  func(endpoint string, status int, d time.Duration)
	log     *slog.Logger
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	op, _ := ctx.Value(opKey).(string)
	if op == "" {
		op = "unknown"
	}
	// A RoundTripper must not modify the caller's request.
	req = req.Clone(ctx)
	if t.token != "" && req.URL.Host == t.apiHost {
		req.Header.Set("Authorization", "Bearer "+t.token)
	}
	cacheable, _ := ctx.Value(cacheableKey).(bool)
	cacheable = cacheable && req.Method == http.MethodGet
	key := req.URL.String()
	var cached *etagEntry
	if cacheable {
		if cached = t.etags.get(key); cached != nil {
			req.Header.Set("If-None-Match", cached.etag)
		}
	}

	start := t.clock()
	resp, err := t.base.RoundTrip(req)
	elapsed := t.clock().Sub(start)
	if err != nil {
		t.report(op, 0, elapsed, err)
		return nil, err
	}
	t.limits.observe(resp.Header)
	t.report(op, resp.StatusCode, elapsed, nil)
	if !cacheable {
		return resp, nil
	}
	return t.etags.apply(key, cached, resp)
}

// report logs one exchange and hands it to OnCall. Status 0 means no HTTP
// answer arrived (transport error or timeout).
func (t *transport) report(op string, status int, d time.Duration, err error) {
	if t.onCall != nil {
		t.onCall(op, status, d)
	}
	if err != nil {
		t.log.Debug("github request failed", "client", t.name, "op", op,
			"duration", d, "error", redactString(err.Error(), t.token))
		return
	}
	t.log.Debug("github request", "client", t.name, "op", op, "status", status, "duration", d)
}

// sendTrace learns whether a request may have reached the server, so that a
// failed write is reported as uncertain only when it has to be. It is
// conservative: unless net/http said it looked for a connection and never got
// one, the request counts as possibly sent.
type sendTrace struct {
	lookedForConn atomic.Bool
	gotConn       atomic.Bool
}

func (s *sendTrace) attach(ctx context.Context) context.Context {
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GetConn: func(string) { s.lookedForConn.Store(true) },
		GotConn: func(httptrace.GotConnInfo) { s.gotConn.Store(true) },
	})
}

// mayHaveBeenSent reports whether the request may have reached the server.
func (s *sendTrace) mayHaveBeenSent() bool {
	return !(s.lookedForConn.Load() && !s.gotConn.Load())
}
