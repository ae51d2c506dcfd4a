package state

import (
	"fmt"
	"runtime"
	"strconv"
	"testing"
	"time"
)

// BenchmarkEnqueue measures what the group actor does per POST /queue:
// decide, then apply.
func BenchmarkEnqueue(b *testing.B) {
	f := newFixture(b)
	req := AddJob{TemplateID: "t1", Inputs: map[string]string{"client": "besu", "size": "10"}}
	b.ReportAllocs()
	for b.Loop() {
		events, err := f.g().Enqueue(f.meta(), req)
		if err != nil {
			b.Fatal(err)
		}
		if err := f.g().Apply(0, &events[0]); err != nil {
			b.Fatal(err)
		}
	}
}

// historyGroup builds a group with n finished jobs: a tenth of them share
// their completion instant with a neighbour, a third are failed, and every
// fifth is a t2 job (so label filters select a fifth).
func historyGroup(tb testing.TB, n int) *GroupState {
	tb.Helper()
	f := newFixture(tb)
	g := f.g()
	statuses := []JobStatus{StatusCompleted, StatusFailed, StatusCompleted}
	for i := range n {
		tmpl := "t1"
		if i%5 == 0 {
			tmpl = "t2"
		}
		events, err := g.Enqueue(f.meta(), AddJob{TemplateID: tmpl})
		if err != nil {
			tb.Fatal(err)
		}
		if err := g.Apply(0, &events[0]); err != nil {
			tb.Fatal(err)
		}
		id := events[0].JobID
		if err := g.Apply(0, &Event{Type: JobDispatching, Time: f.now, GroupID: "g1", JobID: id}); err != nil {
			tb.Fatal(err)
		}
		if i%10 != 0 {
			f.advance(time.Second)
		}
		if err := g.Apply(0, &Event{Type: JobFinished, Time: f.now, GroupID: "g1", JobID: id, Status: statuses[i%3]}); err != nil {
			tb.Fatal(err)
		}
	}
	return g
}

// BenchmarkHistoryPage pages through 100k finished jobs: the first page,
// a page from a cursor deep in the history, and filtered pages (whose
// TotalCount has to look at every job).
func BenchmarkHistoryPage(b *testing.B) {
	g := historyGroup(b, 100_000)
	mid := encodeCursor(g.History()[len(g.History())/2])
	for _, bc := range []struct {
		name string
		q    HistoryQuery
	}{
		{"first", HistoryQuery{Limit: 50}},
		{"cursor", HistoryQuery{Limit: 50, Before: mid}},
		{"status", HistoryQuery{Limit: 50, Before: mid, Statuses: []JobStatus{StatusFailed}}},
		{"label", HistoryQuery{Limit: 50, Before: mid, Labels: map[string]string{"suite": "sync"}}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				p, err := g.HistoryPage(bc.q)
				if err != nil || len(p.Jobs) != 50 {
					b.Fatalf("got %d jobs, %v", len(p.Jobs), err)
				}
			}
		})
	}
}

func BenchmarkHistoryStats(b *testing.B) {
	g := historyGroup(b, 100_000)
	now := g.History()[len(g.History())-1].CompletedAt.Add(time.Minute)
	for _, r := range []string{"24h", "auto"} {
		b.Run(r, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := g.HistoryStats(r, now); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkHeapPerQueuedJob reports the live heap a queued template job
// costs, journal aside: 100,000 jobs with four short inputs each. The input
// values are fresh strings per request, as after decoding a request body;
// the request itself is garbage once decided, so only what the state keeps
// shows up after the final GC. Target: at most 1 KiB per job.
func BenchmarkHeapPerQueuedJob(b *testing.B) {
	const jobs = 100_000
	var perJob float64
	for b.Loop() {
		f := newFixture(b)
		g := f.g()
		before := liveHeap()
		for i := range jobs {
			req := AddJob{TemplateID: "t1", Inputs: map[string]string{
				"client": "besu-" + strconv.Itoa(i%7),
				"size":   strconv.Itoa(1000 + i),
				"mode":   fmt.Sprintf("full-%d", i%3),
				"seed":   strconv.Itoa(100000 + i*7919),
			}}
			events, err := g.Enqueue(f.meta(), req)
			if err != nil {
				b.Fatal(err)
			}
			if err := g.Apply(0, &events[0]); err != nil {
				b.Fatal(err)
			}
		}
		perJob = float64(liveHeap()-before) / jobs
		runtime.KeepAlive(g)
	}
	b.ReportMetric(perJob, "bytes/job")
}

func liveHeap() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}
