package state

import "time"

// HistoryQuery selects finished jobs of a group (GET /groups/{id}/history).
type HistoryQuery struct {
	// Limit is 1..100; the API layer defaults it to 50.
	Limit int
	// Before is the cursor from a previous page's NextCursor ("" for the
	// first page). Unlike the reference, the cursor is (completed_at, id),
	// so jobs finishing in the same instant are never skipped.
	Before string
	// Statuses to include; empty means completed, failed and cancelled.
	Statuses []JobStatus
	// Labels that must all match: a job's own labels, or its template's
	// labels when the job has none.
	Labels map[string]string
}

// HistoryPage is one page of history, newest completion first.
type HistoryPage struct {
	Jobs       []*Job
	HasMore    bool
	NextCursor string
	// TotalCount counts every job matching the filters, ignoring the cursor
	// (as the reference does, so "History (N)" stays stable while paging).
	TotalCount int
}

// StatsBucket counts finished jobs per status in one time bucket.
type StatsBucket struct {
	Timestamp time.Time `json:"timestamp"`
	Completed int       `json:"completed"`
	Failed    int       `json:"failed"`
	Cancelled int       `json:"cancelled"`
}

// HistoryStats is the answer of GET /groups/{id}/history/stats.
type HistoryStats struct {
	Buckets        []StatsBucket
	Start, End     time.Time
	BucketDuration time.Duration
	Totals         StatsBucket
}

// GroupCounts are the queue counters of GroupWithStats.
type GroupCounts struct {
	QueuedJobs    int // pending, paused included
	RunningJobs   int // dispatching, triggered and running
	TemplateCount int
}
