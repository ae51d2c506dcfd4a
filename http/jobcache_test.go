package httpd

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/dispatchoor/dispatchoor/actors"
	"github.com/dispatchoor/dispatchoor/actors/state"
)

// cacheFixture is a group partition changed through Apply with journal
// indexes, as the group actor changes it, so its jobs carry revisions.
type cacheFixture struct {
	t   *testing.T
	g   *state.GroupState
	idx uint64
	rng *rand.Rand
	at  time.Time
}

func newCacheFixture(t *testing.T) *cacheFixture {
	f := &cacheFixture{t: t, g: state.NewGroupState("g1"), rng: rand.New(rand.NewSource(7)), at: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	f.apply(state.Event{Type: state.GroupConfigured, GroupID: "g1", Group: &state.Group{ID: "g1", Name: "one", RunnerLabels: []string{"x"}},
		Templates: []state.Template{{ID: "t1", Owner: "o", Repo: "r", WorkflowID: "w.yml", Ref: "main"}}})
	return f
}

func (f *cacheFixture) apply(e state.Event) {
	f.t.Helper()
	f.idx++
	f.at = f.at.Add(time.Second)
	e.Time = f.at
	if err := f.g.Apply(f.idx, &e); err != nil {
		f.t.Fatalf("apply %s: %v", e.Type, err)
	}
}

func (f *cacheFixture) str() string { return trickyStrings[f.rng.Intn(len(trickyStrings))] }

func (f *cacheFixture) enqueue(n int) {
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("job-%d-%d", f.idx, i)
		f.apply(state.Event{Type: state.JobEnqueued, GroupID: "g1", JobID: id, Job: &state.Job{
			ID: id, GroupID: "g1", TemplateID: "t1", Status: state.StatusPending, Position: int64(f.idx),
			Inputs: map[string]string{"a": f.str(), f.str() + "k": "v"}, CreatedBy: f.str(), CreatedAt: f.at, UpdatedAt: f.at,
		}})
	}
}

// mutate changes a few random jobs the ways the API and the dispatcher do.
func (f *cacheFixture) mutate() {
	var pending []*state.Job
	pending = append(pending, f.g.Pending()...)
	for k := 0; k < 5 && len(pending) > 0; k++ {
		j := pending[f.rng.Intn(len(pending))]
		switch f.rng.Intn(5) {
		case 0:
			f.apply(state.Event{Type: state.JobUpdated, GroupID: "g1", JobID: j.ID, Patch: &state.JobPatch{SetInputs: true, Inputs: map[string]string{"a": f.str()}}})
		case 1:
			f.apply(state.Event{Type: state.JobPaused, GroupID: "g1", JobID: j.ID})
		case 2:
			f.apply(state.Event{Type: state.JobsReordered, GroupID: "g1", JobIDs: []string{j.ID}, Positions: []int64{-int64(f.idx)}})
		case 3:
			f.apply(state.Event{Type: state.JobDispatching, GroupID: "g1", JobID: j.ID, DispatchKey: "k", RunnerID: 3, RunnerName: f.str()})
		case 4:
			f.apply(state.Event{Type: state.JobRemoved, GroupID: "g1", JobID: j.ID})
		}
		pending = f.g.Pending()
	}
}

// read is what the group actor answers for the queue: copies, with
// reasons that change on every read.
func (f *cacheFixture) read() []actors.JobInfo {
	var out []actors.JobInfo
	for _, j := range append(f.g.Active(), f.g.Pending()...) {
		c := *j
		info := actors.JobInfo{Job: &c}
		if j.Status == state.StatusPending {
			info.PendingReason = fmt.Sprintf("%d jobs ahead", f.rng.Intn(9))
			if f.rng.Intn(2) == 0 {
				info.ETA = f.at.Add(time.Duration(f.rng.Intn(600)) * time.Second)
			}
		}
		out = append(out, info)
	}
	return out
}

func TestJobCacheAnswersAsEncodingJSON(t *testing.T) {
	f := newCacheFixture(t)
	c := newJobCache()
	f.enqueue(300)
	for round := 0; round < 60; round++ {
		if round%10 == 0 {
			f.enqueue(20)
		}
		f.mutate()
		jobs := f.read()
		want, err := json.Marshal(jobViews(jobs))
		if err != nil {
			t.Fatal(err)
		}
		// Twice: the second read is answered from the cache.
		for pass := 0; pass < 2; pass++ {
			if got := c.appendQueue(nil, "g1", jobs); string(got) != string(want) {
				t.Fatalf("round %d pass %d: cached queue differs from encoding/json:\n got %.400s\nwant %.400s", round, pass, got, want)
			}
		}
		for _, j := range jobs {
			if e, ok := c.groups["g1"][j.Job.ID]; !ok || e.rev != j.Job.Rev() {
				t.Fatalf("round %d: job %s (revision %d) not cached after a read", round, j.Job.ID, j.Job.Rev())
			}
		}
		if n := len(c.groups["g1"]); n > len(jobs)+len(jobs)/4+64 {
			t.Fatalf("round %d: %d cached jobs for a queue of %d", round, n, len(jobs))
		}
	}
}

func TestJobCacheServesCachedBytes(t *testing.T) {
	f := newCacheFixture(t)
	c := newJobCache()
	f.enqueue(3)
	jobs := f.read()
	c.appendQueue(nil, "g1", jobs)
	id := jobs[1].Job.ID

	// A marked entry shows whether a read used it.
	e := c.groups["g1"][id]
	e.enc = append([]byte(`{"marker":1`), e.enc[e.split:]...)
	e.split = len(`{"marker":1`)
	c.groups["g1"][id] = e
	if got := c.appendQueue(nil, "g1", f.read()); !strings.Contains(string(got), `"marker":1`) {
		t.Fatalf("an unchanged job was encoded again instead of served from the cache: %s", got)
	}

	// A change gives the job a new revision: the stale entry is not used.
	f.apply(state.Event{Type: state.JobPaused, GroupID: "g1", JobID: id})
	got := c.appendQueue(nil, "g1", f.read())
	if strings.Contains(string(got), `"marker":1`) {
		t.Fatalf("a changed job was served from its old revision: %s", got)
	}
	if !strings.Contains(string(got), `"paused":true`) {
		t.Fatalf("the changed job is missing its change: %s", got)
	}
}

func TestJobCacheSkipsJobsWithoutRevision(t *testing.T) {
	c := newJobCache()
	jobs := []actors.JobInfo{{Job: &state.Job{ID: "a", Status: state.StatusPending}}, {Job: &state.Job{ID: "b", Status: state.StatusPending}}}
	first := c.appendQueue(nil, "g1", jobs)
	if n := len(c.groups["g1"]); n != 0 {
		t.Fatalf("cached %d jobs that have no revision", n)
	}
	jobs[0].Job.Paused = true
	if second := c.appendQueue(nil, "g1", jobs); string(second) == string(first) || !strings.Contains(string(second), `"paused":true`) {
		t.Fatalf("a job without revision was not encoded afresh: %s", second)
	}
}

func TestJobCacheStaysNearTheQueueSize(t *testing.T) {
	f := newCacheFixture(t)
	c := newJobCache()
	f.enqueue(400)
	c.appendQueue(nil, "g1", f.read())
	if n := len(c.groups["g1"]); n != 400 {
		t.Fatalf("cached %d of 400 jobs", n)
	}
	// Most jobs leave the queue; the next reads must drop their entries.
	for i, j := range append([]*state.Job(nil), f.g.Pending()...) {
		if i >= 20 {
			f.apply(state.Event{Type: state.JobRemoved, GroupID: "g1", JobID: j.ID})
		}
	}
	c.appendQueue(nil, "g1", f.read())
	if n := len(c.groups["g1"]); n > 20+20/4+64 {
		t.Fatalf("%d cached jobs for a queue of 20", n)
	}
}

// TestLargeQueueGzipped: a queue answer over gzipAbove goes gzipped to a
// client that accepts it and plain to one that does not; small answers are
// never compressed.
func TestLargeQueueGzipped(t *testing.T) {
	env := newTestEnv(t)
	env.fake.addGroup(state.Group{ID: "big", Name: "Big"})
	env.fake.addGroup(state.Group{ID: "small", Name: "Small"})
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for i := range 300 {
		env.fake.addJob(&state.Job{ID: fmt.Sprintf("job-%03d", i), GroupID: "big", Status: state.StatusPending, Position: int64(i),
			Inputs: map[string]string{"network": "hoodi", "client": "geth"}, CreatedBy: "admin", CreatedAt: at, UpdatedAt: at})
	}
	env.fake.addJob(&state.Job{ID: "lonely", GroupID: "small", Status: state.StatusPending, CreatedAt: at, UpdatedAt: at})
	get := func(group string, gzip bool) *response {
		r := request{method: "GET", path: "/api/v1/groups/" + group + "/queue", token: env.readonlyToken()}
		if gzip {
			r.headers = map[string]string{"Accept-Encoding": "gzip, deflate, br"}
		}
		resp := env.do(r)
		wantStatus(t, resp, 200)
		return resp
	}

	plain := get("big", false)
	if len(plain.body) < gzipAbove || plain.header("Content-Encoding") != "" {
		t.Fatalf("plain answer: %d bytes, Content-Encoding %q", len(plain.body), plain.header("Content-Encoding"))
	}
	zipped := get("big", true)
	if zipped.header("Content-Encoding") != "gzip" || !strings.Contains(zipped.header("Vary"), "Accept-Encoding") {
		t.Fatalf("gzip answer headers: Content-Encoding %q, Vary %q", zipped.header("Content-Encoding"), zipped.header("Vary"))
	}
	unzipped, err := fasthttp.AppendGunzipBytes(nil, zipped.body)
	if err != nil {
		t.Fatal(err)
	}
	if string(unzipped) != string(plain.body) {
		t.Fatal("the gzipped answer is not the plain one")
	}
	if len(zipped.body)*5 > len(plain.body) {
		t.Fatalf("gzipped %d bytes from %d", len(zipped.body), len(plain.body))
	}
	if small := get("small", true); small.header("Content-Encoding") != "" || !json.Valid(small.body) {
		t.Fatalf("a small answer was compressed: %q", small.header("Content-Encoding"))
	}
}
