package actors

import (
	"testing"
	"time"

	"github.com/dispatchoor/dispatchoor/actors/state"
	"github.com/dispatchoor/dispatchoor/github/sim"
)

const dispatchPath = "/repos/*/*/actions/workflows/*/dispatches"

// expectOneRunEach checks that every job completed with exactly one run
// carrying its key, and that the simulator has no other run.
func (e *ghEnv) expectOneRunEach(ids ...string) {
	e.t.Helper()
	for _, id := range ids {
		j := e.job(id)
		if j.Status != state.StatusCompleted {
			e.t.Fatalf("job %s: %s %q; want completed", id, j.Status, j.ErrorMessage)
		}
		if n := e.runsWithKey(j.DispatchKey); n != 1 {
			e.t.Fatalf("job %s: %d runs carry its key; want 1", id, n)
		}
	}
	if n := len(e.simRuns()); n != len(ids) {
		e.t.Fatalf("simulator has %d runs for %d jobs", n, len(ids))
	}
}

func (e *ghEnv) waitTerminal(limit time.Duration, ids ...string) {
	e.t.Helper()
	e.until(limit, "jobs finished", func() bool {
		for _, id := range ids {
			if !e.status(id).Terminal() {
				return false
			}
		}
		return true
	})
}

func TestGitHubDispatchLatency(t *testing.T) {
	e := newGHEnv(t, envOptions{correlation: true, faults: []sim.FaultRule{{
		Kind: sim.FaultLatency, Method: "POST", Path: dispatchPath, Delay: sim.Duration(5 * time.Second), Count: 2,
	}}})
	e.waitRunners(3)
	a := e.enqueueNoSettle("sync", "sync-geth")
	b := e.enqueueNoSettle("gpu", "gpu-bench")
	// Each dispatch is held until the clock moves 5 s: wait until the
	// simulator holds it, then move time until it is answered. While the
	// request is held the integration cannot go quiet, so each step gives
	// it a bounded moment to react.
	triggered := func() int {
		n := 0
		for _, id := range []string{a, b} {
			if s := e.status(id); s != state.StatusPending && s != state.StatusDispatching {
				n++
			}
		}
		return n
	}
	for k := 1; k <= 2; k++ {
		e.eventually("dispatch held by the simulator", func() bool { return e.faultFired(0) == k })
		for i := 0; triggered() < k; i++ {
			if i == 20 {
				t.Fatalf("dispatch %d not answered after 20 s", k)
			}
			e.advance(time.Second)
			e.briefly(func() bool { return triggered() >= k })
		}
	}
	e.settle()
	e.waitTerminal(time.Minute, a, b)
	e.expectOneRunEach(a, b)
	if n := e.callCount("dispatch"); n != 2 {
		t.Fatalf("%d dispatch requests; want 2: a slow answer is waited for, not resent", n)
	}
}

// TestGitHubUncertainDispatch covers answers that leave the outcome
// unknown: a 5xx or a reset connection (nothing was created) and a run
// created but answered with a 502 ("applied but lost"), found by key or,
// without a correlation input, by time window.
func TestGitHubUncertainDispatch(t *testing.T) {
	cases := []struct {
		name        string
		kind        string
		correlation bool
		mode        string
	}{
		{"5xx", sim.FaultError, true, ""},
		{"reset", sim.FaultReset, true, ""},
		{"lost_by_key", sim.FaultLost, true, ""},
		{"lost_by_key_ghes", sim.FaultLost, true, "ghes:3.20"},
		{"lost_by_window", sim.FaultLost, false, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newGHEnv(t, envOptions{correlation: tc.correlation, mode: tc.mode, faults: []sim.FaultRule{{
				Kind: tc.kind, Method: "POST", Path: dispatchPath, Status: 502, Count: 1,
			}}})
			e.waitRunners(3)
			id := e.enqueue("sync", "sync-geth", nil)
			if s := e.status(id); s != state.StatusDispatching {
				t.Fatalf("after an uncertain answer: %s; want dispatching until the run is found or known absent", s)
			}
			e.waitTerminal(3*time.Minute, id)
			j := e.job(id)
			if j.Status != state.StatusCompleted {
				t.Fatalf("job: %s %q; want completed", j.Status, j.ErrorMessage)
			}
			if n := len(e.simRuns()); n != 1 {
				t.Fatalf("simulator has %d runs; want exactly 1 (never sent twice, never lost)", n)
			}
			if tc.correlation && e.runsWithKey(j.DispatchKey) != 1 {
				t.Fatalf("the job's run does not carry its key")
			}
		})
	}
}

func TestGitHubPrimaryRateLimitIsRespected(t *testing.T) {
	e := newGHEnv(t, envOptions{correlation: true})
	e.waitRunners(3)
	reset := e.clock.Now().Add(2 * time.Minute)
	if err := e.sim.ExhaustRateLimit(simToken, reset); err != nil {
		t.Fatal(err)
	}
	id := e.enqueue("sync", "sync-geth", nil)
	e.step(5 * time.Second)
	ji, err := e.sys.Job(e.ctx(), id)
	if err != nil {
		t.Fatal(err)
	}
	if ji.Job.Status != state.StatusPending || ji.PendingReason != "GitHub rate-limited until 12:02:00Z" {
		t.Fatalf("while limited: %s %q; want pending, rate-limited until the reset", ji.Job.Status, ji.PendingReason)
	}
	e.waitTerminal(4*time.Minute, id)
	e.expectOneRunEach(id)
	if n := e.callCount("*:403"); n != 1 {
		t.Fatalf("GitHub answered 403 %d times; want once: nothing is sent again before the reset", n)
	}
	if e.job(id).DispatchingAt.Before(reset) && e.job(id).TriggeredAt.Before(reset) {
		t.Fatalf("dispatched before the reset")
	}
}

func TestGitHubSecondaryRateLimitBacksOff(t *testing.T) {
	e := newGHEnv(t, envOptions{correlation: true, faults: []sim.FaultRule{{
		Kind: sim.FaultSecondary, Method: "POST", Path: dispatchPath, RetryAfter: sim.Duration(30 * time.Second), Count: 1,
	}}})
	e.waitRunners(3)
	start := e.clock.Now()
	id := e.enqueue("sync", "sync-geth", nil)
	if s := e.status(id); s != state.StatusPending {
		t.Fatalf("after a secondary limit: %s; want pending again", s)
	}
	e.waitTerminal(2*time.Minute, id)
	e.expectOneRunEach(id)
	if j := e.job(id); j.TriggeredAt.Sub(start) < 30*time.Second {
		t.Fatalf("triggered %s after the limit; want after its 30 s retry-after", j.TriggeredAt.Sub(start))
	}
	if n := e.callCount("dispatch"); n != 2 {
		t.Fatalf("%d dispatch requests; want the refused one and one after the back-off", n)
	}
}

func TestGitHubDroppedWebhooksAreReconciled(t *testing.T) {
	for _, action := range []string{"completed", "in_progress", ""} {
		t.Run("drop_"+map[string]string{"": "all"}[action]+action, func(t *testing.T) {
			e := newGHEnv(t, envOptions{webhooks: true, correlation: true, faults: []sim.FaultRule{
				{Kind: sim.FaultWebhookDrop, Action: action},
			}})
			e.waitRunners(3)
			a := e.enqueue("sync", "sync-geth", nil)
			b := e.enqueue("sync", "sync-geth", nil)
			c := e.enqueue("sync", "sync-geth", nil)
			if action == "completed" {
				// Starts are still delivered: the runner is recorded at once.
				e.waitStatus(a, state.StatusRunning, 5*time.Second)
			}
			e.waitTerminal(3*time.Minute, a, b, c)
			e.expectOneRunEach(a, b, c)
		})
	}
}

func TestGitHubRunnerOfflineMidJob(t *testing.T) {
	e := newGHEnv(t, envOptions{correlation: true, faults: []sim.FaultRule{{
		Kind: sim.FaultRunnerOffline, MidJob: true, Labels: []string{"sync"}, Delay: sim.Duration(5 * time.Second), Count: 1,
	}}})
	e.waitRunners(3)
	ids := []string{e.enqueue("sync", "sync-geth", nil), e.enqueue("sync", "sync-geth", nil), e.enqueue("sync", "sync-geth", nil)}
	e.waitTerminal(5*time.Minute, ids...)
	failed, completed := 0, 0
	for _, id := range ids {
		switch j := e.job(id); j.Status {
		case state.StatusFailed:
			failed++
			if j.ErrorMessage != "Workflow failure" {
				t.Fatalf("lost job failed with %q", j.ErrorMessage)
			}
		case state.StatusCompleted:
			completed++
		}
		if n := e.runsWithKey(e.job(id).DispatchKey); n != 1 {
			t.Fatalf("job %s has %d runs", id, n)
		}
	}
	if failed != 1 || completed != 2 {
		t.Fatalf("got %d failed, %d completed; want the job on the lost runner failed and the others completed", failed, completed)
	}
	rs, err := e.sys.Runners(e.ctx())
	if err != nil {
		t.Fatal(err)
	}
	offline := 0
	for _, r := range rs {
		if r.Status == "offline" {
			offline++
		}
	}
	if offline != 1 {
		t.Fatalf("%d runners offline in our state; want the lost one", offline)
	}
}
