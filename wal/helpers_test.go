package wal

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"
)

// testTimeout bounds every wait in this package's tests.
const testTimeout = 20 * time.Second

func testContext(tb testing.TB) context.Context {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	tb.Cleanup(cancel)
	return ctx
}

// logRecorder collects log output so tests can assert on warnings.
type logRecorder struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (r *logRecorder) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.buf.Write(p)
}

func (r *logRecorder) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.buf.String()
}

// testOptions returns fast options with a recorded logger: no fsync unless a
// test asks for it, and small segments so tests cross segment boundaries.
func testOptions() (Options, *logRecorder) {
	rec := &logRecorder{}
	return Options{
		Sync:        SyncNone,
		SegmentSize: 512,
		Logger:      slog.New(slog.NewTextHandler(rec, nil)),
	}, rec
}

func mustOpen(tb testing.TB, dir string, opts Options) *Journal {
	tb.Helper()
	j, err := Open(dir, opts)
	if err != nil {
		tb.Fatalf("Open(%s): %v", dir, err)
	}
	tb.Cleanup(func() {
		if err := j.Close(); err != nil && !errors.Is(err, ErrClosed) && !errors.Is(err, ErrFailed) {
			tb.Errorf("Close: %v", err)
		}
	})
	return j
}

func mustClose(tb testing.TB, j *Journal) {
	tb.Helper()
	if err := j.Close(); err != nil {
		tb.Fatalf("Close: %v", err)
	}
}

func payloadFor(i uint64) []byte { return fmt.Appendf(nil, "event-%04d", i) }

// appendN appends records payloadFor(first..first+n-1) one call each.
func appendN(tb testing.TB, j *Journal, n int) {
	tb.Helper()
	ctx := testContext(tb)
	for range n {
		want := j.LastIndex() + 1
		got, err := j.Append(ctx, payloadFor(want))
		if err != nil {
			tb.Fatalf("Append: %v", err)
		}
		if got != want {
			tb.Fatalf("Append index: got %d; want %d", got, want)
		}
	}
}

// writeLog creates a closed journal holding n records and returns its dir.
func writeLog(tb testing.TB, opts Options, n int) string {
	tb.Helper()
	dir := tb.TempDir()
	j := mustOpen(tb, dir, opts)
	appendN(tb, j, n)
	mustClose(tb, j)
	return dir
}

type entry struct {
	index   uint64
	payload string
}

type replayer interface {
	Replay(from uint64, fn func(index uint64, payload []byte) error) error
}

func replayAll(tb testing.TB, r replayer, from uint64) []entry {
	tb.Helper()
	var got []entry
	err := r.Replay(from, func(index uint64, payload []byte) error {
		got = append(got, entry{index, string(payload)})
		return nil
	})
	if err != nil {
		tb.Fatalf("Replay(%d): %v", from, err)
	}
	return got
}

// checkEntries asserts that got holds payloadFor(i) for i in first..last.
func checkEntries(tb testing.TB, got []entry, first, last uint64) {
	tb.Helper()
	if want := int(last - first + 1); len(got) != want {
		tb.Fatalf("replayed %d records; want %d (%d..%d)", len(got), want, first, last)
	}
	for k, e := range got {
		i := first + uint64(k)
		if e.index != i || e.payload != string(payloadFor(i)) {
			tb.Fatalf("record %d: got (%d, %q); want (%d, %q)", k, e.index, e.payload, i, payloadFor(i))
		}
	}
}

// segmentPaths lists the plain segment files in dir, oldest first.
func segmentPaths(tb testing.TB, dir string) []string {
	tb.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "????????????????????"))
	if err != nil {
		tb.Fatal(err)
	}
	slices.Sort(paths)
	return paths
}

// frameOffsets returns the offset of every record frame in a segment file.
func frameOffsets(tb testing.TB, path string) []int {
	tb.Helper()
	data := readFile(tb, path)
	var offs []int
	for off := 0; off < len(data); {
		_, next, err := frameAt(data, off)
		if err != nil {
			tb.Fatalf("frame at %d in %s: %v", off, path, err)
		}
		offs = append(offs, off)
		off = next
	}
	return offs
}

func readFile(tb testing.TB, path string) []byte {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func writeFile(tb testing.TB, path string, data []byte) {
	tb.Helper()
	if err := os.WriteFile(path, data, filePerm); err != nil {
		tb.Fatal(err)
	}
}

// copyDir copies a journal directory (one level of subdirectories) so a test
// can damage the copy.
func copyDir(tb testing.TB, src string) string {
	tb.Helper()
	dst := tb.TempDir()
	err := filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o750)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, filePerm)
	})
	if err != nil {
		tb.Fatalf("copy %s: %v", src, err)
	}
	return dst
}

func wantCorrupt(tb testing.TB, err error, segment string, offset int64) *CorruptError {
	tb.Helper()
	var ce *CorruptError
	if !errors.As(err, &ce) {
		tb.Fatalf("got error %v; want a *CorruptError", err)
	}
	if !errors.Is(err, ErrCorrupt) {
		tb.Fatalf("error %v does not match ErrCorrupt", err)
	}
	if ce.Segment != segment || ce.Offset != offset {
		tb.Fatalf("corruption reported at %s:%d; want %s:%d (%v)", ce.Segment, ce.Offset, segment, offset, err)
	}
	return ce
}
