package state

import (
	"time"
)

// JobStatus is the lifecycle status of a job.
type JobStatus string

// Job statuses. Dispatching sits between pending and triggered: the
// dispatcher has journaled its intent to call GitHub but has not yet learned
// the outcome, so at recovery such a job is reconciled before anything is
// sent again.
const (
	StatusPending     JobStatus = "pending"
	StatusDispatching JobStatus = "dispatching"
	StatusTriggered   JobStatus = "triggered"
	StatusRunning     JobStatus = "running"
	StatusCompleted   JobStatus = "completed"
	StatusFailed      JobStatus = "failed"
	StatusCancelled   JobStatus = "cancelled"
)

// Terminal reports whether a job in this status will never change again.
func (s JobStatus) Terminal() bool {
	return s == StatusCompleted || s == StatusFailed || s == StatusCancelled
}

// Active reports whether the job has been handed to GitHub and not finished.
func (s JobStatus) Active() bool {
	return s == StatusDispatching || s == StatusTriggered || s == StatusRunning
}

// Valid reports whether s is a known status.
func (s JobStatus) Valid() bool {
	switch s {
	case StatusPending, StatusDispatching, StatusTriggered, StatusRunning,
		StatusCompleted, StatusFailed, StatusCancelled:
		return true
	}
	return false
}

// Group is a runner pool: the jobs queued for it may only run on runners
// whose labels are a superset of RunnerLabels.
type Group struct {
	ID           string    `json:"id"`
	Name         string    `json:"name"`
	Description  string    `json:"description"`
	RunnerLabels []string  `json:"runner_labels"`
	Weight       int       `json:"weight"`
	Repos        []string  `json:"repos,omitempty"`
	Enabled      bool      `json:"enabled"`
	Paused       bool      `json:"paused"`
	InConfig     bool      `json:"in_config"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// Template is a workflow_dispatch template of a group.
type Template struct {
	ID               string            `json:"id"`
	GroupID          string            `json:"group_id"`
	Name             string            `json:"name"`
	Owner            string            `json:"owner"`
	Repo             string            `json:"repo"`
	WorkflowID       string            `json:"workflow_id"`
	Ref              string            `json:"ref"`
	DefaultInputs    map[string]string `json:"default_inputs"`
	Labels           map[string]string `json:"labels"`
	CorrelationInput string            `json:"correlation_input,omitempty"`
	InConfig         bool              `json:"in_config"`
	SourceType       string            `json:"source_type"`
	SourcePath       string            `json:"source_path"`
	CreatedAt        time.Time         `json:"created_at"`
	UpdatedAt        time.Time         `json:"updated_at"`
}

// Job is a queued or executed dispatch. Zero times mean "not set"; the API
// layer renders them as null.
type Job struct {
	ID           string            `json:"id"`
	GroupID      string            `json:"group_id"`
	TemplateID   string            `json:"template_id,omitempty"`
	Priority     int               `json:"priority,omitempty"`
	Position     int64             `json:"position"`
	Status       JobStatus         `json:"status"`
	Paused       bool              `json:"paused,omitempty"`
	AutoRequeue  bool              `json:"auto_requeue,omitempty"`
	RequeueLimit *int              `json:"requeue_limit,omitempty"`
	RequeueCount int               `json:"requeue_count,omitempty"`
	Inputs       map[string]string `json:"inputs,omitempty"`
	CreatedBy    string            `json:"created_by"`
	CreatedAt    time.Time         `json:"created_at"`
	UpdatedAt    time.Time         `json:"updated_at"`

	// Overrides: nil means "use the template"; for manual jobs they hold the
	// workflow coordinates.
	Name       *string           `json:"name,omitempty"`
	Owner      *string           `json:"owner,omitempty"`
	Repo       *string           `json:"repo,omitempty"`
	WorkflowID *string           `json:"workflow_id,omitempty"`
	Ref        *string           `json:"ref,omitempty"`
	Labels     map[string]string `json:"labels,omitempty"`

	// Dispatch and run tracking.
	DispatchKey   string    `json:"dispatch_key,omitempty"`
	DispatchingAt time.Time `json:"dispatching_at,omitzero"`
	TriggeredAt   time.Time `json:"triggered_at,omitzero"`
	RunID         int64     `json:"run_id,omitempty"`
	RunURL        string    `json:"run_url,omitempty"`
	RunnerID      int64     `json:"runner_id,omitempty"`
	RunnerName    string    `json:"runner_name,omitempty"`
	StartedAt     time.Time `json:"started_at,omitzero"`
	CompletedAt   time.Time `json:"completed_at,omitzero"`
	ErrorMessage  string    `json:"error_message,omitempty"`
	Conclusion    string    `json:"conclusion,omitempty"`
	// CancelRequested is set when an operator cancelled a job whose GitHub
	// run still has to be cancelled (or whose run id is not known yet).
	CancelRequested bool `json:"cancel_requested,omitempty"`

	// PreviousJobID links an auto-requeued job to the job it was requeued
	// from, so a chain of generations can be followed.
	PreviousJobID string `json:"previous_job_id,omitempty"`

	// rev is the journal index of the last event that changed the job (the
	// snapshot's index for a job restored from one). A job's content is a
	// function of the journal prefix, so (ID, rev) names one content and
	// readers may cache what they derive from it. Zero means unknown (a
	// state applied without indexes) and must not be cached. Not part of
	// the job's JSON, so neither hashes nor snapshots see it.
	rev uint64
}

// Rev returns the journal index of the job's last change, or 0 when unknown.
func (j *Job) Rev() uint64 { return j.rev }

// Clone returns a deep copy of j, safe to modify and hand to another
// goroutine.
func (j *Job) Clone() *Job {
	c := *j
	c.Inputs = cloneMap(j.Inputs)
	c.Labels = cloneMap(j.Labels)
	if j.RequeueLimit != nil {
		v := *j.RequeueLimit
		c.RequeueLimit = &v
	}
	c.Name = cloneStr(j.Name)
	c.Owner = cloneStr(j.Owner)
	c.Repo = cloneStr(j.Repo)
	c.WorkflowID = cloneStr(j.WorkflowID)
	c.Ref = cloneStr(j.Ref)
	return &c
}

// Session is a login session. Only the SHA-256 of the token is kept.
type Session struct {
	TokenHash string    `json:"token_hash"`
	ID        string    `json:"id"`
	UserID    string    `json:"user_id"`
	Username  string    `json:"username"`
	Role      string    `json:"role"`
	Provider  string    `json:"provider"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// User is a GitHub-authenticated user remembered across restarts. Basic users
// come from config and are not journaled.
type User struct {
	ID        string    `json:"id"`
	Username  string    `json:"username"`
	Role      string    `json:"role"`
	Provider  string    `json:"auth_provider"`
	GitHubID  string    `json:"github_id,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Runner is a self-hosted runner as last observed on GitHub.
type Runner struct {
	ID         int64     `json:"id"`
	Name       string    `json:"name"`
	OS         string    `json:"os"`
	Labels     []string  `json:"labels"`
	Status     string    `json:"status"` // online | offline
	Busy       bool      `json:"busy"`
	Scope      string    `json:"scope,omitempty"` // org/NAME or repo/OWNER/NAME
	LastSeenAt time.Time `json:"last_seen_at"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

func cloneMap(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	c := make(map[string]string, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

func cloneStr(s *string) *string {
	if s == nil {
		return nil
	}
	v := *s
	return &v
}

func strPtr(s string) *string { return &s }
