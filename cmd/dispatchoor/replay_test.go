package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dispatchoor/dispatchoor/audit/audittest"
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
