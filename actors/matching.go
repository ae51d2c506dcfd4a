package actors

import (
	"cmp"
	"slices"

	"github.com/dispatchoor/dispatchoor/actors/state"
)

// The dispatcher hands idle runners to waiting jobs with a bipartite
// matching: a runner can serve a group when its labels contain the group's
// (state.Matches), and every group wants as many runners as it has jobs
// ready. A maximum matching dispatches as much as the idle runners can take
// at once and never books one runner twice, also when several groups'
// labels match it.
//
// Which group gets a contested runner is decided by stride scheduling over
// the groups' weights: groups take turns in order of their "pass", and a
// group's pass grows by 1/weight each time it takes a runner another group
// also wanted. Runners only one group can use do not count against its
// share, so a group is never held back on its own runners because it got
// them. The passes persist across decisions, so the shares hold also when
// runners free up one at a time.

// matchRunner is an idle runner offered to the matching.
type matchRunner struct {
	ID     int64
	Labels []string
}

// matchGroup is a group with jobs ready to dispatch.
type matchGroup struct {
	ID     string
	Labels []string
	Weight int
	Demand int // jobs ready, in queue order
}

// sharer keeps the stride passes between decisions. It is owned by the
// dispatcher actor and needs no lock.
type sharer struct {
	pass   map[string]float64
	active map[string]bool // groups that had demand in the previous decision
}

func newSharer() *sharer {
	return &sharer{pass: map[string]float64{}, active: map[string]bool{}}
}

// assign computes a maximum matching of runners to groups and returns the
// runner ids each group got, in ascending order. It is deterministic: ties
// go to the lower group id and the lower runner id.
func (s *sharer) assign(runners []matchRunner, groups []matchGroup) map[string][]int64 {
	runners = slices.Clone(runners)
	slices.SortFunc(runners, func(a, b matchRunner) int { return cmp.Compare(a.ID, b.ID) })
	groups = slices.Clone(groups)
	slices.SortFunc(groups, func(a, b matchGroup) int { return cmp.Compare(a.ID, b.ID) })

	m := newMatching(runners, groups)
	s.lift(groups, m)

	saturated := make([]bool, len(groups))
	for {
		g := s.next(groups, m, saturated)
		if g < 0 {
			break
		}
		end, ok := m.augment(g)
		if !ok {
			// No augmenting path now means none later in this decision
			// either (a standard property of bipartite matching), so the
			// group is done.
			saturated[g] = true
			continue
		}
		m.count[g]++
		if m.wanted[end] > 1 {
			s.pass[groups[g].ID] += 1 / float64(max(groups[g].Weight, 1))
		}
	}
	s.normalise()

	out := map[string][]int64{}
	for r, g := range m.owner {
		if g >= 0 {
			out[groups[g].ID] = append(out[groups[g].ID], runners[r].ID)
		}
	}
	return out
}

// lift brings a group that starts wanting runners up to the lowest pass
// of the groups already competing, so that time spent idle is not banked
// as credit against the others.
func (s *sharer) lift(groups []matchGroup, m *matching) {
	floor, found := 0.0, false
	for g, grp := range groups {
		if m.wantsAny(g) && s.active[grp.ID] {
			if p := s.pass[grp.ID]; !found || p < floor {
				floor, found = p, true
			}
		}
	}
	active := map[string]bool{}
	for g, grp := range groups {
		if !m.wantsAny(g) {
			continue
		}
		active[grp.ID] = true
		if !s.active[grp.ID] && s.pass[grp.ID] < floor {
			s.pass[grp.ID] = floor
		}
	}
	s.active = active
}

// next picks the unsaturated group with demand left and the lowest pass.
func (s *sharer) next(groups []matchGroup, m *matching, saturated []bool) int {
	best := -1
	for g, grp := range groups {
		if saturated[g] || m.count[g] >= grp.Demand || len(m.adj[g]) == 0 {
			continue
		}
		if best < 0 || s.pass[grp.ID] < s.pass[groups[best].ID] {
			best = g
		}
	}
	return best
}

// normalise keeps the passes small: only their differences matter.
func (s *sharer) normalise() {
	low, found := 0.0, false
	for id := range s.active {
		if p := s.pass[id]; !found || p < low {
			low, found = p, true
		}
	}
	if !found {
		return
	}
	for id := range s.pass {
		s.pass[id] -= low
		if s.pass[id] < 0 {
			s.pass[id] = 0
		}
	}
}

// matching is the working state of one assignment: which group owns which
// runner (by index), how many runners each group holds, and how many
// groups want each runner.
type matching struct {
	adj    [][]int // group index -> runner indexes it may use, preferred first
	owner  []int   // runner index -> group index, -1 when free
	count  []int   // group index -> runners held
	wanted []int   // runner index -> groups with demand that may use it
}

func newMatching(runners []matchRunner, groups []matchGroup) *matching {
	m := &matching{
		adj:    make([][]int, len(groups)),
		owner:  make([]int, len(runners)),
		count:  make([]int, len(groups)),
		wanted: make([]int, len(runners)),
	}
	for r := range m.owner {
		m.owner[r] = -1
	}
	for g, grp := range groups {
		if grp.Demand <= 0 {
			continue
		}
		for r, run := range runners {
			if state.Matches(run.Labels, grp.Labels) {
				m.adj[g] = append(m.adj[g], r)
				m.wanted[r]++
			}
		}
	}
	// Offer each group the runners nobody else wants first: taking them
	// costs no other group anything.
	for g := range m.adj {
		slices.SortStableFunc(m.adj[g], func(a, b int) int { return cmp.Compare(m.wanted[a], m.wanted[b]) })
	}
	return m
}

func (m *matching) wantsAny(g int) bool { return len(m.adj[g]) > 0 }

// augment finds an augmenting path from group g to a free runner and
// flips it, so g holds one more runner and every other group keeps its
// count. It returns the free runner the path ended on.
func (m *matching) augment(g int) (int, bool) {
	visited := make([]bool, len(m.owner))
	end := -1
	var dfs func(g int) bool
	dfs = func(g int) bool {
		for _, r := range m.adj[g] {
			if !visited[r] && m.owner[r] < 0 {
				visited[r] = true
				m.owner[r], end = g, r
				return true
			}
		}
		for _, r := range m.adj[g] {
			if visited[r] {
				continue
			}
			visited[r] = true
			if dfs(m.owner[r]) {
				m.owner[r] = g
				return true
			}
		}
		return false
	}
	if !dfs(g) {
		return -1, false
	}
	return end, true
}
