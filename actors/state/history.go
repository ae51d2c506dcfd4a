package state

import (
	"encoding/base64"
	"sort"
	"strings"
	"time"
)

// MaxHistoryLimit is the largest page GET /groups/{id}/history returns.
const MaxHistoryLimit = 100

// HistoryPage returns one page of the group's finished jobs, newest
// completion first (spec §5.3, with the fixes documented on HistoryQuery).
//
// The cursor is the (completed_at, id) of the last job of the previous page,
// so jobs that finished in the same instant are split across pages without
// being skipped or repeated. A page costs a binary search plus a walk over
// the jobs it returns (and over the ones the filters reject); TotalCount
// walks the whole history only when a filter is set.
//
// The returned jobs are copies, safe to hand to another goroutine.
func (g *GroupState) HistoryPage(q HistoryQuery) (HistoryPage, error) {
	if q.Limit < 1 || q.Limit > MaxHistoryLimit {
		return HistoryPage{}, invalid("limit must be between 1 and %d", MaxHistoryLimit)
	}
	match, filtered, err := g.historyFilter(q)
	if err != nil {
		return HistoryPage{}, err
	}
	end := len(g.history)
	if q.Before != "" {
		c, err := decodeCursor(q.Before)
		if err != nil {
			return HistoryPage{}, err
		}
		// First index at or after the cursor: everything below it is older.
		end = sort.Search(len(g.history), func(i int) bool { return !c.after(g.history[i]) })
	}

	page := HistoryPage{TotalCount: len(g.history)}
	if filtered {
		page.TotalCount = 0
		for _, j := range g.history {
			if match(j) {
				page.TotalCount++
			}
		}
	}
	for i := end - 1; i >= 0; i-- {
		j := g.history[i]
		if !match(j) {
			continue
		}
		if len(page.Jobs) == q.Limit {
			page.HasMore = true
			break
		}
		page.Jobs = append(page.Jobs, j.Clone())
	}
	if n := len(page.Jobs); n > 0 {
		page.NextCursor = encodeCursor(page.Jobs[n-1])
	}
	return page, nil
}

// historyFilter turns the query's status and label filters into a
// predicate. filtered is false when the predicate accepts every history job,
// which lets TotalCount skip its scan. Template labels are matched once per
// query rather than once per job: most jobs carry no labels of their own.
func (g *GroupState) historyFilter(q HistoryQuery) (match func(*Job) bool, filtered bool, err error) {
	var want [3]bool // indexed by statusIndex
	for _, s := range q.Statuses {
		i := statusIndex(s)
		if i < 0 {
			return nil, false, invalid("invalid status %q: must be completed, failed or cancelled", s)
		}
		want[i] = true
	}
	if len(q.Statuses) == 0 {
		want = [3]bool{true, true, true}
	}
	labels := make([][2]string, 0, len(q.Labels))
	for k, v := range q.Labels {
		labels = append(labels, [2]string{k, v})
	}
	templateMatches := make(map[string]bool, len(g.Templates))
	for id, t := range g.Templates {
		templateMatches[id] = labelsMatch(t.Labels, labels)
	}
	match = func(j *Job) bool {
		if i := statusIndex(j.Status); i < 0 || !want[i] {
			return false
		}
		switch {
		case len(labels) == 0:
			return true
		case len(j.Labels) > 0:
			// A job's own labels (manual jobs, overrides) replace its
			// template's. The reference looked at template labels only, so
			// manual jobs could never be found by label.
			return labelsMatch(j.Labels, labels)
		default:
			return templateMatches[j.TemplateID]
		}
	}
	return match, want != [3]bool{true, true, true} || len(labels) > 0, nil
}

func statusIndex(s JobStatus) int {
	switch s {
	case StatusCompleted:
		return 0
	case StatusFailed:
		return 1
	case StatusCancelled:
		return 2
	}
	return -1
}

func labelsMatch(have map[string]string, want [][2]string) bool {
	for _, kv := range want {
		if got, ok := have[kv[0]]; !ok || got != kv[1] {
			return false
		}
	}
	return true
}

// historyCursor is a position in the history order (completed_at, id).
type historyCursor struct {
	at time.Time
	id string
}

// after reports whether the cursor sorts after j in the history order, that
// is whether j belongs to the pages behind the cursor.
func (c historyCursor) after(j *Job) bool {
	if !j.CompletedAt.Equal(c.at) {
		return j.CompletedAt.Before(c.at)
	}
	return j.ID < c.id
}

// encodeCursor makes the opaque cursor that follows j. base64url keeps it
// safe in a query string without escaping. The time keeps its own offset:
// converted to UTC, a completion late on 9999-12-31 west of Greenwich would
// land in year 10000, which RFC 3339 cannot express.
func encodeCursor(j *Job) string {
	raw := j.CompletedAt.Format(time.RFC3339Nano) + "|" + j.ID
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

func decodeCursor(s string) (historyCursor, error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return historyCursor{}, invalid("invalid cursor")
	}
	at, id, ok := strings.Cut(string(raw), "|")
	if !ok || id == "" {
		return historyCursor{}, invalid("invalid cursor")
	}
	t, err := time.Parse(time.RFC3339Nano, at)
	if err != nil {
		return historyCursor{}, invalid("invalid cursor")
	}
	return historyCursor{at: t, id: id}, nil
}

// statsRange is one fixed window of GET /history/stats.
type statsRange struct {
	window  time.Duration
	buckets int
}

const oneDay = 24 * time.Hour

var statsRanges = map[string]statsRange{
	"1h":  {time.Hour, 12},
	"6h":  {6 * time.Hour, 24},
	"24h": {oneDay, 24},
	"7d":  {7 * oneDay, 28},
	"30d": {30 * oneDay, 30},
}

// HistoryStats counts the group's finished jobs per status in time buckets
// ending at now (spec §5.3 stats table). rangeName is one of 1h, 6h, 24h,
// 7d, 30d or auto ("" means auto). Every bucket is present, zero-filled.
//
// Buckets last a whole number of seconds (at least one), as in the
// reference; the few seconds an auto window does not divide into evenly are
// counted in the last bucket rather than dropped.
func (g *GroupState) HistoryStats(rangeName string, now time.Time) (HistoryStats, error) {
	start, n, err := g.statsWindow(rangeName, now)
	if err != nil {
		return HistoryStats{}, err
	}
	d := (now.Sub(start) / time.Duration(n)).Truncate(time.Second)
	if d < time.Second {
		d = time.Second
	}
	st := HistoryStats{Buckets: make([]StatsBucket, n), Start: start, End: now, BucketDuration: d}
	for i := range st.Buckets {
		st.Buckets[i].Timestamp = start.Add(time.Duration(i) * d)
	}
	first := sort.Search(len(g.history), func(i int) bool { return !g.history[i].CompletedAt.Before(start) })
	for _, j := range g.history[first:] {
		if !j.CompletedAt.Before(now) {
			break
		}
		i := min(int(j.CompletedAt.Sub(start)/d), n-1)
		count(&st.Buckets[i], j.Status)
		count(&st.Totals, j.Status)
	}
	return st, nil
}

// statsWindow resolves a range name to its start and bucket count.
func (g *GroupState) statsWindow(rangeName string, now time.Time) (time.Time, int, error) {
	if rangeName == "" || rangeName == "auto" {
		if len(g.history) == 0 {
			return now.Add(-oneDay), 24, nil
		}
		start := g.history[0].CompletedAt.Add(-time.Minute)
		if !start.Before(now) {
			// Completions stamped ahead of this clock (another node's
			// clock): show the last minute rather than an empty window.
			start = now.Add(-time.Minute)
		}
		return start, autoBuckets(now.Sub(start)), nil
	}
	r, ok := statsRanges[rangeName]
	if !ok {
		return time.Time{}, 0, invalid("Invalid range parameter")
	}
	return now.Add(-r.window), r.buckets, nil
}

// autoBuckets is the reference's bucket count for an auto window.
func autoBuckets(span time.Duration) int {
	switch {
	case span > 30*oneDay:
		return 30
	case span > 7*oneDay:
		return 28
	case span > 6*time.Hour:
		return 24
	default:
		return 12
	}
}

func count(b *StatsBucket, s JobStatus) {
	switch s {
	case StatusCompleted:
		b.Completed++
	case StatusFailed:
		b.Failed++
	case StatusCancelled:
		b.Cancelled++
	}
}

// Counts returns the group's queue counters. Every job is pending, active or
// finished, and the pending and history indexes hold exactly the pending and
// finished ones, so the active count needs no scan: GroupWithStats is asked
// for on every dashboard refresh, and a group may keep 100k history jobs.
func (g *GroupState) Counts() GroupCounts {
	return GroupCounts{
		QueuedJobs:    len(g.pending),
		RunningJobs:   len(g.Jobs) - len(g.pending) - len(g.history),
		TemplateCount: len(g.Templates),
	}
}

// Effective returns the workflow coordinates a job is dispatched with: the
// job's override when set and non-empty (an override of "" means "use the
// template"), else its template's value; ref defaults to "main". A job whose
// template is gone gets only its overrides.
func (g *GroupState) Effective(j *Job) (owner, repo, workflowID, ref string) {
	return effective(g.Templates[j.TemplateID], j)
}

// noTemplate stands in for a missing template; it is never written.
var noTemplate Template

// effective is Effective given the job's template (nil: none).
func effective(t *Template, j *Job) (owner, repo, workflowID, ref string) {
	if t == nil || j.TemplateID == "" {
		t = &noTemplate
	}
	owner = override(j.Owner, t.Owner)
	repo = override(j.Repo, t.Repo)
	workflowID = override(j.WorkflowID, t.WorkflowID)
	ref = override(j.Ref, t.Ref)
	if ref == "" {
		ref = "main"
	}
	return owner, repo, workflowID, ref
}

func override(job *string, template string) string {
	if job != nil && *job != "" {
		return *job
	}
	return template
}
