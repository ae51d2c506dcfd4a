package httpd

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"

	"github.com/dispatchoor/dispatchoor/http/openapitest"
)

// roundTripFunc is an http.RoundTripper made of a function.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// httpResponse sends a net/http request to the in-memory server and
// returns the answer as a net/http response.
func (e *testEnv) httpResponse(r *http.Request) *http.Response {
	e.t.Helper()
	var body []byte
	if r.Body != nil {
		body, _ = io.ReadAll(r.Body)
	}
	got := e.do(request{method: r.Method, path: r.URL.RequestURI(), body: string(body)})
	resp := &http.Response{StatusCode: got.status, Header: http.Header{}, Request: r,
		Body: io.NopCloser(bytes.NewReader(got.body))}
	for k, vs := range got.headers {
		for _, v := range vs {
			resp.Header.Add(k, v)
		}
	}
	return resp
}

// TestOpenAPIDocumentCoversRouteTable: the served document is OpenAPI 3.1,
// valid against the specification's schema, and lists exactly the routes
// of the table, each with its access and rate tier, a unique operation id
// and a documented success answer.
func TestOpenAPIDocumentCoversRouteTable(t *testing.T) {
	env := newTestEnv(t)
	resp := env.do(request{method: "GET", path: "/api/v1/openapi.json"})
	wantStatus(t, resp, 200)
	if resp.header("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("openapi.json not readable cross-origin: %v", resp.headers)
	}
	if _, err := openapitest.New(resp.body, nil); err != nil {
		t.Fatalf("served document: %v", err)
	}
	doc := decode[struct {
		OpenAPI string                               `json:"openapi"`
		Paths   map[string]map[string]map[string]any `json:"paths"`
	}](t, resp)
	if doc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi = %q; want 3.1.0", doc.OpenAPI)
	}
	documented := 0
	for _, ops := range doc.Paths {
		documented += len(ops)
	}
	routes := env.srv.Routes()
	if documented != len(routes) {
		t.Errorf("%d operations documented; the table has %d routes", documented, len(routes))
	}
	ids := map[string]bool{}
	for _, r := range routes {
		op, ok := doc.Paths[r.Path][strings.ToLower(r.Method)]
		if !ok {
			t.Errorf("%s missing from the document", routeKey(r))
			continue
		}
		if op["x-access"] != r.Access.String() || op["x-rate-tier"] != r.Tier.String() {
			t.Errorf("%s: x-access %v x-rate-tier %v", routeKey(r), op["x-access"], op["x-rate-tier"])
		}
		id, _ := op["operationId"].(string)
		if id == "" || ids[id] {
			t.Errorf("%s: operationId %q empty or taken", routeKey(r), id)
		}
		ids[id] = true
		responses, _ := op["responses"].(map[string]any)
		success := false
		for code := range responses {
			success = success || (code != "default" && code < "400")
		}
		if !success {
			t.Errorf("%s documents no success answer: %v", routeKey(r), responses)
		}
	}
}

// TestOpenAPIRouteWithoutAnswerIsRefused: a GET route nobody documented
// makes the document fail to build instead of describing it as returning
// nothing.
func TestOpenAPIRouteWithoutAnswerIsRefused(t *testing.T) {
	env := newTestEnvWithRoutes(t, []Route{{Method: get, Path: "/api/v1/mystery", Tier: TierPublic, Access: AccessPublic,
		Handler: func(*fasthttp.RequestCtx) {}}})
	if _, err := env.srv.OpenAPIDocument(); err == nil || !strings.Contains(err.Error(), "/api/v1/mystery") {
		t.Fatalf("OpenAPIDocument: %v; want an error naming the route", err)
	}
}

func TestOpenAPISchemas(t *testing.T) {
	env := newTestEnv(t)
	doc, err := env.srv.openAPIDocument()
	if err != nil {
		t.Fatal(err)
	}
	enqueue := doc.Paths["/api/v1/groups/{id}/queue"]["post"]
	if got := enqueue.RequestBody["content"].(map[string]any)["application/json"].(map[string]any)["schema"]; !reflect.DeepEqual(got, map[string]any{"$ref": "#/components/schemas/AddJobRequest"}) {
		t.Fatalf("enqueue request schema = %v", got)
	}
	if _, ok := enqueue.Responses["201"]; !ok {
		t.Fatalf("enqueue responses = %v; want 201", enqueue.Responses)
	}
	if _, ok := doc.Paths["/api/v1/auth/logout"]["post"].Responses["204"]; !ok {
		t.Fatal("logout does not document 204")
	}
	schemas := doc.Components.Schemas
	prop := func(schema, name string) any {
		t.Helper()
		return schemas[schema].(map[string]any)["properties"].(map[string]any)[name]
	}
	f := func(schema, name string, want map[string]any) {
		t.Helper()
		if got := prop(schema, name); !reflect.DeepEqual(got, want) {
			t.Errorf("%s.%s = %v; want %v", schema, name, got, want)
		}
	}
	// A response pointer without omitempty may be null; with omitempty it
	// is left out instead; in a request null means "leave it alone".
	f("Job", "run_id", map[string]any{"type": []string{"integer", "null"}, "format": "int64"})
	f("Job", "eta", map[string]any{"type": "string", "format": "date-time"})
	f("UpdateJobRequest", "name", map[string]any{"type": []string{"string", "null"}})
	f("SystemStatus", "journal", map[string]any{"anyOf": []any{map[string]any{"$ref": "#/components/schemas/Journal"},
		map[string]any{"type": "null"}}})
	f("Job", "inputs", map[string]any{"type": []string{"object", "null"}, "additionalProperties": map[string]any{"type": "string"}})
	if got := prop("Job", "status").(map[string]any)["enum"]; !slices.Contains(got.([]any), any("dispatching")) {
		t.Errorf("Job.status enum = %v", got)
	}
	job := schemas["Job"].(map[string]any)
	required := job["required"].([]string)
	if !slices.Contains(required, "triggered_at") || slices.Contains(required, "name") || slices.Contains(required, "eta") {
		t.Fatalf("Job required = %v", required)
	}
	if job["additionalProperties"] != false {
		t.Errorf("Job allows undocumented properties")
	}
	gws := schemas["GroupWithStats"].(map[string]any)["properties"].(map[string]any)
	for _, k := range []string{"id", "runner_labels", "queued_jobs", "template_count"} {
		if _, ok := gws[k]; !ok {
			t.Errorf("GroupWithStats lacks %s (embedded fields must be flattened)", k)
		}
	}
	for _, name := range []string{"JobTemplate", "Runner", "User", "HistoryResponse", "HistoryStats", "SystemStatus", "Error", "LoginResponse"} {
		if _, ok := schemas[name]; !ok {
			t.Errorf("schema %s missing", name)
		}
	}
}

// TestOpenAPIValidationCatchesDrift: the validating transport notices a
// response with a field the document does not know, so a view growing a
// field without its schema (or the reverse) fails the round-trip test.
func TestOpenAPIValidationCatchesDrift(t *testing.T) {
	env := newTestEnv(t)
	raw, err := env.srv.OpenAPIDocument()
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	health := doc["components"].(map[string]any)["schemas"].(map[string]any)["Health"].(map[string]any)
	delete(health["properties"].(map[string]any), "config")
	health["required"] = []string{"status"}
	drifted, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	check, err := openapitest.New(drifted, roundTripFunc(func(r *http.Request) (*http.Response, error) {
		return env.httpResponse(r), nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := check.Client().Get("http://dispatchoor.test/health")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	problems := check.Problems()
	if len(problems) != 1 || !strings.Contains(problems[0], "/health") {
		t.Fatalf("problems = %q; want one about /health", problems)
	}
	if check.Exercised()["GET /health"] != 1 {
		t.Errorf("exercised = %v", check.Exercised())
	}
}
