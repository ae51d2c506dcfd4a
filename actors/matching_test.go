package actors

import (
	"fmt"
	"math/rand"
	"slices"
	"testing"

	"github.com/dispatchoor/dispatchoor/actors/state"
)

func runnersWith(ids []int64, labels ...string) []matchRunner {
	out := make([]matchRunner, 0, len(ids))
	for _, id := range ids {
		out = append(out, matchRunner{ID: id, Labels: labels})
	}
	return out
}

func TestAssignDisjointGroupsFillEveryRunner(t *testing.T) {
	runners := append(runnersWith([]int64{1, 2, 3}, "self-hosted", "sync"), runnersWith([]int64{4, 5}, "self-hosted", "gpu")...)
	got := newSharer().assign(runners, []matchGroup{
		{ID: "sync", Labels: []string{"self-hosted", "sync"}, Weight: 1, Demand: 10},
		{ID: "gpu", Labels: []string{"SELF-HOSTED", "GPU"}, Weight: 1, Demand: 1},
	})
	if want := []int64{1, 2, 3}; !slices.Equal(got["sync"], want) {
		t.Fatalf("sync got %v; want %v", got["sync"], want)
	}
	if len(got["gpu"]) != 1 {
		t.Fatalf("gpu got %v; want exactly its demand of 1 (labels match case-insensitively)", got["gpu"])
	}
}

func TestAssignNeverDoubleBooksContestedRunners(t *testing.T) {
	// Both groups match the gpu runners; only "any" matches the plain ones.
	runners := append(runnersWith([]int64{1, 2}, "self-hosted"), runnersWith([]int64{3, 4}, "self-hosted", "gpu")...)
	got := newSharer().assign(runners, []matchGroup{
		{ID: "any", Labels: []string{"self-hosted"}, Weight: 1, Demand: 10},
		{ID: "gpu", Labels: []string{"self-hosted", "gpu"}, Weight: 1, Demand: 10},
	})
	all := append(slices.Clone(got["any"]), got["gpu"]...)
	slices.Sort(all)
	if !slices.Equal(all, []int64{1, 2, 3, 4}) {
		t.Fatalf("got %v; want every runner used exactly once", got)
	}
	if len(got["gpu"]) != 1 || got["gpu"][0] < 3 {
		t.Fatalf("gpu got %v; want one of the two contested gpu runners (equal weights)", got["gpu"])
	}
}

func TestAssignFindsAugmentingPaths(t *testing.T) {
	runners := []matchRunner{{ID: 1, Labels: []string{"x", "y"}}, {ID: 2, Labels: []string{"x", "z"}}}
	got := newSharer().assign(runners, []matchGroup{
		{ID: "a", Labels: []string{"x"}, Weight: 1, Demand: 1},
		{ID: "b", Labels: []string{"y"}, Weight: 1, Demand: 1},
		{ID: "c", Labels: []string{"z"}, Weight: 1, Demand: 1},
	})
	total := len(got["a"]) + len(got["b"]) + len(got["c"])
	if total != 2 {
		t.Fatalf("got %v; want both runners used", got)
	}
	if !slices.Equal(got["b"], []int64{1}) {
		t.Fatalf("got %v; want b on runner 1: a must be moved to runner 2 to make room", got)
	}
}

func TestAssignSharesContestedRunnersByWeight(t *testing.T) {
	labels := []string{"self-hosted", "pool"}
	groups := []matchGroup{
		{ID: "heavy", Labels: labels, Weight: 3, Demand: 1000},
		{ID: "light", Labels: labels, Weight: 1, Demand: 1000},
	}
	got := newSharer().assign(runnersWith([]int64{1, 2, 3, 4, 5, 6, 7, 8}, labels...), groups)
	if len(got["heavy"]) != 6 || len(got["light"]) != 2 {
		t.Fatalf("one decision over 8 runners: got heavy %d, light %d; want 6 and 2", len(got["heavy"]), len(got["light"]))
	}

	// Runners freeing one at a time: the passes carry the shares across
	// decisions.
	s := newSharer()
	counts := map[string]int{}
	for i := range 400 {
		for id := range s.assign(runnersWith([]int64{int64(i)}, labels...), groups) {
			counts[id]++
		}
	}
	if counts["heavy"] != 300 || counts["light"] != 100 {
		t.Fatalf("400 single-runner decisions: got %v; want heavy 300, light 100", counts)
	}
}

func TestAssignDoesNotBankIdleTime(t *testing.T) {
	labels := []string{"pool"}
	s := newSharer()
	both := []matchGroup{{ID: "a", Labels: labels, Weight: 1, Demand: 1000}, {ID: "b", Labels: labels, Weight: 1, Demand: 1000}}
	onlyA := []matchGroup{both[0], {ID: "b", Labels: labels, Weight: 1}}
	for i := range 50 {
		s.assign(runnersWith([]int64{int64(i)}, labels...), onlyA)
	}
	counts := map[string]int{}
	for i := range 20 {
		for id := range s.assign(runnersWith([]int64{int64(100 + i)}, labels...), both) {
			counts[id]++
		}
	}
	if counts["a"] != 10 || counts["b"] != 10 {
		t.Fatalf("after b was idle: got %v; want 10 each, not b catching up on 50 decisions", counts)
	}
}

func TestAssignSkipsGroupsWithoutDemandOrRunners(t *testing.T) {
	got := newSharer().assign(runnersWith([]int64{1}, "x"), []matchGroup{
		{ID: "none", Labels: []string{"x"}, Weight: 1, Demand: 0},
		{ID: "nomatch", Labels: []string{"y"}, Weight: 1, Demand: 5},
	})
	if len(got) != 0 {
		t.Fatalf("got %v; want nothing assigned", got)
	}
}

// TestAssignIsMaximumAndValid checks random instances against an
// independent maximum matching, and the rules every assignment must keep.
func TestAssignIsMaximumAndValid(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	vocab := []string{"a", "b", "c", "d"}
	pick := func() []string {
		var out []string
		for _, l := range vocab {
			if rng.Intn(2) == 0 {
				out = append(out, l)
			}
		}
		return out
	}
	s := newSharer()
	for iter := range 2000 {
		var runners []matchRunner
		for i := range rng.Intn(8) {
			runners = append(runners, matchRunner{ID: int64(i + 1), Labels: pick()})
		}
		var groups []matchGroup
		for i := range 1 + rng.Intn(4) {
			groups = append(groups, matchGroup{ID: fmt.Sprintf("g%d", i), Labels: pick(), Weight: 1 + rng.Intn(3), Demand: rng.Intn(4)})
		}
		got := s.assign(runners, groups)
		used := map[int64]bool{}
		total := 0
		for _, g := range groups {
			ids := got[g.ID]
			if len(ids) > g.Demand {
				t.Fatalf("iter %d: group %s got %d runners for a demand of %d", iter, g.ID, len(ids), g.Demand)
			}
			for _, id := range ids {
				if used[id] {
					t.Fatalf("iter %d: runner %d booked twice: %v", iter, id, got)
				}
				used[id] = true
				if !state.Matches(runners[id-1].Labels, g.Labels) {
					t.Fatalf("iter %d: runner %d %v given to %s %v", iter, id, runners[id-1].Labels, g.ID, g.Labels)
				}
			}
			total += len(ids)
		}
		if want := bruteMaxMatching(runners, groups); total != want {
			t.Fatalf("iter %d: matched %d; a maximum matching has %d (runners %v, groups %v)", iter, total, want, runners, groups)
		}
	}
}

// bruteMaxMatching is a plain Kuhn's algorithm over one vertex per job
// slot, with no preferences: the reference the stride assignment must
// equal in size.
func bruteMaxMatching(runners []matchRunner, groups []matchGroup) int {
	var slots [][]int
	for _, g := range groups {
		var adj []int
		for r, run := range runners {
			if state.Matches(run.Labels, g.Labels) {
				adj = append(adj, r)
			}
		}
		for range g.Demand {
			slots = append(slots, adj)
		}
	}
	owner := make([]int, len(runners))
	for i := range owner {
		owner[i] = -1
	}
	var try func(s int, seen []bool) bool
	try = func(s int, seen []bool) bool {
		for _, r := range slots[s] {
			if seen[r] {
				continue
			}
			seen[r] = true
			if owner[r] < 0 || try(owner[r], seen) {
				owner[r] = s
				return true
			}
		}
		return false
	}
	n := 0
	for s := range slots {
		if try(s, make([]bool, len(runners))) {
			n++
		}
	}
	return n
}

func BenchmarkAssign(b *testing.B) {
	labels := []string{"self-hosted", "linux", "pool"}
	runners := make([]matchRunner, 200)
	for i := range runners {
		runners[i] = matchRunner{ID: int64(i), Labels: labels}
	}
	groups := make([]matchGroup, 20)
	for i := range groups {
		groups[i] = matchGroup{ID: fmt.Sprintf("g%02d", i), Labels: labels[:1+i%3], Weight: 1 + i%4, Demand: 50}
	}
	s := newSharer()
	b.ReportAllocs()
	for b.Loop() {
		s.assign(runners, groups)
	}
}
