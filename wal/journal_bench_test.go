package wal

import (
	"context"
	"fmt"
	"log/slog"
	"runtime"
	"testing"
)

var quiet = slog.New(slog.DiscardHandler)

// BenchmarkAppendDurable64 appends 200-byte records from 64 goroutines with
// an fsync per group commit, and reports how many records share an fsync.
func BenchmarkAppendDurable64(b *testing.B) {
	j, err := Open(b.TempDir(), Options{Sync: SyncAlways, Logger: quiet})
	if err != nil {
		b.Fatal(err)
	}
	defer j.Close()
	payload := make([]byte, 200)
	b.SetParallelism((64 + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		ctx := context.Background()
		for pb.Next() {
			if _, err := j.Append(ctx, payload); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	s := j.Stats()
	secs := b.Elapsed().Seconds()
	b.ReportMetric(float64(s.Records)/secs, "records/s")
	b.ReportMetric(float64(s.Fsyncs)/secs, "fsyncs/s")
	b.ReportMetric(float64(s.Records)/float64(max(s.Fsyncs, 1)), "records/fsync")
}

// BenchmarkReplay1M opens a journal of one million ~200-byte records and
// replays all of it: the journal's share of starting from an empty
// snapshot.
func BenchmarkReplay1M(b *testing.B) {
	const records = 1_000_000
	dir := b.TempDir()
	writeBenchLog(b, dir, records)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		j, err := Open(dir, Options{Logger: quiet})
		if err != nil {
			b.Fatal(err)
		}
		var n, size int
		err = j.Replay(0, func(_ uint64, payload []byte) error {
			n++
			size += len(payload)
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		if n != records {
			b.Fatalf("replayed %d records; want %d", n, records)
		}
		if err := j.Close(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*records), "ns/record")
}

func writeBenchLog(b *testing.B, dir string, records int) {
	b.Helper()
	j, err := Open(dir, Options{Sync: SyncNone, Logger: quiet})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	batch := make([][]byte, 0, 1000)
	for i := range records {
		batch = append(batch, fmt.Appendf(nil,
			`{"v":1,"kind":"JobEnqueued","group":"sync-tests","job":"job-%09d","template":"sync-geth-prysm","by":"admin","at":"2026-01-02T03:04:05.678Z","inputs":{"el-client":"geth","cl":"prysm"}}`, i))
		if len(batch) == cap(batch) || i == records-1 {
			if _, err := j.Append(ctx, batch...); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	if err := j.Close(); err != nil {
		b.Fatal(err)
	}
}

func BenchmarkDecodeRecord(b *testing.B) {
	raw := appendRecord(nil, 12345, Hash{1}, make([]byte, 200))
	b.ReportAllocs()
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		if _, err := DecodeRecord(raw); err != nil {
			b.Fatal(err)
		}
	}
}
