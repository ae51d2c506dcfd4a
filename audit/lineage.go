package audit

// lineage links the generations of auto-requeued jobs: a requeued job
// names the job it was requeued from in previous_job_id.
type lineage struct {
	prev map[string]string
	next map[string][]string
}

func newLineage() *lineage {
	return &lineage{prev: map[string]string{}, next: map[string][]string{}}
}

// link records that id was requeued from prev. Repeats are ignored, so a
// record seen twice (start-up scan and live feed) links once.
func (l *lineage) link(prev, id string) {
	if prev == "" || id == "" || l.prev[id] == prev {
		return
	}
	l.prev[id] = prev
	l.next[prev] = append(l.next[prev], id)
}

// members returns every job linked to id through any number of
// generations, both ways, id first.
func (l *lineage) members(id string) []string {
	seen := map[string]bool{id: true}
	out := []string{id}
	for i := 0; i < len(out); i++ {
		cur := out[i]
		var near []string
		if p := l.prev[cur]; p != "" {
			near = append(near, p)
		}
		near = append(near, l.next[cur]...)
		for _, n := range near {
			if !seen[n] {
				seen[n] = true
				out = append(out, n)
			}
		}
	}
	return out
}
