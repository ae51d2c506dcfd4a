package sim_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/dispatchoor/dispatchoor/github/sim"
)

type ghError struct {
	Message string `json:"message"`
	Doc     string `json:"documentation_url"`
	Status  string `json:"status"`
}

func decodeError(t *testing.T, resp *http.Response) ghError {
	t.Helper()
	var e ghError
	b, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatalf("error body %q: %v", b, err)
	}
	if e.Status != fmt.Sprint(resp.StatusCode) || e.Doc == "" {
		t.Fatalf("error body %q: status field %q doc %q", b, e.Status, e.Doc)
	}
	return e
}

// TestDispatchValidationOrder checks spec §8.5: the first failing check
// answers, so each case also breaks every later rule.
func TestDispatchValidationOrder(t *testing.T) {
	sha := strings.Repeat("ab", 20)
	many := map[string]string{}
	for i := 0; i < 26; i++ {
		many[fmt.Sprintf("k%02d", i)] = "v"
	}
	manyJSON, _ := json.Marshal(many)
	cases := []struct {
		name, file, body string
		status           int
		message          string
	}{
		{"unknown workflow", "nope.yml", `not json`, 404, "Not Found"},
		{"not on default branch", "feature.yml", `not json`, 404, "Not Found"},
		{"numeric id unknown", "123", `{}`, 404, "Not Found"},
		{"body not JSON", "sync.yml", `{"ref":`, 400, "Problems parsing JSON"},
		{"unknown key", "sync.yml", `{"ref":"nope","extra":1}`, 400, `"extra" is not a permitted key.`},
		{"ref missing", "sync.yml", `{"inputs":{"zzz":1}}`, 422, "No ref found for: "},
		{"ref unknown", "sync.yml", `{"ref":"nope","inputs":{"zzz":1}}`, 422, "No ref found for: nope"},
		{"ref is a SHA", "sync.yml", `{"ref":"` + sha + `","inputs":{"zzz":1}}`, 422, "No ref found for: " + sha},
		{"no trigger", "push-only.yml", `{"ref":"main","inputs":{"zzz":1}}`, 422, "Workflow does not have 'workflow_dispatch' trigger"},
		{"no trigger at ref", "sync.yml", `{"ref":"refs/heads/develop","inputs":{"zzz":1}}`, 422, "Workflow does not have 'workflow_dispatch' trigger"},
		{"too many inputs", "sync.yml", `{"ref":"main","inputs":` + string(manyJSON) + `}`, 422, "No more than 25 properties are allowed; 26 were supplied."},
		{"undeclared inputs", "sync.yml", `{"ref":"main","inputs":{"zzz":"1","aaa":2,"client":3}}`, 422, `Unexpected inputs provided: ["aaa", "zzz"]`},
		{"non-string input", "sync.yml", `{"ref":"main","inputs":{"client":3}}`, 422, "Invalid value for input 'client': 3 is not a string."},
		{"missing required", "sync.yml", `{"ref":"main","inputs":{"client":"geth"}}`, 422, "Required input 'network' not provided"},
		{"ok on tag", "sync.yml", `{"ref":"refs/tags/v1","inputs":{"network":"x"}}`, 204, ""},
		{"ok by id", "%ID%", `{"ref":"main","inputs":{"network":"x"}}`, 204, ""},
	}
	cfg := baseConfig(fixedStart)
	cfg.Workflows[0].RefsWithoutDispatch = []string{"develop"}
	cfg.Workflows = append(cfg.Workflows,
		sim.WorkflowSpec{Repo: "acme/sync-tests", File: "feature.yml", Refs: []string{"develop"}},
		sim.WorkflowSpec{Repo: "acme/sync-tests", File: "push-only.yml", NoDispatch: true})
	h := newHarness(t, cfg)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			file := c.file
			if file == "%ID%" {
				file = fmt.Sprint(workflowID(t, h, "sync.yml"))
			}
			resp := h.do("POST", "/repos/acme/sync-tests/actions/workflows/"+file+"/dispatches", c.body, nil)
			if resp.StatusCode != c.status {
				b, _ := io.ReadAll(resp.Body)
				t.Fatalf("status %d (%s); want %d", resp.StatusCode, b, c.status)
			}
			if c.message != "" {
				if got := decodeError(t, resp).Message; got != c.message {
					t.Fatalf("message %q; want %q", got, c.message)
				}
			}
		})
	}
	if n := len(h.sim.State().Runs); n != 2 {
		t.Fatalf("runs created %d; want 2 (only the accepted dispatches)", n)
	}
}

func workflowID(t *testing.T, h *harness, file string) int64 {
	t.Helper()
	wf, _, err := h.gh.Actions.GetWorkflowByFileName(h.ctx, testOwner, testRepo, file)
	if err != nil {
		t.Fatalf("get workflow %s: %v", file, err)
	}
	return wf.GetID()
}

func TestDispatchDisabledWorkflowAndSwitches(t *testing.T) {
	cfg := baseConfig(fixedStart)
	cfg.Dispatch.AllowNonStringInputs = true
	cfg.Dispatch.AllowUnknownKeys = true
	cfg.Dispatch.MaxInputs = 1
	cfg.Dispatch.TooManyInputsMessage = "you may only define up to 1 inputs, got %d"
	h := newHarness(t, cfg)

	resp := h.do("POST", "/repos/acme/sync-tests/actions/workflows/sync.yml/dispatches",
		`{"ref":"main","inputs":{"network":1},"extra":true}`, nil)
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("lenient dispatch: status %d; want 204", resp.StatusCode)
	}
	resp = h.do("POST", "/repos/acme/sync-tests/actions/workflows/sync.yml/dispatches",
		`{"ref":"main","inputs":{"network":"1","client":"x"}}`, nil)
	if got := decodeError(t, resp).Message; got != "you may only define up to 1 inputs, got 2" {
		t.Fatalf("message %q", got)
	}
	if err := h.sim.SetWorkflowState("acme/sync-tests", "sync.yml", "disabled_manually"); err != nil {
		t.Fatalf("disable: %v", err)
	}
	resp = h.do("POST", "/repos/acme/sync-tests/actions/workflows/sync.yml/dispatches", `{"ref":"main"}`, nil)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("disabled: status %d; want 422", resp.StatusCode)
	}
	wf, _, err := h.gh.Actions.GetWorkflowByFileName(h.ctx, testOwner, testRepo, "sync.yml")
	if err != nil || wf.GetState() != "disabled_manually" {
		t.Fatalf("workflow state %q err %v", wf.GetState(), err)
	}
}
