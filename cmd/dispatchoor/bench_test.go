package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/dispatchoor/dispatchoor/actors"
	"github.com/dispatchoor/dispatchoor/actors/state"
	"github.com/dispatchoor/dispatchoor/config"
	"github.com/dispatchoor/dispatchoor/wal"
)

// benchApp starts the full server with the given storage.sync and no
// snapshots during the run.
func benchApp(b *testing.B, sync string) (*app, string) {
	return startOnCrashConfig(b, func(c *config.Config) {
		c.Storage.Sync = sync
		c.Storage.SnapshotEvery = 1 << 30
	})
}

var benchClient = &fasthttp.Client{MaxConnsPerHost: 2048, MaxConnWaitTimeout: 10 * time.Second, ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second}

func do(tb testing.TB, method, addr, path, token, body string) (int, []byte) {
	req := fasthttp.AcquireRequest()
	resp := fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	req.SetRequestURI("http://" + addr + path)
	req.Header.SetMethod(method)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.SetBodyString(body)
	}
	if err := benchClient.Do(req, resp); err != nil {
		tb.Fatalf("%s %s: %v", method, path, err)
	}
	return resp.StatusCode(), append([]byte(nil), resp.Body()...)
}

const enqueueBody = `{"template_id":"t1","inputs":{"b":"three","c":"network=hoodi"}}`

// BenchmarkDurableEnqueueHTTP: 64 concurrent clients enqueue over HTTP with
// sync = "always" (every acknowledged job fsynced). Target ≥ 10,000 jobs/s.
func BenchmarkDurableEnqueueHTTP(b *testing.B) {
	a, token := benchApp(b, "always")
	addr := a.ln.Addr().String()
	before := a.journal.Stats()
	var next atomic.Int64
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for c := 0; c < 64; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Each client reuses its request and response, as a load
			// generator would: the figure is the server's.
			req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
			defer fasthttp.ReleaseRequest(req)
			defer fasthttp.ReleaseResponse(resp)
			req.SetRequestURI("http://" + addr + "/api/v1/groups/g1/queue")
			req.Header.SetMethod("POST")
			req.Header.Set("Authorization", "Bearer "+token)
			for next.Add(1) <= int64(b.N) {
				req.SetBodyString(enqueueBody)
				if err := benchClient.Do(req, resp); err != nil {
					b.Errorf("enqueue: %v", err)
					return
				}
				if st := resp.StatusCode(); st != 201 {
					b.Errorf("enqueue: %d %s", st, resp.Body())
					return
				}
			}
		}()
	}
	wg.Wait()
	el := time.Since(start)
	b.StopTimer()
	after := a.journal.Stats()
	fsyncs := after.Fsyncs - before.Fsyncs
	b.ReportMetric(float64(b.N)/el.Seconds(), "jobs/s")
	b.ReportMetric(float64(fsyncs)/el.Seconds(), "fsyncs/s")
	if fsyncs > 0 {
		b.ReportMetric(float64(b.N)/float64(fsyncs), "jobs/fsync")
	}
}

// BenchmarkEnqueueLatencyAt1000: an open-loop load of 1,000 enqueues per
// second; reports p50 and p99 latency. Target p99 ≤ 10 ms.
func BenchmarkEnqueueLatencyAt1000(b *testing.B) {
	a, token := benchApp(b, "always")
	addr := a.ln.Addr().String()
	n := max(b.N, 2000)
	lat := make([]time.Duration, n)
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	b.ResetTimer()
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		<-tick.C
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			t0 := time.Now()
			if st, _ := do(b, "POST", addr, "/api/v1/groups/g1/queue", token, enqueueBody); st != 201 {
				b.Errorf("enqueue status %d", st)
			}
			lat[i] = time.Since(t0)
		}(i)
	}
	wg.Wait()
	b.StopTimer()
	reportPercentiles(b, lat)
}

// BenchmarkQueueGet10k: GET a group's queue holding 10,000 jobs. Target p99
// ≤ 20 ms.
func BenchmarkQueueGet10k(b *testing.B) {
	a, token := benchApp(b, "none")
	addr := a.ln.Addr().String()
	ctx := context.Background()
	var wg sync.WaitGroup
	for c := 0; c < 8; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 1250; i++ {
				if _, err := a.sys.Enqueue(ctx, actors.Who{Username: "bench"}, "g1", state.AddJob{TemplateID: "t1", Inputs: map[string]string{"c": fmt.Sprint(i)}}); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	n := max(b.N, 100)
	lat := make([]time.Duration, n)
	// One request and response reused, as a real client's would be: the
	// figure is the server's, not the benchmark copying 5 MB per answer.
	req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	req.SetRequestURI("http://" + addr + "/api/v1/groups/g1/queue")
	req.Header.Set("Authorization", "Bearer "+token)
	b.ResetTimer()
	for i := 0; i < n; i++ {
		t0 := time.Now()
		if err := benchClient.Do(req, resp); err != nil {
			b.Fatal(err)
		}
		lat[i] = time.Since(t0)
		if st, size := resp.StatusCode(), len(resp.Body()); st != 200 || size < 10000*100 {
			b.Fatalf("queue: status %d, %d bytes", st, size)
		}
	}
	b.StopTimer()
	reportPercentiles(b, lat)
}

// BenchmarkStartup1M journals 1,000,000 events (200,000 jobs through their
// whole life) and measures start-up: replay from empty (target ≤ 10 s) and
// from a snapshot (target ≤ 2 s).
func BenchmarkStartup1M(b *testing.B) {
	dir := filepath.Join(b.TempDir(), "journal")
	if err := os.MkdirAll(dir, 0o750); err != nil {
		b.Fatal(err)
	}
	opts := wal.DefaultOptions()
	opts.Sync = wal.SyncNone
	opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	j, err := wal.Open(dir, opts)
	if err != nil {
		b.Fatal(err)
	}
	events := writeLifecycles(b, j, 200_000)
	if err := j.Close(); err != nil {
		b.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	startOnce := func(name string) time.Duration {
		j, err := wal.Open(dir, opts)
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		t0 := time.Now()
		sys, err := actors.Start(context.Background(), actors.Options{Journal: newWALJournal(j), Logger: quiet, SnapshotEvery: 1 << 30, RetentionDays: -1})
		if err != nil {
			b.Fatal(err)
		}
		took := time.Since(t0)
		// Stop takes the snapshot the next start-up uses.
		if err := sys.Stop(context.Background()); err != nil {
			b.Fatal(err)
		}
		if err := j.Close(); err != nil {
			b.Fatal(err)
		}
		b.Logf("%s: %d events, start-up %s", name, events, took)
		return took
	}
	b.ResetTimer()
	fromEmpty := startOnce("replay from empty")
	withSnapshot := startOnce("from snapshot")
	b.StopTimer()
	b.ReportMetric(fromEmpty.Seconds(), "s-replay-1M")
	b.ReportMetric(withSnapshot.Seconds(), "s-snapshot-1M")
}

// writeLifecycles journals n jobs each going enqueued → dispatching →
// triggered → running → finished, after configuring their group.
func writeLifecycles(b *testing.B, j *wal.Journal, n int) int {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	enc := func(e state.Event) []byte {
		p, err := e.Encode()
		if err != nil {
			b.Fatal(err)
		}
		return p
	}
	ctx := context.Background()
	count := 0
	cfg := state.Event{Type: state.GroupConfigured, Time: t0, Actor: state.ActorConfig, GroupID: "g1",
		Group:     &state.Group{ID: "g1", Name: "Group One", RunnerLabels: []string{"self-hosted", "one"}, Weight: 1},
		Templates: []state.Template{{ID: "t1", Owner: "acme", Repo: "tests", WorkflowID: "ci.yml", Ref: "main", DefaultInputs: map[string]string{"a": "1", "b": "two"}}}}
	if _, err := j.Append(ctx, enc(cfg)); err != nil {
		b.Fatal(err)
	}
	count++
	batch := make([][]byte, 0, 5000)
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("00000000-0000-4000-8000-%012d", i)
		at := t0.Add(time.Duration(i) * time.Second)
		job := &state.Job{ID: id, GroupID: "g1", TemplateID: "t1", Position: int64(i), Status: state.StatusPending,
			Inputs: map[string]string{"a": "1", "b": "two", "network": "hoodi"}, CreatedBy: "admin", CreatedAt: at, UpdatedAt: at}
		batch = append(batch,
			enc(state.Event{Type: state.JobEnqueued, Time: at, Actor: "admin", IP: "10.0.0.1", GroupID: "g1", JobID: id, Job: job}),
			enc(state.Event{Type: state.JobDispatching, Time: at.Add(time.Millisecond), Actor: state.ActorDispatcher, GroupID: "g1", JobID: id, DispatchKey: "k" + id, RunnerID: 7}),
			enc(state.Event{Type: state.JobTriggered, Time: at.Add(2 * time.Millisecond), Actor: state.ActorDispatcher, GroupID: "g1", JobID: id, RunID: 10_000_000_000 + int64(i), RunURL: "https://github.com/acme/tests/actions/runs/1"}),
			enc(state.Event{Type: state.JobRunning, Time: at.Add(3 * time.Millisecond), Actor: state.ActorTracker, GroupID: "g1", JobID: id, RunnerID: 7, RunnerName: "runner-7"}),
			enc(state.Event{Type: state.JobFinished, Time: at.Add(4 * time.Millisecond), Actor: state.ActorTracker, GroupID: "g1", JobID: id, Status: state.StatusCompleted, Conclusion: "success"}),
		)
		if len(batch) >= cap(batch)-5 || i == n-1 {
			if _, err := j.Append(ctx, batch...); err != nil {
				b.Fatal(err)
			}
			count += len(batch)
			batch = batch[:0]
		}
	}
	return count
}

func reportPercentiles(b *testing.B, lat []time.Duration) {
	slices.Sort(lat)
	p := func(q float64) time.Duration { return lat[min(len(lat)-1, int(q*float64(len(lat))))] }
	b.ReportMetric(float64(p(0.50).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(p(0.99).Microseconds())/1000, "p99-ms")
}

func jsonField(body []byte, key string) string {
	var m map[string]any
	if err := jsonUnmarshal(body, &m); err != nil {
		return ""
	}
	s, _ := m[key].(string)
	return s
}
