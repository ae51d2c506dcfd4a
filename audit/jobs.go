package audit

import (
	"slices"
)

// jobTable maps every job to the journal indexes of the events that name
// it, and links the generations of auto-requeued jobs, so a job's whole
// timeline is found without reading the log.
type jobTable struct {
	jobs  map[string]*[]uint64 // ascending indexes
	links *lineage
}

func newJobTable() *jobTable {
	return &jobTable{jobs: map[string]*[]uint64{}, links: newLineage()}
}

// add records the event at index. Looking a job up by its bytes does not
// allocate; only a job seen for the first time costs its key.
func (t *jobTable) add(index uint64, h *header) {
	if len(h.Previous) > 0 {
		t.links.link(string(h.Previous), string(h.NewJob))
	}
	h.jobs(func(id []byte) {
		list := t.jobs[string(id)]
		if list == nil {
			list = new([]uint64)
			t.jobs[string(id)] = list
		}
		*list = insertSorted(*list, index)
	})
}

// member is an event of a job's lineage: its index, and the generation it
// concerns.
type member struct {
	index uint64
	job   string
}

// lineageEvents lists the events of every generation linked to jobID,
// ascending and each once.
func (t *jobTable) lineageEvents(jobID string) []member {
	var out []member
	for _, id := range t.links.members(jobID) {
		if list := t.jobs[id]; list != nil {
			for _, idx := range *list {
				out = append(out, member{index: idx, job: id})
			}
		}
	}
	slices.SortFunc(out, func(a, b member) int {
		switch {
		case a.index < b.index:
			return -1
		case a.index > b.index:
			return 1
		}
		return 0
	})
	return slices.CompactFunc(out, func(a, b member) bool { return a.index == b.index })
}

// forgetBefore drops the indexes below first, after compaction. Links stay:
// they are small and still connect the generations that remain.
func (t *jobTable) forgetBefore(first uint64) {
	for id, list := range t.jobs {
		i, _ := slices.BinarySearch(*list, first)
		switch {
		case i == len(*list):
			delete(t.jobs, id)
		case i > 0:
			*list = append([]uint64(nil), (*list)[i:]...)
		}
	}
}

// insertSorted adds idx to an ascending list; events nearly always arrive
// in order, so this is an append.
func insertSorted(list []uint64, idx uint64) []uint64 {
	n := len(list)
	if n == 0 || list[n-1] < idx {
		return append(list, idx)
	}
	i, found := slices.BinarySearch(list, idx)
	if found {
		return list
	}
	return slices.Insert(list, i, idx)
}
