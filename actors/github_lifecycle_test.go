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

func (e *ghEnv) waitRunners(n int) {
	e.t.Helper()
	e.until(10*time.Second, "runners polled", func() bool { rs, _ := e.sys.Runners(e.ctx()); return len(rs) == n })
}

// TestGitHubEveryConclusionEndsTheJob runs a job to each conclusion GitHub
// can report and checks none leaves it hanging.
func TestGitHubEveryConclusionEndsTheJob(t *testing.T) {
	cases := []struct {
		conclusion  string
		runFailure  bool
		wantStatus  state.JobStatus
		wantMessage string
	}{
		{"success", false, state.StatusCompleted, ""},
		{"failure", false, state.StatusFailed, "Workflow failure"},
		{"timed_out", false, state.StatusFailed, "Workflow timed_out"},
		{"cancelled", false, state.StatusCancelled, ""},
		{"skipped", false, state.StatusCompleted, ""},
		{"action_required", false, state.StatusFailed, "Workflow action_required"},
		{"startup_failure", true, state.StatusFailed, "Workflow startup_failure"},
		{"stale", true, state.StatusFailed, "Workflow stale"},
	}
	for _, tc := range cases {
		t.Run(tc.conclusion, func(t *testing.T) {
			o := envOptions{}
			if tc.runFailure {
				o.runFailures = map[string]float64{tc.conclusion: 1}
			} else {
				o.outcomes = map[string]float64{tc.conclusion: 1}
			}
			e := newGHEnv(t, o)
			e.waitRunners(3)
			id := e.enqueue("sync", "sync-geth", nil)
			e.until(time.Minute, "job finished", func() bool { return e.status(id).Terminal() })
			j := e.job(id)
			if j.Status != tc.wantStatus || j.ErrorMessage != tc.wantMessage || j.Conclusion != tc.conclusion {
				t.Fatalf("got %s %q conclusion %q; want %s %q conclusion %q",
					j.Status, j.ErrorMessage, j.Conclusion, tc.wantStatus, tc.wantMessage, tc.conclusion)
			}
		})
	}
}

func TestGitHubAutoRequeueRunsTheChain(t *testing.T) {
	e := newGHEnv(t, envOptions{webhooks: true})
	e.waitRunners(3)
	limit := 1
	ji, err := e.sys.Enqueue(e.ctx(), admin(), "sync", state.AddJob{TemplateID: "sync-geth", AutoRequeue: true, RequeueLimit: &limit})
	if err != nil {
		t.Fatal(err)
	}
	first := ji.Job.ID
	e.waitStatus(first, state.StatusCompleted, time.Minute)
	var next string
	e.until(time.Minute, "requeued job completed", func() bool {
		hist, err := e.sys.History(e.ctx(), "sync", state.HistoryQuery{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		for _, j := range hist.Jobs {
			if j.PreviousJobID == first {
				next = j.ID
				return true
			}
		}
		return false
	})
	e.step(time.Minute)
	if n := len(e.simRuns()); n != 2 {
		t.Fatalf("simulator has %d runs; want 2 (a limit of 1 gives one requeue)", n)
	}
	if j := e.job(next); j.Status != state.StatusCompleted || j.RequeueCount != 1 {
		t.Fatalf("requeued job: %s, count %d; want completed, count 1", j.Status, j.RequeueCount)
	}
}

func TestGitHubPausedGroupsAndJobsDoNotBlock(t *testing.T) {
	e := newGHEnv(t, envOptions{})
	e.waitRunners(3)
	if _, err := e.sys.PauseGroup(e.ctx(), admin(), "sync", true); err != nil {
		t.Fatal(err)
	}
	a := e.enqueue("sync", "sync-geth", nil)
	gpu := e.enqueue("gpu", "gpu-bench", nil)
	e.step(5 * time.Second)
	if s := e.status(a); s != state.StatusPending {
		t.Fatalf("job of a paused group: %s; want pending", s)
	}
	if ji, _ := e.sys.Job(e.ctx(), a); ji.PendingReason != "group paused" {
		t.Fatalf("pending reason %q; want group paused", ji.PendingReason)
	}
	if s := e.status(gpu); s == state.StatusPending {
		t.Fatalf("a paused group blocked another group's job")
	}

	if _, err := e.sys.PauseGroup(e.ctx(), admin(), "sync", false); err != nil {
		t.Fatal(err)
	}
	e.settle()
	if s := e.status(a); s != state.StatusTriggered {
		t.Fatalf("after unpause: %s; want triggered at once", s)
	}

	// A paused job at the head does not hold back the one behind it.
	if _, err := e.sys.PauseGroup(e.ctx(), admin(), "sync", true); err != nil {
		t.Fatal(err)
	}
	head := e.enqueue("sync", "sync-geth", nil)
	behind := e.enqueue("sync", "sync-geth", nil)
	if _, err := e.sys.PauseJob(e.ctx(), admin(), head, true); err != nil {
		t.Fatal(err)
	}
	if _, err := e.sys.PauseGroup(e.ctx(), admin(), "sync", false); err != nil {
		t.Fatal(err)
	}
	e.settle()
	if s := e.status(behind); s != state.StatusTriggered {
		ji, _ := e.sys.Job(e.ctx(), behind)
		t.Fatalf("job behind a paused one: %s (%s); want triggered", s, ji.PendingReason)
	}
	if ji, _ := e.sys.Job(e.ctx(), head); ji.Job.Status != state.StatusPending || ji.PendingReason != "job paused" {
		t.Fatalf("paused job: %s (%s); want pending, job paused", ji.Job.Status, ji.PendingReason)
	}
	e.waitStatus(a, state.StatusCompleted, time.Minute)
	if _, err := e.sys.PauseJob(e.ctx(), admin(), head, false); err != nil {
		t.Fatal(err)
	}
	e.settle()
	e.waitStatus(head, state.StatusCompleted, time.Minute)
}
