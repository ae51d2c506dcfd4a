package httpd

import (
	"time"

	"github.com/dispatchoor/dispatchoor/actors"
	"github.com/dispatchoor/dispatchoor/actors/state"
)

// The view types below fix the wire format: field order and null semantics
// follow spec §2, independent of how the state package tags its types, so a
// change there cannot silently change the API.

// jobView is a Job as spec §2.3 serialises it, plus the fields this system
// adds at the end.
type jobView struct {
	ID           string            `json:"id"`
	GroupID      string            `json:"group_id"`
	TemplateID   string            `json:"template_id"`
	Priority     int               `json:"priority"`
	Position     int64             `json:"position"`
	Status       state.JobStatus   `json:"status"`
	Paused       bool              `json:"paused"`
	AutoRequeue  bool              `json:"auto_requeue"`
	RequeueLimit *int              `json:"requeue_limit"`
	RequeueCount int               `json:"requeue_count"`
	Inputs       map[string]string `json:"inputs"`
	CreatedBy    string            `json:"created_by"`
	TriggeredAt  *time.Time        `json:"triggered_at"`
	RunID        *int64            `json:"run_id"`
	RunURL       string            `json:"run_url"`
	RunnerID     *int64            `json:"runner_id"`
	RunnerName   string            `json:"runner_name"`
	CompletedAt  *time.Time        `json:"completed_at"`
	ErrorMessage string            `json:"error_message"`
	CreatedAt    time.Time         `json:"created_at"`
	UpdatedAt    time.Time         `json:"updated_at"`
	Name         *string           `json:"name,omitempty"`
	Owner        *string           `json:"owner,omitempty"`
	Repo         *string           `json:"repo,omitempty"`
	WorkflowID   *string           `json:"workflow_id,omitempty"`
	Ref          *string           `json:"ref,omitempty"`
	Labels       map[string]string `json:"labels,omitempty"`

	PendingReason   string     `json:"pending_reason,omitempty"`
	ETA             *time.Time `json:"eta,omitempty"`
	DispatchingAt   *time.Time `json:"dispatching_at,omitempty"`
	StartedAt       *time.Time `json:"started_at,omitempty"`
	DispatchKey     string     `json:"dispatch_key,omitempty"`
	Conclusion      string     `json:"conclusion,omitempty"`
	CancelRequested bool       `json:"cancel_requested,omitempty"`
	PreviousJobID   string     `json:"previous_job_id,omitempty"`
}

func newJobView(info actors.JobInfo) jobView {
	v := jobFields(info.Job)
	v.PendingReason = info.PendingReason
	v.ETA = timePtr(info.ETA)
	return v
}

func jobFields(j *state.Job) jobView {
	return jobView{
		ID:              j.ID,
		GroupID:         j.GroupID,
		TemplateID:      j.TemplateID,
		Priority:        j.Priority,
		Position:        j.Position,
		Status:          j.Status,
		Paused:          j.Paused,
		AutoRequeue:     j.AutoRequeue,
		RequeueLimit:    j.RequeueLimit,
		RequeueCount:    j.RequeueCount,
		Inputs:          j.Inputs,
		CreatedBy:       j.CreatedBy,
		TriggeredAt:     timePtr(j.TriggeredAt),
		RunID:           runID(j),
		RunURL:          j.RunURL,
		RunnerID:        nonZero(j.RunnerID),
		RunnerName:      j.RunnerName,
		CompletedAt:     timePtr(j.CompletedAt),
		ErrorMessage:    j.ErrorMessage,
		CreatedAt:       j.CreatedAt,
		UpdatedAt:       j.UpdatedAt,
		Name:            j.Name,
		Owner:           j.Owner,
		Repo:            j.Repo,
		WorkflowID:      j.WorkflowID,
		Ref:             j.Ref,
		Labels:          j.Labels,
		DispatchingAt:   timePtr(j.DispatchingAt),
		StartedAt:       timePtr(j.StartedAt),
		DispatchKey:     j.DispatchKey,
		Conclusion:      j.Conclusion,
		CancelRequested: j.CancelRequested,
		PreviousJobID:   j.PreviousJobID,
	}
}

// runID keeps the reference's three states: null before the job was ever
// triggered, 0 once triggered but not yet matched to a run, then the id.
func runID(j *state.Job) *int64 {
	if j.RunID != 0 {
		return &j.RunID
	}
	if j.TriggeredAt.IsZero() {
		return nil
	}
	var zero int64
	return &zero
}

// groupView is a Group (spec §2.1).
type groupView struct {
	ID           string    `json:"id"`
	Name         string    `json:"name"`
	Description  string    `json:"description"`
	RunnerLabels []string  `json:"runner_labels"`
	Weight       int       `json:"weight"`
	Enabled      bool      `json:"enabled"`
	Paused       bool      `json:"paused"`
	InConfig     bool      `json:"in_config"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

func newGroupView(g state.Group) groupView {
	return groupView{
		ID:           g.ID,
		Name:         g.Name,
		Description:  g.Description,
		RunnerLabels: nonNilSlice(g.RunnerLabels),
		Weight:       g.Weight,
		Enabled:      g.Enabled,
		Paused:       g.Paused,
		InConfig:     g.InConfig,
		CreatedAt:    g.CreatedAt,
		UpdatedAt:    g.UpdatedAt,
	}
}

// groupStatsView is GroupWithStats (spec §5.3).
type groupStatsView struct {
	groupView
	QueuedJobs    int `json:"queued_jobs"`
	RunningJobs   int `json:"running_jobs"`
	IdleRunners   int `json:"idle_runners"`
	BusyRunners   int `json:"busy_runners"`
	TotalRunners  int `json:"total_runners"`
	TemplateCount int `json:"template_count"`
}

func newGroupStatsView(g actors.GroupInfo) groupStatsView {
	return groupStatsView{
		groupView:     newGroupView(g.Group),
		QueuedJobs:    g.QueuedJobs,
		RunningJobs:   g.RunningJobs,
		IdleRunners:   g.IdleRunners,
		BusyRunners:   g.BusyRunners,
		TotalRunners:  g.TotalRunners,
		TemplateCount: g.TemplateCount,
	}
}

// templateView is a JobTemplate (spec §2.2); the config key `inputs` is
// `default_inputs` on the wire.
type templateView struct {
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

func newTemplateView(t state.Template) templateView {
	return templateView{
		ID:               t.ID,
		GroupID:          t.GroupID,
		Name:             t.Name,
		Owner:            t.Owner,
		Repo:             t.Repo,
		WorkflowID:       t.WorkflowID,
		Ref:              t.Ref,
		DefaultInputs:    nonNilMap(t.DefaultInputs),
		Labels:           nonNilMap(t.Labels),
		CorrelationInput: t.CorrelationInput,
		InConfig:         t.InConfig,
		SourceType:       t.SourceType,
		SourcePath:       t.SourcePath,
		CreatedAt:        t.CreatedAt,
		UpdatedAt:        t.UpdatedAt,
	}
}

// runnerView is a Runner (spec §2.4).
type runnerView struct {
	ID         int64     `json:"id"`
	Name       string    `json:"name"`
	OS         string    `json:"os"`
	Labels     []string  `json:"labels"`
	Status     string    `json:"status"`
	Busy       bool      `json:"busy"`
	Scope      string    `json:"scope,omitempty"`
	LastSeenAt time.Time `json:"last_seen_at"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

func runnerViews(rs []state.Runner) []runnerView {
	out := make([]runnerView, 0, len(rs))
	for _, r := range rs {
		out = append(out, runnerView{
			ID: r.ID, Name: r.Name, OS: r.OS, Labels: nonNilSlice(r.Labels), Status: r.Status,
			Busy: r.Busy, Scope: r.Scope, LastSeenAt: r.LastSeenAt, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
		})
	}
	return out
}

// userView is a User (spec §2.5); the password hash never appears.
type userView struct {
	ID           string    `json:"id"`
	Username     string    `json:"username"`
	Role         string    `json:"role"`
	AuthProvider string    `json:"auth_provider"`
	GitHubID     string    `json:"github_id,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func nonZero(v int64) *int64 {
	if v == 0 {
		return nil
	}
	return &v
}

// nonNilSlice keeps lists as [] on the wire, never null.
func nonNilSlice(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func nonNilMap(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}
