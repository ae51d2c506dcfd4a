package main

import (
	"strings"
	"testing"

	"github.com/dispatchoor/dispatchoor/config"
)

// TestBadInputLeavesStateUnchanged sends malformed requests to every
// mutating route of the real server (taken from its route table, so a new
// route cannot be missed) and checks each answer is a 4xx JSON error and the
// state hash in /api/v1/status does not move.
func TestBadInputLeavesStateUnchanged(t *testing.T) {
	a, token := startOnCrashConfig(t, func(c *config.Config) { c.Server.MaxBodyBytes = 4096 })
	addr := a.ln.Addr().String()
	st, body := do(t, "POST", addr, "/api/v1/groups/g1/queue", token, `{"template_id":"t1"}`)
	if st != 201 {
		t.Fatalf("enqueue: %d %s", st, body)
	}
	jobID := jsonField(body, "id")

	hash := func() string {
		st, body := do(t, "GET", addr, "/api/v1/status", token, "")
		if st != 200 {
			t.Fatalf("status: %d", st)
		}
		i := strings.Index(string(body), `"state_hash":"`)
		if i < 0 {
			t.Fatalf("no state_hash in %s", body)
		}
		return string(body[i+14 : i+14+64])
	}
	before := hash()

	huge := `{"template_id":"t1","inputs":{"x":"` + strings.Repeat("a", 8192) + `"}}`
	bodies := []string{
		`{`,                      // malformed JSON
		`[]`,                     // wrong top-level type
		`{"inputs":"not-a-map"}`, // wrong field type
		`{"no_such_field":1}`,    // unknown field
		`{"status":"completed"}`, // forbidden field
		`{"job_ids":[1,2]}`,      // wrong element type
		`{"auto_requeue":"yes"}`, // wrong type
		`{"requeue_limit":-5}`,   // out of range (where it applies)
		huge,                     // oversized body
	}
	ids := map[string][]string{
		"{id}": {"no-such-id"},
	}
	tested := 0
	for _, r := range a.http.Routes() {
		if r.Method == "GET" || strings.Contains(r.Path, "/auth/") || strings.Contains(r.Path, "webhooks") {
			continue
		}
		paths := []string{r.Path}
		if strings.Contains(r.Path, "{id}") {
			paths = nil
			for _, id := range append(ids["{id}"], jobID, "g1") {
				paths = append(paths, strings.ReplaceAll(r.Path, "{id}", id))
			}
		}
		for _, p := range paths {
			for _, b := range bodies {
				st, resp := do(t, r.Method, addr, p, token, b)
				if st < 400 || st >= 500 {
					t.Errorf("%s %s %.40q: status %d, want 4xx", r.Method, p, b, st)
				}
				if !strings.HasPrefix(strings.TrimSpace(string(resp)), `{"error":`) {
					t.Errorf("%s %s %.40q: body %.80q is not a JSON error", r.Method, p, b, resp)
				}
				tested++
			}
		}
	}
	if tested < 50 {
		t.Fatalf("only %d refused requests: the route table was not exercised", tested)
	}
	if after := hash(); after != before {
		t.Fatalf("state hash moved from %s to %s after refused requests", before, after)
	}
	t.Logf("%d refused requests, state unchanged", tested)
}
