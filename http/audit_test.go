package httpd

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/url"
	"path/filepath"
	"slices"
	"testing"

	"github.com/valyala/fasthttp"
	"github.com/valyala/fasthttp/fasthttputil"

	"github.com/dispatchoor/dispatchoor/actors"
	"github.com/dispatchoor/dispatchoor/actors/state"
	"github.com/dispatchoor/dispatchoor/audit"
	"github.com/dispatchoor/dispatchoor/audit/audittest"
	"github.com/dispatchoor/dispatchoor/wal"
)

// newAuditIndex indexes the scenario's journal.
func newAuditIndex(t *testing.T) (*audit.Index, *audittest.Result) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "journal")
	res := audittest.Run(t, dir, audittest.Options{})
	j, err := wal.Open(dir, wal.Options{Sync: wal.SyncNone, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	x := audit.NewIndex(j, audit.IndexOptions{})
	x.Start(ctx, func(func([]actors.Committed)) {})
	t.Cleanup(func() {
		cancel()
		<-x.Done()
		j.Close()
	})
	return x, res
}

// newAuditEnv serves the audit routes over log on an in-memory listener.
func newAuditEnv(t *testing.T, log AuditLog) *testEnv {
	t.Helper()
	clock := newFakeClock()
	fake := newFakeService(clock.Now)
	logs := &syncBuffer{}
	srv, err := New(testOptions(clock, fake, logs))
	if err != nil {
		t.Fatal(err)
	}
	if err := RegisterAudit(srv, log); err != nil {
		t.Fatal(err)
	}
	ln := fasthttputil.NewInmemoryListener()
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return &testEnv{t: t, srv: srv, fake: fake, clock: clock, ln: ln, logs: logs}
}

// strictDecode decodes a body, refusing fields the view does not have.
func strictDecode[T any](t *testing.T, body []byte) T {
	t.Helper()
	var v T
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	return v
}

func TestAuditRoutesAccess(t *testing.T) {
	x, res := newAuditIndex(t)
	e := newAuditEnv(t, x)
	jobPath := "/api/v1/jobs/" + res.Jobs["geth"] + "/events"
	for _, tc := range []struct {
		path, token string
		want        int
	}{
		{"/api/v1/audit", "", fasthttp.StatusUnauthorized},
		{"/api/v1/audit", e.readonlyToken(), fasthttp.StatusForbidden},
		{"/api/v1/audit", e.adminToken(), fasthttp.StatusOK},
		{jobPath, "", fasthttp.StatusUnauthorized},
		{jobPath, e.readonlyToken(), fasthttp.StatusOK},
		{jobPath, e.adminToken(), fasthttp.StatusOK},
	} {
		r := e.do(request{method: get, path: tc.path, token: tc.token})
		if r.status != tc.want {
			t.Errorf("GET %s (with token: %v): %d; want %d (%s)", tc.path, tc.token != "", r.status, tc.want, r.body)
		}
		if r.status != fasthttp.StatusOK {
			r.errorText(t)
		}
	}
}

// TestAuditPagesNewestFirst pages through the whole log: every event once,
// newest first, in the documented shape, with next_cursor absent at the end.
func TestAuditPagesNewestFirst(t *testing.T) {
	x, _ := newAuditIndex(t)
	e := newAuditEnv(t, x)
	token := e.adminToken()
	var indexes []uint64
	cursor := ""
	for pages := 1; ; pages++ {
		path := "/api/v1/audit?limit=7"
		if cursor != "" {
			path += "&cursor=" + url.QueryEscape(cursor)
		}
		r := e.do(request{method: get, path: path, token: token})
		wantStatus(t, r, fasthttp.StatusOK)
		page := strictDecode[auditPageView](t, r.body)
		if len(page.Events) > 7 {
			t.Fatalf("page of %d events; limit 7", len(page.Events))
		}
		for _, ev := range page.Events {
			if ev.Time.IsZero() || ev.Type == "" || ev.Actor == "" || ev.Summary == "" {
				t.Fatalf("event misses a required field: %+v", ev)
			}
			indexes = append(indexes, ev.Index)
		}
		cursor = page.NextCursor
		if cursor == "" {
			break
		}
		if pages > 10 {
			t.Fatal("paging does not end")
		}
	}
	if len(indexes) != 30 || indexes[0] != 30 || !slices.IsSortedFunc(indexes, func(a, b uint64) int { return int(b) - int(a) }) {
		t.Fatalf("indexes %v; want 30 down to 1", indexes)
	}
	// Optional fields are omitted when empty, present otherwise.
	r := e.do(request{method: get, path: "/api/v1/audit?limit=500", token: token})
	var raw struct {
		Events []map[string]any `json:"events"`
	}
	if err := json.Unmarshal(r.body, &raw); err != nil {
		t.Fatal(err)
	}
	var withIP, withReason, withoutIP int
	for _, ev := range raw.Events {
		if _, ok := ev["ip"]; ok {
			withIP++
		} else {
			withoutIP++
		}
		if _, ok := ev["reason"]; ok {
			withReason++
		}
	}
	if withIP == 0 || withoutIP == 0 || withReason == 0 {
		t.Fatalf("ip present %d, absent %d, reason present %d: want each", withIP, withoutIP, withReason)
	}
	if bytes.Contains(r.body, []byte("next_cursor")) {
		t.Fatalf("a single full page carries next_cursor: %s", r.body)
	}
}

// TestAuditFilters applies the query filters; the answer equals the
// index's own for the same filter.
func TestAuditFilters(t *testing.T) {
	x, res := newAuditIndex(t)
	e := newAuditEnv(t, x)
	token := e.adminToken()
	for _, tc := range []struct {
		query string
		want  audit.Filter
	}{
		{"type=job_finished,job_dispatching&type=job_running", audit.Filter{Types: []state.Type{state.JobFinished, state.JobDispatching, state.JobRunning}}},
		{"actor=system&group=builds", audit.Filter{Actors: []string{"system"}, Groups: []string{"builds"}}},
		{"job=" + res.Jobs["build"], audit.Filter{Job: res.Jobs["build"]}},
		{"since=2026-03-14T09:00:05Z&until=2026-03-14T09:00:10Z&actor=alice&actor=bob", audit.Filter{
			Since: audittest.T0.Add(5e9), Until: audittest.T0.Add(10e9), Actors: []string{"alice", "bob"}}},
	} {
		r := e.do(request{method: get, path: "/api/v1/audit?limit=500&" + tc.query, token: token})
		wantStatus(t, r, fasthttp.StatusOK)
		got := strictDecode[auditPageView](t, r.body)
		page, err := x.Audit(context.Background(), audit.Query{Filter: tc.want, Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Events) == 0 || len(got.Events) != len(page.Entries) {
			t.Fatalf("%s: %d events; the index gives %d", tc.query, len(got.Events), len(page.Entries))
		}
		for i, ev := range got.Events {
			if ev.Index != page.Entries[i].Index || ev.JobID != page.Entries[i].JobID {
				t.Fatalf("%s: event %d is %d/%s; want %d/%s", tc.query, i, ev.Index, ev.JobID, page.Entries[i].Index, page.Entries[i].JobID)
			}
		}
	}
}

func TestAuditRefusesBadQueries(t *testing.T) {
	x, _ := newAuditIndex(t)
	e := newAuditEnv(t, x)
	token := e.adminToken()
	for _, q := range []string{"type=job_exploded", "limit=0", "limit=ten", "since=yesterday", "until=-2h", "cursor=not-ours"} {
		r := e.do(request{method: get, path: "/api/v1/audit?" + q, token: token})
		wantStatus(t, r, fasthttp.StatusBadRequest)
		r.errorText(t)
	}
	r := e.do(request{method: get, path: "/api/v1/audit?limit=100000", token: token})
	wantStatus(t, r, fasthttp.StatusOK)
}

// TestJobEventsTimeline: the timeline of a requeued generation holds its
// ancestor's events too, oldest first, each naming its generation.
func TestJobEventsTimeline(t *testing.T) {
	x, res := newAuditIndex(t)
	e := newAuditEnv(t, x)
	r := e.do(request{method: get, path: "/api/v1/jobs/" + res.Jobs["build-requeued"] + "/events", token: e.readonlyToken()})
	wantStatus(t, r, fasthttp.StatusOK)
	events := strictDecode[[]jobEventView](t, r.body)
	gens := map[string]bool{}
	for i, ev := range events {
		gens[ev.JobID] = true
		if i > 0 && ev.Index <= events[i-1].Index {
			t.Fatalf("timeline not oldest first: %v", events)
		}
	}
	if !gens[res.Jobs["build"]] || !gens[res.Jobs["build-requeued"]] || len(gens) != 2 {
		t.Fatalf("timeline covers %v; want both generations", gens)
	}
	if events[0].Type != "job_enqueued" || events[0].Actor != "bob" || events[0].IP == "" {
		t.Fatalf("timeline starts with %+v; want bob's enqueue with his IP", events[0])
	}
	r = e.do(request{method: get, path: "/api/v1/jobs/no-such-job/events", token: e.readonlyToken()})
	wantStatus(t, r, fasthttp.StatusNotFound)
	if msg := r.errorText(t); msg != "Job not found: no-such-job" {
		t.Fatalf("error %q", msg)
	}
}

// notReadyLog is an index still scanning the journal.
type notReadyLog struct{}

func (notReadyLog) Audit(context.Context, audit.Query) (audit.Page, error) {
	return audit.Page{}, audit.ErrNotReady
}

func (notReadyLog) JobEvents(context.Context, string) ([]audit.Entry, error) {
	return nil, audit.ErrNotReady
}

func TestAuditWhileIndexing(t *testing.T) {
	e := newAuditEnv(t, notReadyLog{})
	for _, path := range []string{"/api/v1/audit", "/api/v1/jobs/x/events"} {
		r := e.do(request{method: get, path: path, token: e.adminToken()})
		wantStatus(t, r, fasthttp.StatusServiceUnavailable)
		r.errorText(t)
	}
}
