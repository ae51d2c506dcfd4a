package sim

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const tomlConfig = `
mode = "ghes:3.20"
seed = 9
clock = "manual"
start = 2026-03-01T12:00:00Z

[timing]
assign_delay = "1s"
busy_set_lag_max = "30s"

[rate_limit]
mode = "on"
status = 429

[[tokens]]
token = "t"
kind = "app"

[[repos]]
owner = "acme"
name = "sync-tests"
branches = ["develop"]

[[runners]]
name = "r1"
owner = "acme"
labels = ["self-hosted", "sync"]

[[workflows]]
repo = "acme/sync-tests"
file = "sync.yml"
run_name = "sync [${{ inputs.id }}]"
  [[workflows.inputs]]
  name = "id"
  [[workflows.jobs]]
  name = "sync"
  runs_on = ["sync"]
  duration = { min = "10s", max = "40s" }
  outcomes = { success = 0.9, failure = 0.1 }

[[faults]]
kind = "latency"
path = "/meta"
delay = "2s"
`

func TestParseConfigTOMLAndJSON(t *testing.T) {
	cfg, err := ParseConfig([]byte(tomlConfig), "toml")
	if err != nil {
		t.Fatalf("toml: %v", err)
	}
	if cfg.Mode != "ghes:3.20" || cfg.Timing.AssignDelay.Std() != time.Second || cfg.Timing.CancelLatency.Std() != 5*time.Second {
		t.Fatalf("toml values: mode %q assign %v cancel %v (default kept?)", cfg.Mode, cfg.Timing.AssignDelay, cfg.Timing.CancelLatency)
	}
	if j := cfg.Workflows[0].Jobs[0]; j.Duration.Max.Std() != 40*time.Second || j.Outcomes["failure"] != 0.1 {
		t.Fatalf("job %+v", j)
	}
	js := `{"mode":"dotcom","timing":{"webhook_delay":"1s","cancel_latency":2.5},
	  "repos":[{"owner":"acme","name":"x"}],"workflows":[{"repo":"acme/x","file":"a.yaml"}]}`
	cfg, err = ParseConfig([]byte(js), "json")
	if err != nil {
		t.Fatalf("json: %v", err)
	}
	if cfg.Timing.WebhookDelay.Std() != time.Second || cfg.Timing.CancelLatency.Std() != 2500*time.Millisecond {
		t.Fatalf("json durations %v %v", cfg.Timing.WebhookDelay, cfg.Timing.CancelLatency)
	}

	dir := t.TempDir()
	p := filepath.Join(dir, "sim.toml")
	if err := os.WriteFile(p, []byte(tomlConfig), 0o600); err != nil {
		t.Fatalf("write: %v", err)
	}
	if _, err := LoadConfig(p); err != nil {
		t.Fatalf("load: %v", err)
	}
	s := New(cfg)
	defer s.Close()
}

func TestConfigErrors(t *testing.T) {
	f := func(format, doc, want string) {
		t.Helper()
		_, err := ParseConfig([]byte(doc), format)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("%s %q: got %v; want an error containing %q", format, doc, err, want)
		}
	}
	f("toml", `bogus = 1`, "unknown keys")
	f("json", `{"bogus":1}`, "unknown field")
	f("yaml", ``, "unknown config format")
	f("toml", `mode = "ghes:3.x"`, "bad version part")
	f("toml", `mode = "cloud"`, "want dotcom or ghes")
	f("toml", `[timing]
assign_delay = "soon"`, "parse duration")
	f("toml", `[[runners]]
name = "r"
owner = "acme"
group = "missing"`, `unknown runner group "missing"`)
	f("toml", `[[workflows]]
repo = "acme/x"
file = "a.yml"
  [[workflows.jobs]]
  name = "b"
  needs = ["a"]`, `needs "a"`)
	f("toml", `[[workflows]]
repo = "acme/x"
file = "a.txt"`, "want a base name")
	f("toml", `[[faults]]
kind = "meteor"`, "fault kind")
	f("toml", `[[hooks]]
url = "http://x"
scope = "galaxy"`, "scope")
	f("toml", `[[tokens]]
token = "a"
kind = "robot"`, "kind")
	f("toml", `[[background]]
repo = "acme/x"
workflow = "nope.yml"
every = "1s"`, "background[0]")
	if _, err := Build(Config{Mode: "ghes:"}); err == nil {
		t.Fatalf("Build accepted a bad mode")
	}
}

func TestDemoConfigRunsItsBackgroundLoad(t *testing.T) {
	cfg := DemoConfig()
	if err := cfg.Validate(); err != nil {
		t.Fatalf("demo config: %v", err)
	}
	if len(cfg.Runners) != 6 || cfg.ClockMode != "real" {
		t.Fatalf("demo: %d runners, clock %q", len(cfg.Runners), cfg.ClockMode)
	}
	clock := NewManualClock(DefaultStart)
	cfg.Clock = clock
	s := New(cfg)
	defer s.Close()
	if err := s.Advance(10 * time.Minute); err != nil {
		t.Fatalf("advance: %v", err)
	}
	st := s.State()
	done := 0
	for _, r := range st.Runs {
		if r.Actor != "background-bot" {
			t.Fatalf("run by %q; only background load ran", r.Actor)
		}
		if r.Status == statusCompleted {
			done++
		}
	}
	if len(st.Runs) < 15 || done < len(st.Runs)-4 {
		t.Fatalf("background: %d runs, %d completed; want a steady load that drains", len(st.Runs), done)
	}
}

func TestDemoRunnersSplitsLabelSets(t *testing.T) {
	rs := DemoRunners(6)
	if len(rs) != 6 || rs[3].Name != "sync-runner-4" || rs[4].Name != "gpu-runner-1" || rs[5].Labels[2] != "gpu" {
		t.Fatalf("DemoRunners(6) = %+v", rs)
	}
	if rs := DemoRunners(1); len(rs) != 1 || rs[0].Labels[2] != "sync" {
		t.Fatalf("DemoRunners(1) = %+v", rs)
	}
}
