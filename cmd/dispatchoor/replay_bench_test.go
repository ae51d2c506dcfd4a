package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/dispatchoor/dispatchoor/actors"
	"github.com/dispatchoor/dispatchoor/actors/state"
	"github.com/dispatchoor/dispatchoor/audit"
	"github.com/dispatchoor/dispatchoor/wal"
)

// Shape of the benchmark journal: chains of auto-requeued jobs, each
// generation going through its whole life in five events.
const (
	benchChains       = 2000
	benchGenerations  = 100
	benchEventsPerJob = 5
)

// BenchmarkReplay1M writes a journal of 1,000,000 events and measures the
// audit over it: `replay --verify` (target ≤ 10 s), `replay --job` for a
// job in the middle of a 100-generation requeue chain (target ≤ 3 s), and
// the server's audit index: its start-up scan and that job's timeline.
// Besides wall time it reports the CPU time the process spent, which a
// busy machine inflates far less.
func BenchmarkReplay1M(b *testing.B) {
	data := b.TempDir()
	dir := filepath.Join(data, "journal")
	events, target := writeRequeueChains(b, dir)
	b.Logf("journal: %d events", events)
	run := func(b *testing.B, metric string, args ...string) {
		for b.Loop() {
			t0, cpu0 := time.Now(), cpuTime(b)
			if err := runReplay(context.Background(), append([]string{"--data", data}, args...), io.Discard, io.Discard); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(time.Since(t0).Seconds(), "s/"+metric)
			b.ReportMetric((cpuTime(b) - cpu0).Seconds(), "cpu-s/"+metric)
		}
	}
	b.Run("verify", func(b *testing.B) { run(b, "verify-1M", "--verify") })
	b.Run("job-filter", func(b *testing.B) { run(b, "job-filter-1M", "--job", target) })
	b.Run("index", func(b *testing.B) {
		j, err := wal.Open(dir, wal.Options{Sync: wal.SyncNone, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			b.Fatal(err)
		}
		defer j.Close()
		for b.Loop() {
			ctx, cancel := context.WithCancel(context.Background())
			t0 := time.Now()
			x := audit.NewIndex(j, audit.IndexOptions{})
			x.Start(ctx, func(func([]actors.Committed)) {})
			if _, err := x.Audit(ctx, audit.Query{Limit: 1}); err != nil {
				b.Fatal(err)
			}
			built := time.Since(t0)
			t1 := time.Now()
			tl, err := x.JobEvents(ctx, target)
			if err != nil || len(tl) != benchGenerations*benchEventsPerJob {
				b.Fatalf("timeline: %d events, %v", len(tl), err)
			}
			b.ReportMetric(built.Seconds(), "s/index-build-1M")
			b.ReportMetric(float64(time.Since(t1).Milliseconds()), "ms/job-timeline")
			cancel()
			<-x.Done()
		}
	})
}

// cpuTime is the user and system time the process has used.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// writeRequeueChains journals benchChains chains of benchGenerations jobs
// (1,000,000 events) with wal.Journal.Append in batches, without fsync, and
// returns the event count and a job in the middle of a chain.
func writeRequeueChains(b *testing.B, dir string) (int, string) {
	b.Helper()
	if err := os.MkdirAll(dir, 0o750); err != nil {
		b.Fatal(err)
	}
	j, err := wal.Open(dir, wal.Options{Sync: wal.SyncNone, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	enc := func(e state.Event) []byte {
		p, err := e.Encode()
		if err != nil {
			b.Fatal(err)
		}
		return p
	}
	cfg := state.Event{Type: state.GroupConfigured, Time: t0, Actor: state.ActorConfig, GroupID: "g1", Reason: "group added with 1 templates",
		Group:     &state.Group{ID: "g1", Name: "Group One", RunnerLabels: []string{"self-hosted", "one"}, Weight: 1},
		Templates: []state.Template{{ID: "t1", Owner: "acme", Repo: "tests", WorkflowID: "ci.yml", Ref: "main", DefaultInputs: map[string]string{"a": "1"}}}}
	if _, err := j.Append(ctx, enc(cfg)); err != nil {
		b.Fatal(err)
	}
	count := 1
	id := func(chain, gen int) string { return fmt.Sprintf("00000000-0000-4000-%04d-%012d", gen, chain) }
	batch := make([][]byte, 0, 5000)
	for gen := 0; gen < benchGenerations; gen++ {
		for chain := 0; chain < benchChains; chain++ {
			n := gen*benchChains + chain
			at := t0.Add(time.Duration(n) * time.Second)
			jid := id(chain, gen)
			job := &state.Job{ID: jid, GroupID: "g1", TemplateID: "t1", Position: int64(n), Status: state.StatusPending,
				AutoRequeue: true, RequeueCount: gen, Inputs: map[string]string{"a": "1", "network": "hoodi"},
				CreatedBy: "alice", CreatedAt: at, UpdatedAt: at}
			enq := state.Event{Type: state.JobEnqueued, Time: at, Actor: "alice", IP: "192.0.2.10", GroupID: "g1", JobID: jid, Job: job}
			if gen > 0 {
				job.PreviousJobID = id(chain, gen-1)
				enq.Actor, enq.IP, enq.Reason = state.ActorTracker, "", "auto-requeue after "+job.PreviousJobID
			}
			ms := func(k int) time.Time { return at.Add(time.Duration(k) * time.Millisecond) }
			batch = append(batch,
				enc(enq),
				enc(state.Event{Type: state.JobDispatching, Time: ms(1), Actor: state.ActorDispatcher, GroupID: "g1", JobID: jid,
					DispatchKey: "k" + jid, RunnerID: 7, RunnerName: "runner-7", Reason: "next in line; runner-7 idle"}),
				enc(state.Event{Type: state.JobTriggered, Time: ms(2), Actor: state.ActorDispatcher, GroupID: "g1", JobID: jid,
					RunID: 1_000_000 + int64(n), RunURL: "https://github.com/acme/tests/actions/runs/1"}),
				enc(state.Event{Type: state.JobRunning, Time: ms(3), Actor: state.ActorTracker, GroupID: "g1", JobID: jid, RunnerID: 7, RunnerName: "runner-7"}),
				enc(state.Event{Type: state.JobFinished, Time: ms(4), Actor: state.ActorTracker, GroupID: "g1", JobID: jid,
					Status: state.StatusCompleted, Conclusion: "success", Reason: "run concluded"}),
			)
			if len(batch) >= cap(batch)-benchEventsPerJob {
				if _, err := j.Append(ctx, batch...); err != nil {
					b.Fatal(err)
				}
				count += len(batch)
				batch = batch[:0]
			}
		}
	}
	if len(batch) > 0 {
		if _, err := j.Append(ctx, batch...); err != nil {
			b.Fatal(err)
		}
		count += len(batch)
	}
	if err := j.Close(); err != nil {
		b.Fatal(err)
	}
	return count, id(benchChains/2, benchGenerations/2)
}
