package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dispatchoor/dispatchoor/audit/audittest"
	"github.com/dispatchoor/dispatchoor/config"
)

var updateGolden = flag.Bool("update", false, "rewrite golden files under testdata/")

// scenarioData plays the audit scenario into DIR/journal, as a server lays
// out its data directory, and returns DIR.
func scenarioData(t *testing.T) (string, *audittest.Result) {
	t.Helper()
	data := t.TempDir()
	return data, audittest.Run(t, filepath.Join(data, "journal"), audittest.Options{})
}

// replayOut runs `dispatchoor replay` in process and returns its output.
func replayOut(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), audittest.Timeout)
	defer cancel()
	c := &replayCmd{stdout: &out, stderr: &errOut, now: func() time.Time { return audittest.T0.Add(time.Hour) }}
	err = c.run(ctx, args)
	return out.String(), errOut.String(), err
}

func goldenFile(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *updateGolden {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run with -update to create it): %v", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (run with -update if the change is intended)\n--- got ---\n%s\n--- want ---\n%s", path, got, want)
	}
}

// TestReplayGolden runs the command over the scenario's journal with each
// kind of output and filter, and compares with the golden files.
func TestReplayGolden(t *testing.T) {
	data, res := scenarioData(t)
	moment := func(name string) string {
		for _, m := range res.Moments {
			if m.Name == name {
				return m.Time.Format(time.RFC3339)
			}
		}
		t.Fatalf("no moment %q", name)
		return ""
	}
	cases := []struct {
		golden string
		args   []string
	}{
		{"replay_all.txt", nil},
		{"replay_all.jsonl", []string{"--json"}},
		// The requeued generation leads back to the job it came from.
		{"replay_job.txt", []string{"--job", res.Jobs["build-requeued"]}},
		{"replay_system.txt", []string{"--actor", "system", "--type", "job_dispatching,job_finished", "--type", "job_enqueued"}},
		{"replay_window.txt", []string{"--group", "sync", "--actor", "alice", "--since", "2026-03-14T09:00:05Z", "--until", "2026-03-14T09:00:22Z"}},
		{"replay_at_running.txt", []string{"--at", moment("running")}},
		{"replay_at_reloaded.json", []string{"--at", moment("reloaded"), "--group", "sync", "--json"}},
		{"replay_verify.txt", []string{"--verify"}},
		{"replay_verify.json", []string{"--verify", "--json"}},
	}
	for _, tc := range cases {
		t.Run(tc.golden, func(t *testing.T) {
			out, errOut, err := replayOut(t, append([]string{"--data", data}, tc.args...)...)
			if err != nil {
				t.Fatalf("replay %v: %v\n%s", tc.args, err, errOut)
			}
			goldenFile(t, tc.golden, out)
		})
	}
}

// TestReplayVerifyHashEqualsLive: the hash --verify prints is the one the
// live system reported for the same journal.
func TestReplayVerifyHashEqualsLive(t *testing.T) {
	data, res := scenarioData(t)
	out, _, err := replayOut(t, "--data", data, "--verify")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "state hash: "+res.StateHash) {
		t.Fatalf("verify output does not show the live hash %s:\n%s", res.StateHash, out)
	}
}

// TestReplayRejectsBadInvocations checks that mistakes are usage errors
// with a message, not silently ignored flags.
func TestReplayRejectsBadInvocations(t *testing.T) {
	data, _ := scenarioData(t)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{}, "--data is required"},
		{[]string{"--data", data, "--verify", "--job", "x"}, "takes no filters"},
		{[]string{"--data", data, "--at", "2h", "--actor", "alice"}, "only takes --group"},
		{[]string{"--data", data, "--type", "job_exploded"}, `unknown event type "job_exploded"`},
		{[]string{"--data", data, "--since", "yesterday"}, "--since"},
		{[]string{"--data", data, "stray"}, "unexpected argument"},
	}
	for _, tc := range cases {
		_, errOut, err := replayOut(t, tc.args...)
		if !errors.Is(err, errUsage) || !strings.Contains(errOut, tc.want) {
			t.Errorf("replay %v: err %v, stderr %q; want usage error mentioning %q", tc.args, err, errOut, tc.want)
		}
	}
	_, _, err := replayOut(t, "--data", t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "no journal") {
		t.Errorf("replay of a directory without a journal: %v; want a 'no journal' error", err)
	}
}

const liveConfig = `
[server]
listen = "127.0.0.1:0"
[server.rate_limit.auth]
enabled = false
[storage]
dir = %q
sync = "none"
[auth.basic]
enabled = true
[[auth.basic.users]]
username = "admin"
password = "admin-password"
role = "admin"
[[groups.github]]
id = "g1"
name = "Group One"
runner_labels = ["self-hosted"]
  [[groups.github.workflow_dispatch_templates]]
  id = "t1"
  owner = "acme"
  repo = "tests"
  workflow_id = "ci.yml"
  ref = "main"
`

// TestReplayBesideRunningServer reads the journal of a server that is
// still running: the events it journaled are listed, with the user and the
// address they came from, and --verify prints the very hash the server
// reports in GET /api/v1/status.
func TestReplayBesideRunningServer(t *testing.T) {
	data := t.TempDir()
	cfgPath := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(cfgPath, []byte(fmt.Sprintf(liveConfig, data)), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(cfgPath, config.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	a, err := startApp(context.Background(), cfg, slog.New(slog.DiscardHandler), appHooks{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := a.shutdown(); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	}()
	addr := a.ln.Addr().String()
	status, resp := call(t, "POST", addr, "/api/v1/auth/login", "", `{"username":"admin","password":"admin-password"}`)
	if status != 200 {
		t.Fatalf("login: %d %s", status, resp)
	}
	token := jsonString(t, resp, "token")
	for i := 0; i < 3; i++ {
		if status, resp := call(t, "POST", addr, "/api/v1/groups/g1/queue", token, `{"template_id":"t1"}`); status >= 300 {
			t.Fatalf("enqueue: %d %s", status, resp)
		}
	}
	if status, resp := call(t, "POST", addr, "/api/v1/groups/g1/pause", token, ""); status >= 300 {
		t.Fatalf("pause: %d %s", status, resp)
	}
	status, resp = call(t, "GET", addr, "/api/v1/status", token, "")
	if status != 200 {
		t.Fatalf("status: %d %s", status, resp)
	}
	var st struct {
		Journal struct {
			StateHash string `json:"state_hash"`
		} `json:"journal"`
	}
	if err := json.Unmarshal(resp, &st); err != nil || st.Journal.StateHash == "" {
		t.Fatalf("status %s: %v", resp, err)
	}

	out, errOut, err := replayOut(t, "--data", data, "--verify")
	if err != nil {
		t.Fatalf("verify beside the server: %v\n%s%s", err, out, errOut)
	}
	if !strings.Contains(out, "state hash: "+st.Journal.StateHash+" ") {
		t.Fatalf("verify hash differs from the server's %s:\n%s", st.Journal.StateHash, out)
	}
	out, _, err = replayOut(t, "--data", data, "--actor", "admin", "--type", "job_enqueued,group_paused")
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(out, " admin "); n != 4 || strings.Count(out, "127.0.0.1") != 4 {
		t.Fatalf("want 4 events by admin from 127.0.0.1:\n%s", out)
	}
}

// TestReplayCompactedJournal: when retention compacted the front of the
// log away, the listing and --verify say where the log starts and which
// snapshot holds the rest, and --at refuses a moment it can no longer show.
func TestReplayCompactedJournal(t *testing.T) {
	data := t.TempDir()
	res := audittest.Run(t, filepath.Join(data, "journal"), audittest.Options{SegmentSize: 2048, Compact: true})
	out, _, err := replayOut(t, "--data", data)
	if err != nil {
		t.Fatal(err)
	}
	first, _, _ := strings.Cut(out, "\n")
	if !strings.HasPrefix(first, "note: events before index ") || !strings.Contains(first, "were compacted into the snapshot of ") {
		t.Fatalf("first line %q; want the compaction note", first)
	}
	out, _, err = replayOut(t, "--data", data, "--verify")
	if err != nil || !strings.Contains(out, "note:       events before index ") || !strings.Contains(out, "state hash: "+res.StateHash) {
		t.Fatalf("verify of a compacted journal: %v\n%s", err, out)
	}
	_, _, err = replayOut(t, "--data", data, "--at", res.Moments[0].Time.Format(time.RFC3339))
	if err == nil || !strings.Contains(err.Error(), "earliest moment that can be rebuilt") {
		t.Fatalf("--at before the compacted part: %v; want the earliest moment named", err)
	}
}
