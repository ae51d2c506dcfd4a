package audit

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/dispatchoor/dispatchoor/audit/audittest"
	"github.com/dispatchoor/dispatchoor/wal"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run with -update to create it): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (run with -update if the change is intended)\n--- got ---\n%s\n--- want ---\n%s", path, got, want)
	}
}

// The scenario is played once per test binary and shared read-only.
var scenario struct {
	once sync.Once
	dir  string
	res  *audittest.Result
}

func playScenario(t *testing.T) *audittest.Result {
	t.Helper()
	scenario.once.Do(func() {
		dir, err := os.MkdirTemp("", "audit-scenario-")
		if err != nil {
			t.Fatal(err)
		}
		scenario.dir = dir
		scenario.res = audittest.Run(t, filepath.Join(dir, "journal"), audittest.Options{})
	})
	if scenario.res == nil {
		t.Fatal("scenario failed in an earlier test")
	}
	return scenario.res
}

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if scenario.dir != "" {
		os.RemoveAll(scenario.dir)
	}
	os.Exit(code)
}

func openReader(t testing.TB, dir string) *wal.Reader {
	t.Helper()
	r, err := wal.OpenReader(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
