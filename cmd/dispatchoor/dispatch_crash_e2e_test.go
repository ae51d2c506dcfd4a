package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dispatchoor/dispatchoor/github/sim"
)

// A real `kill -9` of the server between journaling a dispatch and
// journaling its outcome, with the simulator in another process
// (`dispatchoor sim`). After the restart the job must end up with exactly
// one run on GitHub: never none, never two.

const crashDispatchPath = "/repos/*/*/actions/workflows/*/dispatches"

// simProc is `dispatchoor sim` running in its own process.
type simProc struct {
	t    *testing.T
	cmd  *exec.Cmd
	log  *bytes.Buffer
	addr string
}

func startSimProcess(t *testing.T, bin, dir, hookURL string) *simProc {
	t.Helper()
	b, err := json.Marshal(e2eSimConfig())
	if err != nil {
		t.Fatal(err)
	}
	cfgPath := filepath.Join(dir, "sim.json")
	if err := os.WriteFile(cfgPath, b, 0o600); err != nil {
		t.Fatal(err)
	}
	p := &simProc{t: t, log: &bytes.Buffer{}, addr: freePort(t)}
	p.cmd = exec.Command(bin, "sim", "--listen", p.addr, "--config", cfgPath, "--hook", hookURL, "--hook-secret", e2eSecret)
	p.cmd.Stdout, p.cmd.Stderr = p.log, p.log
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = p.cmd.Process.Kill()
		_, _ = p.cmd.Process.Wait()
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := p.state(); err == nil {
			return p
		}
		if time.Now().After(deadline) {
			t.Fatalf("simulator not ready: %s", p.log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (p *simProc) state() (sim.State, error) {
	var st sim.State
	resp, err := http.Get("http://" + p.addr + "/_sim/state")
	if err != nil {
		return st, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return st, fmt.Errorf("state: %d", resp.StatusCode)
	}
	return st, json.NewDecoder(resp.Body).Decode(&st)
}

func (p *simProc) mustState() sim.State {
	p.t.Helper()
	st, err := p.state()
	if err != nil {
		p.t.Fatal(err)
	}
	return st
}

func (p *simProc) addFault(f sim.FaultRule) {
	p.t.Helper()
	b, _ := json.Marshal(f)
	resp, err := http.Post("http://"+p.addr+"/_sim/faults", "application/json", bytes.NewReader(b))
	if err != nil {
		p.t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		body, _ := io.ReadAll(resp.Body)
		p.t.Fatalf("add fault: %d %s", resp.StatusCode, body)
	}
}

// restAs is a REST call with a session token against a server process.
func restAs(t *testing.T, addr, token, method, path, body string, out any) int {
	t.Helper()
	req, _ := http.NewRequest(method, "http://"+addr+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatalf("%s %s: decode: %v", method, path, err)
		}
	}
	return resp.StatusCode
}

func TestE2EKillDuringDispatchNeverSendsTwice(t *testing.T) {
	cases := []struct {
		name string
		// faults make the window between intent and outcome wide.
		faults []sim.FaultRule
		// held reports when the server is inside the window.
		held func(st sim.State) bool
	}{
		{
			// The request is held on its way: killing the server drops it
			// before GitHub applied it. After the restart no run is found,
			// the dispatch is undone and sent again.
			name:   "request_in_flight",
			faults: []sim.FaultRule{{Kind: sim.FaultLatency, Method: "POST", Path: crashDispatchPath, Delay: sim.Duration(time.Minute), Count: 1}},
			held:   func(st sim.State) bool { return len(st.Faults) > 0 && st.Faults[0].Fired == 1 },
		},
		{
			// The run was created but the answer lost, and it is not listed
			// yet: after the restart the run is found by its key and
			// adopted.
			name: "run_created_answer_lost",
			faults: []sim.FaultRule{
				{Kind: sim.FaultLost, Method: "POST", Path: crashDispatchPath, Status: 502, Count: 1},
				{Kind: sim.FaultListLag, Method: "POST", Path: crashDispatchPath, Delay: sim.Duration(3 * time.Second), Count: 1},
			},
			held: func(st sim.State) bool { return len(st.Runs) == 1 },
		},
	}
	bin := binary(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			addr := freePort(t)
			s := startSimProcess(t, bin, dir, "http://"+addr+"/api/v1/webhooks/github")
			cfg := e2eServerConfig(filepath.Join(dir, "data"), "http://"+s.addr, sim.DemoToken)
			cfg = strings.Replace(cfg, `listen = "127.0.0.1:0"`, fmt.Sprintf("listen = %q", addr), 1)
			cfg = strings.Replace(cfg, `sync = "none"`, `sync = "always"`, 1)
			cfg = strings.Replace(cfg, `password = "admin-password"`, `password = "secret-admin"`, 1)
			// A dispatch whose run never shows is undone after this.
			cfg = strings.Replace(cfg, `run_not_found_timeout = "10s"`, `run_not_found_timeout = "4s"`, 1)
			cfgPath := filepath.Join(dir, "config.toml")
			if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
				t.Fatal(err)
			}
			p := startServer(t, bin, cfgPath, addr)
			defer func() { p.kill() }()
			waitReady(t, addr, 10*time.Second)
			token := login(t, addr)
			for _, f := range tc.faults {
				s.addFault(f)
			}
			var j e2eJob
			if code := restAs(t, addr, token, "POST", "/api/v1/groups/sync/queue", `{"template_id":"sync-geth"}`, &j); code != 201 {
				t.Fatalf("enqueue: %d", code)
			}
			deadline := time.Now().Add(e2eTimeout)
			for !tc.held(s.mustState()) {
				if time.Now().After(deadline) {
					t.Fatalf("dispatch never reached the window; server log:\n%s", p.log)
				}
				time.Sleep(5 * time.Millisecond)
			}
			var before e2eJob
			restAs(t, addr, token, "GET", "/api/v1/jobs/"+j.ID, "", &before)
			if before.Status != "dispatching" {
				t.Fatalf("in the window the job is %s; want dispatching", before.Status)
			}
			p.kill()

			p = startServer(t, bin, cfgPath, addr)
			waitReady(t, addr, 10*time.Second)
			var after e2eJob
			deadline = time.Now().Add(time.Minute)
			for !terminal(after) {
				if time.Now().After(deadline) {
					t.Fatalf("job not finished after the restart: %+v; server log:\n%s", after, p.log)
				}
				time.Sleep(50 * time.Millisecond)
				restAs(t, addr, token, "GET", "/api/v1/jobs/"+j.ID, "", &after)
			}
			if os.Getenv("E2E_LOG") != "" {
				t.Logf("server log after restart:\n%s", p.log)
			}
			if after.Status != "completed" {
				t.Fatalf("job %s (%s); want completed", after.Status, after.ErrorMessage)
			}
			runs := s.mustState().Runs
			if len(runs) != 1 {
				t.Fatalf("GitHub has %d runs for the job; want exactly 1", len(runs))
			}
			if runs[0].ID != *after.RunID || runs[0].Inputs["distinct_id"] != after.DispatchKey {
				t.Fatalf("job tied to run %d key %q; GitHub's run is %d with key %q", *after.RunID, after.DispatchKey, runs[0].ID, runs[0].Inputs["distinct_id"])
			}
		})
	}
}
