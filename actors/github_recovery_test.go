package actors

import (
	"context"
	"testing"
	"time"

	"github.com/dispatchoor/dispatchoor/actors/state"
	"github.com/dispatchoor/dispatchoor/github/sim"
)

// TestGitHubCrashWhileDispatchRequestInFlight stops the process while a
// dispatch request is held: the request never reached GitHub's handler, so
// after the restart no run is found, the dispatch is undone after the
// timeout and sent again: one run in the end.
func TestGitHubCrashWhileDispatchRequestInFlight(t *testing.T) {
	e := newGHEnv(t, envOptions{correlation: true, faults: []sim.FaultRule{{
		Kind: sim.FaultLatency, Method: "POST", Path: dispatchPath, Delay: sim.Duration(30 * time.Second), Count: 1,
	}}})
	e.waitRunners(3)
	id := e.enqueueNoSettle("sync", "sync-geth")
	e.eventually("dispatch held by the simulator", func() bool { return e.faultFired(0) == 1 })
	key := e.job(id).DispatchKey
	e.crash()
	if j := e.job(id); j.Status != state.StatusDispatching || j.DispatchKey != key {
		t.Fatalf("after the crash: %s key %q; want still dispatching with key %q", j.Status, j.DispatchKey, key)
	}
	e.waitTerminal(3*time.Minute, id)
	e.expectOneRunEach(id)
	if j := e.job(id); j.DispatchKey == key {
		t.Fatalf("the job was sent again with the old key")
	}
}

// TestGitHubCrashAfterRunCreated stops the process after GitHub created the
// run but before its id was journaled (the answer was lost, and the run is
// not listed yet): after the restart the run is found by its key and
// adopted, and nothing is sent again.
func TestGitHubCrashAfterRunCreated(t *testing.T) {
	for _, correlation := range []bool{true, false} {
		t.Run(map[bool]string{true: "by_key", false: "by_window"}[correlation], func(t *testing.T) {
			e := newGHEnv(t, envOptions{correlation: correlation, faults: []sim.FaultRule{
				{Kind: sim.FaultLost, Method: "POST", Path: dispatchPath, Status: 502, Count: 1},
				{Kind: sim.FaultListLag, Method: "POST", Path: dispatchPath, Delay: sim.Duration(20 * time.Second), Count: 1},
			}})
			e.waitRunners(3)
			id := e.enqueue("sync", "sync-geth", nil)
			if s := e.status(id); s != state.StatusDispatching {
				t.Fatalf("after a lost answer: %s; want dispatching", s)
			}
			e.step(5 * time.Second)
			e.crash()
			e.waitTerminal(3*time.Minute, id)
			if n := len(e.simRuns()); n != 1 {
				t.Fatalf("simulator has %d runs; want 1", n)
			}
			if j := e.job(id); j.Status != state.StatusCompleted || j.RunID != e.simRuns()[0].ID {
				t.Fatalf("job %s run %d; want completed with the run created before the crash", j.Status, j.RunID)
			}
			if n := e.callCount("dispatch"); n != 1 {
				t.Fatalf("%d dispatch requests; want 1", n)
			}
		})
	}
}

// TestGitHubStopAbandonsAndStartReconciles stops the integration (as a
// leader stepping down) while a dispatch request is held: Stop gives up
// waiting, the job stays dispatching, and the next Start reconciles it.
func TestGitHubStopAbandonsAndStartReconciles(t *testing.T) {
	e := newGHEnv(t, envOptions{correlation: true, faults: []sim.FaultRule{{
		Kind: sim.FaultLatency, Method: "POST", Path: dispatchPath, Delay: sim.Duration(time.Hour), Count: 1,
	}}})
	e.waitRunners(3)
	id := e.enqueueNoSettle("sync", "sync-geth")
	e.eventually("dispatch held by the simulator", func() bool { return e.faultFired(0) == 1 })
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := e.gh.Stop(ctx); err == nil {
		t.Fatalf("Stop returned no error while abandoning a held request")
	}
	if s := e.status(id); s != state.StatusDispatching {
		t.Fatalf("after Stop: %s; want dispatching, for the next leader to reconcile", s)
	}
	if err := e.gh.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	e.settle()
	e.waitTerminal(3*time.Minute, id)
	e.expectOneRunEach(id)
}
