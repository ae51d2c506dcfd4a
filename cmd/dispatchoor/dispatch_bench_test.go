package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dispatchoor/dispatchoor/actors"
	"github.com/dispatchoor/dispatchoor/actors/state"
	"github.com/dispatchoor/dispatchoor/config"
	"github.com/dispatchoor/dispatchoor/github/sim"
)

// BenchmarkDispatch measures the dispatcher end to end: the full server
// against the simulator on loopback, in real time, 8 runners and 64 jobs
// enqueued at once, runner polling and run tracking every 2 s, without and
// then with webhooks. The simulator's timings are short but realistic (a
// runner picks a job up 1.5 s after it is queued).
//
//	go test ./cmd/dispatchoor -run '^$' -bench BenchmarkDispatch -benchtime 1x
//
// Figures (b.ReportMetric, and a line per run with b.Logf):
//   - lag_p95_s: a runner freed on GitHub → the dispatch that fills it;
//   - makespan/ideal: the time until every job finished, over 8 waves of
//     (run time + pickup delay);
//   - calls/job: GitHub requests per job, all of them and those that count
//     against the rate limit (304s do not);
//   - duplicates, lost, wrong: runs dispatched twice for one job, jobs that
//     did not complete, jobs tied to a run they did not create. All must be 0.
var (
	benchJobTime = flag.Duration("dispatch.job", 15*time.Second, "run time of each job in BenchmarkDispatch")
	benchJobs    = flag.Int("dispatch.jobs", 64, "jobs in BenchmarkDispatch")
	benchRunners = flag.Int("dispatch.runners", 8, "runners in BenchmarkDispatch")
)

const (
	benchPickup   = 1500 * time.Millisecond
	benchInterval = 2 * time.Second
	benchSecret   = "bench-secret"
)

func BenchmarkDispatch(b *testing.B) {
	for _, webhooks := range []bool{false, true} {
		b.Run(map[bool]string{false: "polling", true: "webhooks"}[webhooks], func(b *testing.B) {
			for range b.N {
				r := runDispatchScenario(b, webhooks)
				b.ReportMetric(r.lagP95.Seconds(), "lag_p95_s")
				b.ReportMetric(r.ratio, "makespan/ideal")
				b.ReportMetric(r.callsPerJob, "calls/job")
				b.ReportMetric(r.limitedPerJob, "limited_calls/job")
				b.ReportMetric(float64(r.duplicates), "duplicates")
				b.ReportMetric(float64(r.lost), "lost")
				b.ReportMetric(float64(r.wrong), "wrong")
				b.Logf("%s: %d jobs of %s on %d runners: makespan %s (ideal %s, ratio %.3f), dispatch lag p50 %s p95 %s max %s, "+
					"GitHub calls %.2f/job (%.2f/job against the rate limit; %s), duplicates %d, lost %d, wrong correlations %d",
					map[bool]string{false: "polling", true: "webhooks"}[webhooks], *benchJobs, *benchJobTime, *benchRunners,
					r.makespan.Round(time.Millisecond), r.ideal, r.ratio, r.lagP50.Round(time.Millisecond), r.lagP95.Round(time.Millisecond),
					r.lagMax.Round(time.Millisecond), r.callsPerJob, r.limitedPerJob, r.calls, r.duplicates, r.lost, r.wrong)
				if r.duplicates+r.lost+r.wrong > 0 {
					b.Errorf("duplicates %d, lost %d, wrong correlations %d; want 0", r.duplicates, r.lost, r.wrong)
				}
			}
		})
	}
}

type scenarioResult struct {
	makespan, ideal        time.Duration
	ratio                  float64
	lagP50, lagP95, lagMax time.Duration
	callsPerJob            float64
	limitedPerJob          float64
	calls                  string
	duplicates, lost       int
	wrong                  int
}

func benchSimConfig(runners int, jobTime time.Duration) sim.Config {
	d := func(t time.Duration) sim.Duration { return sim.Duration(t) }
	cfg := sim.DefaultConfig()
	cfg.Seed = 7
	cfg.Timing = sim.Timing{
		ListVisibilityLag: d(time.Second), ListVisibilityJitter: d(500 * time.Millisecond),
		AssignDelay: d(benchPickup), BusySetLagMin: d(500 * time.Millisecond), BusySetLagMax: d(3 * time.Second),
		BusyClearLag: d(time.Second), CancelLatency: d(time.Second), OfflineDetect: d(time.Minute),
		LostRunnerFail: d(5 * time.Minute), QueueTimeout: d(time.Hour),
		WebhookDelay: d(100 * time.Millisecond), WebhookJitter: d(50 * time.Millisecond),
	}
	cfg.Tokens = []sim.TokenConfig{{Token: sim.DemoToken, Login: "dispatcher", UserID: 7}}
	cfg.Repos = []sim.RepoConfig{{Owner: "acme", Name: "tests", DefaultBranch: "main"}}
	labels := []string{"self-hosted", "linux", "pool"}
	for i := range runners {
		cfg.Runners = append(cfg.Runners, sim.RunnerConfig{Name: fmt.Sprintf("pool-%d", i+1), Owner: "acme", Labels: labels})
	}
	cfg.Workflows = []sim.WorkflowSpec{{Repo: "acme/tests", File: "load.yml", Name: "Load", RunName: "load [${{ inputs.distinct_id }}]",
		Inputs: []sim.InputSpec{{Name: "distinct_id"}},
		Jobs:   []sim.JobSpec{{Name: "run", RunsOn: labels, Duration: sim.DurationDist{Min: d(jobTime), Max: d(jobTime)}}}}}
	return cfg
}

const benchServerConfig = `
[server]
listen = "127.0.0.1:0"
[storage]
dir = %q
sync = "always"
[github]
api_url = %q
token = %q
poll_interval = %q
webhook_secret = %q
[dispatcher]
interval = "30s"
tracking_interval = %q
[auth.basic]
enabled = true
[[auth.basic.users]]
username = "admin"
password = "admin-password"
role = "admin"
[[groups.github]]
id = "pool"
name = "Pool"
runner_labels = ["self-hosted", "linux", "pool"]
  [[groups.github.workflow_dispatch_templates]]
  id = "load"
  owner = "acme"
  repo = "tests"
  workflow_id = "load.yml"
  ref = "main"
  correlation_input = "distinct_id"
`

func runDispatchScenario(b *testing.B, webhooks bool) scenarioResult {
	b.Helper()
	s := sim.New(benchSimConfig(*benchRunners, *benchJobTime))
	srv := httptest.NewServer(s.Handler())
	defer func() { srv.Close(); s.Close() }()
	secret := ""
	if webhooks {
		secret = benchSecret
	}
	text := fmt.Sprintf(benchServerConfig, filepath.Join(b.TempDir(), "data"), srv.URL+"/", sim.DemoToken,
		benchInterval.String(), secret, benchInterval.String())
	cfg, err := config.Parse([]byte(text), "toml", "", config.LoadOptions{})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	a, err := startApp(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), appHooks{})
	if err != nil {
		b.Fatal(err)
	}
	defer func() {
		if err := a.shutdown(); err != nil {
			b.Error(err)
		}
	}()
	if webhooks {
		if _, err := s.AddHook(sim.HookConfig{URL: "http://" + a.ln.Addr().String() + "/api/v1/webhooks/github", Secret: benchSecret,
			Scope: "app", Events: []string{"workflow_run", "workflow_job"}}); err != nil {
			b.Fatal(err)
		}
	}
	// Wait for the first poll, so the jobs meet known runners.
	for deadline := time.Now().Add(30 * time.Second); ; {
		rs, _ := a.sys.Runners(ctx)
		if len(rs) == *benchRunners {
			break
		}
		if time.Now().After(deadline) {
			b.Fatal("runners not polled")
		}
		time.Sleep(10 * time.Millisecond)
	}
	callsBefore := githubCalls(a)

	b.ResetTimer()
	start := time.Now()
	var ids []string
	for range *benchJobs {
		ji, err := a.sys.Enqueue(ctx, actors.Who{Username: "bench"}, "pool", state.AddJob{TemplateID: "load"})
		if err != nil {
			b.Fatal(err)
		}
		ids = append(ids, ji.Job.ID)
	}
	limit := time.Duration(*benchJobs/max(*benchRunners, 1)+2) * (*benchJobTime + benchPickup) * 3
	for deadline := start.Add(limit); ; {
		done := 0
		for _, id := range ids {
			ji, err := a.sys.Job(ctx, id)
			if err == nil && ji.Job.Status.Terminal() {
				done++
			}
		}
		if done == len(ids) {
			break
		}
		if time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.StopTimer()
	return measure(b, a, s, ids, start, callsBefore)
}

// measure reads the outcome from both sides: the server's jobs and the
// simulator's runs and jobs.
func measure(b *testing.B, a *app, s *sim.Sim, ids []string, start time.Time, callsBefore map[string]float64) scenarioResult {
	ctx := context.Background()
	st := s.State()
	var r scenarioResult
	byKey := map[string][]sim.RunState{}
	runByID := map[int64]sim.RunState{}
	for _, run := range st.Runs {
		byKey[run.Inputs["distinct_id"]] = append(byKey[run.Inputs["distinct_id"]], run)
		runByID[run.ID] = run
	}
	for _, runs := range byKey {
		r.duplicates += len(runs) - 1
	}
	r.duplicates += max(0, len(st.Runs)-len(ids))
	var last time.Time
	for _, id := range ids {
		ji, err := a.sys.Job(ctx, id)
		if err != nil || ji.Job.Status != state.StatusCompleted {
			r.lost++
			continue
		}
		run, ok := runByID[ji.Job.RunID]
		if !ok || run.Inputs["distinct_id"] != ji.Job.DispatchKey {
			r.wrong++
		}
		for _, j := range run.Jobs {
			if j.CompletedAt.After(last) {
				last = j.CompletedAt
			}
		}
	}
	r.makespan = last.Sub(start)
	waves := math.Ceil(float64(len(ids)) / float64(*benchRunners))
	r.ideal = time.Duration(waves) * (*benchJobTime + benchPickup)
	r.ratio = float64(r.makespan) / float64(r.ideal)
	lags := dispatchLags(st)
	if len(lags) > 0 {
		r.lagP50, r.lagP95, r.lagMax = percentile(lags, 0.5), percentile(lags, 0.95), lags[len(lags)-1]
	}
	after := githubCalls(a)
	var total, notModified float64
	var parts []string
	for k, v := range after {
		d := v - callsBefore[k]
		if d == 0 {
			continue
		}
		total += d
		if strings.HasSuffix(k, ":304") {
			notModified += d
		}
		parts = append(parts, fmt.Sprintf("%s %.0f", k, d))
	}
	slices.Sort(parts)
	r.calls = strings.Join(parts, ", ")
	r.callsPerJob = total / float64(len(ids))
	r.limitedPerJob = (total - notModified) / float64(len(ids))
	return r
}

// dispatchLags measures, for every runner, the time from one of its jobs
// finishing to the creation of the run that took it next.
func dispatchLags(st sim.State) []time.Duration {
	type use struct {
		created, started, completed time.Time
	}
	byRunner := map[int64][]use{}
	for _, run := range st.Runs {
		for _, j := range run.Jobs {
			if j.RunnerID != 0 && !j.StartedAt.IsZero() {
				byRunner[j.RunnerID] = append(byRunner[j.RunnerID], use{created: run.CreatedAt, started: j.StartedAt, completed: j.CompletedAt})
			}
		}
	}
	var lags []time.Duration
	for _, uses := range byRunner {
		slices.SortFunc(uses, func(a, b use) int { return a.started.Compare(b.started) })
		for i := 1; i < len(uses); i++ {
			lags = append(lags, max(0, uses[i].created.Sub(uses[i-1].completed)))
		}
	}
	slices.Sort(lags)
	return lags
}

func percentile(sorted []time.Duration, p float64) time.Duration {
	i := int(math.Ceil(p*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

// githubCalls reads the app's request counters: by endpoint and status.
func githubCalls(a *app) map[string]float64 {
	var buf bytes.Buffer
	a.metrics.set.WritePrometheus(&buf)
	out := map[string]float64{}
	for _, line := range strings.Split(buf.String(), "\n") {
		if !strings.HasPrefix(line, "dispatchoor_github_api_calls_total{") {
			continue
		}
		name, val, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		v, err := strconv.ParseFloat(val, 64)
		if err != nil {
			continue
		}
		out[labelValue(name, "endpoint")+":"+labelValue(name, "status")] += v
	}
	return out
}

func labelValue(series, label string) string {
	_, rest, ok := strings.Cut(series, label+`="`)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, `"`)
	return v
}
