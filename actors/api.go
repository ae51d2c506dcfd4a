package actors

import (
	"time"

	"github.com/dispatchoor/dispatchoor/actors/state"
)

// Who is the identity a command is made under: a username (or a system
// actor such as state.ActorDispatcher) and the client IP, both journaled.
type Who struct {
	Username string
	IP       string
}

// JobInfo is a job as the API shows it: the job plus why it is
// still waiting and when it is expected to start.
type JobInfo struct {
	// Job is shared with the group's partition, where jobs are
	// copy-on-write: it never changes, and readers must not change it.
	Job *state.Job
	// PendingReason is set for pending jobs: "group paused", "job paused",
	// "no matching runner online", "3 matching runners busy", "2 jobs
	// ahead", "GitHub rate-limited until 14:05:00Z", ...
	PendingReason string
	// ETA is the expected start of a pending job, zero when unknown.
	ETA time.Time
}

// GroupInfo is a group with its counters (GroupWithStats in the API).
type GroupInfo struct {
	Group         state.Group
	QueuedJobs    int
	RunningJobs   int
	TemplateCount int
	IdleRunners   int
	BusyRunners   int
	TotalRunners  int
}

// ReloadResult reports one group of a template reload.
type ReloadResult struct {
	GroupID   string `json:"group_id"`
	Templates int    `json:"templates"`
}

// Status is what /api/v1/status reports about the journal and state.
type Status struct {
	JournalFirstIndex uint64
	JournalLastIndex  uint64
	JournalBytes      int64
	LastSnapshotIndex uint64
	LastSnapshotAt    time.Time
	StateHash         string
	Pending           int
	Dispatching       int
	Triggered         int
	Running           int
	StartedAt         time.Time
}
