// Package audittest builds journals for audit tests: a scripted scenario
// driven through the live actors over a real wal journal, with a clock the
// script moves and ids it counts, so every run writes the same journal.
package audittest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dispatchoor/dispatchoor/actors"
	"github.com/dispatchoor/dispatchoor/actors/state"
	"github.com/dispatchoor/dispatchoor/wal"
)

// T0 is when the scenario starts.
var T0 = time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)

// Timeout bounds every wait of the scenario.
const Timeout = 10 * time.Second

// Clock is a clock the script moves by hand.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock standing at t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now returns the current time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Options vary the scenario.
type Options struct {
	// SegmentSize of the journal; 0 is wal's default. Small segments give
	// compaction something to remove.
	SegmentSize int
	// Compact ends the scenario with two snapshots a retention period
	// apart, so the journal's front is compacted away.
	Compact bool
}

// Moment is what the live system reported at one point of the scenario.
type Moment struct {
	Name   string
	Time   time.Time
	Groups map[string]Group
}

// Group is one group as the live system reported it.
type Group struct {
	Info  actors.GroupInfo
	Queue []actors.JobInfo // active jobs first, then pending in dispatch order
}

// Result is a finished scenario.
type Result struct {
	// Dir is the journal directory, closed.
	Dir string
	// Jobs names the jobs the scenario made: "geth", "nethermind",
	// "manual", "build", "build-requeued".
	Jobs    map[string]string
	Moments []Moment
	// StateHash is the live system's hash at the end, before it stopped.
	StateHash string
	// Secret is a session token the scenario used; only its hash may
	// reach the journal.
	Secret string
}

// Users of the scenario and the addresses they came from.
var (
	Alice = actors.Who{Username: "alice", IP: "192.0.2.10"}
	Bob   = actors.Who{Username: "bob", IP: "198.51.100.7"}
)

// Run plays the scenario into a journal in dir and closes it.
func Run(tb testing.TB, dir string, opts Options) *Result {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 4*Timeout)
	defer cancel()
	clock := NewClock(T0)
	j, err := wal.Open(dir, wal.Options{
		Sync: wal.SyncNone, SegmentSize: opts.SegmentSize, Now: clock.Now,
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		tb.Fatalf("open journal: %v", err)
	}
	var ids atomic.Int64
	specs := Specs()
	sys, err := actors.Start(ctx, actors.Options{
		Journal: Journal{j},
		Logger:  slog.New(slog.DiscardHandler),
		Now:     clock.Now,
		NewID:   func() string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", ids.Add(1)) },
		Groups:  specs,
		Reload:  func() ([]actors.GroupSpec, error) { return ReloadedSpecs(), nil },
	})
	if err != nil {
		tb.Fatalf("start system: %v", err)
	}
	s := &script{tb: tb, ctx: ctx, sys: sys, clock: clock, res: &Result{Dir: dir, Jobs: map[string]string{}}}
	s.play(opts)
	if s.res.StateHash, err = sys.StateHash(ctx); err != nil {
		tb.Fatalf("state hash: %v", err)
	}
	if err := sys.Stop(ctx); err != nil {
		tb.Fatalf("stop system: %v", err)
	}
	if err := j.Close(); err != nil {
		tb.Fatalf("close journal: %v", err)
	}
	return s.res
}

// Specs is the configuration the scenario starts with.
func Specs() []actors.GroupSpec {
	return []actors.GroupSpec{
		{
			Group: state.Group{ID: "sync", Name: "Sync Tests", RunnerLabels: []string{"self-hosted", "sync"}, Weight: 1},
			Templates: []state.Template{
				template("geth", "ci.yml", "main", "geth"),
				template("nethermind", "ci.yml", "main", "nethermind"),
			},
		},
		{
			Group:     state.Group{ID: "builds", Name: "Builds", RunnerLabels: []string{"self-hosted", "build"}, Weight: 1},
			Templates: []state.Template{template("docker", "build.yml", "main", "docker")},
		},
	}
}

// ReloadedSpecs is the configuration after the reload: geth moved to
// another ref, besu added, nethermind removed.
func ReloadedSpecs() []actors.GroupSpec {
	specs := Specs()
	specs[0].Templates = []state.Template{
		template("geth", "ci.yml", "release", "geth"),
		template("besu", "ci.yml", "main", "besu"),
	}
	return specs
}

func template(id, workflow, ref, client string) state.Template {
	return state.Template{
		ID: id, Name: id, Owner: "acme", Repo: "clients", WorkflowID: workflow, Ref: ref,
		DefaultInputs: map[string]string{"client": client}, SourceType: "inline",
	}
}

// Journal adapts wal.Journal to actors.Journal.
type Journal struct{ *wal.Journal }

// LatestSnapshot returns the newest snapshot's index and data.
func (j Journal) LatestSnapshot() (uint64, []byte, error) {
	s, err := j.Journal.LatestSnapshot()
	if errors.Is(err, wal.ErrNoSnapshot) {
		return 0, nil, actors.ErrNoSnapshot
	}
	if err != nil {
		return 0, nil, err
	}
	return s.Index, s.Data, nil
}

// TokenHash is how sessions store a token: its SHA-256 in hex.
func TokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
