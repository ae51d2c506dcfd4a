package actors

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dispatchoor/dispatchoor/actors/state"
)

var testT0 = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(time.Millisecond)
	return c.now
}

func testSpecs() []GroupSpec {
	return []GroupSpec{
		{
			Group: state.Group{ID: "sync", Name: "Sync Tests", RunnerLabels: []string{"self-hosted", "sync"}, Weight: 1},
			Templates: []state.Template{{
				ID: "geth", Name: "Geth", Owner: "acme", Repo: "tests", WorkflowID: "sync.yml", Ref: "main",
				DefaultInputs: map[string]string{"client": "geth", "network": "hoodi"}, SourceType: "inline",
			}},
		},
		{
			Group: state.Group{ID: "gpu", Name: "GPU", RunnerLabels: []string{"self-hosted", "gpu"}, Weight: 2},
			Templates: []state.Template{{
				ID: "bench", Name: "Bench", Owner: "acme", Repo: "gpu", WorkflowID: "bench.yml", Ref: "main", SourceType: "inline",
			}},
		},
	}
}

func startSystem(t *testing.T, j Journal, specs []GroupSpec) *System {
	t.Helper()
	var n atomic.Int64
	clock := &testClock{now: testT0}
	s, err := Start(context.Background(), Options{
		Journal: j,
		Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now:     clock.Now,
		NewID:   func() string { return fmt.Sprintf("job-%06d", n.Add(1)) },
		Groups:  specs,
		Reload:  func() ([]GroupSpec, error) { return specs, nil },
	})
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	return s
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func admin() Who { return Who{Username: "admin", IP: "127.0.0.1"} }

func TestEnqueueQueueAndRestart(t *testing.T) {
	ctx := ctxT(t)
	j := newMemJournal()
	s := startSystem(t, j, testSpecs())

	var ids []string
	for i := 0; i < 5; i++ {
		ji, err := s.Enqueue(ctx, admin(), "sync", state.AddJob{TemplateID: "geth", Inputs: map[string]string{"network": fmt.Sprint(i)}})
		if err != nil {
			t.Fatalf("enqueue: %v", err)
		}
		if ji.Job.Inputs["client"] != "geth" || ji.Job.Inputs["network"] != fmt.Sprint(i) {
			t.Fatalf("inputs not merged: %v", ji.Job.Inputs)
		}
		ids = append(ids, ji.Job.ID)
	}
	if _, err := s.Enqueue(ctx, admin(), "sync", state.AddJob{TemplateID: "bench"}); !errors.Is(err, state.ErrNotFound) {
		t.Fatalf("template of another group: got %v, want not found", err)
	}
	if _, err := s.Enqueue(ctx, admin(), "nope", state.AddJob{TemplateID: "geth"}); !errors.Is(err, state.ErrNotFound) {
		t.Fatalf("unknown group: got %v, want not found", err)
	}
	rev := []string{ids[4], ids[3], ids[2], ids[1], ids[0]}
	if err := s.Reorder(ctx, admin(), "sync", rev); err != nil {
		t.Fatalf("reorder: %v", err)
	}
	if _, err := s.PauseJob(ctx, admin(), ids[2], true); err != nil {
		t.Fatalf("pause: %v", err)
	}
	if err := s.RemoveJob(ctx, admin(), ids[0]); err != nil {
		t.Fatalf("remove: %v", err)
	}
	if _, err := s.PauseGroup(ctx, admin(), "gpu", true); err != nil {
		t.Fatalf("pause group: %v", err)
	}
	q, err := s.Queue(ctx, "sync")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ji := range q {
		got = append(got, ji.Job.ID)
	}
	want := []string{ids[4], ids[3], ids[2], ids[1]}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("queue order %v, want %v", got, want)
	}
	if q[0].PendingReason != "no matching runner online" {
		t.Fatalf("pending reason %q", q[0].PendingReason)
	}
	before, err := s.StateHash(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Stop(ctx); err != nil {
		t.Fatalf("stop: %v", err)
	}

	// Restart from the snapshot Stop took, then from the journal alone.
	s2 := startSystem(t, j.reopen(), testSpecs())
	after, err := s2.StateHash(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if after != before {
		t.Fatalf("state hash after restart from snapshot %s, want %s", after, before)
	}
	g, err := s2.Group(ctx, "gpu")
	if err != nil || !g.Group.Paused {
		t.Fatalf("group pause lost across restart: %+v %v", g.Group, err)
	}
	_ = s2.Stop(ctx)

	noSnap := j.reopen()
	noSnap.snapData = nil
	s3 := startSystem(t, noSnap, testSpecs())
	if h, _ := s3.StateHash(ctx); h != before {
		t.Fatalf("state hash after replay from empty %s, want %s", h, before)
	}
	_ = s3.Stop(ctx)
}

func TestConcurrentEnqueuesAllDurableAndPresent(t *testing.T) {
	ctx := ctxT(t)
	j := newMemJournal()
	s := startSystem(t, j, testSpecs())
	const clients, each = 16, 50
	var wg sync.WaitGroup
	var mu sync.Mutex
	acked := map[string]bool{}
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				ji, err := s.Enqueue(ctx, admin(), "sync", state.AddJob{TemplateID: "geth"})
				if err != nil {
					t.Errorf("enqueue: %v", err)
					return
				}
				if j.DurableIndex() < 1 {
					t.Errorf("acknowledged before durable")
				}
				mu.Lock()
				acked[ji.Job.ID] = true
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	s2 := startSystem(t, j.reopen(), testSpecs())
	q, err := s2.Queue(ctx, "sync")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	positions := map[int64]bool{}
	for _, ji := range q {
		seen[ji.Job.ID]++
		if positions[ji.Job.Position] {
			t.Fatalf("duplicate position %d", ji.Job.Position)
		}
		positions[ji.Job.Position] = true
	}
	for id := range acked {
		if seen[id] != 1 {
			t.Fatalf("acknowledged job %s present %d times after restart", id, seen[id])
		}
	}
	if len(q) != clients*each {
		t.Fatalf("queue has %d jobs, want %d", len(q), clients*each)
	}
}

func TestPanickingActorRebuildsFromJournal(t *testing.T) {
	ctx := ctxT(t)
	j := newMemJournal()
	s := startSystem(t, j, testSpecs())
	for i := 0; i < 3; i++ {
		if _, err := s.Enqueue(ctx, admin(), "sync", state.AddJob{TemplateID: "geth"}); err != nil {
			t.Fatal(err)
		}
	}
	before, _ := s.StateHash(ctx)
	pid, _ := s.groupPID("sync")
	// A command that corrupts the partition and then panics: the restarted
	// actor must not keep the corruption.
	s.actors.Root.Send(pid, &commandMsg{meta: s.meta(admin()), decide: func(g *state.GroupState, _ state.Meta) ([]state.Event, error) {
		for _, jb := range g.Jobs {
			jb.Status = state.StatusCompleted
		}
		panic("boom")
	}})
	deadline := time.Now().Add(5 * time.Second)
	for {
		h, err := s.StateHash(ctx)
		if err == nil && h == before {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("state not rebuilt after panic: hash %s err %v, want %s", h, err, before)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := s.Enqueue(ctx, admin(), "sync", state.AddJob{TemplateID: "geth"}); err != nil {
		t.Fatalf("enqueue after restart: %v", err)
	}
	q, _ := s.Queue(ctx, "sync")
	if len(q) != 4 {
		t.Fatalf("queue has %d jobs after restart, want 4", len(q))
	}
}

func TestJournalFailureStopsTheSystem(t *testing.T) {
	ctx := ctxT(t)
	j := newMemJournal()
	s := startSystem(t, j, testSpecs())
	j.mu.Lock()
	j.failNext = errors.New("disk full")
	j.mu.Unlock()
	if _, err := s.Enqueue(ctx, admin(), "sync", state.AddJob{TemplateID: "geth"}); err == nil {
		t.Fatal("enqueue acknowledged although the journal failed")
	}
	select {
	case <-s.Failed():
	case <-time.After(5 * time.Second):
		t.Fatal("system did not report the failure")
	}
	if _, err := s.Enqueue(ctx, admin(), "sync", state.AddJob{TemplateID: "geth"}); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("after failure: %v, want ErrUnavailable", err)
	}
}

func TestSessionsSurviveRestartAndRemovedUsersLoseThem(t *testing.T) {
	ctx := ctxT(t)
	j := newMemJournal()
	s := startSystem(t, j, testSpecs())
	for _, u := range []string{"admin", "bob"} {
		if err := s.CreateSession(ctx, Who{Username: u}, state.Session{TokenHash: "h-" + u, Username: u, Role: "admin", Provider: "basic", ExpiresAt: testT0.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, ok := s.LookupSession("h-bob"); !ok {
		t.Fatal("session not found")
	}
	_ = s.Stop(ctx)
	var n atomic.Int64
	s2, err := Start(ctx, Options{Journal: j.reopen(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now: func() time.Time { return testT0.Add(time.Minute) }, NewID: func() string { return fmt.Sprint(n.Add(1)) },
		Groups: testSpecs(), BasicUsers: []string{"admin"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s2.LookupSession("h-admin"); !ok {
		t.Fatal("session lost across restart")
	}
	if _, ok := s2.LookupSession("h-bob"); ok {
		t.Fatal("session of a user removed from config survived")
	}
	if err := s2.RevokeSession(ctx, Who{Username: "admin"}, "h-admin"); err != nil {
		t.Fatal(err)
	}
	if _, ok := s2.LookupSession("h-admin"); ok {
		t.Fatal("revoked session still valid")
	}
}

func TestReloadKeepsRemovedGroupForHistory(t *testing.T) {
	ctx := ctxT(t)
	j := newMemJournal()
	specs := testSpecs()
	s := startSystem(t, j, specs)
	if _, err := s.Enqueue(ctx, admin(), "gpu", state.AddJob{TemplateID: "bench"}); err != nil {
		t.Fatal(err)
	}
	s.opts.Reload = func() ([]GroupSpec, error) { return specs[:1], nil }
	res, err := s.ReloadTemplates(ctx, admin())
	if err != nil || len(res) != 1 {
		t.Fatalf("reload: %v %v", res, err)
	}
	g, err := s.Group(ctx, "gpu")
	if err != nil {
		t.Fatal(err)
	}
	if g.Group.InConfig || g.Group.Enabled {
		t.Fatalf("removed group still configured: %+v", g.Group)
	}
	if _, err := s.Enqueue(ctx, admin(), "gpu", state.AddJob{TemplateID: "bench"}); !errors.Is(err, state.ErrInvalid) {
		t.Fatalf("enqueue into removed group: %v", err)
	}
}
