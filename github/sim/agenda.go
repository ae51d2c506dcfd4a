package sim

import (
	"container/heap"
	"time"
)

// agenda is the simulator's queue of future state changes, ordered by
// virtual time and then by the order they were scheduled. Processing it in
// that order, stamping each change with its own time, is what makes a run
// reproducible regardless of when goroutines wake up.
type agenda struct {
	items agendaHeap
	seq   uint64
}

type agendaItem struct {
	at   time.Time
	seq  uint64
	name string
	fn   func(at time.Time)
}

func (a *agenda) schedule(at time.Time, name string, fn func(at time.Time)) {
	a.seq++
	heap.Push(&a.items, &agendaItem{at: at, seq: a.seq, name: name, fn: fn})
}

// popDue removes and returns the next item due at or before now, or nil.
func (a *agenda) popDue(now time.Time) *agendaItem {
	if len(a.items) == 0 || a.items[0].at.After(now) {
		return nil
	}
	return heap.Pop(&a.items).(*agendaItem)
}

// next returns the time of the earliest item.
func (a *agenda) next() (time.Time, bool) {
	if len(a.items) == 0 {
		return time.Time{}, false
	}
	return a.items[0].at, true
}

func (a *agenda) len() int { return len(a.items) }

type agendaHeap []*agendaItem

func (h agendaHeap) Len() int { return len(h) }
func (h agendaHeap) Less(i, j int) bool {
	if !h[i].at.Equal(h[j].at) {
		return h[i].at.Before(h[j].at)
	}
	return h[i].seq < h[j].seq
}
func (h agendaHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *agendaHeap) Push(x any)   { *h = append(*h, x.(*agendaItem)) }
func (h *agendaHeap) Pop() any {
	old := *h
	n := len(old)
	it := old[n-1]
	old[n-1] = nil
	*h = old[:n-1]
	return it
}
