package actors

import (
	"testing"
	"time"

	"github.com/dispatchoor/dispatchoor/actors/state"
	"github.com/dispatchoor/dispatchoor/github/sim"
)

func (e *ghEnv) reason(id string) (string, time.Time) {
	e.t.Helper()
	ji, err := e.sys.Job(e.ctx(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return ji.PendingReason, ji.ETA
}

func TestGitHubPendingReasonsAndETA(t *testing.T) {
	e := newGHEnv(t, envOptions{runners: []sim.RunnerConfig{
		{Name: "sync-1", Owner: "acme", Labels: syncLabels()},
		{Name: "sync-2", Owner: "acme", Labels: syncLabels()},
	}})
	e.waitRunners(2)
	gpu := e.enqueue("gpu", "gpu-bench", nil)
	if r, _ := e.reason(gpu); r != "no matching runner online" {
		t.Fatalf("gpu job: %q; want no matching runner online", r)
	}
	var ids []string
	for range 5 {
		ids = append(ids, e.enqueue("sync", "sync-geth", nil))
	}
	e.waitStatus(ids[0], state.StatusRunning, 10*time.Second)
	e.waitStatus(ids[1], state.StatusRunning, 10*time.Second)
	want := []string{"2 matching runners busy", "1 job ahead, 2 matching runners busy", "2 jobs ahead, 2 matching runners busy"}
	for i, w := range want {
		r, eta := e.reason(ids[2+i])
		if r != w {
			t.Fatalf("job %d: %q; want %q", 2+i, r, w)
		}
		if !eta.IsZero() {
			t.Fatalf("job %d: ETA %v before any run time was observed; want none", 2+i, eta)
		}
	}
	// Once runs completed, ETAs follow their duration (20 s): the third
	// pending job waits for two waves.
	e.waitStatus(ids[0], state.StatusCompleted, time.Minute)
	e.waitStatus(ids[2], state.StatusRunning, 10*time.Second)
	e.waitStatus(ids[3], state.StatusRunning, 10*time.Second)
	r, eta := e.reason(ids[4])
	if r != "2 matching runners busy" {
		t.Fatalf("last job: %q; want 2 matching runners busy", r)
	}
	if got := eta.Sub(e.clock.Now()); got < 15*time.Second || got > 25*time.Second {
		t.Fatalf("last job ETA in %s; want about one 20 s run", got)
	}
}

func TestGitHubUndispatchableJobFailsWithoutBlocking(t *testing.T) {
	groups := defaultEnvGroups(true, false)
	groups[0].Templates = append(groups[0].Templates, state.Template{ID: "broken", Name: "Broken", Owner: "acme", WorkflowID: "sync.yml"})
	e := newGHEnv(t, envOptions{groups: groups, correlation: true})
	e.waitRunners(3)
	if _, err := e.sys.PauseGroup(e.ctx(), admin(), "sync", true); err != nil {
		t.Fatal(err)
	}
	bad := e.enqueue("sync", "broken", nil)
	good := e.enqueue("sync", "sync-geth", nil)
	if _, err := e.sys.PauseGroup(e.ctx(), admin(), "sync", false); err != nil {
		t.Fatal(err)
	}
	e.settle()
	if j := e.job(bad); j.Status != state.StatusFailed || j.ErrorMessage != "cannot dispatch: missing repo" {
		t.Fatalf("broken job: %s %q; want failed, cannot dispatch: missing repo", j.Status, j.ErrorMessage)
	}
	if s := e.status(good); s != state.StatusTriggered {
		t.Fatalf("job behind it: %s; want triggered", s)
	}
}

func TestGitHubRefusedDispatchFailsWithGitHubsMessage(t *testing.T) {
	groups := defaultEnvGroups(true, false)
	groups[0].Templates = append(groups[0].Templates, state.Template{ID: "typo", Name: "Typo", Owner: "acme", Repo: "tests",
		WorkflowID: "sync.yml", Ref: "main", DefaultInputs: map[string]string{"clinet": "geth"}, CorrelationInput: "distinct_id"})
	e := newGHEnv(t, envOptions{groups: groups, correlation: true})
	e.waitRunners(3)
	if _, err := e.sys.PauseGroup(e.ctx(), admin(), "sync", true); err != nil {
		t.Fatal(err)
	}
	limit := 3
	ji, err := e.sys.Enqueue(e.ctx(), admin(), "sync", state.AddJob{TemplateID: "typo", AutoRequeue: true, RequeueLimit: &limit})
	if err != nil {
		t.Fatal(err)
	}
	bad := ji.Job.ID
	good := e.enqueue("sync", "sync-geth", nil)
	if _, err := e.sys.PauseGroup(e.ctx(), admin(), "sync", false); err != nil {
		t.Fatal(err)
	}
	e.settle()
	j := e.job(bad)
	if j.Status != state.StatusFailed || j.ErrorMessage != `Unexpected inputs provided: ["clinet"]` {
		t.Fatalf("refused job: %s %q; want failed with GitHub's message", j.Status, j.ErrorMessage)
	}
	q, err := e.sys.Queue(e.ctx(), "sync")
	if err != nil {
		t.Fatal(err)
	}
	for _, ji := range q {
		if ji.Job.PreviousJobID == bad {
			t.Fatalf("a refused dispatch was requeued: it would be refused again, forever")
		}
	}
	e.waitTerminal(time.Minute, good)
	e.expectOneRunEach(good)
}
