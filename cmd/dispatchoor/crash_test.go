package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
)

var crashRounds = flag.Int("crash.rounds", 20, "kill -9 rounds in TestCrashRecovery")

// buildBinary compiles the command once per test binary run.
var buildOnce struct {
	sync.Once
	path string
	err  error
}

func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "dispatchoor-bin-")
		if err != nil {
			buildOnce.err = err
			return
		}
		buildOnce.path = filepath.Join(dir, "dispatchoor")
		out, err := exec.Command("go", "build", "-o", buildOnce.path, ".").CombinedOutput()
		if err != nil {
			buildOnce.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildOnce.err != nil {
		t.Fatal(buildOnce.err)
	}
	return buildOnce.path
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

const crashConfig = `
[server]
listen = %q
[server.rate_limit.auth]
enabled = false
[storage]
dir = %q
sync = "always"
snapshot_every = 300
[auth.basic]
enabled = true
[[auth.basic.users]]
username = "admin"
password = "secret-admin"
role = "admin"
[[groups.github]]
id = "g1"
name = "Group One"
runner_labels = ["self-hosted", "one"]
  [[groups.github.workflow_dispatch_templates]]
  id = "t1"
  owner = "acme"
  repo = "tests"
  workflow_id = "ci.yml"
  inputs = { a = "1", b = "two" }
`

type serverProc struct {
	cmd  *exec.Cmd
	log  *bytes.Buffer
	addr string
}

func startServer(t *testing.T, bin, cfgPath, addr string) *serverProc {
	t.Helper()
	p := &serverProc{log: &bytes.Buffer{}, addr: addr}
	p.cmd = exec.Command(bin, "server", "--config", cfgPath)
	p.cmd.Stdout = p.log
	p.cmd.Stderr = p.log
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return p
}

func (p *serverProc) kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	_, _ = p.cmd.Process.Wait()
}

// waitReady polls /health until it answers, and returns how long it took.
func waitReady(t *testing.T, addr string, limit time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	c := &http.Client{Timeout: 200 * time.Millisecond}
	for time.Since(start) < limit {
		resp, err := c.Get("http://" + addr + "/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return time.Since(start)
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("server at %s not ready within %s", addr, limit)
	return 0
}

func login(t *testing.T, addr string) string {
	t.Helper()
	resp, err := http.Post("http://"+addr+"/api/v1/auth/login", "application/json",
		bytes.NewBufferString(`{"username":"admin","password":"secret-admin"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ Token string }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.Token == "" {
		t.Fatalf("login: status %d, %v", resp.StatusCode, err)
	}
	return out.Token
}

// TestCrashRecovery kills the server with SIGKILL at random moments while
// clients enqueue, restarts it, and checks that every acknowledged job is
// there exactly once and the server answers again within 2 s.
func TestCrashRecovery(t *testing.T) {
	bin := binary(t)
	dir := t.TempDir()
	addr := freePort(t)
	cfgPath := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(cfgPath, []byte(fmt.Sprintf(crashConfig, addr, filepath.Join(dir, "data"))), 0o600); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewSource(time.Now().UnixNano()))
	acked := map[string]bool{}
	var token string
	for round := 0; round < *crashRounds; round++ {
		p := startServer(t, bin, cfgPath, addr)
		took := waitReady(t, addr, 10*time.Second)
		if round > 0 && took > 2*time.Second {
			t.Errorf("round %d: server answered %s after restart, want ≤ 2s", round, took)
		}
		if token == "" {
			token = login(t, addr) // the session itself must survive every crash
		}
		checkJobs(t, addr, token, acked, round)

		ctx, cancel := context.WithCancel(context.Background())
		var mu sync.Mutex
		var wg sync.WaitGroup
		for c := 0; c < 8; c++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				client := &http.Client{Timeout: 2 * time.Second}
				for ctx.Err() == nil {
					id, ok := enqueue(client, addr, token)
					if ok {
						mu.Lock()
						acked[id] = true
						mu.Unlock()
					}
				}
			}()
		}
		time.Sleep(time.Duration(20+rng.Intn(300)) * time.Millisecond)
		p.kill()
		cancel()
		wg.Wait()
		if t.Failed() {
			t.Logf("server log:\n%s", p.log.String())
			return
		}
	}
	p := startServer(t, bin, cfgPath, addr)
	defer p.kill()
	waitReady(t, addr, 10*time.Second)
	checkJobs(t, addr, token, acked, *crashRounds)
	if len(acked) == 0 {
		t.Fatal("no enqueue was acknowledged: the test exercised nothing")
	}
	t.Logf("%d rounds, %d acknowledged jobs, all present exactly once", *crashRounds, len(acked))
}

func enqueue(c *http.Client, addr, token string) (string, bool) {
	req, _ := http.NewRequest("POST", "http://"+addr+"/api/v1/groups/g1/queue",
		bytes.NewBufferString(`{"template_id":"t1","inputs":{"b":"three"}}`))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := c.Do(req)
	if err != nil {
		return "", false
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return "", false
	}
	var j struct{ ID string }
	if err := json.NewDecoder(resp.Body).Decode(&j); err != nil || j.ID == "" {
		return "", false
	}
	return j.ID, true
}

func checkJobs(t *testing.T, addr, token string, acked map[string]bool, round int) {
	t.Helper()
	req, _ := http.NewRequest("GET", "http://"+addr+"/api/v1/groups/g1/queue", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("round %d: queue: %v", round, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("round %d: queue status %d (session lost?)", round, resp.StatusCode)
	}
	var jobs []struct {
		ID       string
		Position int64
	}
	if err := json.NewDecoder(resp.Body).Decode(&jobs); err != nil {
		t.Fatalf("round %d: decode queue: %v", round, err)
	}
	seen := map[string]int{}
	for _, j := range jobs {
		seen[j.ID]++
	}
	for id := range acked {
		if seen[id] != 1 {
			t.Errorf("round %d: acknowledged job %s present %d times", round, id, seen[id])
		}
	}
	for id, n := range seen {
		if n > 1 {
			t.Errorf("round %d: job %s listed %d times", round, id, n)
		}
	}
}
