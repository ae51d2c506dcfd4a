package httpd

import (
	"log/slog"
	"testing"

	"github.com/valyala/fasthttp"
)

// BenchmarkHandlerGetJob measures the whole pipeline (request id, CORS,
// routing, rate limit, session lookup, JSON) for an authenticated read,
// without the network.
func BenchmarkHandlerGetJob(b *testing.B) {
	env := newTestEnv(b, func(o *Options) {
		rl := DefaultRateLimit()
		rl.Authenticated = RateTier{Enabled: true, RequestsPerMinute: 1 << 30}
		o.RateLimit = &rl
		o.Logger = slog.New(slog.DiscardHandler)
	})
	h := env.srv.Handler()
	auth := "Bearer " + env.readonlyToken()
	var ctx fasthttp.RequestCtx
	b.ReportAllocs()
	for b.Loop() {
		ctx.Request.Reset()
		ctx.Response.Reset()
		ctx.Request.Header.SetMethod("GET")
		ctx.Request.SetRequestURI("/api/v1/jobs/j1")
		ctx.Request.Header.Set("Authorization", auth)
		h(&ctx)
		if ctx.Response.StatusCode() != fasthttp.StatusOK {
			b.Fatalf("status %d: %s", ctx.Response.StatusCode(), ctx.Response.Body())
		}
	}
}

func BenchmarkDecodeAddJob(b *testing.B) {
	body := []byte(`{"template_id":"t1","inputs":{"el-client":"geth","cl-client":"prysm","network":"hoodi"},` +
		`"auto_requeue":true,"requeue_limit":5,"labels":{"team":"sync"}}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decodeAddJob(body); err != nil {
			b.Fatal(err)
		}
	}
}
