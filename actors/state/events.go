package state

import (
	"encoding/json"
	"fmt"
	"time"
)

// Type names an event. The names are part of the journal format: never
// rename one, only add.
type Type string

// Group partition events.
const (
	GroupConfigured   Type = "group_configured"     // Group, Templates: created or updated from config
	GroupRemoved      Type = "group_removed"        // the group left the config: kept for history, never dispatched
	GroupPaused       Type = "group_paused"         //
	GroupUnpaused     Type = "group_unpaused"       //
	JobEnqueued       Type = "job_enqueued"         // Job: the full new job (also auto-requeues)
	JobUpdated        Type = "job_updated"          // JobID, Patch
	JobRemoved        Type = "job_removed"          // JobID
	JobsReordered     Type = "jobs_reordered"       // JobIDs in their new order, Positions
	JobPaused         Type = "job_paused"           // JobID
	JobUnpaused       Type = "job_unpaused"         // JobID
	JobRequeueSet     Type = "job_requeue_set"      // JobID, AutoRequeue, RequeueLimit
	JobDispatching    Type = "job_dispatching"      // JobID, DispatchKey, RunnerID (the runner reserved)
	JobDispatchUndone Type = "job_dispatch_undone"  // JobID: GitHub confirmed no run exists; back to pending
	JobTriggered      Type = "job_triggered"        // JobID, RunID (0 = not known yet), RunURL
	JobRunLinked      Type = "job_run_linked"       // JobID, RunID, RunURL: run found after the trigger
	JobRunning        Type = "job_running"          // JobID, RunnerID, RunnerName
	JobCancelRequest  Type = "job_cancel_requested" // JobID: the GitHub run must be cancelled
	JobFinished       Type = "job_finished"         // JobID, Status (terminal), Error, Conclusion
	HistoryPruned     Type = "history_pruned"       // JobIDs removed by retention
)

// Auth partition events.
const (
	SessionCreated  Type = "session_created"  // Session
	SessionRevoked  Type = "session_revoked"  // TokenHash
	SessionsRevoked Type = "sessions_revoked" // Username: every session of a user (removed from config, role changed)
	SessionsExpired Type = "sessions_expired" // Time: every session with ExpiresAt <= Time
	UserUpserted    Type = "user_upserted"    // User (GitHub sign-in)
)

// Runner partition events: the leader's poller journals what it observed so
// that every node (and the audit) sees the same runner state.
const (
	RunnersObserved Type = "runners_observed" // Runners: changed or new; RunnerIDs: gone
)

// System identifies a part of the system acting on its own behalf.
const (
	ActorSystem     = "system"
	ActorDispatcher = "system:dispatcher"
	ActorTracker    = "system:tracker"
	ActorPoller     = "system:poller"
	ActorConfig     = "system:config"
	ActorRetention  = "system:retention"
)

// Event is one change of state. Only the fields its Type documents are set.
// Time and ids are decided before the event is journaled, never in Apply.
type Event struct {
	Type   Type      `json:"type"`
	Time   time.Time `json:"time"`
	Actor  string    `json:"actor"`
	IP     string    `json:"ip,omitempty"`
	Reason string    `json:"reason,omitempty"`

	GroupID string `json:"group_id,omitempty"`
	JobID   string `json:"job_id,omitempty"`

	Job       *Job       `json:"job,omitempty"`
	Patch     *JobPatch  `json:"patch,omitempty"`
	JobIDs    []string   `json:"job_ids,omitempty"`
	Positions []int64    `json:"positions,omitempty"`
	Group     *Group     `json:"group,omitempty"`
	Templates []Template `json:"templates,omitempty"`

	DispatchKey  string    `json:"dispatch_key,omitempty"`
	RunID        int64     `json:"run_id,omitempty"`
	RunURL       string    `json:"run_url,omitempty"`
	RunnerID     int64     `json:"runner_id,omitempty"`
	RunnerName   string    `json:"runner_name,omitempty"`
	Status       JobStatus `json:"status,omitempty"`
	Error        string    `json:"error,omitempty"`
	Conclusion   string    `json:"conclusion,omitempty"`
	AutoRequeue  *bool     `json:"auto_requeue,omitempty"`
	RequeueLimit *int      `json:"requeue_limit,omitempty"`

	Session   *Session `json:"session,omitempty"`
	TokenHash string   `json:"token_hash,omitempty"`
	Username  string   `json:"username,omitempty"`
	User      *User    `json:"user,omitempty"`

	Runners   []Runner `json:"runners,omitempty"`
	RunnerIDs []int64  `json:"runner_ids,omitempty"`
}

// JobPatch is the part of a pending job an operator may change (spec §5,
// PUT /jobs/{id}). Status, run ids, timestamps and counters are deliberately
// absent: no client can set them.
type JobPatch struct {
	Inputs     map[string]string `json:"inputs,omitempty"`
	SetInputs  bool              `json:"set_inputs,omitempty"`
	Name       *string           `json:"name,omitempty"`
	Owner      *string           `json:"owner,omitempty"`
	Repo       *string           `json:"repo,omitempty"`
	WorkflowID *string           `json:"workflow_id,omitempty"`
	Ref        *string           `json:"ref,omitempty"`
	Labels     map[string]string `json:"labels,omitempty"`
	SetLabels  bool              `json:"set_labels,omitempty"`
	Priority   *int              `json:"priority,omitempty"`
}

// Partition names the part of the state an event belongs to.
func (e *Event) Partition() string {
	switch {
	case e.GroupID != "":
		return "group:" + e.GroupID
	case e.Type == RunnersObserved:
		return "runners"
	default:
		return "auth"
	}
}

// Encode serialises an event for the journal.
func (e *Event) Encode() ([]byte, error) {
	b, err := json.Marshal(e)
	if err != nil {
		return nil, fmt.Errorf("encode %s event: %w", e.Type, err)
	}
	return b, nil
}

// DecodeEvent parses a journal record. A record that does not decode is
// corruption, not a failed command: callers stop rather than skip it.
func DecodeEvent(b []byte) (*Event, error) {
	var e Event
	if err := json.Unmarshal(b, &e); err != nil {
		return nil, fmt.Errorf("decode event: %w", err)
	}
	if e.Type == "" {
		return nil, fmt.Errorf("decode event: missing type")
	}
	return &e, nil
}
