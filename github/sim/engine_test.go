package sim_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/dispatchoor/dispatchoor/github/sim"
	"github.com/google/go-github/v88/github"
)

// jobOf returns the only job of a run.
func (h *harness) jobOf(id int64) sim.JobState {
	h.t.Helper()
	r := h.run(id)
	if len(r.Jobs) != 1 {
		h.t.Fatalf("run %d has %d jobs; want 1", id, len(r.Jobs))
	}
	return r.Jobs[0]
}

func TestAssignmentIsFIFOWithLowestRunnerIDFirst(t *testing.T) {
	cfg := baseConfig(fixedStart)
	cfg.Timing.AssignDelay = sec(2)
	h := newHarness(t, cfg)
	a := h.dispatch(nil)
	h.advance(time.Second)
	b := h.dispatch(nil)
	h.advance(time.Second)
	c := h.dispatch(nil)

	if j := h.jobOf(a); j.Status != "in_progress" || j.RunnerName != "sync-1" {
		t.Fatalf("first job %s on %q; want in_progress on sync-1 (lowest id)", j.Status, j.RunnerName)
	}
	if j := h.jobOf(b); j.Status != "queued" || j.RunnerName != "" {
		t.Fatalf("second job %s on %q; want queued during the assign delay", j.Status, j.RunnerName)
	}
	if st := h.runner("sync-2"); st.JobID == 0 || st.Running {
		t.Fatalf("sync-2 %+v; want reserved, not yet running", st)
	}
	h.advance(time.Second)
	if j := h.jobOf(b); j.Status != "in_progress" || j.RunnerName != "sync-2" {
		t.Fatalf("second job %s on %q; want sync-2", j.Status, j.RunnerName)
	}
	if j := h.jobOf(c); j.Status != "queued" {
		t.Fatalf("third job %s; want queued: no idle sync runner (gpu-1 lacks the label)", j.Status)
	}
	// The first job ends at t=32s; the third takes sync-1 two seconds later.
	h.advance(29 * time.Second)
	if j := h.jobOf(a); j.Status != "completed" || j.Conclusion != "success" {
		t.Fatalf("first job %s/%s; want completed/success", j.Status, j.Conclusion)
	}
	h.advance(2 * time.Second)
	if j := h.jobOf(c); j.Status != "in_progress" || j.RunnerName != "sync-1" {
		t.Fatalf("third job %s on %q; want sync-1", j.Status, j.RunnerName)
	}
}

func TestLabelsAreCaseInsensitiveAndRepoRunnersWin(t *testing.T) {
	cfg := baseConfig(fixedStart)
	cfg.Runners = append(cfg.Runners, sim.RunnerConfig{Name: "repo-sync", Scope: "repo", Owner: testOwner, Repo: testRepo,
		Labels: []string{"Self-Hosted", "Linux", "Sync"}})
	h := newHarness(t, cfg)
	id := h.dispatch(nil)
	if j := h.jobOf(id); j.RunnerName != "repo-sync" {
		t.Fatalf("job on %q; want the repository runner first", j.RunnerName)
	}
	runners, _, err := h.gh.Actions.ListRunners(h.ctx, testOwner, testRepo, nil)
	if err != nil || runners.TotalCount != 1 || runners.Runners[0].GetName() != "repo-sync" {
		t.Fatalf("repo runners %v err %v; want only repo-sync", runners, err)
	}
	labels := runners.Runners[0].Labels
	if labels[0].GetType() != "read-only" || labels[2].GetType() != "custom" {
		t.Fatalf("label types %s %s; want read-only then custom", labels[0].GetType(), labels[2].GetType())
	}
}

func TestRunnerGroupAccessLimitsAssignment(t *testing.T) {
	cfg := baseConfig(fixedStart)
	cfg.RunnerGroups = []sim.RunnerGroupConfig{{Org: testOwner, Name: "locked", Visibility: "selected",
		SelectedRepos: []string{"acme/other"}}}
	cfg.Runners[0].Group = "locked"
	h := newHarness(t, cfg)
	id := h.dispatch(nil)
	if j := h.jobOf(id); j.RunnerName != "sync-2" {
		t.Fatalf("job on %q; want sync-2: sync-1's group does not serve the repo", j.RunnerName)
	}
	groups, _, err := h.gh.Actions.ListOrganizationRunnerGroups(h.ctx, testOwner,
		&github.ListOrgRunnerGroupOptions{VisibleToRepository: testRepo})
	if err != nil || groups.TotalCount != 1 || groups.RunnerGroups[0].GetName() != "Default" {
		t.Fatalf("groups visible to the repo: %v err %v; want Default only", groups, err)
	}
	locked, _, err := h.gh.Actions.ListRunnerGroupRunners(h.ctx, testOwner, 2, nil)
	if err != nil || locked.TotalCount != 1 || locked.Runners[0].GetName() != "sync-1" {
		t.Fatalf("runners in group 2: %v err %v", locked, err)
	}
}

func TestReportedBusyLagsTheTruth(t *testing.T) {
	cfg := baseConfig(fixedStart)
	cfg.Timing.BusySetLagMin, cfg.Timing.BusySetLagMax = sec(10), sec(10)
	cfg.Timing.BusyClearLag = sec(5)
	h := newHarness(t, cfg)
	h.dispatch(nil)
	busy := func() bool {
		r, _, err := h.gh.Actions.GetOrganizationRunner(h.ctx, testOwner, 1)
		if err != nil {
			t.Fatalf("get runner: %v", err)
		}
		return r.GetBusy()
	}
	if st := h.runner("sync-1"); !st.Running || st.Busy || busy() {
		t.Fatalf("at start: %+v; want running but reported idle", st)
	}
	h.advance(10 * time.Second)
	if !busy() {
		t.Fatalf("after the set lag: reported idle; want busy")
	}
	h.advance(20 * time.Second) // job done at 30s
	if st := h.runner("sync-1"); st.Running || !busy() {
		t.Fatalf("just after the job: %+v; want idle truth, busy report", st)
	}
	h.advance(5 * time.Second)
	if busy() {
		t.Fatalf("after the clear lag: still busy")
	}
}

func TestGetVisibilityLag(t *testing.T) {
	cfg := baseConfig(fixedStart)
	cfg.Timing.GetVisibilityLag = sec(2)
	h := newHarness(t, cfg)
	id := h.dispatch(nil)
	_, resp, err := h.gh.Actions.GetWorkflowRunByID(h.ctx, testOwner, testRepo, id)
	if err == nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("get during lag: %v; want 404", err)
	}
	h.advance(2 * time.Second)
	if _, _, err := h.gh.Actions.GetWorkflowRunByID(h.ctx, testOwner, testRepo, id); err != nil {
		t.Fatalf("get after lag: %v", err)
	}
}

func TestRunnerLostMidJobFailsTheJobLater(t *testing.T) {
	cfg := baseConfig(fixedStart)
	cfg.Timing.OfflineDetect = sec(60)
	cfg.Timing.LostRunnerFail = sec(300)
	cfg.Workflows[0].Jobs[0].Duration = sim.DurationDist{Min: sec(3600), Max: sec(3600)}
	h := newHarness(t, cfg)
	id := h.dispatch(nil)
	if err := h.sim.SetRunnerOnline(1, false); err != nil {
		t.Fatalf("offline: %v", err)
	}
	if st := h.runner("sync-1"); st.Online || st.Status != "online" {
		t.Fatalf("runner %+v; want truly offline, reported online", st)
	}
	next := h.dispatch(nil)
	if j := h.jobOf(next); j.RunnerName != "sync-2" {
		t.Fatalf("next job on %q; want sync-2 (sync-1 is gone)", j.RunnerName)
	}
	h.advance(60 * time.Second)
	if st := h.runner("sync-1"); st.Status != "offline" {
		t.Fatalf("after offline_detect: status %q; want offline", st.Status)
	}
	if j := h.jobOf(id); j.Status != "in_progress" {
		t.Fatalf("job %s before lost_runner_fail; want in_progress", j.Status)
	}
	h.advance(240 * time.Second)
	r := h.run(id)
	if r.Status != "completed" || r.Conclusion != "failure" || r.Jobs[0].Conclusion != "failure" {
		t.Fatalf("run %s/%s job %s; want failure after lost_runner_fail", r.Status, r.Conclusion, r.Jobs[0].Conclusion)
	}
	if err := h.sim.SetRunnerOnline(1, true); err != nil {
		t.Fatalf("online: %v", err)
	}
	if st := h.runner("sync-1"); !st.Online || st.Status != "online" || st.Busy {
		t.Fatalf("back online: %+v", st)
	}
}

func TestCancelLeavesAlwaysJobsUntilForceCancel(t *testing.T) {
	cfg := baseConfig(fixedStart)
	cfg.Timing.CancelLatency = sec(5)
	cfg.Workflows[0].Jobs = []sim.JobSpec{
		{Name: "main", RunsOn: []string{"sync"}, Duration: sim.DurationDist{Min: sec(600), Max: sec(600)}},
		{Name: "cleanup", RunsOn: []string{"sync"}, Always: true, Duration: sim.DurationDist{Min: sec(600), Max: sec(600)}},
	}
	h := newHarness(t, cfg)
	id := h.dispatch(nil)
	if _, err := h.gh.Actions.CancelWorkflowRunByID(h.ctx, testOwner, testRepo, id); err == nil {
		t.Fatalf("cancel returned nil; want *AcceptedError")
	}
	h.advance(5 * time.Second)
	r := h.run(id)
	if r.Status != "in_progress" || r.Jobs[0].Conclusion != "cancelled" || r.Jobs[1].Status != "in_progress" {
		t.Fatalf("after cancel: run %s, main %s, cleanup %s", r.Status, r.Jobs[0].Conclusion, r.Jobs[1].Status)
	}
	resp := h.do("POST", "/repos/acme/sync-tests/actions/runs/"+itoa(id)+"/force-cancel", "", nil)
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("force-cancel status %d; want 202", resp.StatusCode)
	}
	h.advance(5 * time.Second)
	if r := h.run(id); r.Status != "completed" || r.Conclusion != "cancelled" {
		t.Fatalf("after force-cancel: %s/%s", r.Status, r.Conclusion)
	}
	if resp := h.do("POST", "/repos/acme/sync-tests/actions/runs/"+itoa(id)+"/force-cancel", "", nil); resp.StatusCode != http.StatusConflict {
		t.Fatalf("force-cancel of a completed run: %d; want 409", resp.StatusCode)
	}
}

func TestNeedsKeepsDependentsPendingAndSkipsOnFailure(t *testing.T) {
	cfg := baseConfig(fixedStart)
	cfg.Workflows[0].Jobs = []sim.JobSpec{
		{Name: "build", RunsOn: []string{"sync"}, Duration: sim.DurationDist{Min: sec(10), Max: sec(10)}},
		{Name: "test", RunsOn: []string{"sync"}, Needs: []string{"build"}, Duration: sim.DurationDist{Min: sec(10), Max: sec(10)}},
	}
	cfg.Workflows = append(cfg.Workflows, sim.WorkflowSpec{Repo: "acme/sync-tests", File: "broken.yml", Jobs: []sim.JobSpec{
		{Name: "build", RunsOn: []string{"sync"}, Duration: sim.DurationDist{Min: sec(10), Max: sec(10)}, Outcomes: map[string]float64{"failure": 1}},
		{Name: "test", RunsOn: []string{"sync"}, Needs: []string{"build"}},
	}})
	h := newHarness(t, cfg)
	ok := h.dispatch(nil)
	if r := h.run(ok); r.Jobs[0].Status != "in_progress" || r.Jobs[1].Status != "pending" {
		t.Fatalf("jobs %s/%s; want in_progress/pending", r.Jobs[0].Status, r.Jobs[1].Status)
	}
	h.advance(10 * time.Second)
	if r := h.run(ok); r.Jobs[1].Status != "in_progress" {
		t.Fatalf("dependent %s; want in_progress once build succeeded", r.Jobs[1].Status)
	}
	h.advance(10 * time.Second)
	if r := h.run(ok); r.Conclusion != "success" {
		t.Fatalf("run %s; want success", r.Conclusion)
	}

	_, _, err := h.gh.Actions.CreateWorkflowDispatchEventByFileName(h.ctx, testOwner, testRepo, "broken.yml",
		github.CreateWorkflowDispatchEventRequest{Ref: "main"})
	if err != nil {
		t.Fatalf("dispatch broken: %v", err)
	}
	h.advance(10 * time.Second)
	st := h.sim.State()
	r := st.Runs[len(st.Runs)-1]
	if r.Conclusion != "failure" || r.Jobs[1].Conclusion != "skipped" {
		t.Fatalf("run %s, dependent %s; want failure and skipped", r.Conclusion, r.Jobs[1].Conclusion)
	}
}

func TestConcurrencyGroupKeepsOnePendingRun(t *testing.T) {
	cfg := baseConfig(fixedStart)
	cfg.Workflows[0].Concurrency = "sync-${{ inputs.network }}"
	h := newHarness(t, cfg)
	first := h.dispatch(nil)
	second := h.dispatch(nil)
	if r := h.run(second); r.Status != "pending" || len(r.Jobs) != 0 {
		t.Fatalf("second run %s with %d jobs; want pending without jobs", r.Status, len(r.Jobs))
	}
	other := h.dispatch(map[string]any{"network": "holesky"})
	if r := h.run(other); r.Status != "in_progress" {
		t.Fatalf("other group %s; want in_progress", r.Status)
	}
	third := h.dispatch(nil)
	if r := h.run(second); r.Status != "completed" || r.Conclusion != "cancelled" {
		t.Fatalf("older pending %s/%s; want cancelled by the newer one", r.Status, r.Conclusion)
	}
	h.advance(30 * time.Second)
	if r := h.run(first); r.Conclusion != "success" {
		t.Fatalf("first %s", r.Conclusion)
	}
	if r := h.run(third); r.Status != "in_progress" {
		t.Fatalf("third %s; want started once the group was free", r.Status)
	}
}

func TestEphemeralRunnerDeregistersAfterItsJob(t *testing.T) {
	cfg := baseConfig(fixedStart)
	cfg.Timing.EphemeralDeregister = sec(2)
	cfg.Runners = []sim.RunnerConfig{{Name: "eph", Owner: testOwner, Labels: []string{"self-hosted", "sync"}, Ephemeral: true}}
	h := newHarness(t, cfg)
	id := h.dispatch(nil)
	h.advance(30 * time.Second)
	second := h.dispatch(nil)
	if j := h.jobOf(second); j.Status != "queued" {
		t.Fatalf("second job %s; want queued: an ephemeral runner takes one job", j.Status)
	}
	h.advance(2 * time.Second)
	if _, resp, err := h.gh.Actions.GetOrganizationRunner(h.ctx, testOwner, 1); err == nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("deregistered runner: %v; want 404", err)
	}
	if j := h.jobOf(id); j.RunnerName != "eph" || j.RunnerID != 1 {
		t.Fatalf("finished job lost its runner fields: %+v", j)
	}
}

func TestQueueTimeoutAndBrokerDelay(t *testing.T) {
	cfg := baseConfig(fixedStart)
	cfg.Timing.QueueTimeout = sim.Duration(time.Hour)
	cfg.Timing.BrokerDelayProb = 1
	cfg.Timing.BrokerDelay = sec(60)
	cfg.Workflows = append(cfg.Workflows, sim.WorkflowSpec{Repo: "acme/sync-tests", File: "arm.yml",
		Jobs: []sim.JobSpec{{Name: "arm", RunsOn: []string{"arm64"}}}})
	h := newHarness(t, cfg)
	id := h.dispatch(nil)
	if j := h.jobOf(id); j.Status != "queued" {
		t.Fatalf("job %s; want queued during the broker delay although sync-1 idles", j.Status)
	}
	h.advance(60 * time.Second)
	if j := h.jobOf(id); j.Status != "in_progress" {
		t.Fatalf("job %s after the broker delay; want in_progress", j.Status)
	}
	if _, _, err := h.gh.Actions.CreateWorkflowDispatchEventByFileName(h.ctx, testOwner, testRepo, "arm.yml",
		github.CreateWorkflowDispatchEventRequest{Ref: "main"}); err != nil {
		t.Fatalf("dispatch: %v", err)
	}
	h.advance(time.Hour)
	st := h.sim.State()
	if r := st.Runs[1]; r.Conclusion != "cancelled" {
		t.Fatalf("unassignable run %s/%s; want cancelled after queue_timeout", r.Status, r.Conclusion)
	}
}

func TestRerunStartsANewAttempt(t *testing.T) {
	h := newHarness(t, baseConfig(fixedStart))
	id := h.dispatch(nil)
	if _, err := h.gh.Actions.RerunWorkflowByID(h.ctx, testOwner, testRepo, id); err == nil {
		t.Fatalf("rerun of a running run succeeded; want 403")
	}
	h.advance(30 * time.Second)
	firstJob := h.jobOf(id).ID
	resp, err := h.gh.Actions.RerunWorkflowByID(h.ctx, testOwner, testRepo, id)
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("rerun: %v; want 201", err)
	}
	run, _, err := h.gh.Actions.GetWorkflowRunByID(h.ctx, testOwner, testRepo, id)
	if err != nil || run.GetRunAttempt() != 2 || run.GetStatus() != "in_progress" || run.GetPreviousAttemptURL() == "" {
		t.Fatalf("after rerun: attempt %d status %s prev %q err %v", run.GetRunAttempt(), run.GetStatus(), run.GetPreviousAttemptURL(), err)
	}
	if h.jobOf(id).ID == firstJob {
		t.Fatalf("rerun reused the job id")
	}
	old, _, err := h.gh.Actions.GetWorkflowRunAttempt(h.ctx, testOwner, testRepo, id, 1, nil)
	if err != nil || old.GetConclusion() != "success" || old.GetRunAttempt() != 1 {
		t.Fatalf("attempt 1: %v %s", err, old.GetConclusion())
	}
	all, _, err := h.gh.Actions.ListWorkflowJobs(h.ctx, testOwner, testRepo, id, &github.ListWorkflowJobsOptions{Filter: "all"})
	if err != nil || all.GetTotalCount() != 2 {
		t.Fatalf("jobs filter=all: %v total %d; want 2", err, all.GetTotalCount())
	}
	latest, _, err := h.gh.Actions.ListWorkflowJobs(h.ctx, testOwner, testRepo, id, nil)
	if err != nil || latest.GetTotalCount() != 1 || latest.Jobs[0].GetRunAttempt() != 2 {
		t.Fatalf("jobs latest: %v %d", err, latest.GetTotalCount())
	}
}

func TestRunLevelConclusionsAndJobOutcomes(t *testing.T) {
	cfg := baseConfig(fixedStart)
	cfg.Workflows[0].RunFailures = map[string]float64{"startup_failure": 1}
	cfg.Workflows = append(cfg.Workflows, sim.WorkflowSpec{Repo: "acme/sync-tests", File: "flaky.yml",
		Jobs: []sim.JobSpec{{Name: "t", RunsOn: []string{"sync"}, Duration: sim.DurationDist{Min: sec(1), Max: sec(1)},
			Outcomes: map[string]float64{"timed_out": 1}}}})
	h := newHarness(t, cfg)
	id := h.dispatch(nil)
	if r := h.run(id); r.Status != "completed" || r.Conclusion != "startup_failure" || len(r.Jobs) != 0 {
		t.Fatalf("run %s/%s jobs %d; want startup_failure without jobs", r.Status, r.Conclusion, len(r.Jobs))
	}
	if _, _, err := h.gh.Actions.CreateWorkflowDispatchEventByFileName(h.ctx, testOwner, testRepo, "flaky.yml",
		github.CreateWorkflowDispatchEventRequest{Ref: "main"}); err != nil {
		t.Fatalf("dispatch: %v", err)
	}
	h.advance(time.Second)
	st := h.sim.State()
	if r := st.Runs[1]; r.Conclusion != "timed_out" || r.Jobs[0].Conclusion != "timed_out" {
		t.Fatalf("run %s job %s; want timed_out", r.Conclusion, r.Jobs[0].Conclusion)
	}
}
