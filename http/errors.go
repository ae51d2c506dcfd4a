package httpd

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/valyala/fasthttp"

	"github.com/dispatchoor/dispatchoor/actors/state"
)

// Sentinel errors of the package.
var (
	// ErrUnauthenticated: no token, or one that matches no live session.
	ErrUnauthenticated = errors.New("unauthorized")
	// ErrForbidden: the session's role may not use the route.
	ErrForbidden = errors.New("forbidden")
	// ErrServerStarted: routes cannot be added once the server serves.
	ErrServerStarted = errors.New("server already started")
	// ErrServerClosed: Serve was called after Shutdown.
	ErrServerClosed = errors.New("server closed")
)

// Messages for answers whose text clients may match on.
const (
	msgTimeout       = "timed out waiting for the queue"
	msgInternal      = "internal server error"
	msgRateLimited   = "rate limit exceeded"
	msgBodyTooLarge  = "request body too large"
	msgUnauthorized  = "unauthorized"
	msgForbidden     = "forbidden"
	msgOriginRefused = "origin not allowed"
)

// apiError is an error the API layer itself decided, with its status.
type apiError struct {
	status int
	msg    string
}

func (e *apiError) Error() string { return e.msg }

func badRequest(format string, args ...any) error {
	return &apiError{status: fasthttp.StatusBadRequest, msg: fmt.Sprintf(format, args...)}
}

func notFound(format string, args ...any) error {
	return &apiError{status: fasthttp.StatusNotFound, msg: fmt.Sprintf(format, args...)}
}

// statusOf maps an error to its HTTP status and the text shown to the
// client. Only errors whose text is meant for users are shown; anything else
// gets a generic message, and internal reports whether to log the detail.
func statusOf(err error) (status int, msg string, internal bool) {
	var ae *apiError
	switch {
	case errors.As(err, &ae):
		return ae.status, ae.msg, false
	case errors.Is(err, ErrUnauthenticated):
		return fasthttp.StatusUnauthorized, msgUnauthorized, false
	case errors.Is(err, ErrForbidden):
		return fasthttp.StatusForbidden, msgForbidden, false
	case errors.Is(err, state.ErrNotFound):
		return fasthttp.StatusNotFound, err.Error(), false
	case errors.Is(err, state.ErrInvalid):
		return fasthttp.StatusBadRequest, err.Error(), false
	case errors.Is(err, context.DeadlineExceeded):
		return fasthttp.StatusServiceUnavailable, msgTimeout, false
	default:
		return fasthttp.StatusInternalServerError, msgInternal, true
	}
}

// writeError answers with the JSON error for err.
func (s *Server) writeError(ctx *fasthttp.RequestCtx, err error) {
	status, msg, internal := statusOf(err)
	if internal {
		s.log.Error("request failed", "method", string(ctx.Method()), "path", string(ctx.Path()),
			"request_id", requestID(ctx), "err", err)
	}
	writeErrorStatus(ctx, status, msg)
}

// writeErrorStatus answers {"error": msg} with the given status.
func writeErrorStatus(ctx *fasthttp.RequestCtx, status int, msg string) {
	writeJSON(ctx, status, struct {
		Error string `json:"error"`
	}{msg})
}

// writeJSON answers v as JSON. v comes from this package's own view types,
// which always marshal; should one ever fail, the client still gets a valid
// JSON 500 rather than a half-written body.
func writeJSON(ctx *fasthttp.RequestCtx, status int, v any) {
	ctx.Response.Header.SetContentType("application/json")
	ctx.SetStatusCode(status)
	switch v := v.(type) {
	case listAppender:
		// Encode straight into the response's own (pooled) body buffer:
		// a large queue is then neither copied nor allocated per read.
		b := v.appendJSON(ctx.Response.SwapBody(nil)[:0])
		if len(b) >= gzipAbove && ctx.Request.Header.HasAcceptEncoding("gzip") {
			// A 10,000-job queue is about 5 MB of JSON and a twentieth of
			// that gzipped: worth the few milliseconds for a browser on
			// the other side of a network. Small answers are left alone.
			ctx.Response.Header.Set(fasthttp.HeaderContentEncoding, "gzip")
			ctx.Response.Header.Add(fasthttp.HeaderVary, fasthttp.HeaderAcceptEncoding)
			b = fasthttp.AppendGzipBytesLevel(nil, b, fasthttp.CompressBestSpeed)
		}
		ctx.Response.SwapBody(b)
		return
	case jobView:
		ctx.SetBody(appendJobView(make([]byte, 0, 512), &v))
		return
	}
	b, err := json.Marshal(v)
	if err != nil {
		ctx.SetStatusCode(fasthttp.StatusInternalServerError)
		b = []byte(`{"error":"` + msgInternal + `"}`)
	}
	ctx.SetBody(b)
}

// gzipAbove is the size from which list answers are gzipped for clients
// that accept it.
const gzipAbove = 64 << 10

// listAppender is a list answer with its own encoder.
type listAppender interface{ appendJSON(b []byte) []byte }
