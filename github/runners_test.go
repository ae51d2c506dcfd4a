package github

import (
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"sync"
	"testing"
)

// runnerPages serves a paginated runner list with ETags and charges the rate
// limit only for 200 answers, like GitHub.
type runnerPages struct {
	t *testing.T

	mu          sync.Mutex
	pages       [][]map[string]any
	versions    []int
	remaining   int
	conditional int // requests that carried If-None-Match
	notModified int // 304 answers
	badAuth     int // requests without the expected Authorization header
}

func (p *runnerPages) serve(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if r.Header.Get("Authorization") != "Bearer "+testToken {
		p.badAuth++
	}
	if got := r.URL.Query().Get("per_page"); got != "100" {
		p.t.Errorf("per_page = %q; want 100", got)
	}
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	if page < 1 || page > len(p.pages) {
		page = 1
	}
	etag := fmt.Sprintf(`W/"p%d-v%d"`, page, p.versions[page-1])
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		p.conditional++
		if inm == etag {
			p.notModified++
			setRate(w, 5000, p.remaining, epoch.Add(3600e9))
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	p.remaining--
	setRate(w, 5000, p.remaining, epoch.Add(3600e9))
	w.Header().Set("ETag", etag)
	if page < len(p.pages) {
		base := "http://" + r.Host + r.URL.Path
		w.Header().Set("Link", fmt.Sprintf(`<%s?page=%d&per_page=100>; rel="next", <%s?page=%d&per_page=100>; rel="last"`,
			base, page+1, base, len(p.pages)))
	}
	total := 0
	for _, pg := range p.pages {
		total += len(pg)
	}
	writeJSON(p.t, w, http.StatusOK, map[string]any{"total_count": total, "runners": p.pages[page-1]})
}

func (p *runnerPages) setBusy(page, idx int, busy bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pages[page][idx]["busy"] = busy
	p.versions[page]++
}

func (p *runnerPages) stats() (remaining, conditional, notModified, badAuth int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.remaining, p.conditional, p.notModified, p.badAuth
}

func runnerJSON(id int64, name string, busy bool, labels ...string) map[string]any {
	ls := []map[string]any{}
	for i, l := range labels {
		ls = append(ls, map[string]any{"id": i + 1, "name": l, "type": "custom"})
	}
	return map[string]any{"id": id, "runner_group_id": 1, "name": name, "os": "linux",
		"status": "online", "busy": busy, "ephemeral": false, "labels": ls}
}

func newRunnerPages(t *testing.T) *runnerPages {
	return &runnerPages{
		t: t,
		pages: [][]map[string]any{
			{runnerJSON(1, "r1", false, "self-hosted", "sync-test"), runnerJSON(2, "r2", true, "self-hosted")},
			{runnerJSON(3, "r3", false, "self-hosted", "gpu")},
		},
		versions:  []int{1, 1},
		remaining: 5000,
	}
}

func TestListOrgRunners_PaginatesAndConverts(t *testing.T) {
	f := newFakeGitHub(t)
	pages := newRunnerPages(t)
	f.handle("GET /orgs/acme/actions/runners", pages.serve)
	c := newTestClient(t, f, newFakeClock(), nil)

	list, err := c.ListOrgRunners(testCtx(t), "acme")
	if err != nil {
		t.Fatalf("ListOrgRunners: %v", err)
	}
	want := []Runner{
		{ID: 1, Name: "r1", OS: "linux", Status: "online", Busy: false, Labels: []string{"self-hosted", "sync-test"}},
		{ID: 2, Name: "r2", OS: "linux", Status: "online", Busy: true, Labels: []string{"self-hosted"}},
		{ID: 3, Name: "r3", OS: "linux", Status: "online", Busy: false, Labels: []string{"self-hosted", "gpu"}},
	}
	if !reflect.DeepEqual(list.Runners, want) {
		t.Fatalf("runners = %+v; want %+v", list.Runners, want)
	}
	if list.NotModified {
		t.Fatalf("NotModified = true on the first listing")
	}
	if got := f.count(); got != 2 {
		t.Fatalf("requests = %d; want 2 (one per page)", got)
	}
	if _, _, _, bad := pages.stats(); bad != 0 {
		t.Fatalf("%d requests without the bearer token", bad)
	}
}

func TestListOrgRunners_ETagNotModifiedServesCacheWithoutCharge(t *testing.T) {
	f := newFakeGitHub(t)
	pages := newRunnerPages(t)
	f.handle("GET /orgs/acme/actions/runners", pages.serve)
	c := newTestClient(t, f, newFakeClock(), nil)
	ctx := testCtx(t)

	first, err := c.ListOrgRunners(ctx, "acme")
	if err != nil {
		t.Fatalf("first listing: %v", err)
	}
	remainingAfterFirst, _, _, _ := pages.stats()

	second, err := c.ListOrgRunners(ctx, "acme")
	if err != nil {
		t.Fatalf("second listing: %v", err)
	}
	remaining, conditional, notModified, _ := pages.stats()
	if !second.NotModified {
		t.Fatalf("NotModified = false; want true when every page answered 304")
	}
	if !reflect.DeepEqual(second.Runners, first.Runners) {
		t.Fatalf("cached runners = %+v; want %+v", second.Runners, first.Runners)
	}
	if conditional != 2 || notModified != 2 {
		t.Fatalf("conditional=%d notModified=%d; want 2 and 2", conditional, notModified)
	}
	if remaining != remainingAfterFirst {
		t.Fatalf("server budget went from %d to %d; 304s must not be charged", remainingAfterFirst, remaining)
	}
	if got := c.Status().Remaining; got != remainingAfterFirst {
		t.Fatalf("client remaining = %d; want %d", got, remainingAfterFirst)
	}

	// One runner on page 2 turns busy: page 1 still comes from the cache,
	// page 2 is fresh, and the list is no longer "not modified".
	pages.setBusy(1, 0, true)
	third, err := c.ListOrgRunners(ctx, "acme")
	if err != nil {
		t.Fatalf("third listing: %v", err)
	}
	if third.NotModified {
		t.Fatalf("NotModified = true after a runner changed")
	}
	if !third.Runners[2].Busy || third.Runners[0].Busy {
		t.Fatalf("runners after change = %+v; want r3 busy and r1 idle", third.Runners)
	}
	if remaining, _, _, _ := pages.stats(); remaining != remainingAfterFirst-1 {
		t.Fatalf("server budget = %d; want %d (only the changed page charged)", remaining, remainingAfterFirst-1)
	}
}

func TestListRepoRunners(t *testing.T) {
	f := newFakeGitHub(t)
	f.handle("GET /repos/acme/app/actions/runners", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(t, w, http.StatusOK, map[string]any{"total_count": 1,
			"runners": []any{runnerJSON(7, "repo-runner", false, "self-hosted", "linux")}})
	})
	c := newTestClient(t, f, newFakeClock(), nil)
	list, err := c.ListRepoRunners(testCtx(t), "acme", "app")
	if err != nil {
		t.Fatalf("ListRepoRunners: %v", err)
	}
	if len(list.Runners) != 1 || list.Runners[0].ID != 7 || list.Runners[0].Name != "repo-runner" {
		t.Fatalf("runners = %+v; want the one repo runner", list.Runners)
	}
}

func TestListOrgRunners_NotFound(t *testing.T) {
	f := newFakeGitHub(t)
	f.handle("GET /orgs/nobody/actions/runners", func(w http.ResponseWriter, r *http.Request) {
		writeError(t, w, http.StatusNotFound, "Not Found")
	})
	c := newTestClient(t, f, newFakeClock(), nil)
	_, err := c.ListOrgRunners(testCtx(t), "nobody")
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v; want ErrNotFound", err)
	}
}

func TestIsOrg_CachedPerOwner(t *testing.T) {
	f := newFakeGitHub(t)
	f.handle("GET /users/{owner}", func(w http.ResponseWriter, r *http.Request) {
		typ := "User"
		if r.PathValue("owner") == "acme" {
			typ = "Organization"
		}
		writeJSON(t, w, http.StatusOK, map[string]any{"login": r.PathValue("owner"), "id": 1, "type": typ})
	})
	c := newTestClient(t, f, newFakeClock(), nil)
	ctx := testCtx(t)

	for _, tc := range []struct {
		owner string
		want  bool
	}{{"acme", true}, {"octocat", false}, {"ACME", true}, {"octocat", false}} {
		got, err := c.IsOrg(ctx, tc.owner)
		if err != nil {
			t.Fatalf("IsOrg(%s): %v", tc.owner, err)
		}
		if got != tc.want {
			t.Fatalf("IsOrg(%s) = %v; want %v", tc.owner, got, tc.want)
		}
	}
	if got := f.count(); got != 2 {
		t.Fatalf("requests = %d; want 2 (answers cached, login case-insensitive)", got)
	}
	if _, err := c.IsOrg(ctx, ""); err == nil {
		t.Fatalf("IsOrg(\"\") succeeded; an empty owner must be rejected")
	}
}
