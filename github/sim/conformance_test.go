package sim_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dispatchoor/dispatchoor/github/sim"
	"github.com/google/go-github/v88/github"
)

// These tests drive the simulator with go-github v88, unmodified, as the
// product does (spec §8.12).

func TestDispatchReturnsRunDetailsAndRunAppearsAfterListLag(t *testing.T) {
	cfg := baseConfig(fixedStart)
	cfg.Timing.ListVisibilityLag = sec(3)
	h := newHarness(t, cfg)

	details, resp, err := h.gh.Actions.CreateWorkflowDispatchEventByFileName(h.ctx, testOwner, testRepo, "sync.yml",
		github.CreateWorkflowDispatchEventRequest{Ref: "main",
			Inputs:           map[string]any{"network": "mainnet", "distinct_id": "q-1"},
			ReturnRunDetails: github.Ptr(true)})
	if err != nil {
		t.Fatalf("dispatch: %v", err)
	}
	if resp.StatusCode != http.StatusOK || details == nil {
		t.Fatalf("got status %d details %v; want 200 with details", resp.StatusCode, details)
	}
	id := details.GetWorkflowRunID()
	if id < 10_000_000_000 {
		t.Fatalf("run id %d; want >= 1e10 to catch int32 bugs", id)
	}
	wantSuffix := "/repos/acme/sync-tests/actions/runs/" + itoa(id)
	if !strings.HasPrefix(details.GetRunURL(), h.srv.URL) || !strings.HasSuffix(details.GetRunURL(), wantSuffix) {
		t.Fatalf("run_url %q; want %s...%s", details.GetRunURL(), h.srv.URL, wantSuffix)
	}
	if !strings.HasSuffix(details.GetHTMLURL(), "/acme/sync-tests/actions/runs/"+itoa(id)) {
		t.Fatalf("html_url %q", details.GetHTMLURL())
	}

	list := func() []*github.WorkflowRun {
		runs, _, err := h.gh.Actions.ListWorkflowRunsByFileName(h.ctx, testOwner, testRepo, "sync.yml",
			&github.ListWorkflowRunsOptions{Event: "workflow_dispatch"})
		if err != nil {
			t.Fatalf("list runs: %v", err)
		}
		return runs.WorkflowRuns
	}
	if got := list(); len(got) != 0 {
		t.Fatalf("run listed %d runs before the visibility lag; want 0", len(got))
	}
	h.advance(3 * time.Second)
	got := list()
	if len(got) != 1 || got[0].GetID() != id {
		t.Fatalf("listed %v; want run %d", got, id)
	}
	run := got[0]
	if run.GetDisplayTitle() != "sync geth [q-1]" || run.GetEvent() != "workflow_dispatch" || run.GetHeadBranch() != "main" {
		t.Fatalf("run title %q event %q branch %q", run.GetDisplayTitle(), run.GetEvent(), run.GetHeadBranch())
	}
	if run.GetStatus() != "in_progress" || run.Conclusion != nil {
		t.Fatalf("status %q conclusion %v; want in_progress, null", run.GetStatus(), run.Conclusion)
	}
	byID, _, err := h.gh.Actions.GetWorkflowRunByID(h.ctx, testOwner, testRepo, id)
	if err != nil || byID.GetRunNumber() != 1 || byID.GetRunAttempt() != 1 {
		t.Fatalf("get run: %v number %d attempt %d", err, byID.GetRunNumber(), byID.GetRunAttempt())
	}
}

func TestDispatchWithoutFlagIsNoContent(t *testing.T) {
	h := newHarness(t, baseConfig(fixedStart))
	details, resp, err := h.gh.Actions.CreateWorkflowDispatchEventByFileName(h.ctx, testOwner, testRepo, "sync.yml",
		github.CreateWorkflowDispatchEventRequest{Ref: "main", Inputs: map[string]any{"network": "x"}})
	if err != nil || details != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("got (%v, %d, %v); want (nil, 204, nil)", details, resp.StatusCode, err)
	}
	if n := len(h.sim.State().Runs); n != 1 {
		t.Fatalf("runs %d; want 1", n)
	}
}

func TestCancelIsAcceptedThenConflictsOnceCompleted(t *testing.T) {
	cfg := baseConfig(fixedStart)
	cfg.Timing.CancelLatency = sec(5)
	h := newHarness(t, cfg)
	id := h.dispatch(nil)
	if got := h.run(id).Status; got != "in_progress" {
		t.Fatalf("status %q; want in_progress", got)
	}

	resp, err := h.gh.Actions.CancelWorkflowRunByID(h.ctx, testOwner, testRepo, id)
	var accepted *github.AcceptedError
	if !errors.As(err, &accepted) || resp.StatusCode != http.StatusAccepted {
		t.Fatalf("cancel: err %v status %d; want *AcceptedError 202", err, resp.StatusCode)
	}
	if got := h.run(id).Status; got != "in_progress" {
		t.Fatalf("status right after cancel %q; want in_progress until the cancel latency", got)
	}
	h.advance(5 * time.Second)
	r := h.run(id)
	if r.Status != "completed" || r.Conclusion != "cancelled" {
		t.Fatalf("got %s/%s; want completed/cancelled", r.Status, r.Conclusion)
	}

	resp, err = h.gh.Actions.CancelWorkflowRunByID(h.ctx, testOwner, testRepo, id)
	var er *github.ErrorResponse
	if !errors.As(err, &er) || resp.StatusCode != http.StatusConflict {
		t.Fatalf("second cancel: err %v status %d; want *ErrorResponse 409", err, resp.StatusCode)
	}
}

func TestPrimaryExhaustionIsRateLimitErrorAndBlocksClientSide(t *testing.T) {
	// Virtual time starts at the wall clock: go-github compares the reset
	// with time.Now() before sending.
	cfg := baseConfig(time.Now().UTC().Truncate(time.Second))
	cfg.Tokens[0].Limit = 3
	h := newHarness(t, cfg)
	// Another client of the same token spends the budget; go-github would
	// otherwise refuse locally as soon as it saw remaining=0.
	other := h.client(testToken)
	for i := 0; i < 3; i++ {
		_, resp, err := other.Actions.ListOrganizationRunners(h.ctx, testOwner, nil)
		if err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		if resp.Rate.Remaining != 2-i || resp.Rate.Limit != 3 {
			t.Fatalf("call %d rate %+v; want remaining %d of 3", i, resp.Rate, 2-i)
		}
	}
	_, _, err := h.gh.Actions.ListOrganizationRunners(h.ctx, testOwner, nil)
	var rle *github.RateLimitError
	if !errors.As(err, &rle) || rle.Rate.Remaining != 0 || rle.Response.StatusCode != http.StatusForbidden ||
		rle.Response.Header.Get("X-GitHub-Request-Id") == "" {
		t.Fatalf("got %v; want *RateLimitError with remaining 0 and 403", err)
	}
	if !strings.Contains(rle.Message, "API rate limit exceeded for user ID 7.") {
		t.Fatalf("message %q", rle.Message)
	}
	before := h.requests.Load()
	_, _, err = h.gh.Actions.ListOrganizationRunners(h.ctx, testOwner, nil)
	if !errors.As(err, &rle) {
		t.Fatalf("next call: %v; want a local *RateLimitError", err)
	}
	if h.requests.Load() != before {
		t.Fatalf("the client sent a request while rate limited")
	}
	// /rate_limit bypasses the client-side check and is free.
	limits, _, err := h.gh.RateLimit.Get(h.ctx)
	if err != nil || limits.GetCore().Remaining != 0 {
		t.Fatalf("rate_limit: %v %+v", err, limits.GetCore())
	}
	// A new window starts after the reset.
	h.advance(time.Hour + time.Second)
	limits, _, err = h.gh.RateLimit.Get(h.ctx)
	if err != nil || limits.GetCore().Remaining != 3 {
		t.Fatalf("after reset: %v %+v; want 3 remaining", err, limits.GetCore())
	}
}

func TestPrimaryLimitCanAnswer429(t *testing.T) {
	cfg := baseConfig(time.Now().UTC().Truncate(time.Second))
	cfg.Tokens[0].Limit = 1
	cfg.RateLimit.Status = http.StatusTooManyRequests
	h := newHarness(t, cfg)
	if _, _, err := h.client(testToken).Actions.ListOrganizationRunners(h.ctx, testOwner, nil); err != nil {
		t.Fatalf("first call: %v", err)
	}
	_, _, err := h.gh.Actions.ListOrganizationRunners(h.ctx, testOwner, nil)
	var rle *github.RateLimitError
	if !errors.As(err, &rle) || rle.Response.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("got %v; want *RateLimitError with 429", err)
	}
}

func TestSecondaryLimitIsAbuseRateLimitErrorWithRetryAfter(t *testing.T) {
	h := newHarness(t, baseConfig(time.Now().UTC().Truncate(time.Second)))
	if _, err := h.sim.AddFault(simSecondary(30)); err != nil {
		t.Fatalf("add fault: %v", err)
	}
	_, _, err := h.gh.Actions.ListOrganizationRunners(h.ctx, testOwner, nil)
	var abuse *github.AbuseRateLimitError
	if !errors.As(err, &abuse) || abuse.RetryAfter == nil || *abuse.RetryAfter != 30*time.Second {
		t.Fatalf("got %v; want *AbuseRateLimitError with RetryAfter 30s", err)
	}
}

func TestIteratorsWalkAllPages(t *testing.T) {
	cfg := baseConfig(fixedStart)
	for i := 0; i < 5; i++ {
		cfg.Runners = append(cfg.Runners, cfg.Runners[0])
		cfg.Runners[len(cfg.Runners)-1].Name = "extra-" + itoa(int64(i))
	}
	h := newHarness(t, cfg)
	opts := &github.ListRunnersOptions{ListOptions: github.ListOptions{PerPage: 3}}
	var names []string
	for r, err := range h.gh.Actions.ListOrganizationRunnersIter(h.ctx, testOwner, opts) {
		if err != nil {
			t.Fatalf("iterate: %v", err)
		}
		names = append(names, r.GetName())
	}
	if len(names) != 8 {
		t.Fatalf("iterated %d runners %v; want 8", len(names), names)
	}
	runners, resp, err := h.gh.Actions.ListOrganizationRunners(h.ctx, testOwner,
		&github.ListRunnersOptions{ListOptions: github.ListOptions{PerPage: 3, Page: 3}})
	if err != nil || len(runners.Runners) != 2 || runners.TotalCount != 8 {
		t.Fatalf("last page: %v, %d runners, total %d", err, len(runners.Runners), runners.TotalCount)
	}
	if resp.NextPage != 0 || resp.PrevPage != 2 || resp.FirstPage != 1 {
		t.Fatalf("last page links next %d prev %d first %d", resp.NextPage, resp.PrevPage, resp.FirstPage)
	}
	_, resp, err = h.gh.Actions.ListOrganizationRunners(h.ctx, testOwner,
		&github.ListRunnersOptions{ListOptions: github.ListOptions{PerPage: 3}})
	if err != nil || resp.NextPage != 2 || resp.LastPage != 3 {
		t.Fatalf("first page: %v next %d last %d", err, resp.NextPage, resp.LastPage)
	}
	if link := resp.Header.Get("Link"); !strings.Contains(link, h.srv.URL+"/orgs/acme/actions/runners?") {
		t.Fatalf("Link %q; want absolute URLs on the public base", link)
	}
}

func TestRunAndJobIteratorsWalkAllPages(t *testing.T) {
	h := newHarness(t, baseConfig(fixedStart))
	want := map[int64]bool{}
	for i := 0; i < 5; i++ {
		want[h.dispatch(nil)] = true
	}
	opts := &github.ListWorkflowRunsOptions{Event: "workflow_dispatch", Created: ">=" + fixedStart.Format(time.RFC3339),
		ListOptions: github.ListOptions{PerPage: 2}}
	var last *github.WorkflowRun
	n := 0
	for r, err := range h.gh.Actions.ListWorkflowRunsByFileNameIter(h.ctx, testOwner, testRepo, "sync.yml", opts) {
		if err != nil {
			t.Fatalf("iterate runs: %v", err)
		}
		if !want[r.GetID()] || (last != nil && r.GetID() > last.GetID()) {
			t.Fatalf("run %d out of order or unknown", r.GetID())
		}
		last = r
		n++
	}
	if n != 5 {
		t.Fatalf("iterated %d runs; want 5", n)
	}
	jobs := 0
	for _, err := range h.gh.Actions.ListWorkflowJobsIter(h.ctx, testOwner, testRepo, last.GetID(), nil) {
		if err != nil {
			t.Fatalf("iterate jobs: %v", err)
		}
		jobs++
	}
	if jobs != 1 {
		t.Fatalf("jobs %d; want 1", jobs)
	}
}

func TestETagNotModifiedIsFreeAndChangesWithBusy(t *testing.T) {
	cfg := baseConfig(fixedStart)
	cfg.Timing.BusySetLagMin, cfg.Timing.BusySetLagMax = sec(10), sec(10)
	h := newHarness(t, cfg)
	first := h.do("GET", "/orgs/acme/actions/runners", "", nil)
	etag := first.Header.Get("ETag")
	if !strings.HasPrefix(etag, `W/"`) {
		t.Fatalf("ETag %q; want a weak validator", etag)
	}
	remaining := first.Header.Get("X-Ratelimit-Remaining")

	again := h.do("GET", "/orgs/acme/actions/runners", "", map[string]string{"If-None-Match": etag})
	if again.StatusCode != http.StatusNotModified {
		t.Fatalf("status %d; want 304", again.StatusCode)
	}
	if got := again.Header.Get("X-Ratelimit-Remaining"); got != remaining || got == "" {
		t.Fatalf("remaining after 304 %q; want unchanged %q", got, remaining)
	}

	h.dispatch(nil)
	h.advance(10 * time.Second) // reported busy flips
	changed := h.do("GET", "/orgs/acme/actions/runners", "", map[string]string{"If-None-Match": etag})
	if changed.StatusCode != http.StatusOK || changed.Header.Get("ETag") == etag {
		t.Fatalf("status %d etag %q; want 200 with a new ETag once busy changed", changed.StatusCode, changed.Header.Get("ETag"))
	}
}

func TestWebhooksValidateAndParseWithGoGitHub(t *testing.T) {
	cfg := baseConfig(fixedStart)
	rec := newReceiver(t, "s3cret")
	cfg.Hooks = []sim.HookConfig{{URL: rec.srv.URL, Secret: "s3cret", Owner: testOwner}}
	h := newHarness(t, cfg)
	id := h.dispatch(nil)
	h.advance(30 * time.Second)
	if err := h.sim.FlushWebhooks(h.ctx); err != nil {
		t.Fatalf("flush: %v", err)
	}
	got := rec.all()
	var jobActions, runActions []string
	for _, d := range got {
		switch ev := d.event.(type) {
		case *github.WorkflowJobEvent:
			jobActions = append(jobActions, ev.GetAction())
			wj := ev.GetWorkflowJob()
			if wj.GetRunID() != id {
				t.Fatalf("job event run %d; want %d", wj.GetRunID(), id)
			}
			if ev.GetAction() == "in_progress" && (wj.GetRunnerID() == 0 || wj.GetRunnerName() != "sync-1" || wj.GetRunnerGroupName() != "Default") {
				t.Fatalf("in_progress job runner fields %d %q %q", wj.GetRunnerID(), wj.GetRunnerName(), wj.GetRunnerGroupName())
			}
			if ev.GetAction() == "queued" && wj.RunnerID != nil {
				t.Fatalf("queued job carries runner_id %d; want null", wj.GetRunnerID())
			}
			if strings.Join(wj.Labels, ",") != "self-hosted,SYNC" {
				t.Fatalf("labels %v; want the runs-on labels", wj.Labels)
			}
		case *github.WorkflowRunEvent:
			runActions = append(runActions, ev.GetAction())
			if ev.GetWorkflowRun().GetID() != id || ev.GetWorkflow().GetPath() != ".github/workflows/sync.yml" {
				t.Fatalf("run event for %d / %q", ev.GetWorkflowRun().GetID(), ev.GetWorkflow().GetPath())
			}
		case *github.WorkflowDispatchEvent:
		default:
			t.Fatalf("unexpected event %T", ev)
		}
		if d.userAgent != "GitHub-Hookshot/sim" || len(d.guid) != 36 {
			t.Fatalf("user agent %q guid %q", d.userAgent, d.guid)
		}
	}
	if strings.Join(jobActions, ",") != "queued,in_progress,completed" {
		t.Fatalf("job actions %v", jobActions)
	}
	if strings.Join(runActions, ",") != "requested,in_progress,completed" {
		t.Fatalf("run actions %v", runActions)
	}
	// A tampered body fails validation.
	if err := rec.validateTampered(); err == nil {
		t.Fatalf("tampered payload validated")
	}
}

func itoa(n int64) string { return strconvFormat(n) }
