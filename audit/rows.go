package audit

import "slices"

// row is what the index keeps of one event: enough to filter on without
// reading the log. Strings are interned, so a row is 24 bytes and a million
// events take about 24 MB.
type row struct {
	time  int64  // Unix nanoseconds
	typ   uint32 // interned; 0 marks an index not seen yet
	actor uint32
	ip    uint32
	group uint32
}

func (r *row) filled() bool { return r.typ != 0 }

// rowTable holds rows for a dense run of journal indexes, base first.
// Events may arrive out of index order (partitions commit independently),
// so it grows with empty rows that later arrivals fill.
type rowTable struct {
	base uint64 // index of rows[0]: the log's first index
	rows []row
}

// set stores r at index idx and reports whether it was new: a row seen
// twice (start-up scan and live feed overlap) is kept once, and one below
// base (compacted away) not at all.
func (t *rowTable) set(idx uint64, r row) bool {
	if idx < t.base {
		return false
	}
	pos := idx - t.base
	if pos >= uint64(len(t.rows)) {
		t.rows = slices.Grow(t.rows, int(pos)+1-len(t.rows))
		t.rows = t.rows[:pos+1]
	} else if t.rows[pos].filled() {
		return false
	}
	t.rows[pos] = r
	return true
}

func (t *rowTable) get(idx uint64) (row, bool) {
	if idx < t.base || idx-t.base >= uint64(len(t.rows)) {
		return row{}, false
	}
	r := t.rows[idx-t.base]
	return r, r.filled()
}

// last is the highest index stored, 0 if none.
func (t *rowTable) last() uint64 {
	if len(t.rows) == 0 {
		return 0
	}
	return t.base + uint64(len(t.rows)) - 1
}

// trim drops rows below first, after compaction removed their records.
func (t *rowTable) trim(first uint64) {
	if first <= t.base {
		return
	}
	n := min(first-t.base, uint64(len(t.rows)))
	// Copy, so the dropped rows' memory is released.
	t.rows = append([]row(nil), t.rows[n:]...)
	t.base = first
}

// interner maps strings to small ids; id 0 is "".
type interner struct {
	ids  map[string]uint32
	strs []string
}

func newInterner() *interner {
	return &interner{ids: map[string]uint32{"": 0}, strs: []string{""}}
}

// id returns the id of b's string, adding it if new. Looking up existing
// strings by their bytes does not allocate.
func (in *interner) id(b []byte) uint32 {
	if id, ok := in.ids[string(b)]; ok {
		return id
	}
	s := string(b)
	id := uint32(len(in.strs))
	in.ids[s] = id
	in.strs = append(in.strs, s)
	return id
}

// lookup returns the id of s without adding it; ok is false for a string
// no event carries.
func (in *interner) lookup(s string) (uint32, bool) {
	id, ok := in.ids[s]
	return id, ok
}

func (in *interner) str(id uint32) string { return in.strs[id] }
