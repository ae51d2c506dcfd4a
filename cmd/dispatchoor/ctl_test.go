package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/dispatchoor/dispatchoor/actors"
	"github.com/dispatchoor/dispatchoor/actors/state"
	"github.com/dispatchoor/dispatchoor/http/openapitest"
)

// ctlWorld is a running server, a config home for the stored login, and a
// transport that validates every request ctl makes, and its answer,
// against the server's OpenAPI document.
type ctlWorld struct {
	*testApp
	home  string
	check *openapitest.Transport
	env   map[string]string
	ids   []string // job ids in creation order, for normalising output
}

func newCtlWorld(t *testing.T) *ctlWorld {
	t.Helper()
	e := startTestApp(t, false)
	doc, err := e.app.http.OpenAPIDocument()
	if err != nil {
		t.Fatal(err)
	}
	check, err := openapitest.New(doc, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { check.Check(t) })
	w := &ctlWorld{testApp: e, home: t.TempDir(), check: check}
	w.env = map[string]string{"XDG_CONFIG_HOME": w.home, "DISPATCHOOR_URL": e.url}
	return w
}

// ctlResult is one ctl invocation.
type ctlResult struct {
	stdout, stderr string
	err            string // what main would print
	code           int
}

// exitCode is what main makes of run's error.
func ctlExitCode(err error) int {
	var coded interface{ ExitCode() int }
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errUsage):
		return exitUsage
	case errors.As(err, &coded):
		return coded.ExitCode()
	}
	return exitError
}

// ctlAs runs ctl with the world's environment plus extra NAME=VALUE
// entries, stdin as standard input.
func (w *ctlWorld) ctlAs(stdin string, extra []string, args ...string) ctlResult {
	w.t.Helper()
	env := map[string]string{}
	for k, v := range w.env {
		env[k] = v
	}
	for _, kv := range extra {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	var out, errOut ctlBuffer
	ctx, cancel := context.WithTimeout(context.Background(), envTimeout)
	defer cancel()
	err := runCtl(ctx, args, ctlEnv{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errOut,
		getenv: func(k string) string { return env[k] }, transport: w.check})
	r := ctlResult{stdout: out.String(), stderr: errOut.String(), code: ctlExitCode(err)}
	if err != nil {
		r.err = err.Error()
	}
	return r
}

// ctl runs ctl as admin (token from the environment).
func (w *ctlWorld) ctl(args ...string) ctlResult {
	w.t.Helper()
	return w.ctlAs("", []string{"DISPATCHOOR_TOKEN=" + w.token["admin"]}, args...)
}

// ok runs ctl as admin and fails unless it exits 0.
func (w *ctlWorld) ok(args ...string) string {
	w.t.Helper()
	r := w.ctl(args...)
	if r.code != 0 {
		w.t.Fatalf("ctl %v: exit %d\nstdout: %s\nstderr: %s", args, r.code, r.stdout, r.stderr)
	}
	return r.stdout
}

// add enqueues through ctl --json and remembers the job id.
func (w *ctlWorld) add(args ...string) string {
	w.t.Helper()
	var j struct {
		ID string `json:"id"`
	}
	out := w.ok(append([]string{"--json", "add"}, args...)...)
	if err := json.Unmarshal([]byte(out), &j); err != nil || j.ID == "" {
		w.t.Fatalf("add %v: %q: %v", args, out, err)
	}
	w.ids = append(w.ids, j.ID)
	return j.ID
}

var ctlTimestamps = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z`)

// normal replaces job ids and timestamps, which change from run to run.
// An id becomes "job-N" padded to the id's length, so tables stay aligned.
func (w *ctlWorld) normal(s string) string {
	for i, id := range w.ids {
		name := fmt.Sprintf("job-%d", i+1)
		s = strings.ReplaceAll(s, id, name+strings.Repeat("_", max(len(id)-len(name), 0)))
	}
	return ctlTimestamps.ReplaceAllString(s, "<time>")
}

// observeRunners makes the poller's view: two CI runners, one busy.
func (w *ctlWorld) observeRunners() {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), envTimeout)
	defer cancel()
	ci := []string{"self-hosted", "ci"}
	if err := w.app.sys.Observe(ctx, actors.Who{Username: state.ActorPoller}, []state.Runner{
		{ID: 1, Name: "ci-1", OS: "linux", Labels: ci, Status: "online"},
		{ID: 2, Name: "ci-2", OS: "linux", Labels: ci, Status: "online", Busy: true},
		{ID: 3, Name: "gpu-1", OS: "linux", Labels: []string{"self-hosted", "gpu"}, Status: "offline"},
	}, nil); err != nil {
		w.t.Fatal(err)
	}
}

// TestCtlTables checks the human output of every listing and action
// against golden files (go test -run TestCtlTables -update rewrites them).
func TestCtlTables(t *testing.T) {
	w := newCtlWorld(t)
	w.observeRunners()
	var out strings.Builder
	show := func(args ...string) {
		t.Helper()
		fmt.Fprintf(&out, "$ dispatchoor ctl %s\n%s\n", strings.Join(args, " "), w.ok(args...))
	}
	a := w.add("ci", "--template", "unit", "--input", "suite=e2e", "--auto-requeue", "--requeue-limit", "3")
	b := w.add("ci", "--owner", "acme", "--repo", "tools", "--workflow", "lint.yml", "--ref", "main",
		"--name", "Lint", "--label", "team=infra", "--input", "strict=true")
	c := w.add("ci", "--template", "broken", "--priority", "5")
	show("add", "ci", "--template", "unit")
	m := regexp.MustCompile(`Enqueued (\S+) in`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("add printed %q", out.String())
	}
	w.ids = append(w.ids, m[1])
	show("pause", "--job", b)
	show("reorder", "ci", a)
	show("groups")
	show("queue", "ci")
	show("runners")
	show("runners", "ci")
	show("job", a)
	show("job", b)
	show("resume", "--job", b)
	show("pause", "ci")
	show("groups")
	show("resume", "ci")
	_ = c
	goldenFile(t, "ctl_tables.txt", w.normal(out.String()))
}

// ctlBuffer collects output written from another goroutine (watch).
type ctlBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *ctlBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *ctlBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestCtlLoginStoresTokenPrivately: login keeps the token (mode 0600) and
// the server for later commands; a wrong password exits 4 and stores
// nothing; logout ends the session on the server and forgets it.
func TestCtlLoginStoresTokenPrivately(t *testing.T) {
	w := newCtlWorld(t)
	noURL := []string{"DISPATCHOOR_URL="}
	if r := w.ctlAs("wrong\n", nil, "login", "--username", "admin", "--password-stdin"); r.code != exitUnauthorized {
		t.Fatalf("wrong password: exit %d (%s); want %d", r.code, r.stderr, exitUnauthorized)
	}
	tokenPath := filepath.Join(w.home, "dispatchoor", "token")
	if _, err := os.Stat(tokenPath); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a failed login stored a token: %v", err)
	}
	r := w.ctlAs("admin-password\n", nil, "login", "--username", "admin", "--password-stdin")
	if r.code != 0 || !strings.Contains(r.stdout, "as admin (admin)") {
		t.Fatalf("login: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	info, err := os.Stat(tokenPath)
	if err != nil {
		t.Fatal(err)
	}
	if mode := info.Mode().Perm(); mode != 0o600 {
		t.Errorf("token file mode %v; want 0600", mode)
	}
	if dir, _ := os.Stat(filepath.Dir(tokenPath)); dir.Mode().Perm() != 0o700 {
		t.Errorf("config dir mode %v; want 0700", dir.Mode().Perm())
	}
	// No token and no URL in the environment: both come from the login.
	if r := w.ctlAs("", noURL, "groups"); r.code != 0 || !strings.Contains(r.stdout, "CI runners") {
		t.Fatalf("groups after login: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	stored, err := os.ReadFile(tokenPath)
	if err != nil {
		t.Fatal(err)
	}
	if r := w.ctlAs("", noURL, "logout"); r.code != 0 {
		t.Fatalf("logout: exit %d %s", r.code, r.stderr)
	}
	if _, err := os.Stat(tokenPath); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("logout left the token: %v", err)
	}
	if r := w.ctlAs("", []string{"DISPATCHOOR_TOKEN=" + strings.TrimSpace(string(stored))}, "groups"); r.code != exitUnauthorized {
		t.Errorf("the logged-out token still works: exit %d", r.code)
	}
	if r := w.ctlAs("", nil, "groups"); r.code != exitUnauthorized || !strings.Contains(r.err, "not signed in") {
		t.Errorf("groups without any token: exit %d, %q", r.code, r.err)
	}
	// A token pasted from a browser sign-in is checked before it is kept.
	if r := w.ctlAs("not-a-token\n", nil, "login", "--token-stdin"); r.code != exitUnauthorized {
		t.Errorf("bad pasted token: exit %d; want %d", r.code, exitUnauthorized)
	}
	if r := w.ctlAs(w.token["viewer"]+"\n", nil, "login", "--token-stdin"); r.code != 0 || !strings.Contains(r.stdout, "as viewer (readonly)") {
		t.Errorf("pasted token: exit %d %s%s", r.code, r.stdout, r.stderr)
	}
}

// TestCtlExitCodes: scripts can tell failures apart.
func TestCtlExitCodes(t *testing.T) {
	w := newCtlWorld(t)
	pending := w.add("ci", "--template", "unit")
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadURL := "http://" + closed.Addr().String()
	closed.Close()
	admin := "DISPATCHOOR_TOKEN=" + w.token["admin"]
	viewer := "DISPATCHOOR_TOKEN=" + w.token["viewer"]
	for _, tc := range []struct {
		name string
		env  []string
		args []string
		want int
	}{
		{"no command", []string{admin}, nil, exitUsage},
		{"unknown command", []string{admin}, []string{"frobnicate"}, exitUsage},
		{"missing argument", []string{admin}, []string{"queue"}, exitUsage},
		{"extra argument", []string{admin}, []string{"groups", "ci"}, exitUsage},
		{"unknown flag", []string{admin}, []string{"groups", "--wide"}, exitUsage},
		{"manual job without ref", []string{admin}, []string{"add", "ci", "--owner", "a", "--repo", "b", "--workflow", "c"}, exitUsage},
		{"bad input flag", []string{admin}, []string{"add", "ci", "--template", "unit", "--input", "novalue"}, exitUsage},
		{"pause both", []string{admin}, []string{"pause", "ci", "--job", pending}, exitUsage},
		{"bad url", []string{admin}, []string{"--url", "ftp://x", "groups"}, exitUsage},
		{"unknown group", []string{admin}, []string{"queue", "nope"}, exitNotFound},
		{"unknown job", []string{admin}, []string{"job", "nope"}, exitNotFound},
		{"unknown template", []string{admin}, []string{"add", "ci", "--template", "nope"}, exitNotFound},
		{"no token", nil, []string{"groups"}, exitUnauthorized},
		{"bad token", []string{"DISPATCHOOR_TOKEN=nope"}, []string{"groups"}, exitUnauthorized},
		{"not admin", []string{viewer}, []string{"add", "ci", "--template", "unit"}, exitUnauthorized},
		{"cancel a pending job", []string{admin}, []string{"cancel", pending}, exitRefused},
		{"reorder an unknown job", []string{admin}, []string{"reorder", "ci", "nope"}, exitNotFound},
		{"server down", []string{admin, "DISPATCHOOR_URL=" + deadURL}, []string{"groups"}, exitError},
		{"help", nil, []string{"help"}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := w.ctlAs("", tc.env, tc.args...)
			if r.code != tc.want {
				t.Fatalf("exit %d; want %d\nstdout: %s\nstderr: %s", r.code, tc.want, r.stdout, r.stderr)
			}
		})
	}
}

// TestCtlJSON: --json prints the server's objects for scripts.
func TestCtlJSON(t *testing.T) {
	w := newCtlWorld(t)
	w.observeRunners()
	id := w.add("ci", "--template", "unit", "--input", "suite=e2e", "--json")
	var groups []struct {
		ID         string `json:"id"`
		QueuedJobs int    `json:"queued_jobs"`
	}
	ctlDecode(t, w.ok("groups", "--json"), &groups)
	if len(groups) != 1 || groups[0].ID != "ci" || groups[0].QueuedJobs != 1 {
		t.Errorf("groups = %+v", groups)
	}
	var queue []struct {
		ID            string            `json:"id"`
		Status        string            `json:"status"`
		Inputs        map[string]string `json:"inputs"`
		PendingReason string            `json:"pending_reason"`
	}
	ctlDecode(t, w.ok("--json", "queue", "ci"), &queue)
	if len(queue) != 1 || queue[0].ID != id || queue[0].Inputs["suite"] != "e2e" || queue[0].PendingReason == "" {
		t.Errorf("queue = %+v", queue)
	}
	var runners []struct {
		Name string `json:"name"`
		Busy bool   `json:"busy"`
	}
	ctlDecode(t, w.ok("runners", "ci", "--json"), &runners)
	if len(runners) != 2 || !runners[1].Busy {
		t.Errorf("runners of ci = %+v", runners)
	}
	var job struct {
		ID     string `json:"id"`
		Paused bool   `json:"paused"`
	}
	ctlDecode(t, w.ok("--json", "pause", "--job", id), &job)
	if job.ID != id || !job.Paused {
		t.Errorf("pause --job = %+v", job)
	}
}

func ctlDecode(t *testing.T, out string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(out), v); err != nil {
		t.Fatalf("decode %q: %v", out, err)
	}
}
