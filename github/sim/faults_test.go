package sim_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dispatchoor/dispatchoor/github/sim"
	"github.com/google/go-github/v88/github"
)

const dispatchPath = "/repos/*/*/actions/workflows/*/dispatches"

func (h *harness) addFault(f sim.FaultRule) string {
	h.t.Helper()
	id, err := h.sim.AddFault(f)
	if err != nil {
		h.t.Fatalf("add fault: %v", err)
	}
	return id
}

func TestFaultAppliedButLostDispatch(t *testing.T) {
	h := newHarness(t, baseConfig(fixedStart))
	h.addFault(sim.FaultRule{Kind: sim.FaultLost, Method: "POST", Path: dispatchPath, Count: 1})
	_, resp, err := h.gh.Actions.CreateWorkflowDispatchEventByFileName(h.ctx, testOwner, testRepo, "sync.yml",
		github.CreateWorkflowDispatchEventRequest{Ref: "main", Inputs: map[string]any{"network": "x"}, ReturnRunDetails: github.Ptr(true)})
	var er *github.ErrorResponse
	if !errors.As(err, &er) || resp.StatusCode != http.StatusBadGateway {
		t.Fatalf("got %v; want a 502 *ErrorResponse", err)
	}
	if n := len(h.sim.State().Runs); n != 1 {
		t.Fatalf("runs %d; want 1: the dispatch was applied before the response was lost", n)
	}
	h.dispatch(nil) // Count 1: the next call goes through
}

func TestFaultServerErrorsThenRecovery(t *testing.T) {
	h := newHarness(t, baseConfig(fixedStart))
	h.addFault(sim.FaultRule{Kind: sim.FaultError, Status: 503, Path: "/orgs/*/actions/runners", Count: 2})
	for i := 0; i < 2; i++ {
		_, resp, err := h.gh.Actions.ListOrganizationRunners(h.ctx, testOwner, nil)
		if err == nil || resp.StatusCode != http.StatusServiceUnavailable {
			t.Fatalf("call %d: %v; want 503", i, err)
		}
	}
	if _, _, err := h.gh.Actions.ListOrganizationRunners(h.ctx, testOwner, nil); err != nil {
		t.Fatalf("third call: %v", err)
	}
	// Other endpoints never matched.
	if got := h.sim.State().Faults[0].Fired; got != 2 {
		t.Fatalf("fired %d; want 2", got)
	}
}

func TestFaultLatencyHoldsUntilVirtualTimePasses(t *testing.T) {
	h := newHarness(t, baseConfig(fixedStart))
	h.addFault(sim.FaultRule{Kind: sim.FaultLatency, Path: "/meta", Delay: sec(5)})
	done := make(chan int, 1)
	go func() {
		_, resp, err := h.gh.Meta.Get(h.ctx)
		if err != nil {
			done <- -1
			return
		}
		done <- resp.StatusCode
	}()
	waitFor(t, h.ctx, func() bool { return h.clock.Pending() > 0 })
	select {
	case code := <-done:
		t.Fatalf("answered (%d) before virtual time passed", code)
	default:
	}
	h.advance(5 * time.Second)
	select {
	case code := <-done:
		if code != http.StatusOK {
			t.Fatalf("status %d; want 200", code)
		}
	case <-h.ctx.Done():
		t.Fatalf("no answer after advancing the clock")
	}

	// A client that gives up is not answered and does not block the sim.
	ctx, cancel := context.WithCancel(h.ctx)
	errc := make(chan error, 1)
	go func() {
		_, _, err := h.gh.Meta.Get(ctx)
		errc <- err
	}()
	waitFor(t, h.ctx, func() bool { return h.clock.Pending() > 0 })
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v; want context.Canceled", err)
	}
}

func TestFaultConnectionReset(t *testing.T) {
	h := newHarness(t, baseConfig(fixedStart))
	h.addFault(sim.FaultRule{Kind: sim.FaultReset, Path: "/meta", Count: 1})
	if _, resp, err := h.gh.Meta.Get(h.ctx); err == nil || resp != nil && resp.StatusCode != 0 {
		t.Fatalf("got resp %v err %v; want a transport error", resp, err)
	}
	if _, _, err := h.gh.Meta.Get(h.ctx); err != nil {
		t.Fatalf("after the reset: %v", err)
	}
}

func TestFaultPrimaryExhaustNow(t *testing.T) {
	start := time.Now().UTC().Truncate(time.Second)
	h := newHarness(t, baseConfig(start))
	reset := start.Add(10 * time.Minute)
	h.addFault(sim.FaultRule{Kind: sim.FaultPrimaryExhaust, Count: 1, Reset: reset})
	_, _, err := h.gh.Actions.ListOrganizationRunners(h.ctx, testOwner, nil)
	var rle *github.RateLimitError
	if !errors.As(err, &rle) || rle.Rate.Remaining != 0 || !rle.Rate.Reset.Time.Equal(reset) {
		t.Fatalf("got %v; want *RateLimitError resetting at %v", err, reset)
	}
	h.advance(10 * time.Minute)
	fresh := h.client(testToken)
	if _, _, err := fresh.Actions.ListOrganizationRunners(h.ctx, testOwner, nil); err != nil {
		t.Fatalf("after reset: %v", err)
	}
}

func TestSecondaryLimitOnMutatingRequests(t *testing.T) {
	cfg := baseConfig(time.Now().UTC().Truncate(time.Second))
	cfg.RateLimit.SecondaryMode = "on"
	cfg.RateLimit.MutatingPerMinute = 2
	h := newHarness(t, cfg)
	h.dispatch(nil)
	h.advance(20 * time.Second)
	h.dispatch(nil)
	_, _, err := h.gh.Actions.CreateWorkflowDispatchEventByFileName(h.ctx, testOwner, testRepo, "sync.yml",
		github.CreateWorkflowDispatchEventRequest{Ref: "main", Inputs: map[string]any{"network": "x"}})
	var abuse *github.AbuseRateLimitError
	if !errors.As(err, &abuse) || abuse.RetryAfter == nil || *abuse.RetryAfter != 40*time.Second {
		t.Fatalf("got %v; want *AbuseRateLimitError retrying when the minute ends (40s)", err)
	}
	if n := len(h.sim.State().Runs); n != 2 {
		t.Fatalf("runs %d; want 2: the limited dispatch created nothing", n)
	}
}

func TestFaultStaleListAndListLag(t *testing.T) {
	h := newHarness(t, baseConfig(fixedStart))
	first := h.dispatch(nil)
	h.addFault(sim.FaultRule{Kind: sim.FaultStaleList, Method: "GET", Path: "/repos/*/*/actions/runs", Count: 2})
	h.advance(time.Second)
	second := h.dispatch(nil)
	list := func() []int64 {
		runs, _, err := h.gh.Actions.ListRepositoryWorkflowRuns(h.ctx, testOwner, testRepo, nil)
		if err != nil {
			t.Fatalf("list: %v", err)
		}
		var ids []int64
		for _, r := range runs.WorkflowRuns {
			ids = append(ids, r.GetID())
		}
		return ids
	}
	for i := 0; i < 2; i++ {
		if ids := list(); len(ids) != 1 || ids[0] != first {
			t.Fatalf("stale poll %d: %v; want only %d", i, ids, first)
		}
	}
	if ids := list(); len(ids) != 2 || ids[0] != second {
		t.Fatalf("after the stale polls: %v; want newest first", ids)
	}

	h.addFault(sim.FaultRule{Kind: sim.FaultListLag, Path: dispatchPath, Delay: sec(20), Count: 1})
	third := h.dispatch(nil)
	h.advance(19 * time.Second)
	if ids := list(); len(ids) != 2 {
		t.Fatalf("lagged run listed early: %v", ids)
	}
	h.advance(time.Second)
	if ids := list(); len(ids) != 3 || ids[0] != third {
		t.Fatalf("after the lag: %v", ids)
	}
}

func TestFaultCancelIgnoredAndRerunRefused(t *testing.T) {
	h := newHarness(t, baseConfig(fixedStart))
	id := h.dispatch(nil)
	h.addFault(sim.FaultRule{Kind: sim.FaultCancelIgnored})
	_, err := h.gh.Actions.CancelWorkflowRunByID(h.ctx, testOwner, testRepo, id)
	var accepted *github.AcceptedError
	if !errors.As(err, &accepted) {
		t.Fatalf("cancel: %v; want *AcceptedError", err)
	}
	h.advance(10 * time.Second)
	if r := h.run(id); r.Status != "in_progress" {
		t.Fatalf("ignored cancel stopped the run: %s", r.Status)
	}
	if resp := h.do("POST", "/repos/acme/sync-tests/actions/runs/"+itoa(id)+"/force-cancel", "", nil); resp.StatusCode != 202 {
		t.Fatalf("force-cancel: %d", resp.StatusCode)
	}
	if r := h.run(id); r.Conclusion != "cancelled" {
		t.Fatalf("after force-cancel: %s/%s", r.Status, r.Conclusion)
	}
	h.addFault(sim.FaultRule{Kind: sim.FaultRerunRefused})
	if resp, err := h.gh.Actions.RerunWorkflowByID(h.ctx, testOwner, testRepo, id); err == nil || resp.StatusCode != 403 {
		t.Fatalf("rerun: %v; want 403", err)
	}
}

func TestFaultRunDetailsFlips(t *testing.T) {
	h := newHarness(t, baseConfig(fixedStart))
	req := github.CreateWorkflowDispatchEventRequest{Ref: "main", Inputs: map[string]any{"network": "x"}, ReturnRunDetails: github.Ptr(true)}
	off := h.addFault(sim.FaultRule{Kind: sim.FaultRunDetailsOff})
	_, resp, err := h.gh.Actions.CreateWorkflowDispatchEventByFileName(h.ctx, testOwner, testRepo, "sync.yml", req)
	if err == nil || resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("unsupported: %v; want 400", err)
	}
	h.sim.RemoveFault(off)
	h.addFault(sim.FaultRule{Kind: sim.FaultRunDetailsIgn})
	details, resp, err := h.gh.Actions.CreateWorkflowDispatchEventByFileName(h.ctx, testOwner, testRepo, "sync.yml", req)
	if err != nil || details != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("ignored: (%v, %d, %v); want (nil, 204, nil)", details, resp.StatusCode, err)
	}
	h.sim.ClearFaults()
	h.dispatch(nil)
}

func TestFaultRunnerOfflineMidJobAndInWindow(t *testing.T) {
	cfg := baseConfig(fixedStart)
	cfg.Timing.LostRunnerFail = sec(60)
	h := newHarness(t, cfg)
	h.addFault(sim.FaultRule{Kind: sim.FaultRunnerOffline, MidJob: true, RunnerID: 1, Delay: sec(10), For: sec(100), Count: 1})
	id := h.dispatch(nil)
	h.advance(10 * time.Second)
	if st := h.runner("sync-1"); st.Online {
		t.Fatalf("runner still online 10s into the job")
	}
	h.advance(60 * time.Second)
	if r := h.run(id); r.Conclusion != "failure" {
		t.Fatalf("run %s/%s; want failure after lost_runner_fail", r.Status, r.Conclusion)
	}
	h.advance(40 * time.Second)
	if st := h.runner("sync-1"); !st.Online {
		t.Fatalf("runner not back after For")
	}

	now := h.sim.Now()
	h.addFault(sim.FaultRule{Kind: sim.FaultRunnerOffline, Labels: []string{"sync"}, From: now.Add(5 * time.Second), For: sec(20)})
	h.advance(5 * time.Second)
	st := h.sim.State()
	if a, _ := st.Runner("sync-1"); a.Online {
		t.Fatalf("sync-1 online inside the window")
	}
	if g, _ := st.Runner("gpu-1"); !g.Online {
		t.Fatalf("gpu-1 went offline; the rule selects sync runners")
	}
	h.advance(20 * time.Second)
	if a := h.runner("sync-2"); !a.Online {
		t.Fatalf("sync-2 not back after the window")
	}
}

func TestFaultBusyStaleStuckAndJobStuck(t *testing.T) {
	h := newHarness(t, baseConfig(fixedStart))
	h.addFault(sim.FaultRule{Kind: sim.FaultBusyStale, RunnerID: 1, Delay: sec(10), Count: 1})
	h.addFault(sim.FaultRule{Kind: sim.FaultBusyStuck, RunnerID: 1, Count: 1})
	h.dispatch(nil)
	if st := h.runner("sync-1"); !st.Busy {
		t.Fatalf("busy not reported at start (zero lag)")
	}
	h.advance(10 * time.Second)
	if st := h.runner("sync-1"); st.Busy || !st.Running {
		t.Fatalf("variant B: %+v; want running but reported idle", st)
	}
	h.advance(20 * time.Second)
	if st := h.runner("sync-1"); !st.Busy || st.Running {
		t.Fatalf("stuck: %+v; want idle truth with busy=true", st)
	}
	if err := h.sim.PatchRunner(1, sim.RunnerPatch{StuckBusy: github.Ptr(false)}); err != nil {
		t.Fatalf("patch: %v", err)
	}
	if st := h.runner("sync-1"); st.Busy {
		t.Fatalf("still busy after release")
	}

	h.addFault(sim.FaultRule{Kind: sim.FaultJobStuck, Delay: sec(30), Count: 1})
	id := h.dispatch(nil)
	h.advance(29 * time.Second)
	if j := h.jobOf(id); j.Status != "queued" {
		t.Fatalf("stuck job %s; want queued while runners idle", j.Status)
	}
	h.advance(time.Second)
	if j := h.jobOf(id); j.Status != "in_progress" {
		t.Fatalf("job %s after the glitch; want in_progress", j.Status)
	}
}

// waitFor polls a condition until it holds or ctx ends.
func waitFor(t *testing.T, ctx context.Context, cond func() bool) {
	t.Helper()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("condition not met: %v", ctx.Err())
		case <-time.After(time.Millisecond):
		}
	}
}

func TestSecondaryLimitOnEndpointPointsWithoutRetryAfter(t *testing.T) {
	cfg := baseConfig(time.Now().UTC().Truncate(time.Second))
	cfg.RateLimit.SecondaryMode = "on"
	cfg.RateLimit.PointsPerMinute = 3
	cfg.RateLimit.OmitRetryAfter = true
	h := newHarness(t, cfg)
	for i := 0; i < 3; i++ {
		if resp := h.do("GET", "/orgs/acme/actions/runners", "", nil); resp.StatusCode != 200 {
			t.Fatalf("call %d: %d", i, resp.StatusCode)
		}
	}
	// Points are counted per endpoint: another endpoint still answers.
	if resp := h.do("GET", "/repos/acme/sync-tests/actions/runs", "", nil); resp.StatusCode != 200 {
		t.Fatalf("other endpoint: %d", resp.StatusCode)
	}
	resp := h.do("GET", "/orgs/acme/actions/runners", "", nil)
	e := decodeError(t, resp)
	if resp.StatusCode != 403 || !strings.HasSuffix(e.Doc, "#about-secondary-rate-limits") || resp.Header.Get("Retry-After") != "" {
		t.Fatalf("status %d doc %q retry-after %q; want 403 secondary without Retry-After", resp.StatusCode, e.Doc, resp.Header.Get("Retry-After"))
	}
	if resp.Header.Get("X-Ratelimit-Remaining") == "0" {
		t.Fatalf("secondary response claims the primary limit is exhausted")
	}
	h.advance(time.Minute)
	if resp := h.do("GET", "/orgs/acme/actions/runners", "", nil); resp.StatusCode != 200 {
		t.Fatalf("next minute: %d", resp.StatusCode)
	}
}
