package audit

import (
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/dispatchoor/dispatchoor/actors/state"
)

// Page limits of Audit.
const (
	DefaultLimit = 100
	MaxLimit     = 500
)

// Query selects a page of the audit log.
type Query struct {
	Filter
	// Limit is 1..MaxLimit; 0 means DefaultLimit.
	Limit int
	// Cursor is the NextCursor of the previous page, "" for the first.
	Cursor string
}

// Page is one page of the audit log, newest event first.
type Page struct {
	Entries []Entry
	// NextCursor continues after the last entry; "" on the last page.
	NextCursor string
}

// Audit returns the newest events matching q.Filter, newest first, one
// page at a time. Newest first suits an audit (the latest is what one looks
// for) and keeps paging stable: events appended meanwhile get higher
// indexes and never shift a later page.
func (x *Index) Audit(ctx context.Context, q Query) (Page, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	limit = min(limit, MaxLimit)
	before, err := decodeCursor(q.Cursor)
	if err != nil {
		return Page{}, err
	}
	if err := x.sync(ctx); err != nil {
		return Page{}, err
	}
	x.mu.RLock()
	picked := x.pick(&q.Filter, before, limit+1)
	x.mu.RUnlock()
	var page Page
	if len(picked) > limit {
		picked = picked[:limit]
		page.NextCursor = encodeCursor(picked[limit-1].index)
	}
	events, err := x.events(picked)
	if err != nil {
		return Page{}, err
	}
	page.Entries = make([]Entry, 0, len(picked))
	for _, m := range picked {
		e := events[m.index]
		if e == nil {
			continue // compacted away while the page was read
		}
		if m.job != "" {
			page.Entries = append(page.Entries, JobEntry(m.index, e, m.job))
		} else {
			page.Entries = append(page.Entries, NewEntry(m.index, e))
		}
	}
	return page, nil
}

// pick chooses up to n events below index before (0: no bound) that match
// f, newest first. Caller holds mu.
func (x *Index) pick(f *Filter, before uint64, n int) []member {
	var out []member
	match := x.rowMatcher(f)
	if match == nil {
		return nil // a filter value no event carries
	}
	if f.Job != "" {
		list := x.jobs.lineageEvents(f.Job)
		for i := len(list) - 1; i >= 0 && len(out) < n; i-- {
			m := list[i]
			if before != 0 && m.index >= before {
				continue
			}
			if r, ok := x.rows.get(m.index); ok && match(&r) {
				out = append(out, m)
			}
		}
		return out
	}
	top := x.rows.last()
	if before != 0 && before <= top {
		top = before - 1
	}
	for idx := top; idx >= x.rows.base && idx > 0 && len(out) < n; idx-- {
		if r, ok := x.rows.get(idx); ok && match(&r) {
			out = append(out, member{index: idx})
		}
	}
	return out
}

// rowMatcher compiles f's conditions on rows (all but Job). It returns nil
// when a condition names a value no indexed event has, so nothing matches.
func (x *Index) rowMatcher(f *Filter) func(*row) bool {
	ids := func(values []string) ([]uint32, bool) {
		var out []uint32
		for _, v := range values {
			if id, ok := x.strs.lookup(v); ok {
				out = append(out, id)
			}
		}
		return out, len(values) == 0 || len(out) > 0
	}
	types, ok1 := ids(typeStrings(f.Types))
	groups, ok2 := ids(f.Groups)
	actors := x.actorIDs(f.Actors)
	if !ok1 || !ok2 || (len(f.Actors) > 0 && len(actors) == 0) {
		return nil
	}
	since, until := int64(0), int64(0)
	if !f.Since.IsZero() {
		since = f.Since.UnixNano()
	}
	if !f.Until.IsZero() {
		until = f.Until.UnixNano()
	}
	return func(r *row) bool {
		return (since == 0 || r.time >= since) && (until == 0 || r.time <= until) &&
			(len(types) == 0 || slices.Contains(types, r.typ)) &&
			(len(groups) == 0 || slices.Contains(groups, r.group)) &&
			(len(actors) == 0 || slices.Contains(actors, r.actor))
	}
}

// actorIDs resolves actor filters, "system" standing for every system part.
func (x *Index) actorIDs(values []string) []uint32 {
	var out []uint32
	for _, v := range values {
		if id, ok := x.strs.lookup(v); ok {
			out = append(out, id)
		}
		if v == state.ActorSystem {
			for id, s := range x.strs.strs {
				if strings.HasPrefix(s, state.ActorSystem+":") {
					out = append(out, uint32(id))
				}
			}
		}
	}
	return out
}

func typeStrings(ts []state.Type) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = string(t)
	}
	return out
}

// JobEvents returns the timeline of a job, oldest first: its own events and
// those of every generation linked to it by auto-requeue. Each entry's
// JobID names the generation it concerns.
func (x *Index) JobEvents(ctx context.Context, jobID string) ([]Entry, error) {
	if err := x.sync(ctx); err != nil {
		return nil, err
	}
	x.mu.RLock()
	list := x.jobs.lineageEvents(jobID)
	x.mu.RUnlock()
	if len(list) == 0 {
		return nil, errNoJob(jobID)
	}
	events, err := x.events(list)
	if err != nil {
		return nil, err
	}
	out := make([]Entry, 0, len(list))
	for _, m := range list {
		if e := events[m.index]; e != nil {
			out = append(out, JobEntry(m.index, e, m.job))
		}
	}
	return out, nil
}

// Cursors are opaque to clients; inside, "b" and the index the next page
// stays below.
func encodeCursor(before uint64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("b" + strconv.FormatUint(before, 10)))
}

func decodeCursor(c string) (uint64, error) {
	if c == "" {
		return 0, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(raw) < 2 || raw[0] != 'b' {
		return 0, fmt.Errorf("%w: %q", ErrBadCursor, c)
	}
	n, err := strconv.ParseUint(string(raw[1:]), 10, 64)
	if err != nil || n == 0 {
		return 0, fmt.Errorf("%w: %q", ErrBadCursor, c)
	}
	return n, nil
}
