package httpd

import (
	"strings"
	"testing"

	"github.com/valyala/fasthttp"
)

// badCase is a request that must be refused with a 4xx JSON error and
// change nothing.
type badCase struct {
	name   string
	path   string // defaults to the route's concrete path
	body   string
	status int
	// errorHas is a substring the error message must contain, so the
	// client is told what is wrong.
	errorHas string
}

// badInputs lists, for every mutating route, the bad requests specific to
// it. TestBadInputOnEveryMutatingRoute fails for a mutating route without
// an entry, and adds malformed and oversized bodies to every route.
var badInputs = map[string][]badCase{
	"POST /api/v1/auth/login": {
		{name: "wrong type", body: `{"username":1,"password":"x"}`, status: 400, errorHas: `"username"`},
		{name: "unknown field", body: `{"username":"alice","password":"x","otp":"1"}`, status: 400, errorHas: `unknown field "otp"`},
		{name: "case-folded field", body: `{"Username":"alice","password":"x"}`, status: 400, errorHas: `unknown field "Username"`},
		{name: "empty password", body: `{"username":"alice","password":""}`, status: 400, errorHas: "required"},
		{name: "missing body", body: "", status: 400, errorHas: "required"},
		{name: "array", body: `["alice","x"]`, status: 400, errorHas: "JSON object"},
		{name: "duplicate key", body: `{"username":"alice","username":"bob","password":"x"}`, status: 400, errorHas: "more than once"},
		{name: "wrong password", body: `{"username":"alice","password":"nope"}`, status: 401, errorHas: "Invalid credentials"},
	},
	"POST /api/v1/auth/logout": {
		{name: "unexpected body", body: `{"all":true}`, status: 400, errorHas: "no request body"},
	},
	"POST /api/v1/groups/{id}/pause": {
		{name: "unknown group", path: "/api/v1/groups/nope/pause", status: 404, errorHas: "nope"},
		{name: "unexpected body", body: `[1]`, status: 400, errorHas: "no request body"},
	},
	"POST /api/v1/groups/{id}/unpause": {
		{name: "unknown group", path: "/api/v1/groups/nope/unpause", status: 404, errorHas: "nope"},
	},
	"POST /api/v1/groups/{id}/queue": {
		{name: "missing body", body: "", status: 400, errorHas: "required"},
		{name: "input not a string", body: `{"template_id":"t1","inputs":{"a":1}}`, status: 400, errorHas: `"inputs"`},
		{name: "auto_requeue not a bool", body: `{"template_id":"t1","auto_requeue":"yes"}`, status: 400, errorHas: `"auto_requeue"`},
		{name: "fractional limit", body: `{"template_id":"t1","requeue_limit":1.5}`, status: 400, errorHas: `"requeue_limit"`},
		{name: "labels not an object", body: `{"template_id":"t1","labels":["a"]}`, status: 400, errorHas: `"labels"`},
		{name: "unknown field", body: `{"template_id":"t1","priorty":3}`, status: 400, errorHas: `unknown field "priorty"`},
		{name: "server field status", body: `{"template_id":"t1","status":"running"}`, status: 400, errorHas: `"status"`},
		{name: "server field position", body: `{"template_id":"t1","position":0}`, status: 400, errorHas: `"position"`},
		{name: "trailing data", body: `{"template_id":"t1"} {}`, status: 400, errorHas: "malformed JSON"},
		{name: "not an object", body: `"t1"`, status: 400, errorHas: "JSON object"},
		{name: "unknown group", path: "/api/v1/groups/nope/queue", body: `{"owner":"o","repo":"r","workflow_id":"w","ref":"main"}`, status: 404, errorHas: "nope"},
		{name: "unknown template", body: `{"template_id":"missing"}`, status: 404, errorHas: "missing"},
		{name: "manual job incomplete", body: `{"owner":"o"}`, status: 400, errorHas: "Manual jobs require"},
	},
	"PUT /api/v1/groups/{id}/queue/reorder": {
		{name: "missing body", body: "", status: 400, errorHas: "required"},
		{name: "ids not an array", body: `{"job_ids":"j1"}`, status: 400, errorHas: `"job_ids"`},
		{name: "id not a string", body: `{"job_ids":[1]}`, status: 400, errorHas: `"job_ids"`},
		{name: "empty list", body: `{"job_ids":[]}`, status: 400, errorHas: "job_ids is required"},
		{name: "empty id", body: `{"job_ids":["j1",""]}`, status: 400, errorHas: "job_ids[1]"},
		{name: "unknown field", body: `{"job_ids":["j1"],"group":"g1"}`, status: 400, errorHas: `unknown field "group"`},
		{name: "unknown group", path: "/api/v1/groups/nope/queue/reorder", body: `{"job_ids":["j1"]}`, status: 404, errorHas: "nope"},
		{name: "unknown job", body: `{"job_ids":["j1","ghost"]}`, status: 404, errorHas: "ghost"},
	},
	"PUT /api/v1/jobs/{id}": {
		{name: "missing body", body: "", status: 400, errorHas: "required"},
		{name: "status", body: `{"status":"completed"}`, status: 400, errorHas: `"status"`},
		{name: "run_id", body: `{"run_id":7}`, status: 400, errorHas: `"run_id"`},
		{name: "position", body: `{"position":0}`, status: 400, errorHas: `"position"`},
		{name: "created_at", body: `{"created_at":"2025-01-01T00:00:00Z"}`, status: 400, errorHas: `"created_at"`},
		{name: "requeue_count", body: `{"requeue_count":0}`, status: 400, errorHas: `"requeue_count"`},
		{name: "template_id", body: `{"template_id":"t2"}`, status: 400, errorHas: `"template_id"`},
		{name: "auto_requeue", body: `{"auto_requeue":true}`, status: 400, errorHas: "auto-requeue"},
		{name: "paused", body: `{"paused":true}`, status: 400, errorHas: `"paused"`},
		{name: "forbidden after a valid field", body: `{"name":"x","id":"other"}`, status: 400, errorHas: `"id"`},
		{name: "name not a string", body: `{"name":5}`, status: 400, errorHas: `"name"`},
		{name: "inputs not an object", body: `{"inputs":"a=b"}`, status: 400, errorHas: `"inputs"`},
		{name: "unknown field", body: `{"nam":"x"}`, status: 400, errorHas: `unknown field "nam"`},
		{name: "unknown job", path: "/api/v1/jobs/ghost", body: `{"name":"x"}`, status: 404, errorHas: "ghost"},
	},
	"DELETE /api/v1/jobs/{id}": {
		{name: "unknown job", path: "/api/v1/jobs/ghost", status: 404, errorHas: "ghost"},
		{name: "unexpected body", body: `{"force":true}`, status: 400, errorHas: "no request body"},
	},
	"POST /api/v1/jobs/{id}/pause": {
		{name: "unknown job", path: "/api/v1/jobs/ghost/pause", status: 404, errorHas: "ghost"},
		{name: "unexpected body", body: `"now"`, status: 400, errorHas: "no request body"},
	},
	"POST /api/v1/jobs/{id}/unpause": {
		{name: "unknown job", path: "/api/v1/jobs/ghost/unpause", status: 404, errorHas: "ghost"},
	},
	"POST /api/v1/jobs/{id}/cancel": {
		{name: "unknown job", path: "/api/v1/jobs/ghost/cancel", status: 404, errorHas: "ghost"},
		{name: "unexpected body", body: `{"reason":"x"}`, status: 400, errorHas: "no request body"},
	},
	"POST /api/v1/jobs/{id}/disable-requeue": {
		{name: "unknown job", path: "/api/v1/jobs/ghost/disable-requeue", status: 404, errorHas: "ghost"},
	},
	"PUT /api/v1/jobs/{id}/auto-requeue": {
		{name: "missing body", body: "", status: 400, errorHas: "required"},
		{name: "flag missing", body: `{"requeue_limit":3}`, status: 400, errorHas: "auto_requeue is required"},
		{name: "flag not a bool", body: `{"auto_requeue":1}`, status: 400, errorHas: `"auto_requeue"`},
		{name: "limit not an integer", body: `{"auto_requeue":true,"requeue_limit":"3"}`, status: 400, errorHas: `"requeue_limit"`},
		{name: "limit too large", body: `{"auto_requeue":true,"requeue_limit":99999999999999999999}`, status: 400, errorHas: `"requeue_limit"`},
		{name: "unknown field", body: `{"auto_requeue":true,"limit":3}`, status: 400, errorHas: `unknown field "limit"`},
		{name: "unknown job", path: "/api/v1/jobs/ghost/auto-requeue", body: `{"auto_requeue":true}`, status: 404, errorHas: "ghost"},
	},
	"POST /api/v1/runners/refresh": {
		{name: "unexpected body", body: `{"org":"x"}`, status: 400, errorHas: "no request body"},
	},
	"POST /api/v1/templates/reload": {
		{name: "unexpected body", body: `{"path":"/etc/passwd"}`, status: 400, errorHas: "no request body"},
	},
}

// commonBadInputs apply to every mutating route.
var commonBadInputs = []badCase{
	{name: "malformed JSON", body: `{"a":`, status: 400, errorHas: "malformed JSON"},
	{name: "invalid JSON token", body: `{nope}`, status: 400, errorHas: "malformed JSON"},
	{name: "oversized body", body: `{"x":"` + strings.Repeat("a", 5000) + `"}`, status: 413, errorHas: "too large"},
}

func TestBadInputOnEveryMutatingRoute(t *testing.T) {
	env := newTestEnv(t)
	for _, r := range env.srv.Routes() {
		if r.Method == fasthttp.MethodGet {
			continue
		}
		key := routeKey(r)
		specific, ok := badInputs[key]
		if !ok {
			t.Errorf("mutating route %s has no bad-input cases in badInputs", key)
			continue
		}
		for _, bc := range append(append([]badCase{}, commonBadInputs...), specific...) {
			t.Run(key+" "+bc.name, func(t *testing.T) {
				path := bc.path
				if path == "" {
					path = concretePath(r.Path)
				}
				token := ""
				if r.Access != AccessPublic {
					token = env.adminToken()
				}
				before := env.fake.mutationCount()
				resp := env.do(request{method: r.Method, path: path, body: bc.body, token: token})
				wantStatus(t, resp, bc.status)
				if msg := resp.errorText(t); !strings.Contains(msg, bc.errorHas) {
					t.Fatalf("error %q does not contain %q", msg, bc.errorHas)
				}
				if got := env.fake.mutationCount(); got != before {
					env.fake.mu.Lock()
					last := env.fake.mutations[len(env.fake.mutations)-1]
					env.fake.mu.Unlock()
					t.Fatalf("rejected request changed state (%s)", last)
				}
			})
		}
	}
}

// TestBadBodyNeverReachesService checks the stronger property for decoding
// failures: the service is not even called.
func TestBadBodyNeverReachesService(t *testing.T) {
	env := newTestEnv(t)
	f := func(method, path, body, serviceMethod string) {
		t.Helper()
		resp := env.do(request{method: method, path: path, body: body, token: env.adminToken()})
		if resp.status != fasthttp.StatusBadRequest {
			t.Fatalf("%s %s %s: status %d; want 400", method, path, body, resp.status)
		}
		if n := env.fake.callCount(serviceMethod); n != 0 {
			t.Fatalf("%s %s %s: %s called %d times; want 0", method, path, body, serviceMethod, n)
		}
	}
	f("POST", "/api/v1/groups/g1/queue", `{"status":"running"}`, "Enqueue")
	f("PUT", "/api/v1/jobs/j1", `{"run_id":1}`, "UpdateJob")
	f("PUT", "/api/v1/groups/g1/queue/reorder", `{"job_ids":[]}`, "Reorder")
	f("PUT", "/api/v1/jobs/j1/auto-requeue", `{}`, "SetAutoRequeue")
	f("POST", "/api/v1/jobs/j1/cancel", `{"x":1}`, "CancelJob")
	f("POST", "/api/v1/auth/login", `{"username":"alice"}`, "CreateSession")
}

// TestOversizedBodyPerRouteCheck drives the handler directly, past
// fasthttp's own limit, to show the per-route cap holds on its own.
func TestOversizedBodyPerRouteCheck(t *testing.T) {
	env := newTestEnv(t)
	var ctx fasthttp.RequestCtx
	ctx.Request.Header.SetMethod("POST")
	ctx.Request.SetRequestURI("/api/v1/groups/g1/queue")
	ctx.Request.Header.Set("Authorization", "Bearer "+env.adminToken())
	ctx.Request.SetBodyString(`{"name":"` + strings.Repeat("x", 5000) + `"}`)
	env.srv.Handler()(&ctx)
	if got := ctx.Response.StatusCode(); got != fasthttp.StatusRequestEntityTooLarge {
		t.Fatalf("status = %d; want 413", got)
	}
	if n := env.fake.callCount("Enqueue"); n != 0 {
		t.Fatalf("Enqueue called %d times; want 0", n)
	}
}
