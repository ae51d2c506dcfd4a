package actors

import (
	"testing"
	"time"

	"github.com/dispatchoor/dispatchoor/actors/state"
)

func TestGitHubJobLifecycle(t *testing.T) {
	for _, webhooks := range []bool{false, true} {
		name := "polling"
		if webhooks {
			name = "webhooks"
		}
		t.Run(name, func(t *testing.T) {
			e := newGHEnv(t, envOptions{webhooks: webhooks})
			e.until(10*time.Second, "runners polled", func() bool {
				rs, _ := e.sys.Runners(e.ctx())
				return len(rs) == 3
			})
			id := e.enqueue("sync", "sync-geth", nil)
			j := e.job(id)
			if j.Status != state.StatusTriggered || j.RunID == 0 || j.DispatchKey == "" || j.RunnerID == 0 {
				t.Fatalf("after enqueue: got %s run %d key %q runner %d; want triggered with run, key and reserved runner",
					j.Status, j.RunID, j.DispatchKey, j.RunnerID)
			}
			j = e.waitStatus(id, state.StatusRunning, 10*time.Second)
			if j.RunnerName == "" || j.RunnerID == 0 {
				t.Fatalf("running job has no runner: %+v", j)
			}
			if r := e.simRunner(j.RunnerName); r.JobID == 0 {
				t.Fatalf("simulator says runner %s runs nothing", j.RunnerName)
			}
			j = e.waitStatus(id, state.StatusCompleted, 40*time.Second)
			if j.Conclusion != "success" {
				t.Fatalf("got conclusion %q; want success", j.Conclusion)
			}
			if n := len(e.simRuns()); n != 1 {
				t.Fatalf("simulator has %d runs; want 1", n)
			}
		})
	}
}
