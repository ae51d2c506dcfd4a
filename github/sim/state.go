package sim

import (
	"sort"
	"strings"
	"time"
)

// State is a full dump of the simulator: the true and the reported runner
// state, runs with their jobs, deliveries, rate buckets and armed faults.
// It contains no wall-clock measurements, so two simulators fed the same
// seed and calls on manual clocks dump equal States.
type State struct {
	Now           time.Time       `json:"now"`
	Mode          string          `json:"mode"`
	Runners       []RunnerState   `json:"runners"`
	Runs          []RunState      `json:"runs"`
	Deliveries    []DeliveryState `json:"deliveries"`
	RateBuckets   []BucketState   `json:"rate_buckets"`
	Faults        []FaultState    `json:"faults"`
	PendingEvents int             `json:"pending_events"`
}

// RunnerState shows a runner's truth next to what the API reports.
type RunnerState struct {
	ID        int64    `json:"id"`
	Name      string   `json:"name"`
	Scope     string   `json:"scope"`
	Owner     string   `json:"owner"`
	Repo      string   `json:"repo,omitempty"`
	Group     string   `json:"group,omitempty"`
	Labels    []string `json:"labels"`
	Ephemeral bool     `json:"ephemeral"`
	// Truth.
	Online  bool  `json:"online"`
	JobID   int64 `json:"job_id,omitempty"`
	Running bool  `json:"running"` // false while only reserved (assign delay)
	Retired bool  `json:"retired,omitempty"`
	Stuck   bool  `json:"stuck_busy,omitempty"`
	// Reported by the REST API.
	Status string `json:"status"`
	Busy   bool   `json:"busy"`
}

// RunState is a run and the jobs of its current attempt.
type RunState struct {
	ID            int64             `json:"id"`
	Repo          string            `json:"repo"`
	Workflow      string            `json:"workflow"`
	WorkflowID    int64             `json:"workflow_id"`
	Number        int               `json:"run_number"`
	Attempt       int               `json:"run_attempt"`
	Ref           string            `json:"ref"`
	DisplayTitle  string            `json:"display_title"`
	Actor         string            `json:"actor"`
	Inputs        map[string]string `json:"inputs"`
	Status        string            `json:"status"`
	Conclusion    string            `json:"conclusion,omitempty"`
	CreatedAt     time.Time         `json:"created_at"`
	UpdatedAt     time.Time         `json:"updated_at"`
	ListVisibleAt time.Time         `json:"list_visible_at"`
	GetVisibleAt  time.Time         `json:"get_visible_at"`
	Jobs          []JobState        `json:"jobs"`
}

// JobState is one job.
type JobState struct {
	ID          int64     `json:"id"`
	Name        string    `json:"name"`
	Labels      []string  `json:"labels"`
	Status      string    `json:"status"`
	Conclusion  string    `json:"conclusion,omitempty"`
	RunnerID    int64     `json:"runner_id,omitempty"`
	RunnerName  string    `json:"runner_name,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	StartedAt   time.Time `json:"started_at,omitempty"`
	CompletedAt time.Time `json:"completed_at,omitempty"`
}

// DeliveryState is one webhook delivery record (duration left out: it is
// real time).
type DeliveryState struct {
	ID         int64     `json:"id"`
	GUID       string    `json:"guid"`
	HookID     int64     `json:"hook_id"`
	Event      string    `json:"event"`
	Action     string    `json:"action,omitempty"`
	At         time.Time `json:"at"`
	Redelivery bool      `json:"redelivery"`
	Done       bool      `json:"done"`
	StatusCode int       `json:"status_code"`
	Status     string    `json:"status"`
}

// BucketState is one token's primary rate-limit window.
type BucketState struct {
	Login     string    `json:"login"`
	Kind      string    `json:"kind"`
	Limit     int       `json:"limit"`
	Used      int       `json:"used"`
	Remaining int       `json:"remaining"`
	Reset     time.Time `json:"reset"`
}

// FaultState is an armed fault rule and how often it fired.
type FaultState struct {
	FaultRule
	Fired int `json:"fired"`
}

// State returns a snapshot of the whole simulator.
func (s *Sim) State() State {
	now := s.lock()
	defer s.unlock(now)
	return s.stateLocked(now)
}

func (s *Sim) stateLocked(now time.Time) State {
	st := State{Now: now, Mode: s.cfg.Mode, PendingEvents: s.ag.len(),
		Runners: []RunnerState{}, Runs: []RunState{}, Deliveries: []DeliveryState{},
		RateBuckets: []BucketState{}, Faults: []FaultState{}}
	if st.Mode == "" {
		st.Mode = ModeDotcom
	}
	for _, id := range s.w.runnerIDs {
		st.Runners = append(st.Runners, runnerState(s.w.runners[id]))
	}
	for _, r := range s.w.runList {
		st.Runs = append(st.Runs, runState(r))
	}
	for _, d := range s.webhooks.deliveries {
		st.Deliveries = append(st.Deliveries, DeliveryState{ID: d.id, GUID: d.guid, HookID: d.hook.id,
			Event: d.event, Action: d.action, At: d.at, Redelivery: d.redelivery, Done: d.done,
			StatusCode: d.statusCode, Status: d.status})
	}
	keys := make([]string, 0, len(s.rate.buckets))
	for k := range s.rate.buckets {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		b, tok := s.rate.buckets[k], s.w.tokens[k]
		bs := BucketState{Limit: b.limit, Used: b.used, Remaining: b.remaining(), Reset: b.reset}
		if tok != nil {
			bs.Login, bs.Kind = tok.login, tok.kind
		}
		st.RateBuckets = append(st.RateBuckets, bs)
	}
	for _, f := range s.faults.rules {
		st.Faults = append(st.Faults, FaultState{FaultRule: f.FaultRule, Fired: f.fired})
	}
	return st
}

func runnerState(r *runner) RunnerState {
	rs := RunnerState{ID: r.id, Name: r.name, Scope: r.scope, Owner: r.owner, Ephemeral: r.ephemeral,
		Online: r.connected, Retired: r.retired, Stuck: r.stuckBusy, Status: r.status, Busy: r.busy,
		Labels: []string{}}
	if r.repo != nil {
		rs.Repo = r.repo.name
	}
	if r.group != nil {
		rs.Group = r.group.name
	}
	for _, l := range r.labels {
		rs.Labels = append(rs.Labels, l.name)
	}
	if r.job != nil {
		rs.JobID, rs.Running = r.job.id, r.executing()
	}
	return rs
}

func runState(r *run) RunState {
	rs := RunState{ID: r.id, Repo: r.repo.fullName(), Workflow: r.workflow.spec.File, WorkflowID: r.workflow.id,
		Number: r.number, Attempt: r.attempt, Ref: r.ref, DisplayTitle: r.displayTitle, Actor: r.actor.login,
		Inputs: r.inputs, Status: r.status, Conclusion: r.conclusion, CreatedAt: r.createdAt,
		UpdatedAt: r.updatedAt, ListVisibleAt: r.listVisibleAt, GetVisibleAt: r.getVisibleAt, Jobs: []JobState{}}
	for _, j := range r.jobs {
		rs.Jobs = append(rs.Jobs, JobState{ID: j.id, Name: j.name, Labels: j.labels, Status: j.status,
			Conclusion: j.conclusion, RunnerID: j.runnerID, RunnerName: j.runnerName,
			CreatedAt: j.createdAt, StartedAt: j.startedAt, CompletedAt: j.completedAt})
	}
	return rs
}

// Runner returns one runner's state by name (case-insensitive); tests use
// it to compare truth and report.
func (st State) Runner(name string) (RunnerState, bool) {
	for _, r := range st.Runners {
		if strings.EqualFold(r.Name, name) {
			return r, true
		}
	}
	return RunnerState{}, false
}

// Run returns one run's state by id.
func (st State) Run(id int64) (RunState, bool) {
	for _, r := range st.Runs {
		if r.ID == id {
			return r, true
		}
	}
	return RunState{}, false
}
