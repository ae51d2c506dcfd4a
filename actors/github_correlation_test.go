package actors

import (
	"fmt"
	"testing"
	"time"

	"github.com/dispatchoor/dispatchoor/actors/state"
)

// TestTwoGroupsSameWorkflowEachJobItsOwnRun dispatches one workflow file
// from two groups at once and checks that every job is tied to exactly the
// run it created, in each correlation mode.
func TestTwoGroupsSameWorkflowEachJobItsOwnRun(t *testing.T) {
	modes := []struct {
		name        string
		mode        string
		runDetails  string
		correlation bool
		wantMode    runDetailsMode
	}{
		{name: "return_run_details", wantMode: runDetailsSupported},
		{name: "correlation_input_ghes_3.20", mode: "ghes:3.20", correlation: true, wantMode: runDetailsUnsupported},
		{name: "time_window_ghes_3.20", mode: "ghes:3.20", wantMode: runDetailsUnsupported},
		{name: "time_window_details_ignored", runDetails: "ignored", wantMode: runDetailsUnsupported},
	}
	for _, m := range modes {
		for _, webhooks := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/webhooks=%v", m.name, webhooks), func(t *testing.T) {
				e := newGHEnv(t, envOptions{mode: m.mode, runDetails: m.runDetails, correlation: m.correlation, webhooks: webhooks, shared: true})
				e.until(10*time.Second, "runners polled", func() bool { rs, _ := e.sys.Runners(e.ctx()); return len(rs) == 3 })
				want := map[string]string{} // job id -> its unique client input
				for i := range 3 {
					for _, g := range []struct{ group, tmpl string }{{"sync", "sync-geth"}, {"gpu", "gpu-bench"}} {
						client := fmt.Sprintf("%s-%d", g.group, i)
						want[e.enqueue(g.group, g.tmpl, map[string]string{"client": client})] = client
					}
				}
				e.until(5*time.Minute, "every job finished", func() bool {
					for id := range want {
						if !e.status(id).Terminal() {
							return false
						}
					}
					return true
				})
				runs := map[int64]map[string]string{}
				for _, r := range e.simRuns() {
					runs[r.ID] = r.Inputs
				}
				if len(runs) != len(want) {
					t.Fatalf("simulator has %d runs for %d jobs", len(runs), len(want))
				}
				seen := map[int64]string{}
				for id, client := range want {
					j := e.job(id)
					if j.Status != state.StatusCompleted {
						t.Fatalf("job %s: %s (%s); want completed", id, j.Status, j.ErrorMessage)
					}
					if other, dup := seen[j.RunID]; dup {
						t.Fatalf("jobs %s and %s share run %d", id, other, j.RunID)
					}
					seen[j.RunID] = id
					in, ok := runs[j.RunID]
					if !ok || in["client"] != client {
						t.Fatalf("job %s (client %s) tied to run %d with inputs %v", id, client, j.RunID, in)
					}
					if m.correlation && in["distinct_id"] != j.DispatchKey {
						t.Fatalf("job %s: run carries key %q; want %q", id, in["distinct_id"], j.DispatchKey)
					}
				}
				t.Logf("virtual time %s, calls: dispatch %d, list runs %d, run jobs %d, get run %d", e.clock.Now().Sub(envStart), e.callCount("dispatch"), e.callCount("list_workflow_runs"), e.callCount("list_run_jobs"), e.callCount("get_run"))
				if got := e.gh.mode(); got != m.wantMode {
					t.Fatalf("learnt mode %d; want %d", got, m.wantMode)
				}
			})
		}
	}
}
