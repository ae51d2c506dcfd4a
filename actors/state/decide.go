package state

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Meta is what every command carries besides its own fields: who asks,
// from where, when, and how new ids are made. It is decided outside the
// state so that Decide stays deterministic under test.
type Meta struct {
	Time  time.Time
	Actor string
	IP    string
	NewID func() string
}

func (m Meta) event(t Type, groupID, jobID string) Event {
	return Event{Type: t, Time: m.Time, Actor: m.Actor, IP: m.IP, GroupID: groupID, JobID: jobID}
}

// Limits on what a client may put into a job. GitHub refuses more than 25
// inputs and payloads over 64 KiB; refusing here gives a clear error at
// enqueue time instead of a failed dispatch later.
const (
	MaxInputs       = 25
	MaxInputKeyLen  = 256
	MaxInputsBytes  = 65535
	MaxLabels       = 50
	MaxFieldLen     = 512
	MinPriority     = -1000
	MaxPriority     = 1000
	MaxRequeueLimit = 1_000_000
)

// AddJob is the body of POST /groups/{id}/queue.
type AddJob struct {
	TemplateID   string            `json:"template_id"`
	Inputs       map[string]string `json:"inputs"`
	AutoRequeue  bool              `json:"auto_requeue"`
	RequeueLimit *int              `json:"requeue_limit"`
	Priority     int               `json:"priority"`
	Name         string            `json:"name"`
	Owner        string            `json:"owner"`
	Repo         string            `json:"repo"`
	WorkflowID   string            `json:"workflow_id"`
	Ref          string            `json:"ref"`
	Labels       map[string]string `json:"labels"`
}

// Enqueue decides a new job for group g.
func (g *GroupState) Enqueue(m Meta, req AddJob) ([]Event, error) {
	if !g.Group.InConfig {
		return nil, invalid("group %s is no longer in the config", g.Group.ID)
	}
	if err := checkRequeueLimit(req.RequeueLimit); err != nil {
		return nil, err
	}
	if req.Priority < MinPriority || req.Priority > MaxPriority {
		return nil, invalid("priority must be between %d and %d", MinPriority, MaxPriority)
	}
	for _, f := range []struct{ name, v string }{{"name", req.Name}, {"owner", req.Owner}, {"repo", req.Repo}, {"workflow_id", req.WorkflowID}, {"ref", req.Ref}} {
		if err := checkField(f.name, f.v); err != nil {
			return nil, err
		}
	}
	if err := checkMap("labels", req.Labels, MaxLabels); err != nil {
		return nil, err
	}
	j := &Job{
		ID:           m.NewID(),
		GroupID:      g.Group.ID,
		TemplateID:   req.TemplateID,
		Priority:     req.Priority,
		Position:     g.NextPosition,
		Status:       StatusPending,
		AutoRequeue:  req.AutoRequeue,
		RequeueLimit: cloneInt(req.RequeueLimit),
		CreatedBy:    m.Actor,
		CreatedAt:    m.Time,
		UpdatedAt:    m.Time,
		Name:         nonEmpty(req.Name),
		Owner:        nonEmpty(req.Owner),
		Repo:         nonEmpty(req.Repo),
		WorkflowID:   nonEmpty(req.WorkflowID),
		Ref:          nonEmpty(req.Ref),
	}
	if len(req.Labels) > 0 {
		j.Labels = cloneMap(req.Labels)
	}
	if req.TemplateID == "" {
		if req.Owner == "" || req.Repo == "" || req.WorkflowID == "" || req.Ref == "" {
			return nil, invalid("Manual jobs require owner, repo, workflow_id, and ref")
		}
		j.Inputs = cloneMap(req.Inputs)
	} else {
		t := g.Templates[req.TemplateID]
		if t == nil {
			return nil, notFound("template not found: %s", req.TemplateID)
		}
		if !t.InConfig {
			return nil, invalid("template %s is no longer in the config", t.ID)
		}
		// Defaults overlaid with the request: a request cannot remove a
		// declared default, only change its value.
		j.Inputs = cloneMap(t.DefaultInputs)
		if j.Inputs == nil && len(req.Inputs) > 0 {
			j.Inputs = map[string]string{}
		}
		maps.Copy(j.Inputs, req.Inputs)
	}
	if err := checkInputs(j.Inputs); err != nil {
		return nil, err
	}
	e := m.event(JobEnqueued, g.Group.ID, j.ID)
	e.Job = j
	return []Event{e}, nil
}

// UpdateJob is the body of PUT /jobs/{id}. A nil field is left alone; a
// field set to "" clears the override (the template value applies again).
type UpdateJob struct {
	Inputs     map[string]string `json:"inputs"`
	Name       *string           `json:"name"`
	Owner      *string           `json:"owner"`
	Repo       *string           `json:"repo"`
	WorkflowID *string           `json:"workflow_id"`
	Ref        *string           `json:"ref"`
	Labels     map[string]string `json:"labels"`
	Priority   *int              `json:"priority"`

	// HasInputs and HasLabels tell "absent" from "set to {}": the request
	// decoder sets them.
	HasInputs bool `json:"-"`
	HasLabels bool `json:"-"`
}

// Update decides a change to a pending job.
func (g *GroupState) Update(m Meta, jobID string, req UpdateJob) ([]Event, error) {
	j, err := g.job(jobID)
	if err != nil {
		return nil, err
	}
	if j.Status != StatusPending {
		return nil, invalid("cannot update job with status %s", j.Status)
	}
	p := &JobPatch{Name: req.Name, Owner: req.Owner, Repo: req.Repo, WorkflowID: req.WorkflowID, Ref: req.Ref, Priority: req.Priority}
	for _, f := range []struct {
		name string
		v    *string
	}{{"name", req.Name}, {"owner", req.Owner}, {"repo", req.Repo}, {"workflow_id", req.WorkflowID}, {"ref", req.Ref}} {
		name, v := f.name, f.v
		if v == nil {
			continue
		}
		if err := checkField(name, *v); err != nil {
			return nil, err
		}
		if j.TemplateID == "" && name != "name" && *v == "" {
			return nil, invalid("manual job: %s cannot be empty", name)
		}
	}
	if req.Priority != nil && (*req.Priority < MinPriority || *req.Priority > MaxPriority) {
		return nil, invalid("priority must be between %d and %d", MinPriority, MaxPriority)
	}
	if req.HasInputs {
		if err := checkInputs(req.Inputs); err != nil {
			return nil, err
		}
		p.SetInputs, p.Inputs = true, cloneMap(req.Inputs)
		if p.Inputs == nil {
			p.Inputs = map[string]string{}
		}
	}
	if req.HasLabels {
		if err := checkMap("labels", req.Labels, MaxLabels); err != nil {
			return nil, err
		}
		p.SetLabels, p.Labels = true, cloneMap(req.Labels)
	}
	e := m.event(JobUpdated, g.Group.ID, j.ID)
	e.Patch = p
	return []Event{e}, nil
}

// Remove decides the hard delete of a pending or failed job.
func (g *GroupState) Remove(m Meta, jobID string) ([]Event, error) {
	j, err := g.job(jobID)
	if err != nil {
		return nil, err
	}
	if j.Status != StatusPending && j.Status != StatusFailed {
		return nil, invalid("cannot remove job with status %s", j.Status)
	}
	return []Event{m.event(JobRemoved, g.Group.ID, j.ID)}, nil
}

// Reorder decides new positions for pending jobs, in the order given. When
// the list holds every pending job, positions become 0, 1, 2, ... as in the
// reference. A partial list permutes the listed jobs among the positions
// they already occupy, so no two pending jobs ever share a position.
func (g *GroupState) Reorder(m Meta, jobIDs []string) ([]Event, error) {
	if len(jobIDs) == 0 {
		return nil, invalid("job_ids is required")
	}
	seen := make(map[string]bool, len(jobIDs))
	var slots []int64
	for _, id := range jobIDs {
		if seen[id] {
			return nil, invalid("job %s is listed twice", id)
		}
		seen[id] = true
		j := g.Jobs[id]
		if j == nil {
			return nil, notFound("job not found: %s", id)
		}
		if j.Status != StatusPending {
			return nil, invalid("cannot reorder job %s with status %s", id, j.Status)
		}
		slots = append(slots, j.Position)
	}
	if len(jobIDs) == len(g.pending) {
		for i := range slots {
			slots[i] = int64(i)
		}
	} else {
		slices.Sort(slots)
	}
	e := m.event(JobsReordered, g.Group.ID, "")
	e.JobIDs = slices.Clone(jobIDs)
	e.Positions = slots
	return []Event{e}, nil
}

// SetPaused decides pausing or resuming a pending job; a no-op yields no
// event.
func (g *GroupState) SetPaused(m Meta, jobID string, paused bool) ([]Event, error) {
	j, err := g.job(jobID)
	if err != nil {
		return nil, err
	}
	verb := "pause"
	if !paused {
		verb = "unpause"
	}
	if j.Status != StatusPending {
		return nil, invalid("cannot %s job with status %s", verb, j.Status)
	}
	if j.Paused == paused {
		return nil, nil
	}
	t := JobPaused
	if !paused {
		t = JobUnpaused
	}
	return []Event{m.event(t, g.Group.ID, j.ID)}, nil
}

// SetAutoRequeue decides PUT /jobs/{id}/auto-requeue.
func (g *GroupState) SetAutoRequeue(m Meta, jobID string, on bool, limit *int) ([]Event, error) {
	j, err := g.job(jobID)
	if err != nil {
		return nil, err
	}
	if j.Status != StatusPending && !j.Status.Active() {
		return nil, invalid("can only update auto-requeue for pending, triggered, or running jobs, current status: %s", j.Status)
	}
	if err := checkRequeueLimit(limit); err != nil {
		return nil, err
	}
	e := m.event(JobRequeueSet, g.Group.ID, j.ID)
	e.AutoRequeue = &on
	e.RequeueLimit = cloneInt(limit)
	return []Event{e}, nil
}

// DisableRequeue decides POST /jobs/{id}/disable-requeue: any status,
// idempotent, keeps the limit.
func (g *GroupState) DisableRequeue(m Meta, jobID string) ([]Event, error) {
	j, err := g.job(jobID)
	if err != nil {
		return nil, err
	}
	if !j.AutoRequeue {
		return nil, nil
	}
	off := false
	e := m.event(JobRequeueSet, g.Group.ID, j.ID)
	e.AutoRequeue = &off
	e.RequeueLimit = cloneInt(j.RequeueLimit)
	return []Event{e}, nil
}

// SetGroupPaused decides pausing or resuming the group; a no-op yields no
// event.
func (g *GroupState) SetGroupPaused(m Meta, paused bool) []Event {
	if g.Group.Paused == paused {
		return nil
	}
	t := GroupPaused
	if !paused {
		t = GroupUnpaused
	}
	return []Event{m.event(t, g.Group.ID, "")}
}

// Finish decides a terminal transition of an active (or, for a dispatch
// rejected by GitHub, dispatching) job, plus its auto-requeue.
//
// Auto-requeue follows spec §3.2 with two deliberate changes: a limit of N
// gives exactly N requeues, and a job that never produced a run (GitHub
// refused the dispatch) is not requeued, since the same request would be
// refused again: a failing trigger cannot loop forever.
func (g *GroupState) Finish(m Meta, jobID string, f Finish) ([]Event, error) {
	j, err := g.job(jobID)
	if err != nil {
		return nil, err
	}
	if !f.Status.Terminal() {
		return nil, invalid("status %s is not terminal", f.Status)
	}
	if j.Status.Terminal() {
		return nil, invalid("job %s already finished with status %s", j.ID, j.Status)
	}
	e := m.event(JobFinished, g.Group.ID, j.ID)
	e.Status, e.Error, e.Conclusion, e.Reason = f.Status, f.Error, f.Conclusion, f.Reason
	e.RunID, e.RunURL = f.RunID, f.RunURL
	events := []Event{e}
	if next := g.requeue(m, j, f); next != nil {
		events = append(events, *next)
	}
	return events, nil
}

// Finish describes how a job ended.
type Finish struct {
	Status     JobStatus
	Error      string
	Conclusion string
	Reason     string
	RunID      int64
	RunURL     string
	// NoRun marks a job that ended without any GitHub run (dispatch refused):
	// such a job is never requeued.
	NoRun bool
}

func (g *GroupState) requeue(m Meta, j *Job, f Finish) *Event {
	if !j.AutoRequeue || f.NoRun || !g.Group.InConfig {
		return nil
	}
	if j.RequeueLimit != nil && j.RequeueCount >= *j.RequeueLimit {
		return nil
	}
	if j.TemplateID != "" {
		if t := g.Templates[j.TemplateID]; t == nil || !t.InConfig {
			return nil
		}
	}
	n := &Job{
		ID:            m.NewID(),
		GroupID:       j.GroupID,
		TemplateID:    j.TemplateID,
		Priority:      j.Priority,
		Position:      g.NextPosition,
		Status:        StatusPending,
		AutoRequeue:   true,
		RequeueLimit:  cloneInt(j.RequeueLimit),
		RequeueCount:  j.RequeueCount + 1,
		Inputs:        cloneMap(j.Inputs),
		CreatedBy:     j.CreatedBy,
		CreatedAt:     m.Time,
		UpdatedAt:     m.Time,
		Name:          cloneStr(j.Name),
		Owner:         cloneStr(j.Owner),
		Repo:          cloneStr(j.Repo),
		WorkflowID:    cloneStr(j.WorkflowID),
		Ref:           cloneStr(j.Ref),
		Labels:        cloneMap(j.Labels),
		PreviousJobID: j.ID,
	}
	e := m.event(JobEnqueued, g.Group.ID, n.ID)
	e.Job = n
	e.Reason = fmt.Sprintf("auto-requeue %d of %s after %s", n.RequeueCount, limitText(j.RequeueLimit), j.ID)
	return &e
}

func limitText(l *int) string {
	if l == nil {
		return "unlimited"
	}
	return fmt.Sprint(*l)
}

// PruneHistory decides the retention cleanup of finished jobs completed
// before cutoff.
func (g *GroupState) PruneHistory(m Meta, cutoff time.Time) []Event {
	var ids []string
	for _, j := range g.history {
		if !j.CompletedAt.Before(cutoff) {
			break
		}
		ids = append(ids, j.ID)
	}
	if len(ids) == 0 {
		return nil
	}
	e := m.event(HistoryPruned, g.Group.ID, "")
	e.JobIDs = ids
	e.Reason = "completed before " + cutoff.UTC().Format(time.RFC3339)
	return []Event{e}
}

// Configure decides the sync of a group from config. It returns no event
// when nothing changed, so restarts do not grow the journal.
func (g *GroupState) Configure(m Meta, grp Group, templates []Template) []Event {
	if g.sameConfig(grp, templates) {
		return nil
	}
	e := m.event(GroupConfigured, grp.ID, "")
	gc := grp
	e.Group = &gc
	e.Templates = templates
	e.Reason = g.configDiff(grp, templates)
	return []Event{e}
}

func (g *GroupState) sameConfig(grp Group, templates []Template) bool {
	if !g.Group.InConfig || g.Group.Name != grp.Name || g.Group.Description != grp.Description ||
		!slices.Equal(g.Group.RunnerLabels, grp.RunnerLabels) || g.Group.Weight != grp.Weight ||
		!slices.Equal(g.Group.Repos, grp.Repos) {
		return false
	}
	inConfig := 0
	for _, t := range g.Templates {
		if t.InConfig {
			inConfig++
		}
	}
	if inConfig != len(templates) {
		return false
	}
	for _, t := range templates {
		old := g.Templates[t.ID]
		if old == nil || !old.InConfig || !sameTemplate(old, &t) {
			return false
		}
	}
	return true
}

func sameTemplate(a, b *Template) bool {
	return a.Name == b.Name && a.Owner == b.Owner && a.Repo == b.Repo && a.WorkflowID == b.WorkflowID &&
		a.Ref == b.Ref && maps.Equal(a.DefaultInputs, b.DefaultInputs) && maps.Equal(a.Labels, b.Labels) &&
		a.CorrelationInput == b.CorrelationInput && a.SourceType == b.SourceType && a.SourcePath == b.SourcePath
}

// configDiff describes what a sync changes, for the audit trail.
func (g *GroupState) configDiff(grp Group, templates []Template) string {
	if !g.Group.InConfig && g.Group.CreatedAt.IsZero() {
		return "group added with " + plural(len(templates), "template", "templates")
	}
	var added, changed, removed []string
	want := map[string]bool{}
	for _, t := range templates {
		want[t.ID] = true
		old := g.Templates[t.ID]
		switch {
		case old == nil || !old.InConfig:
			added = append(added, t.ID)
		case !sameTemplate(old, &t):
			changed = append(changed, t.ID)
		}
	}
	for id, t := range g.Templates {
		if t.InConfig && !want[id] {
			removed = append(removed, id)
		}
	}
	slices.Sort(added)
	slices.Sort(changed)
	slices.Sort(removed)
	var parts []string
	if g.Group.Name != grp.Name || !slices.Equal(g.Group.RunnerLabels, grp.RunnerLabels) ||
		g.Group.Description != grp.Description || g.Group.Weight != grp.Weight || !slices.Equal(g.Group.Repos, grp.Repos) || !g.Group.InConfig {
		parts = append(parts, "group settings changed")
	}
	for _, x := range []struct {
		what string
		ids  []string
	}{{"templates added", added}, {"templates changed", changed}, {"templates removed", removed}} {
		if len(x.ids) > 0 {
			parts = append(parts, x.what+": "+strings.Join(x.ids, ", "))
		}
	}
	if len(parts) == 0 {
		return "unchanged"
	}
	return strings.Join(parts, "; ")
}

// Unconfigure decides the removal of a group that left the config.
func (g *GroupState) Unconfigure(m Meta) []Event {
	if !g.Group.InConfig {
		return nil
	}
	e := m.event(GroupRemoved, g.Group.ID, "")
	e.Reason = "group no longer in config"
	return []Event{e}
}

func (g *GroupState) job(id string) (*Job, error) {
	j := g.Jobs[id]
	if j == nil {
		return nil, notFound("job not found: %s", id)
	}
	return j, nil
}

func checkRequeueLimit(l *int) error {
	if l != nil && (*l < 0 || *l > MaxRequeueLimit) {
		return invalid("requeue_limit must be between 0 and %d, or null for unlimited", MaxRequeueLimit)
	}
	return nil
}

func checkField(name, v string) error {
	if len(v) > MaxFieldLen {
		return invalid("%s is longer than %d bytes", name, MaxFieldLen)
	}
	if !utf8.ValidString(v) {
		return invalid("%s is not valid UTF-8", name)
	}
	return nil
}

func checkMap(name string, m map[string]string, max int) error {
	if len(m) > max {
		return invalid("%s: at most %d entries, got %d", name, max, len(m))
	}
	for k, v := range m {
		if k == "" {
			return invalid("%s: empty key", name)
		}
		if len(k) > MaxFieldLen || len(v) > MaxFieldLen {
			return invalid("%s: key or value of %q longer than %d bytes", name, k, MaxFieldLen)
		}
	}
	return nil
}

func checkInputs(in map[string]string) error {
	if len(in) > MaxInputs {
		return invalid("inputs: GitHub accepts at most %d inputs, got %d", MaxInputs, len(in))
	}
	total := 0
	for k, v := range in {
		if k == "" {
			return invalid("inputs: empty input name")
		}
		if len(k) > MaxInputKeyLen {
			return invalid("inputs: name %q is longer than %d bytes", k[:32]+"...", MaxInputKeyLen)
		}
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			return invalid("inputs: %q is not valid UTF-8", k)
		}
		total += len(k) + len(v)
	}
	if total > MaxInputsBytes {
		return invalid("inputs: %d bytes in total, GitHub accepts at most %d", total, MaxInputsBytes)
	}
	return nil
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// RequestCancel decides an operator's cancel of a job handed to GitHub: the
// request is journaled, and the run tracker cancels the run (also when its
// id only arrives later), confirms it and finishes the job.
func (g *GroupState) RequestCancel(m Meta, jobID string) ([]Event, error) {
	j, err := g.job(jobID)
	if err != nil {
		return nil, err
	}
	if !j.Status.Active() {
		return nil, invalid("Job can only be cancelled when dispatching, triggered or running")
	}
	if j.CancelRequested {
		return nil, nil
	}
	return []Event{m.event(JobCancelRequest, g.Group.ID, j.ID)}, nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
