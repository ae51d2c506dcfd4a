package sim_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dispatchoor/dispatchoor/github/sim"
)

func (h *harness) control(method, path, body string, want int) map[string]any {
	h.t.Helper()
	resp := h.do(method, "/_sim"+path, body, map[string]string{"Authorization": ""})
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		h.t.Fatalf("%s %s: status %d (%s); want %d", method, path, resp.StatusCode, b, want)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		h.t.Fatalf("%s %s: body %q: %v", method, path, b, err)
	}
	return out
}

func TestControlAPI(t *testing.T) {
	h := newHarness(t, baseConfig(fixedStart))
	out := h.control("POST", "/runners", `{"name":"new-1","owner":"acme","labels":["self-hosted","sync"]}`, 201)
	id := int64(out["id"].(float64))
	if st := h.runner("new-1"); st.ID != id || !st.Online {
		t.Fatalf("added runner %+v", st)
	}
	h.control("PATCH", "/runners/"+itoa(id), `{"online":false}`, 200)
	if st := h.runner("new-1"); st.Online {
		t.Fatalf("runner still online after PATCH")
	}
	h.control("DELETE", "/runners/"+itoa(id), "", 200)
	if _, ok := h.sim.State().Runner("new-1"); ok {
		t.Fatalf("runner still present after DELETE")
	}
	h.control("PATCH", "/runners/999", `{"online":true}`, 404)
	h.control("PATCH", "/runners/1", `{"bogus":true}`, 400)

	h.control("POST", "/workflows", `{"repo":"acme/sync-tests","file":"new.yml","jobs":[{"name":"a","runs_on":["sync"]}]}`, 201)
	h.control("POST", "/workflows", `{"repo":"acme/sync-tests","file":"new.yml"}`, 400)
	h.control("PATCH", "/workflows/new.yml", `{"repo":"acme/sync-tests","state":"disabled_manually"}`, 200)
	if wf, _, err := h.gh.Actions.GetWorkflowByFileName(h.ctx, testOwner, testRepo, "new.yml"); err != nil || wf.GetState() != "disabled_manually" {
		t.Fatalf("workflow via API: %v %v", wf, err)
	}

	fault := h.control("POST", "/faults?in=10s&for=5s", `{"kind":"error","status":502,"path":"/meta"}`, 201)
	h.control("POST", "/faults", `{"kind":"nope"}`, 400)
	st := h.sim.State()
	if f := st.Faults[0]; !f.From.Equal(fixedStart.Add(10*time.Second)) || !f.Until.Equal(fixedStart.Add(15*time.Second)) {
		t.Fatalf("relative window %v..%v", f.From, f.Until)
	}
	h.control("POST", "/clock/advance?d=10s", "", 200)
	if resp := h.do("GET", "/meta", "", nil); resp.StatusCode != 502 {
		t.Fatalf("meta inside the fault window: %d; want 502", resp.StatusCode)
	}
	h.control("DELETE", "/faults/"+fault["id"].(string), "", 200)
	if resp := h.do("GET", "/meta", "", nil); resp.StatusCode != 200 {
		t.Fatalf("meta after removing the fault: %d", resp.StatusCode)
	}
	h.control("POST", "/clock/advance?d=bad", "", 400)

	h.control("POST", "/tokens", `{"token":"t2","login":"bob"}`, 201)
	if resp := h.do("GET", "/user", "", map[string]string{"Authorization": "Bearer t2"}); resp.StatusCode != 200 {
		t.Fatalf("new token: %d", resp.StatusCode)
	}
	h.control("POST", "/hooks", `{"url":"http://127.0.0.1:1/hook","owner":"acme"}`, 201)

	h.dispatch(nil)
	state := h.control("GET", "/state", "", 200)
	if runs := state["runs"].([]any); len(runs) != 1 {
		t.Fatalf("state runs %d", len(runs))
	}
	h.control("POST", "/reset", "", 200)
	st = h.sim.State()
	if len(st.Runs) != 0 || len(st.Runners) != 3 || !st.Now.Equal(fixedStart.Add(10*time.Second)) {
		t.Fatalf("after reset: %d runs, %d runners, now %v", len(st.Runs), len(st.Runners), st.Now)
	}
	h.control("GET", "/nope", "", 404)
}

func TestAdvanceNeedsAManualClock(t *testing.T) {
	cfg := baseConfig(fixedStart)
	cfg.Clock = sim.NewRealClock(1)
	s := sim.New(cfg)
	defer s.Close()
	if err := s.Advance(time.Second); err == nil || !strings.Contains(err.Error(), "manual") {
		t.Fatalf("advance on a real clock: %v; want ErrNotManualClock", err)
	}
}

func TestRealClockRunsTheWorldByItself(t *testing.T) {
	cfg := baseConfig(fixedStart)
	// 1000x: the 30 s job takes 30 ms of wall time.
	cfg.Clock = sim.NewRealClock(1000)
	s := sim.New(cfg)
	defer s.Close()
	srv := newServer(t, s)
	req, _ := http.NewRequest("POST", srv+"/repos/acme/sync-tests/actions/workflows/sync.yml/dispatches",
		strings.NewReader(`{"ref":"main","inputs":{"network":"x"}}`))
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 204 {
		t.Fatalf("dispatch: %v", err)
	}
	resp.Body.Close()
	deadline := time.Now().Add(testTimeout)
	for {
		st := s.State()
		if st.Runs[0].Status == "completed" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("run never completed on the scaled real clock: %+v", st.Runs[0])
		}
		time.Sleep(5 * time.Millisecond)
	}
}
