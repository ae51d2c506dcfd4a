package actors

import (
	"testing"
	"time"

	"github.com/dispatchoor/dispatchoor/actors/state"
	"github.com/dispatchoor/dispatchoor/github/sim"
)

func (e *ghEnv) cancelJob(id string) {
	e.t.Helper()
	ji, err := e.sys.CancelJob(e.ctx(), admin(), id)
	if err != nil {
		e.t.Fatalf("cancel %s: %v", id, err)
	}
	if !ji.Job.CancelRequested {
		e.t.Fatalf("cancel %s: request not journaled: %+v", id, ji.Job)
	}
}

// simRun returns the simulator's view of a run.
func (e *ghEnv) simRun(id int64) sim.RunState {
	e.t.Helper()
	for _, r := range e.simRuns() {
		if r.ID == id {
			return r
		}
	}
	e.t.Fatalf("simulator has no run %d", id)
	return sim.RunState{}
}

func TestGitHubCancelRunningJob(t *testing.T) {
	for _, webhooks := range []bool{false, true} {
		t.Run(map[bool]string{false: "polling", true: "webhooks"}[webhooks], func(t *testing.T) {
			e := newGHEnv(t, envOptions{webhooks: webhooks, jobTime: time.Hour})
			e.waitRunners(3)
			id := e.enqueue("sync", "sync-geth", nil)
			j := e.waitStatus(id, state.StatusRunning, 15*time.Second)
			e.cancelJob(id)
			j = e.waitStatus(id, state.StatusCancelled, time.Minute)
			if j.Conclusion != "cancelled" {
				t.Fatalf("conclusion %q; want cancelled", j.Conclusion)
			}
			if r := e.simRun(j.RunID); r.Status != "completed" || r.Conclusion != "cancelled" {
				t.Fatalf("run on GitHub: %s %s; want completed cancelled", r.Status, r.Conclusion)
			}
			if n := e.callCount("force_cancel_run"); n != 0 {
				t.Fatalf("force-cancelled %d times; a normal cancel was enough", n)
			}
		})
	}
}

func TestGitHubCancelForcesARunThatIgnoresIt(t *testing.T) {
	e := newGHEnv(t, envOptions{always: true, jobTime: time.Hour})
	e.waitRunners(3)
	id := e.enqueue("sync", "sync-geth", nil)
	e.waitStatus(id, state.StatusRunning, 15*time.Second)
	e.cancelJob(id)
	j := e.waitStatus(id, state.StatusCancelled, 2*time.Minute)
	if n := e.callCount("force_cancel_run"); n != 1 {
		t.Fatalf("force-cancelled %d times; want once, after the normal cancel was ignored", n)
	}
	if r := e.simRun(j.RunID); r.Conclusion != "cancelled" {
		t.Fatalf("run conclusion %q; want cancelled", r.Conclusion)
	}
}

// TestGitHubCancelBeforeTheRunIsKnown cancels a job whose run can only be
// found by time window, before it is found: the run is cancelled once it
// is.
func TestGitHubCancelBeforeTheRunIsKnown(t *testing.T) {
	e := newGHEnv(t, envOptions{mode: "ghes:3.20", jobTime: time.Hour})
	e.waitRunners(3)
	id := e.enqueue("sync", "sync-geth", nil)
	if j := e.job(id); j.Status != state.StatusTriggered || j.RunID != 0 {
		t.Fatalf("got %s run %d; want triggered without a run id", j.Status, j.RunID)
	}
	e.cancelJob(id)
	j := e.waitStatus(id, state.StatusCancelled, time.Minute)
	if j.RunID == 0 {
		t.Fatalf("cancelled job has no run")
	}
	if r := e.simRun(j.RunID); r.Conclusion != "cancelled" {
		t.Fatalf("run %d: %s %s; want cancelled on GitHub too", j.RunID, r.Status, r.Conclusion)
	}
}

// TestGitHubCancelWhileDispatching cancels a job whose dispatch request is
// still on its way: the run it creates is cancelled.
func TestGitHubCancelWhileDispatching(t *testing.T) {
	e := newGHEnv(t, envOptions{jobTime: time.Hour, faults: []sim.FaultRule{{
		Kind: sim.FaultLatency, Method: "POST", Path: "/repos/*/*/actions/workflows/*/dispatches", Delay: sim.Duration(10 * time.Second), Count: 1,
	}}})
	e.waitRunners(3)
	id := e.enqueueNoSettle("sync", "sync-geth")
	e.eventually("job dispatching", func() bool { return e.status(id) == state.StatusDispatching })
	e.cancelJob(id)
	e.eventually("dispatch held by the simulator", func() bool { return e.faultFired(0) == 1 })
	for i := 0; e.status(id) == state.StatusDispatching; i++ {
		if i == 30 {
			t.Fatalf("dispatch not answered after 30 s")
		}
		e.advance(time.Second)
		e.briefly(func() bool { return e.status(id) != state.StatusDispatching })
	}
	e.settle()
	j := e.waitStatus(id, state.StatusCancelled, time.Minute)
	if j.RunID == 0 {
		t.Fatalf("job has no run")
	}
	if r := e.simRun(j.RunID); r.Conclusion != "cancelled" {
		t.Fatalf("run %d: %s %s; want cancelled", j.RunID, r.Status, r.Conclusion)
	}
}
