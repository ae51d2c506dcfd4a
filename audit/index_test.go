package audit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/dispatchoor/dispatchoor/actors"
	"github.com/dispatchoor/dispatchoor/actors/state"
	"github.com/dispatchoor/dispatchoor/audit/audittest"
	"github.com/dispatchoor/dispatchoor/wal"
)

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), audittest.Timeout)
	t.Cleanup(cancel)
	return ctx
}

// openJournal reopens a scenario journal for an index to read.
func openJournal(t *testing.T, dir string) *wal.Journal {
	t.Helper()
	j, err := wal.Open(dir, wal.Options{Sync: wal.SyncNone, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	return j
}

// feed stands in for System.Subscribe.
type feed struct {
	mu sync.Mutex
	fn func([]actors.Committed)
}

func (f *feed) subscribe(fn func([]actors.Committed)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fn = fn
}

func (f *feed) send(cs ...actors.Committed) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fn(cs)
}

// startIndex builds an index over log and stops it when the test ends.
func startIndex(t *testing.T, log Log, subscribe func(func([]actors.Committed)), recent int) *Index {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	x := NewIndex(log, IndexOptions{Recent: recent})
	x.Start(ctx, subscribe)
	t.Cleanup(func() {
		cancel()
		<-x.Done()
	})
	return x
}

// scanEntries is the reference answer: a full scan of the journal.
func scanEntries(t *testing.T, dir string, f Filter) []Entry {
	t.Helper()
	var out []Entry
	if err := Scan(openReader(t, dir), f, func(r Record) error {
		out = append(out, r.Entry())
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// allPages reads every page of a query.
func allPages(t *testing.T, x *Index, q Query) []Entry {
	t.Helper()
	var out []Entry
	for pages := 0; ; pages++ {
		if pages > 1000 {
			t.Fatal("paging does not end")
		}
		p, err := x.Audit(testCtx(t), q)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Entries) > max(q.Limit, 0) && q.Limit > 0 {
			t.Fatalf("page of %d entries; limit %d", len(p.Entries), q.Limit)
		}
		out = append(out, p.Entries...)
		if p.NextCursor == "" {
			return out
		}
		q.Cursor = p.NextCursor
	}
}

func reversed(es []Entry) []Entry {
	out := slices.Clone(es)
	slices.Reverse(out)
	return out
}

// TestIndexAnswersLikeAScan pages through the index with each filter and
// small pages, reading the log back (a tiny recent cache), and compares
// with a full scan of the journal, newest first.
func TestIndexAnswersLikeAScan(t *testing.T) {
	res := playScenario(t)
	x := startIndex(t, openJournal(t, res.Dir), (&feed{}).subscribe, 1)
	filters := map[string]Filter{
		"all":           {},
		"group":         {Groups: []string{"builds"}},
		"actor":         {Actors: []string{"alice"}},
		"system":        {Actors: []string{state.ActorSystem}},
		"types":         {Types: []state.Type{state.JobFinished, state.JobEnqueued}},
		"window":        {Since: audittest.T0.Add(5 * time.Second), Until: audittest.T0.Add(20 * time.Second)},
		"job lineage":   {Job: res.Jobs["build-requeued"]},
		"job and type":  {Job: res.Jobs["manual"], Types: []state.Type{state.JobsReordered}},
		"unknown actor": {Actors: []string{"mallory"}},
		"unknown group": {Groups: []string{"nope"}},
	}
	for name, f := range filters {
		t.Run(name, func(t *testing.T) {
			got := allPages(t, x, Query{Filter: f, Limit: 4})
			want := reversed(scanEntries(t, res.Dir, f))
			if jsonOf(t, got) != jsonOf(t, want) {
				t.Fatalf("index answer differs from a scan:\n got %s\nwant %s", jsonOf(t, got), jsonOf(t, want))
			}
			if name != "unknown actor" && name != "unknown group" && len(got) == 0 {
				t.Fatal("filter matched nothing; the case tests nothing")
			}
		})
	}
}

// TestIndexJobEvents returns a requeued job's whole lineage, oldest first,
// from whichever generation it is asked.
func TestIndexJobEvents(t *testing.T) {
	res := playScenario(t)
	x := startIndex(t, openJournal(t, res.Dir), (&feed{}).subscribe, 0)
	want := scanEntries(t, res.Dir, Filter{Job: res.Jobs["build"]})
	for _, id := range []string{res.Jobs["build"], res.Jobs["build-requeued"]} {
		got, err := x.JobEvents(testCtx(t), id)
		if err != nil {
			t.Fatal(err)
		}
		if jsonOf(t, got) != jsonOf(t, want) {
			t.Fatalf("timeline of %s:\n got %s\nwant %s", id, jsonOf(t, got), jsonOf(t, want))
		}
	}
	if len(want) < 6 || want[len(want)-2].JobID != res.Jobs["build-requeued"] {
		t.Fatalf("timeline %s does not show both generations", jsonOf(t, want))
	}
	if _, err := x.JobEvents(testCtx(t), "no-such-job"); !errors.Is(err, state.ErrNotFound) {
		t.Fatalf("unknown job: %v; want ErrNotFound", err)
	}
}

// TestIndexFollowsLiveSystem runs a live system over a journal with the
// index subscribed: a command's event is in the next answer.
func TestIndexFollowsLiveSystem(t *testing.T) {
	ctx := testCtx(t)
	clock := audittest.NewClock(audittest.T0)
	j := openJournal(t, t.TempDir())
	var n int
	sys, err := actors.Start(ctx, actors.Options{
		Journal: audittest.Journal{Journal: j}, Logger: slog.New(slog.DiscardHandler),
		Now: clock.Now, NewID: func() string { n++; return fmt.Sprintf("job-%d", n) }, Groups: audittest.Specs(),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sys.Stop(context.Background()) })
	x := startIndex(t, j, sys.Subscribe, 0)
	for i := 0; i < 3; i++ {
		ji, err := sys.Enqueue(ctx, audittest.Alice, "sync", state.AddJob{TemplateID: "geth"})
		if err != nil {
			t.Fatal(err)
		}
		p, err := x.Audit(ctx, Query{Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Entries) != 1 || p.Entries[0].JobID != ji.Job.ID || p.Entries[0].Actor != "alice" || p.Entries[0].IP != audittest.Alice.IP {
			t.Fatalf("newest entry after enqueueing %s: %+v", ji.Job.ID, p.Entries)
		}
	}
	if _, err := sys.PauseGroup(ctx, audittest.Bob, "sync", true); err != nil {
		t.Fatal(err)
	}
	p, err := x.Audit(ctx, Query{Filter: Filter{Actors: []string{"bob"}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Entries) != 1 || p.Entries[0].Type != state.GroupPaused {
		t.Fatalf("bob's events: %+v; want the group pause", p.Entries)
	}
}

// TestIndexFeedOutOfOrderAndTwice: partitions commit independently, so the
// feed may deliver indexes out of order, and the start-up scan and the feed
// may both see an event; each is indexed once, in index order.
func TestIndexFeedOutOfOrderAndTwice(t *testing.T) {
	res := playScenario(t)
	f := &feed{}
	x := startIndex(t, openJournal(t, res.Dir), f.subscribe, 0)
	before := allPages(t, x, Query{Limit: MaxLimit})
	last := before[0].Index
	ev := func(i int) actors.Committed {
		return actors.Committed{Index: last + uint64(i), Event: &state.Event{
			Type: state.JobPaused, Time: audittest.T0.Add(time.Hour), Actor: "carol", GroupID: "sync", JobID: res.Jobs["nethermind"],
		}}
	}
	f.send(ev(3), ev(1))
	f.send(ev(2), ev(1), ev(3))
	got := allPages(t, x, Query{Filter: Filter{Actors: []string{"carol"}}, Limit: MaxLimit})
	var idx []uint64
	for _, e := range got {
		idx = append(idx, e.Index)
	}
	if !slices.Equal(idx, []uint64{last + 3, last + 2, last + 1}) {
		t.Fatalf("carol's events at %v; want %v", idx, []uint64{last + 3, last + 2, last + 1})
	}
	tl, err := x.JobEvents(testCtx(t), res.Jobs["nethermind"])
	if err != nil {
		t.Fatal(err)
	}
	if n := len(tl); tl[n-1].Index != last+3 || tl[n-3].Index != last+1 {
		t.Fatalf("timeline does not end with the fed events in order: %+v", tl[n-3:])
	}
}

// TestIndexCursorAndReadiness: a made-up cursor is refused; a query before
// the start-up scan ends waits for it, up to the caller's deadline.
func TestIndexCursorAndReadiness(t *testing.T) {
	res := playScenario(t)
	gate := &gatedLog{Log: openJournal(t, res.Dir), open: make(chan struct{})}
	x := startIndex(t, gate, (&feed{}).subscribe, 0)
	short, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if _, err := x.Audit(short, Query{}); !errors.Is(err, ErrNotReady) {
		t.Fatalf("query during the scan: %v; want ErrNotReady", err)
	}
	close(gate.open)
	if _, err := x.Audit(testCtx(t), Query{Cursor: "not-a-cursor"}); !errors.Is(err, ErrBadCursor) {
		t.Fatalf("bad cursor: %v; want ErrBadCursor", err)
	}
	p, err := x.Audit(testCtx(t), Query{Limit: 2})
	if err != nil || len(p.Entries) != 2 || p.NextCursor == "" {
		t.Fatalf("first page: %+v, %v", p, err)
	}
}

// gatedLog holds the start-up scan until open is closed.
type gatedLog struct {
	Log
	open chan struct{}
}

func (g *gatedLog) Replay(from uint64, fn func(uint64, []byte) error) error {
	<-g.open
	return g.Log.Replay(from, fn)
}

// TestIndexForgetsCompactedRecords: once compaction moves the log's first
// index, events before it leave the answers and the job map.
func TestIndexForgetsCompactedRecords(t *testing.T) {
	res := playScenario(t)
	log := &movableLog{Log: openJournal(t, res.Dir), first: 1}
	x := startIndex(t, log, (&feed{}).subscribe, 0)
	all := allPages(t, x, Query{Limit: MaxLimit})
	log.setFirst(10)
	got := allPages(t, x, Query{Limit: MaxLimit})
	if len(got) != len(all)-9 || got[len(got)-1].Index != 10 {
		t.Fatalf("after compaction to 10: %d entries from %d; want %d from 10", len(got), got[len(got)-1].Index, len(all)-9)
	}
	if _, err := x.JobEvents(testCtx(t), res.Jobs["geth"]); err != nil {
		t.Fatalf("geth still has events after index 10: %v", err)
	}
	if tl, err := x.JobEvents(testCtx(t), res.Jobs["nethermind"]); err != nil || tl[0].Index < 10 {
		t.Fatalf("nethermind's timeline after compaction: %+v, %v", tl, err)
	}
}

// movableLog pretends compaction removed the records before first.
type movableLog struct {
	Log
	mu    sync.Mutex
	first uint64
}

func (m *movableLog) setFirst(f uint64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.first = f
}

func (m *movableLog) FirstIndex() uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.first
}

func (m *movableLog) Replay(from uint64, fn func(uint64, []byte) error) error {
	first := m.FirstIndex()
	if from != 0 && from < first {
		return fmt.Errorf("replay from %d: %w", from, wal.ErrCompacted)
	}
	return m.Log.Replay(max(from, first), fn)
}
