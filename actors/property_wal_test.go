package actors

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dispatchoor/dispatchoor/actors/state"
	"github.com/dispatchoor/dispatchoor/wal"
)

var walPropertyRuns = flag.Int("walprop.n", 8, "random command sequences in TestPropertyLiveReplaySnapshot")

// walAdapter is the production adapter's shape (cmd/dispatchoor): the wal
// journal with the snapshot type translated.
type walAdapter struct{ *wal.Journal }

func (w walAdapter) LatestSnapshot() (uint64, []byte, error) {
	s, err := w.Journal.LatestSnapshot()
	if err != nil {
		if errors.Is(err, wal.ErrNoSnapshot) {
			return 0, nil, ErrNoSnapshot
		}
		return 0, nil, err
	}
	return s.Index, s.Data, nil
}

// TestPropertyLiveReplaySnapshot drives random command sequences through the
// live system on a real journal, takes a snapshot at a random moment, and
// checks that the live state hash equals (a) a replay of the whole journal
// from empty and (b) a restart from the snapshot plus the journal tail.
func TestPropertyLiveReplaySnapshot(t *testing.T) {
	for run := 0; run < *walPropertyRuns; run++ {
		seed := time.Now().UnixNano() + int64(run)
		t.Run(fmt.Sprint(seed), func(t *testing.T) { propertyRun(t, seed) })
	}
}

func propertyRun(t *testing.T, seed int64) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rng := rand.New(rand.NewSource(seed))
	dir := filepath.Join(t.TempDir(), "journal")
	opts := wal.DefaultOptions()
	opts.Sync = wal.SyncNone
	opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	j, err := wal.Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	var ids atomic.Int64
	clock := &testClock{now: testT0}
	start := func(j *wal.Journal) *System {
		s, err := Start(ctx, Options{Journal: walAdapter{j}, Logger: opts.Logger, Now: clock.Now,
			NewID:  func() string { return fmt.Sprintf("id-%d-%06d", seed, ids.Add(1)) },
			Groups: testSpecs(), RetentionDays: -1, SnapshotEvery: 1 << 30, BasicUsers: []string{"u0", "u1", "u2"}})
		if err != nil {
			t.Fatalf("start: %v", err)
		}
		return s
	}
	s := start(j)
	steps := 150 + rng.Intn(150)
	snapAt := rng.Intn(steps)
	groups := []string{"sync", "gpu"}
	tmpl := map[string]string{"sync": "geth", "gpu": "bench"}
	for i := 0; i < steps; i++ {
		if i == snapAt {
			if err := s.Snapshot(ctx); err != nil {
				t.Fatalf("snapshot: %v", err)
			}
		}
		g := groups[rng.Intn(len(groups))]
		q, err := s.Queue(ctx, g)
		if err != nil {
			t.Fatal(err)
		}
		pick := func() string {
			if len(q) == 0 {
				return "missing"
			}
			return q[rng.Intn(len(q))].Job.ID
		}
		who := Who{Username: "u" + fmt.Sprint(rng.Intn(3)), IP: "10.0.0.1"}
		switch rng.Intn(10) {
		case 0, 1, 2:
			lim := rng.Intn(3)
			_, err = s.Enqueue(ctx, who, g, state.AddJob{TemplateID: tmpl[g], Priority: rng.Intn(3) - 1,
				Inputs: map[string]string{"k": fmt.Sprint(rng.Intn(100))}, AutoRequeue: rng.Intn(2) == 0, RequeueLimit: &lim})
		case 3:
			var order []string
			for _, k := range rng.Perm(len(q)) {
				if q[k].Job.Status == state.StatusPending && rng.Intn(4) > 0 {
					order = append(order, q[k].Job.ID)
				}
			}
			err = s.Reorder(ctx, who, g, order)
		case 4:
			_, err = s.PauseJob(ctx, who, pick(), rng.Intn(2) == 0)
		case 5:
			err = s.RemoveJob(ctx, who, pick())
		case 6:
			_, err = s.PauseGroup(ctx, who, g, rng.Intn(2) == 0)
		case 7:
			id := pick()
			// Hand the job to "GitHub" and finish it: exercises dispatch
			// events and auto-requeue through the same commit path.
			_, err = s.Decide(ctx, g, Who{Username: state.ActorDispatcher}, func(gs *state.GroupState, m state.Meta) ([]state.Event, error) {
				jb := gs.Jobs[id]
				if jb == nil || jb.Status != state.StatusPending {
					return nil, nil
				}
				e := state.Event{Type: state.JobDispatching, Time: m.Time, Actor: m.Actor, GroupID: gs.Group.ID, JobID: id, DispatchKey: "k-" + id}
				return []state.Event{e}, nil
			})
			if err == nil {
				statuses := []state.JobStatus{state.StatusCompleted, state.StatusFailed, state.StatusCancelled}
				st := statuses[rng.Intn(3)]
				_, err = s.Decide(ctx, g, Who{Username: state.ActorTracker}, func(gs *state.GroupState, m state.Meta) ([]state.Event, error) {
					if jb := gs.Jobs[id]; jb == nil || jb.Status != state.StatusDispatching {
						return nil, nil
					}
					return gs.Finish(m, id, state.Finish{Status: st})
				})
			}
		case 8:
			_, err = s.UpdateJob(ctx, who, pick(), state.UpdateJob{Name: strp(fmt.Sprint("n", rng.Intn(9))), HasInputs: rng.Intn(2) == 0, Inputs: map[string]string{"x": "y"}})
		case 9:
			err = s.CreateSession(ctx, who, state.Session{TokenHash: fmt.Sprint("h", rng.Intn(1000)), Username: who.Username, Role: "admin", Provider: "basic", ExpiresAt: testT0.Add(time.Hour)})
		}
		_ = err // refused commands are part of the property: they must change nothing
	}
	live, err := s.StateHash(ctx)
	if err != nil {
		t.Fatal(err)
	}

	// (a) replay of the whole journal from empty.
	replayed := state.New()
	if err := j.Replay(1, func(idx uint64, p []byte) error {
		e, err := state.DecodeEvent(p)
		if err != nil {
			return err
		}
		_ = replayed.Apply(idx, e)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if h := replayed.Hash(); h != live {
		t.Fatalf("seed %d: replay from empty %s, live %s", seed, h, live)
	}

	// (b) restart: snapshot taken mid-run plus the journal tail (no final
	// snapshot, as after a crash).
	s.actors.Shutdown()
	close(s.stop)
	s.wg.Wait()
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	j2, err := wal.Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer j2.Close()
	s2 := start(j2)
	defer s2.actors.Shutdown()
	h2, err := s2.StateHash(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if h2 != live {
		t.Fatalf("seed %d: restart from snapshot %d + tail %s, live %s", seed, snapAt, h2, live)
	}
}

func strp(s string) *string { return &s }
