package sim

import (
	"fmt"
	"time"
)

// Demo credentials printed by `dispatchoor demo` and `dispatchoor sim`.
const (
	DemoToken        = "sim-token"
	DemoOAuthClient  = "sim-client-id"
	DemoOAuthSecret  = "sim-client-secret"
	DemoOrg          = "acme"
	demoAdminLogin   = "demo-admin"
	demoAdminID      = 1001
	demoViewerLogin  = "demo-viewer"
	demoViewerUserID = 1002
)

var (
	demoSyncLabels = []string{"self-hosted", "linux", "sync"}
	demoGPULabels  = []string{"self-hosted", "linux", "gpu"}
)

// DemoRunners returns n organisation runners of the demo world: two thirds
// (rounded up) labelled [self-hosted, linux, sync], the rest
// [self-hosted, linux, gpu]. `dispatchoor sim --runners N` uses it.
func DemoRunners(n int) []RunnerConfig {
	syncN := (2*n + 2) / 3
	out := make([]RunnerConfig, 0, n)
	for i := 0; i < n; i++ {
		if i < syncN {
			out = append(out, RunnerConfig{Name: fmt.Sprintf("sync-runner-%d", i+1), Owner: DemoOrg, Labels: demoSyncLabels})
		} else {
			out = append(out, RunnerConfig{Name: fmt.Sprintf("gpu-runner-%d", i-syncN+1), Owner: DemoOrg, Labels: demoGPULabels})
		}
	}
	return out
}

// DemoConfig returns a realistic world on a real-time clock: organisation
// "acme" with repositories "sync-tests" and "gpu-bench", six runners in two
// label sets, dispatchable workflows with declared inputs and 10–40 s jobs,
// and a small background load of jobs the orchestrator did not dispatch.
func DemoConfig() Config {
	sec := func(n int) Duration { return Duration(time.Duration(n) * time.Second) }
	cfg := DefaultConfig()
	cfg.Seed = 42
	cfg.ClockMode = "real"
	cfg.ClockScale = 1
	cfg.Timing.BusySetLagMax = sec(20)
	cfg.Timing.BrokerDelayProb = 0.02
	cfg.Timing.BrokerDelay = sec(30)
	cfg.Timing.OfflineDetect = sec(30)
	cfg.Timing.LostRunnerFail = sec(90)
	cfg.RateLimit = RateLimit{Mode: "on", SecondaryMode: "on"}

	cfg.Tokens = []TokenConfig{{Token: DemoToken, Kind: tokenPAT, Login: demoAdminLogin, UserID: demoAdminID}}
	cfg.Repos = []RepoConfig{
		{Owner: DemoOrg, Name: "sync-tests", DefaultBranch: "main", Branches: []string{"develop"}},
		{Owner: DemoOrg, Name: "gpu-bench", DefaultBranch: "main", Tags: []string{"v1.0.0"}},
	}
	sync, gpu := demoSyncLabels, demoGPULabels
	cfg.Runners = DemoRunners(6)
	short := DurationDist{Min: sec(10), Max: sec(40)}
	outcomes := map[string]float64{conclusionSuccess: 0.9, conclusionFailure: 0.08, conclusionTimedOut: 0.02}
	clients := []string{"geth", "nethermind", "besu", "erigon", "reth"}
	cfg.Workflows = []WorkflowSpec{
		{
			Repo: DemoOrg + "/sync-tests", File: "sync.yml", Name: "Sync Test",
			RunName: "Sync ${{ inputs.el-client }}/${{ inputs.cl-client }} on ${{ inputs.network }} [${{ inputs.distinct_id }}]",
			Inputs: []InputSpec{
				{Name: "el-client", Type: "choice", Default: "geth", Options: clients},
				{Name: "cl-client", Type: "choice", Default: "prysm", Options: []string{"prysm", "lighthouse", "teku", "nimbus", "lodestar"}},
				{Name: "network", Type: "string", Default: "mainnet"},
				{Name: "distinct_id", Type: "string", Description: "correlation id set by the orchestrator"},
			},
			Jobs: []JobSpec{{Name: "sync", RunsOn: sync, Duration: short, Outcomes: outcomes}},
		},
		{
			Repo: DemoOrg + "/gpu-bench", File: "bench.yml", Name: "GPU Benchmark",
			RunName: "Bench ${{ inputs.model }} x${{ inputs.batch-size }} [${{ inputs.distinct_id }}]",
			Inputs: []InputSpec{
				{Name: "model", Type: "string", Required: true, Default: "llama-7b"},
				{Name: "batch-size", Type: "string", Default: "8"},
				{Name: "distinct_id", Type: "string"},
			},
			Jobs: []JobSpec{{Name: "bench", RunsOn: gpu, Duration: DurationDist{Min: sec(15), Max: sec(40)}, Outcomes: outcomes}},
		},
		{
			Repo: DemoOrg + "/sync-tests", File: "nightly.yml", Name: "Nightly Smoke",
			Jobs: []JobSpec{{Name: "smoke", RunsOn: sync, Duration: DurationDist{Min: sec(10), Max: sec(25)}}},
		},
		{
			Repo: DemoOrg + "/gpu-bench", File: "profile.yml", Name: "Profiler",
			Jobs: []JobSpec{{Name: "profile", RunsOn: gpu, Duration: DurationDist{Min: sec(10), Max: sec(20)}}},
		},
	}
	cfg.Background = []BackgroundLoad{
		{Repo: DemoOrg + "/sync-tests", Workflow: "nightly.yml", Every: sec(45), Jitter: sec(15)},
		{Repo: DemoOrg + "/gpu-bench", Workflow: "profile.yml", Every: sec(75), Jitter: sec(20)},
	}
	cfg.OAuth = OAuthConfig{ClientID: DemoOAuthClient, ClientSecret: DemoOAuthSecret, Users: []OAuthUser{
		{Login: demoAdminLogin, ID: demoAdminID, Name: "Demo Admin", Orgs: []string{DemoOrg}, AdminOrgs: []string{DemoOrg}},
		{Login: demoViewerLogin, ID: demoViewerUserID, Name: "Demo Viewer", Orgs: []string{DemoOrg}},
	}}
	return cfg
}
