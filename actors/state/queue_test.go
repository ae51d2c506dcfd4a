package state

import (
	"math/rand"
	"slices"
	"testing"
)

// TestQueueOrder: higher priority first, then lower position, whatever the
// order of arrival; a priority change moves the job at once.
func TestQueueOrder(t *testing.T) {
	f := newFixture(t)
	var ids []string
	for _, p := range []int{0, 5, 0, -1, 5} {
		ids = append(ids, f.enqueue(AddJob{TemplateID: "t1", Priority: p}).ID)
	}
	want := []string{ids[1], ids[4], ids[0], ids[2], ids[3]}
	if got := pendingIDs(f.g()); !slices.Equal(got, want) {
		t.Fatalf("got %v; want %v", got, want)
	}

	f.must(f.g().Update(f.meta(), ids[3], UpdateJob{Priority: intPtr(9)}))
	want = []string{ids[3], ids[1], ids[4], ids[0], ids[2]}
	if got := pendingIDs(f.g()); !slices.Equal(got, want) {
		t.Fatalf("after raising %s: got %v; want %v", ids[3], got, want)
	}
	assertIndexes(t, f.g())
}

func TestReorderFull(t *testing.T) {
	f := newFixture(t)
	var ids []string
	for range 4 {
		ids = append(ids, f.enqueueT1().ID)
	}
	f.must(f.g().SetPaused(f.meta(), ids[1], true))
	done := f.enqueueT1()
	f.complete(done.ID, StatusCompleted) // holds a position, never reordered

	order := []string{ids[3], ids[1], ids[0], ids[2]}
	f.must(f.g().Reorder(f.meta(), order))
	if got := pendingIDs(f.g()); !slices.Equal(got, order) {
		t.Fatalf("got %v; want %v", got, order)
	}
	for i, id := range order {
		if p := f.g().Jobs[id].Position; p != int64(i) {
			t.Fatalf("job %s: got position %d; want %d", id, p, i)
		}
	}
	// A new job still goes to the back.
	n := f.enqueueT1()
	if got := pendingIDs(f.g()); got[len(got)-1] != n.ID {
		t.Fatalf("got %v; want %s last", got, n.ID)
	}
}

// TestReorderPartial: the listed jobs swap places among the positions they
// held; every other job keeps its place.
func TestReorderPartial(t *testing.T) {
	f := newFixture(t)
	var ids []string
	for range 5 {
		ids = append(ids, f.enqueueT1().ID)
	}
	before := map[string]int64{}
	for _, id := range ids {
		before[id] = f.g().Jobs[id].Position
	}
	f.must(f.g().Reorder(f.meta(), []string{ids[3], ids[1]}))
	want := []string{ids[0], ids[3], ids[2], ids[1], ids[4]}
	if got := pendingIDs(f.g()); !slices.Equal(got, want) {
		t.Fatalf("got %v; want %v", got, want)
	}
	if f.g().Jobs[ids[3]].Position != before[ids[1]] || f.g().Jobs[ids[1]].Position != before[ids[3]] {
		t.Fatalf("the listed jobs did not swap their positions")
	}
	for _, id := range []string{ids[0], ids[2], ids[4]} {
		if f.g().Jobs[id].Position != before[id] {
			t.Fatalf("job %s left out of the list moved", id)
		}
	}
}

// TestPositionsStayUnique drives a group with random queue operations and
// checks after each one that no two pending jobs share a position (a shared
// position would make a later partial reorder of the two a no-op).
func TestPositionsStayUnique(t *testing.T) {
	for seed := int64(1); seed <= 20; seed++ {
		f := newFixture(t)
		rng := rand.New(rand.NewSource(seed))
		for step := range 150 {
			pending := pendingIDs(f.g())
			active := jobIDs(f.g().Active())
			switch op := rng.Intn(7); {
			case op <= 1 || len(pending) == 0:
				f.enqueue(AddJob{TemplateID: "t1", Priority: rng.Intn(3)})
			case op == 2:
				rng.Shuffle(len(pending), func(i, k int) { pending[i], pending[k] = pending[k], pending[i] })
				f.must(f.g().Reorder(f.meta(), pending))
			case op == 3:
				sub := pending[:rng.Intn(len(pending))+1]
				rng.Shuffle(len(sub), func(i, k int) { sub[i], sub[k] = sub[k], sub[i] })
				f.must(f.g().Reorder(f.meta(), sub))
			case op == 4:
				f.dispatch(pending[rng.Intn(len(pending))])
			case op == 5 && len(active) > 0:
				f.apply([]Event{f.handEvent(JobDispatchUndone, active[rng.Intn(len(active))])})
			case op == 6:
				f.must(f.g().Remove(f.meta(), pending[rng.Intn(len(pending))]))
			}
			assertUniquePositions(t, f.g(), seed, step)
			assertIndexes(t, f.g())
		}
	}
}

func assertUniquePositions(tb testing.TB, g *GroupState, seed int64, step int) {
	tb.Helper()
	seen := map[int64]string{}
	for _, j := range g.Pending() {
		if other, dup := seen[j.Position]; dup {
			tb.Fatalf("seed %d step %d: jobs %s and %s share position %d", seed, step, other, j.ID, j.Position)
		}
		seen[j.Position] = j.ID
	}
}
