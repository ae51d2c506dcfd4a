package actors

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dispatchoor/dispatchoor/actors/state"
	"github.com/dispatchoor/dispatchoor/github"
	"github.com/dispatchoor/dispatchoor/github/sim"
)

// fakeRunnerAPI serves runner listings from maps and records the calls.
type fakeRunnerAPI struct {
	mu     sync.Mutex
	users  map[string]bool // owners that are user accounts
	noUser bool            // /users/NAME answers 404 for everyone (some servers)
	orgs   map[string][]github.Runner
	repos  map[string][]github.Runner // "owner/repo"
	fail   map[string]error           // by scope key
	calls  []string
}

func (f *fakeRunnerAPI) IsOrg(_ context.Context, owner string) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "is_org "+owner)
	if f.noUser {
		return false, fmt.Errorf("look up owner %s: %w", owner, github.ErrNotFound)
	}
	return !f.users[owner], nil
}

func (f *fakeRunnerAPI) ListOrgRunners(_ context.Context, org string) (github.RunnerList, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "org "+org)
	if err := f.fail["org/"+org]; err != nil {
		return github.RunnerList{}, err
	}
	rs, ok := f.orgs[org]
	if !ok {
		return github.RunnerList{}, fmt.Errorf("list runners of org %s: %w", org, github.ErrNotFound)
	}
	return github.RunnerList{Runners: slices.Clone(rs)}, nil
}

func (f *fakeRunnerAPI) ListRepoRunners(_ context.Context, owner, repo string) (github.RunnerList, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "repo "+owner+"/"+repo)
	if err := f.fail["repo/"+owner+"/"+repo]; err != nil {
		return github.RunnerList{}, err
	}
	return github.RunnerList{Runners: slices.Clone(f.repos[owner+"/"+repo])}, nil
}

func (f *fakeRunnerAPI) Backoff() (time.Time, string) { return time.Time{}, "" }

func (f *fakeRunnerAPI) set(fn func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn()
}

func (f *fakeRunnerAPI) callLog() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := slices.Clone(f.calls)
	f.calls = nil
	return out
}

type pollerEnv struct {
	t     *testing.T
	api   *fakeRunnerAPI
	clock *sim.ManualClock
	sys   *System
	gh    *GitHub
	logs  *lockedBuffer
}

// lockedBuffer collects log lines written from several goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// count is how many lines contain s.
func (l *lockedBuffer) count(s string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, line := range strings.Split(l.b.String(), "\n") {
		if strings.Contains(line, s) {
			n++
		}
	}
	return n
}

func newPollerEnv(t *testing.T, api *fakeRunnerAPI) *pollerEnv {
	t.Helper()
	specs := []GroupSpec{
		{Group: state.Group{ID: "ci", Name: "CI", RunnerLabels: []string{"self-hosted"}, Weight: 1, Repos: []string{"acme/special"}},
			Templates: []state.Template{
				{ID: "org-t", Owner: "acme", Repo: "tests", WorkflowID: "ci.yml", Ref: "main"},
				{ID: "user-t", Owner: "alice", Repo: "tools", WorkflowID: "ci.yml", Ref: "main"},
			}},
	}
	e := &pollerEnv{t: t, api: api, clock: sim.NewManualClock(envStart), logs: &lockedBuffer{}}
	sys, err := Start(context.Background(), Options{Journal: newMemJournal(), Logger: slog.New(slog.NewTextHandler(e.logs, nil)),
		Now: e.clock.Now, Groups: specs})
	if err != nil {
		t.Fatal(err)
	}
	e.sys = sys
	e.gh = NewGitHub(sys, GitHubOptions{Runners: api, Clock: simClock{e.clock}, PollInterval: 10 * time.Second, Logger: slog.New(slog.NewTextHandler(e.logs, nil))})
	if err := e.gh.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), testDeadline)
		defer cancel()
		_ = e.gh.Close(ctx)
		_ = sys.Stop(ctx)
	})
	return e
}

// poll runs a poll now and returns the journaled runners by name.
func (e *pollerEnv) poll() map[string]state.Runner {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testDeadline)
	defer cancel()
	if err := e.sys.RefreshRunners(ctx); err != nil {
		e.t.Fatalf("refresh: %v", err)
	}
	rs, err := e.sys.Runners(ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	out := map[string]state.Runner{}
	for _, r := range rs {
		out[r.Name] = r
	}
	return out
}

func fakeRunner(id int64, name string, busy bool) github.Runner {
	return github.Runner{ID: id, Name: name, OS: "linux", Status: "online", Busy: busy, Labels: []string{"self-hosted", "linux"}}
}

func TestPollerListsTheScopesTheGroupsNeed(t *testing.T) {
	api := &fakeRunnerAPI{
		users: map[string]bool{"alice": true},
		orgs:  map[string][]github.Runner{"acme": {fakeRunner(1, "org-1", false), fakeRunner(2, "org-2", true)}},
		repos: map[string][]github.Runner{"alice/tools": {fakeRunner(3, "alice-1", false)}, "acme/special": {fakeRunner(4, "special-1", false)}},
	}
	e := newPollerEnv(t, api)
	got := e.poll()
	want := map[string]string{"org-1": "org/acme", "org-2": "org/acme", "alice-1": "repo/alice/tools", "special-1": "repo/acme/special"}
	if len(got) != len(want) {
		t.Fatalf("got runners %v; want %v", got, want)
	}
	for name, scope := range want {
		if got[name].Scope != scope {
			t.Fatalf("runner %s: scope %q; want %q", name, got[name].Scope, scope)
		}
	}
	if !got["org-2"].Busy || got["org-1"].Busy {
		t.Fatalf("busy flags not as GitHub reported: %+v", got)
	}
	calls := api.callLog()
	for _, c := range []string{"org acme", "repo alice/tools", "repo acme/special"} {
		if !slices.Contains(calls, c) {
			t.Fatalf("calls %v; want %q among them", calls, c)
		}
	}
	if slices.Contains(calls, "org alice") || slices.Contains(calls, "repo acme/tests") {
		t.Fatalf("calls %v: a user was listed as an organisation, or an organisation repo needlessly", calls)
	}
	// Owner kinds are looked up once.
	e.poll()
	for _, c := range api.callLog() {
		if c == "is_org acme" || c == "is_org alice" {
			t.Fatalf("owner kind asked again: %q", c)
		}
	}
}

func TestPollerFallsBackWhenUsersAreNotServed(t *testing.T) {
	api := &fakeRunnerAPI{noUser: true,
		orgs:  map[string][]github.Runner{"acme": {fakeRunner(1, "org-1", false)}},
		repos: map[string][]github.Runner{"alice/tools": {fakeRunner(3, "alice-1", false)}}}
	e := newPollerEnv(t, api)
	got := e.poll()
	if got["org-1"].Scope != "org/acme" || got["alice-1"].Scope != "repo/alice/tools" {
		t.Fatalf("got %+v; want acme polled as an organisation and alice's repository directly", got)
	}
}

func TestPollerRemovesVanishedRunnersAtOnce(t *testing.T) {
	api := &fakeRunnerAPI{orgs: map[string][]github.Runner{"acme": {fakeRunner(1, "org-1", false), fakeRunner(2, "org-2", false)}},
		users: map[string]bool{"alice": true}}
	e := newPollerEnv(t, api)
	if got := e.poll(); len(got) != 2 {
		t.Fatalf("got %d runners; want 2", len(got))
	}
	api.set(func() { api.orgs["acme"] = api.orgs["acme"][:1] })
	got := e.poll()
	if _, still := got["org-2"]; still || len(got) != 1 {
		t.Fatalf("got %+v; want org-2 gone, never left looking online and idle", got)
	}
}

func TestPollerKeepsAFailingScopeThenShowsItOffline(t *testing.T) {
	api := &fakeRunnerAPI{orgs: map[string][]github.Runner{"acme": {fakeRunner(1, "org-1", false)}}, users: map[string]bool{"alice": true},
		fail: map[string]error{}}
	e := newPollerEnv(t, api)
	if r := e.poll()["org-1"]; r.Status != "online" {
		t.Fatalf("got %+v; want online", r)
	}
	api.set(func() { api.fail["org/acme"] = errors.New("GitHub answered 502") })
	if r := e.poll()["org-1"]; r.Status != "online" {
		t.Fatalf("after one failed listing: %+v; want kept as it was (a blip)", r)
	}
	e.clock.Advance(staleAfter(10*time.Second) + time.Second)
	if r := e.poll()["org-1"]; r.Status != "offline" || r.Busy {
		t.Fatalf("after failing for longer than %s: %+v; want offline: nothing is known about it", staleAfter(10*time.Second), r)
	}
	e.poll()
	// Three failed polls, one warning; a new error is worth another.
	if n := e.logs.count(`msg="list runners"`); n != 1 {
		t.Fatalf("%d warnings for one failing scope over three polls; want 1:\n%s", n, e.logs.b.String())
	}
	api.set(func() { api.fail["org/acme"] = errors.New("GitHub answered 401") })
	e.poll()
	if n := e.logs.count(`msg="list runners"`); n != 2 {
		t.Fatalf("%d warnings after the error changed; want 2", n)
	}
	api.set(func() { delete(api.fail, "org/acme") })
	if r := e.poll()["org-1"]; r.Status != "online" {
		t.Fatalf("after the listing works again: %+v; want online", r)
	}
	if n := e.logs.count(`msg="list runners works again"`); n != 1 {
		t.Fatalf("%d recovery lines; want 1", n)
	}
}
