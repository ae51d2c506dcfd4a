package httpd

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/dispatchoor/dispatchoor/actors"
	"github.com/dispatchoor/dispatchoor/actors/state"
)

// kindError is an error matching a state sentinel, as the real service's
// errors do.
type kindError struct {
	kind error
	msg  string
}

func (e *kindError) Error() string        { return e.msg }
func (e *kindError) Is(target error) bool { return target == e.kind }

func errNotFound(format string, args ...any) error {
	return &kindError{kind: state.ErrNotFound, msg: fmt.Sprintf(format, args...)}
}

func errInvalid(format string, args ...any) error {
	return &kindError{kind: state.ErrInvalid, msg: fmt.Sprintf(format, args...)}
}

// fakeService is a hand-written Service over plain maps. It counts every
// call by method name, and records every change it commits in mutations,
// so tests can assert that rejected requests changed nothing.
type fakeService struct {
	mu  sync.Mutex
	now func() time.Time

	groups    map[string]actors.GroupInfo
	templates map[string]state.Template
	jobs      map[string]actors.JobInfo
	runners   []state.Runner
	sessions  map[string]state.Session
	status    actors.Status
	history   state.HistoryPage
	stats     state.HistoryStats

	calls     map[string]int
	mutations []string
	// fail makes the named method return the error instead of working.
	fail map[string]error

	lastWho     actors.Who
	lastAdd     state.AddJob
	lastUpdate  state.UpdateJob
	lastReorder []string
	lastHistory state.HistoryQuery
	lastRange   string
	lastLimit   *int
	lastOn      bool
	lastSession state.Session
	nextJob     int
}

func newFakeService(now func() time.Time) *fakeService {
	return &fakeService{
		now:       now,
		groups:    map[string]actors.GroupInfo{},
		templates: map[string]state.Template{},
		jobs:      map[string]actors.JobInfo{},
		sessions:  map[string]state.Session{},
		calls:     map[string]int{},
		fail:      map[string]error{},
	}
}

var _ Service = (*fakeService)(nil)

// enter counts a call and returns the injected failure, if any. The caller
// holds f.mu.
func (f *fakeService) enter(method string) error {
	f.calls[method]++
	return f.fail[method]
}

func (f *fakeService) mutated(format string, args ...any) {
	f.mutations = append(f.mutations, fmt.Sprintf(format, args...))
}

func (f *fakeService) mutationCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.mutations)
}

func (f *fakeService) callCount(method string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[method]
}

func (f *fakeService) addGroup(g state.Group) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.groups[g.ID] = actors.GroupInfo{Group: g}
}

func (f *fakeService) addJob(j *state.Job) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.jobs[j.ID] = actors.JobInfo{Job: j}
}

func (f *fakeService) addSession(s state.Session) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sessions[s.TokenHash] = s
}

func (f *fakeService) Groups(context.Context) ([]actors.GroupInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter("Groups"); err != nil {
		return nil, err
	}
	var out []actors.GroupInfo
	for _, g := range f.groups {
		out = append(out, g)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Group.Name < out[j].Group.Name })
	return out, nil
}

func (f *fakeService) group(id string) (actors.GroupInfo, error) {
	g, ok := f.groups[id]
	if !ok {
		return actors.GroupInfo{}, errNotFound("group not found: %s", id)
	}
	return g, nil
}

func (f *fakeService) Group(_ context.Context, id string) (actors.GroupInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter("Group"); err != nil {
		return actors.GroupInfo{}, err
	}
	return f.group(id)
}

func (f *fakeService) Templates(_ context.Context, groupID string) ([]state.Template, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter("Templates"); err != nil {
		return nil, err
	}
	if _, err := f.group(groupID); err != nil {
		return nil, err
	}
	var out []state.Template
	for _, t := range f.templates {
		if t.GroupID == groupID {
			out = append(out, t)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func (f *fakeService) Template(_ context.Context, id string) (state.Template, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter("Template"); err != nil {
		return state.Template{}, err
	}
	t, ok := f.templates[id]
	if !ok {
		return state.Template{}, errNotFound("template not found: %s", id)
	}
	return t, nil
}

func (f *fakeService) PauseGroup(_ context.Context, who actors.Who, groupID string, paused bool) (actors.GroupInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter("PauseGroup"); err != nil {
		return actors.GroupInfo{}, err
	}
	g, err := f.group(groupID)
	if err != nil {
		return actors.GroupInfo{}, err
	}
	f.lastWho = who
	g.Group.Paused = paused
	f.groups[groupID] = g
	f.mutated("PauseGroup %s %v", groupID, paused)
	return g, nil
}

func (f *fakeService) ReloadTemplates(_ context.Context, who actors.Who) ([]actors.ReloadResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter("ReloadTemplates"); err != nil {
		return nil, err
	}
	f.lastWho = who
	f.mutated("ReloadTemplates")
	var out []actors.ReloadResult
	for id := range f.groups {
		out = append(out, actors.ReloadResult{GroupID: id, Templates: 1})
	}
	return out, nil
}

func (f *fakeService) QueueInto(_ context.Context, groupID string, buf []actors.JobInfo) ([]actors.JobInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter("Queue"); err != nil {
		return nil, err
	}
	if _, err := f.group(groupID); err != nil {
		return nil, err
	}
	out := buf[:0]
	for _, j := range f.jobs {
		if j.Job.GroupID == groupID && !j.Job.Status.Terminal() {
			out = append(out, j)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Job.Position < out[j].Job.Position })
	return out, nil
}

func (f *fakeService) Enqueue(_ context.Context, who actors.Who, groupID string, req state.AddJob) (actors.JobInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter("Enqueue"); err != nil {
		return actors.JobInfo{}, err
	}
	if _, err := f.group(groupID); err != nil {
		return actors.JobInfo{}, err
	}
	if req.TemplateID != "" {
		if _, ok := f.templates[req.TemplateID]; !ok {
			return actors.JobInfo{}, errNotFound("template not found: %s", req.TemplateID)
		}
	} else if req.Owner == "" || req.Repo == "" || req.WorkflowID == "" || req.Ref == "" {
		return actors.JobInfo{}, errInvalid("Manual jobs require owner, repo, workflow_id, and ref")
	}
	f.nextJob++
	now := f.now()
	j := &state.Job{
		ID: fmt.Sprintf("job-%d", f.nextJob), GroupID: groupID, TemplateID: req.TemplateID,
		Position: int64(f.nextJob), Status: state.StatusPending, AutoRequeue: req.AutoRequeue,
		RequeueLimit: req.RequeueLimit, Inputs: req.Inputs, CreatedBy: who.Username,
		CreatedAt: now, UpdatedAt: now, Labels: req.Labels,
	}
	info := actors.JobInfo{Job: j, PendingReason: "no matching runner online"}
	f.jobs[j.ID] = info
	f.lastWho, f.lastAdd = who, req
	f.mutated("Enqueue %s", j.ID)
	return info, nil
}

func (f *fakeService) Reorder(_ context.Context, who actors.Who, groupID string, jobIDs []string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter("Reorder"); err != nil {
		return err
	}
	if _, err := f.group(groupID); err != nil {
		return err
	}
	for _, id := range jobIDs {
		if _, ok := f.jobs[id]; !ok {
			return errNotFound("job not found: %s", id)
		}
	}
	f.lastWho, f.lastReorder = who, slices.Clone(jobIDs)
	f.mutated("Reorder %s %v", groupID, jobIDs)
	return nil
}

func (f *fakeService) job(id string) (actors.JobInfo, error) {
	j, ok := f.jobs[id]
	if !ok {
		return actors.JobInfo{}, errNotFound("job not found: %s", id)
	}
	return j, nil
}

func (f *fakeService) Job(_ context.Context, id string) (actors.JobInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter("Job"); err != nil {
		return actors.JobInfo{}, err
	}
	return f.job(id)
}

// changeJob is the common shape of the job commands: find, check, change.
func (f *fakeService) changeJob(method string, who actors.Who, id string, change func(j *state.Job) error) (actors.JobInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter(method); err != nil {
		return actors.JobInfo{}, err
	}
	info, err := f.job(id)
	if err != nil {
		return actors.JobInfo{}, err
	}
	j := info.Job.Clone()
	if err := change(j); err != nil {
		return actors.JobInfo{}, err
	}
	info.Job = j
	f.jobs[id] = info
	f.lastWho = who
	f.mutated("%s %s", method, id)
	return info, nil
}

func (f *fakeService) UpdateJob(_ context.Context, who actors.Who, id string, req state.UpdateJob) (actors.JobInfo, error) {
	return f.changeJob("UpdateJob", who, id, func(j *state.Job) error {
		f.lastUpdate = req
		if req.HasInputs {
			j.Inputs = req.Inputs
		}
		if req.Name != nil {
			j.Name = req.Name
		}
		return nil
	})
}

func (f *fakeService) RemoveJob(_ context.Context, who actors.Who, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter("RemoveJob"); err != nil {
		return err
	}
	if _, err := f.job(id); err != nil {
		return err
	}
	delete(f.jobs, id)
	f.lastWho = who
	f.mutated("RemoveJob %s", id)
	return nil
}

func (f *fakeService) PauseJob(_ context.Context, who actors.Who, id string, paused bool) (actors.JobInfo, error) {
	return f.changeJob("PauseJob", who, id, func(j *state.Job) error {
		if j.Status != state.StatusPending {
			return errInvalid("cannot pause job with status %s", j.Status)
		}
		j.Paused = paused
		return nil
	})
}

func (f *fakeService) CancelJob(_ context.Context, who actors.Who, id string) (actors.JobInfo, error) {
	return f.changeJob("CancelJob", who, id, func(j *state.Job) error {
		j.Status = state.StatusCancelled
		j.CompletedAt = f.now()
		return nil
	})
}

func (f *fakeService) SetAutoRequeue(_ context.Context, who actors.Who, id string, on bool, limit *int) (actors.JobInfo, error) {
	return f.changeJob("SetAutoRequeue", who, id, func(j *state.Job) error {
		f.lastOn, f.lastLimit = on, limit
		j.AutoRequeue, j.RequeueLimit = on, limit
		return nil
	})
}

func (f *fakeService) DisableRequeue(_ context.Context, who actors.Who, id string) (actors.JobInfo, error) {
	return f.changeJob("DisableRequeue", who, id, func(j *state.Job) error {
		j.AutoRequeue = false
		return nil
	})
}

func (f *fakeService) History(_ context.Context, groupID string, q state.HistoryQuery) (state.HistoryPage, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter("History"); err != nil {
		return state.HistoryPage{}, err
	}
	if _, err := f.group(groupID); err != nil {
		return state.HistoryPage{}, err
	}
	f.lastHistory = q
	return f.history, nil
}

func (f *fakeService) HistoryStats(_ context.Context, groupID, rangeName string) (state.HistoryStats, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter("HistoryStats"); err != nil {
		return state.HistoryStats{}, err
	}
	if _, err := f.group(groupID); err != nil {
		return state.HistoryStats{}, err
	}
	f.lastRange = rangeName
	return f.stats, nil
}

func (f *fakeService) Runners(context.Context) ([]state.Runner, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter("Runners"); err != nil {
		return nil, err
	}
	return slices.Clone(f.runners), nil
}

func (f *fakeService) GroupRunners(_ context.Context, groupID string) ([]state.Runner, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter("GroupRunners"); err != nil {
		return nil, err
	}
	g, err := f.group(groupID)
	if err != nil {
		return nil, err
	}
	var out []state.Runner
	for _, r := range f.runners {
		if state.Matches(r.Labels, g.Group.RunnerLabels) {
			out = append(out, r)
		}
	}
	return out, nil
}

func (f *fakeService) RefreshRunners(context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter("RefreshRunners"); err != nil {
		return err
	}
	f.mutated("RefreshRunners")
	return nil
}

func (f *fakeService) CreateSession(_ context.Context, who actors.Who, s state.Session) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter("CreateSession"); err != nil {
		return err
	}
	f.sessions[s.TokenHash] = s
	f.lastWho, f.lastSession = who, s
	f.mutated("CreateSession %s", s.Username)
	return nil
}

func (f *fakeService) LookupSession(tokenHash string) (*state.Session, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls["LookupSession"]++
	s, ok := f.sessions[tokenHash]
	if !ok || !s.ExpiresAt.After(f.now()) {
		return nil, false
	}
	return &s, true
}

func (f *fakeService) RevokeSession(_ context.Context, who actors.Who, tokenHash string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter("RevokeSession"); err != nil {
		return err
	}
	delete(f.sessions, tokenHash)
	f.lastWho = who
	f.mutated("RevokeSession")
	return nil
}

func (f *fakeService) Status(context.Context) (actors.Status, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter("Status"); err != nil {
		return actors.Status{}, err
	}
	return f.status, nil
}
