package httpd

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
)

func TestRequestIDEchoedOrGenerated(t *testing.T) {
	env := newTestEnv(t)
	f := func(sent, want string) {
		t.Helper()
		var headers map[string]string
		if sent != "" {
			headers = map[string]string{"X-Request-ID": sent}
		}
		resp := env.do(request{method: "GET", path: "/health", headers: headers})
		if got := resp.header("X-Request-ID"); got != want {
			t.Fatalf("sent %q: X-Request-ID %q; want %q", sent, got, want)
		}
	}
	f("abc-123_x.y:z", "abc-123_x.y:z")
	f("", "req-1")
	f("has space", "req-2")
	f(strings.Repeat("a", 129), "req-3")
}

// accessLine finds the access log record for a request id.
func accessLine(t *testing.T, logs, id string) map[string]any {
	t.Helper()
	for _, line := range strings.Split(logs, "\n") {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) != nil || rec["msg"] != "http request" {
			continue
		}
		if rec["request_id"] == id {
			return rec
		}
	}
	t.Fatalf("no access log line for request %s in:\n%s", id, logs)
	return nil
}

func TestAccessLog(t *testing.T) {
	env := newTestEnv(t)
	env.do(request{method: "GET", path: "/api/v1/jobs/j1", token: env.readonlyToken(), headers: map[string]string{"X-Request-ID": "trace-1"}})
	rec := accessLine(t, env.logs.String(), "trace-1")
	if rec["method"] != "GET" || rec["route"] != "/api/v1/jobs/{id}" || rec["status"] != float64(200) || rec["ip"] != "192.0.2.10" {
		t.Fatalf("access log = %v", rec)
	}
	if _, ok := rec["latency"]; !ok {
		t.Fatalf("access log lacks latency: %v", rec)
	}
	env.do(request{method: "GET", path: "/api/v1/nope", headers: map[string]string{"X-Request-ID": "trace-2"}})
	if rec := accessLine(t, env.logs.String(), "trace-2"); rec["route"] != "unmatched" || rec["status"] != float64(404) {
		t.Fatalf("access log for an unknown path = %v", rec)
	}
}

func TestPanicRecovered(t *testing.T) {
	env := newTestEnvWithRoutes(t, []Route{{Method: "GET", Path: "/api/v1/boom", Tier: TierPublic, Access: AccessPublic,
		Handler: func(ctx *fasthttp.RequestCtx) {
			ctx.Response.Header.Set("X-Half", "written")
			panic("boom")
		}}})
	resp := env.do(request{method: "GET", path: "/api/v1/boom", headers: map[string]string{"X-Request-ID": "p-1"}})
	wantStatus(t, resp, fasthttp.StatusInternalServerError)
	if msg := resp.errorText(t); msg != "internal server error" {
		t.Fatalf("error = %q", msg)
	}
	if resp.header("X-Half") != "" || resp.header("X-Request-ID") != "p-1" {
		t.Fatalf("headers after panic = %v", resp.headers)
	}
	if !strings.Contains(env.logs.String(), `"panic":"boom"`) {
		t.Fatal("panic not logged")
	}
	// The server keeps serving.
	wantStatus(t, env.do(request{method: "GET", path: "/health"}), fasthttp.StatusOK)
}

func TestMethodNotAllowedAndNotFound(t *testing.T) {
	env := newTestEnv(t)
	resp := env.do(request{method: "PATCH", path: "/api/v1/jobs/j1", token: env.adminToken()})
	wantStatus(t, resp, fasthttp.StatusMethodNotAllowed)
	if allow := resp.header("Allow"); allow != "GET, PUT, DELETE" {
		t.Fatalf("Allow = %q", allow)
	}
	resp.errorText(t)
	resp = env.do(request{method: "GET", path: "/api/v1/groups/g1/queue/extra", token: env.adminToken()})
	wantStatus(t, resp, fasthttp.StatusNotFound)
	resp.errorText(t)
}

func TestRoutesFrozenOnceServing(t *testing.T) {
	env := newTestEnv(t)
	noop := func(*fasthttp.RequestCtx) {}
	if err := env.srv.Handle("GET", "/api/v1/late", AccessUser, noop); !errors.Is(err, ErrServerStarted) {
		t.Fatalf("Handle after Serve: %v; want ErrServerStarted", err)
	}

	srv, err := New(testOptions(newFakeClock(), newFakeService(time.Now), &syncBuffer{}))
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Handle("GET", "/api/v1/ws", AccessUser, noop); err != nil {
		t.Fatalf("Handle before Serve: %v", err)
	}
	if err := srv.Handle("GET", "/api/v1/ws", AccessPublic, noop); err == nil {
		t.Fatal("duplicate route accepted")
	}
	if err := srv.Handle("GET", "/api/v1/groups/{gid}", AccessUser, noop); err == nil {
		t.Fatal("route shadowing /api/v1/groups/{id} accepted")
	}
	if err := srv.Handle("GET", "no-slash", AccessUser, noop); err == nil {
		t.Fatal("relative path accepted")
	}
	var added Route
	for _, r := range srv.Routes() {
		if r.Path == "/api/v1/ws" {
			added = r
		}
	}
	if added.Tier != TierAuthenticated || added.Access != AccessUser {
		t.Fatalf("added route = %+v; want authenticated tier, user access", added)
	}
}

func TestShutdownFinishesInFlightRequests(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	env := newTestEnvWithRoutes(t, []Route{{Method: "GET", Path: "/api/v1/slow", Tier: TierPublic, Access: AccessPublic,
		Handler: func(ctx *fasthttp.RequestCtx) {
			close(entered)
			<-release
			ctx.SetBodyString("done")
		}}})
	got := make(chan *response, 1)
	go func() { got <- env.do(request{method: "GET", path: "/api/v1/slow"}) }()
	select {
	case <-entered:
	case <-time.After(testTimeout):
		t.Fatal("handler not entered")
	}
	shutdown := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
		defer cancel()
		shutdown <- env.srv.Shutdown(ctx)
	}()
	select {
	case err := <-shutdown:
		t.Fatalf("Shutdown returned (%v) while a request was in flight", err)
	default:
	}
	close(release)
	select {
	case resp := <-got:
		if resp.status != 200 || string(resp.body) != "done" {
			t.Fatalf("in-flight request: %d %s", resp.status, resp.body)
		}
	case <-time.After(testTimeout):
		t.Fatal("in-flight request did not finish")
	}
	select {
	case err := <-shutdown:
		if err != nil {
			t.Fatalf("Shutdown: %v", err)
		}
	case <-time.After(testTimeout):
		t.Fatal("Shutdown did not return")
	}
	if _, err := env.ln.Dial(); err == nil {
		t.Fatal("listener still accepts after Shutdown")
	}
	if err := env.srv.Serve(env.ln); !errors.Is(err, ErrServerClosed) {
		t.Fatalf("Serve after Shutdown: %v; want ErrServerClosed", err)
	}
}

func TestRequestMetrics(t *testing.T) {
	env := newTestEnv(t)
	env.do(request{method: "GET", path: "/health"})
	env.do(request{method: "GET", path: "/health"})
	env.do(request{method: "GET", path: "/api/v1/jobs/j1", token: env.readonlyToken()})
	var buf bytes.Buffer
	env.srv.Metrics().WritePrometheus(&buf)
	out := buf.String()
	for _, want := range []string{
		`dispatchoor_http_requests_total{method="GET",path="/health",status="200"} 2`,
		`dispatchoor_http_requests_total{method="GET",path="/api/v1/jobs/{id}",status="200"} 1`,
		`dispatchoor_http_request_duration_seconds_count{method="GET",path="/health"} 2`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("metrics lack %q:\n%s", want, out)
		}
	}
}

func TestMetricsEndpoint(t *testing.T) {
	env := newTestEnv(t, func(o *Options) {
		o.MetricsWriter = func(w io.Writer) { _, _ = io.WriteString(w, "dispatchoor_build_info 1\n") }
	})
	resp := env.do(request{method: "GET", path: "/metrics"})
	wantBody(t, resp, "dispatchoor_build_info 1\n")
	if ct := resp.header("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Fatalf("Content-Type = %q", ct)
	}
}

// TestRequestDocsMatchDecoders keeps the documented request bodies in step
// with the keys the decoders accept.
func TestRequestDocsMatchDecoders(t *testing.T) {
	f := func(doc any, accepted []string) {
		t.Helper()
		var documented []string
		for k := range (&schemaSet{defs: map[string]any{}}).object(reflect.TypeOf(doc))["properties"].(map[string]any) {
			documented = append(documented, k)
		}
		slices.Sort(documented)
		slices.Sort(accepted)
		if !slices.Equal(documented, accepted) {
			t.Fatalf("%T documents %v; decoder accepts %v", doc, documented, accepted)
		}
	}
	f(addJobDoc{}, slices.Collect(maps.Keys(addJobFields)))
	f(updateJobDoc{}, slices.Collect(maps.Keys(updateJobFields)))
	f(reorderDoc{}, slices.Collect(maps.Keys(reorderFields)))
	f(autoRequeueDoc{}, slices.Collect(maps.Keys(autoRequeueFields)))
	f(loginDoc{}, slices.Collect(maps.Keys(loginFields)))
}
