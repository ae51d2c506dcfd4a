package audit

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"testing"

	"github.com/dispatchoor/dispatchoor/actors/state"
	"github.com/dispatchoor/dispatchoor/audit/audittest"
)

// TestAtMatchesLiveMoments rebuilds the state at every moment the scenario
// captured and compares it with what the live system reported then: the
// same active and pending jobs in the same order, field for field, and the
// same counters.
func TestAtMatchesLiveMoments(t *testing.T) {
	res := playScenario(t)
	r := openReader(t, res.Dir)
	if len(res.Moments) < 5 {
		t.Fatalf("scenario captured %d moments; want at least 5", len(res.Moments))
	}
	for _, m := range res.Moments {
		t.Run(m.Name, func(t *testing.T) {
			rb, err := At(r, m.Time)
			if err != nil {
				t.Fatal(err)
			}
			compareMoment(t, NewStateView(rb, nil), m)
		})
	}
}

func compareMoment(t *testing.T, v StateView, m audittest.Moment) {
	t.Helper()
	if len(v.Groups) != len(m.Groups) {
		t.Fatalf("rebuilt %d groups; live had %d", len(v.Groups), len(m.Groups))
	}
	for _, g := range v.Groups {
		live, ok := m.Groups[g.ID]
		if !ok {
			t.Fatalf("rebuilt group %s the live system did not have", g.ID)
		}
		var liveJobs []*state.Job
		for _, ji := range live.Queue {
			liveJobs = append(liveJobs, ji.Job)
		}
		rebuilt := append(append([]*state.Job{}, g.Active...), g.Pending...)
		if got, want := jsonOf(t, rebuilt), jsonOf(t, liveJobs); got != want {
			t.Errorf("group %s queue:\n got %s\nwant %s", g.ID, got, want)
		}
		if g.Counts.Pending != live.Info.QueuedJobs || len(g.Active) != live.Info.RunningJobs {
			t.Errorf("group %s counts: pending %d, active %d; live queued %d, running %d",
				g.ID, g.Counts.Pending, len(g.Active), live.Info.QueuedJobs, live.Info.RunningJobs)
		}
		if g.Paused != live.Info.Group.Paused || g.InConfig != live.Info.Group.InConfig {
			t.Errorf("group %s paused %v, in config %v; live %v, %v",
				g.ID, g.Paused, g.InConfig, live.Info.Group.Paused, live.Info.Group.InConfig)
		}
	}
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestFinalHashEqualsLive checks that the hash of the rebuilt final state
// is the one the live system reported, from the snapshot plus tail and
// from an empty state alike.
func TestFinalHashEqualsLive(t *testing.T) {
	res := playScenario(t)
	r := openReader(t, res.Dir)
	rb, err := Final(r)
	if err != nil {
		t.Fatal(err)
	}
	if !rb.FromSnapshot {
		t.Errorf("Final did not start from the snapshot the system took when it stopped")
	}
	if got := rb.State.Hash(); got != res.StateHash {
		t.Errorf("final hash %s; live %s", got, res.StateHash)
	}
	scratch, err := FromScratch(r)
	if err != nil {
		t.Fatal(err)
	}
	if got := scratch.State.Hash(); got != res.StateHash {
		t.Errorf("from-scratch hash %s; live %s", got, res.StateHash)
	}
	if rb.Rejected != 0 || scratch.Rejected != 0 {
		t.Errorf("rejected events: %d from snapshot, %d from scratch; want none", rb.Rejected, scratch.Rejected)
	}
}

// TestCompactedJournal plays the scenario into small segments and lets
// retention compact the front away: the note says where the log starts,
// moments after the snapshot still rebuild, and earlier ones are refused
// with the earliest moment that can be shown.
func TestCompactedJournal(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "journal")
	res := audittest.Run(t, dir, audittest.Options{SegmentSize: 2048, Compact: true})
	r := openReader(t, dir)
	c, _, err := ReadCompaction(r)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Compacted() || c.SnapshotIndex < c.FirstIndex-1 {
		t.Fatalf("compaction %+v: want a compacted log whose snapshot covers the removed records", c)
	}
	if c.Note() == "" {
		t.Fatal("no compaction note")
	}
	last := res.Moments[len(res.Moments)-1]
	rb, err := At(r, last.Time)
	if err != nil {
		t.Fatal(err)
	}
	compareMoment(t, NewStateView(rb, nil), last)
	_, err = At(r, res.Moments[0].Time)
	if !errors.Is(err, ErrTooEarly) {
		t.Fatalf("At before the compacted part: %v; want ErrTooEarly", err)
	}
	fin, err := Final(r)
	if err != nil {
		t.Fatal(err)
	}
	if got := fin.State.Hash(); got != res.StateHash {
		t.Errorf("final hash of compacted journal %s; live %s", got, res.StateHash)
	}
	var first uint64
	if err := Scan(r, Filter{}, func(rec Record) error {
		if first == 0 {
			first = rec.Index
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if first != c.FirstIndex {
		t.Errorf("first event read %d; log starts at %d", first, c.FirstIndex)
	}
}
