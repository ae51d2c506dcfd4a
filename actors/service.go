package actors

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/dispatchoor/dispatchoor/actors/state"
)

// ErrUnavailable is returned when the system has stopped or failed.
var ErrUnavailable = errors.New("state unavailable")

func (s *System) groupPID(id string) (*actor.PID, error) {
	s.mu.Lock()
	e := s.groups[id]
	s.mu.Unlock()
	if e == nil || e.pid == nil {
		return nil, state.NotFoundf("Group not found: %s", id)
	}
	return e.pid, nil
}

func (s *System) groupOfJob(jobID string) (string, error) {
	v, ok := s.jobGroups.Load(jobID)
	if !ok {
		return "", state.NotFoundf("Job not found: %s", jobID)
	}
	return v.(string), nil
}

// ask sends msg to pid and waits for the reply and for its durability.
func (s *System) ask(ctx context.Context, pid *actor.PID, msg any) (any, error) {
	if err := s.Err(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	timeout := s.opts.RequestTimeout
	if dl, ok := ctx.Deadline(); ok {
		if d := timeUntil(dl); d < timeout {
			timeout = d
		}
	}
	if timeout <= 0 {
		return nil, context.DeadlineExceeded
	}
	res, err := s.actors.Root.RequestFuture(pid, msg, timeout).Result()
	if err != nil {
		if errors.Is(err, actor.ErrTimeout) {
			return nil, fmt.Errorf("waiting for %s: %w", pid.Id, context.DeadlineExceeded)
		}
		return nil, fmt.Errorf("waiting for %s: %w", pid.Id, err)
	}
	r, ok := res.(*reply)
	if !ok {
		return nil, fmt.Errorf("waiting for %s: unexpected reply %T", pid.Id, res)
	}
	if r.err != nil {
		return nil, r.err
	}
	if err := r.wait.Wait(ctx); err != nil {
		return nil, err
	}
	return r.value, nil
}

// command runs a decision in a group's actor.
func (s *System) command(ctx context.Context, groupID string, who Who, decide func(*state.GroupState, state.Meta) ([]state.Event, error), result func(*groupActor, []state.Event) any) (any, error) {
	pid, err := s.groupPID(groupID)
	if err != nil {
		return nil, err
	}
	return s.ask(ctx, pid, &commandMsg{meta: s.meta(who), decide: decide, result: result})
}

func (s *System) query(ctx context.Context, groupID string, read func(*groupActor) (any, error)) (any, error) {
	pid, err := s.groupPID(groupID)
	if err != nil {
		return nil, err
	}
	return s.ask(ctx, pid, &queryMsg{read: read})
}

func (s *System) meta(who Who) state.Meta {
	return state.Meta{Time: s.opts.Now().UTC(), Actor: who.Username, IP: who.IP, NewID: s.opts.NewID}
}

// jobCommand runs a decision about one job in its group's actor and returns
// the job afterwards.
func (s *System) jobCommand(ctx context.Context, jobID string, who Who, decide func(*state.GroupState, state.Meta) ([]state.Event, error)) (JobInfo, error) {
	gid, err := s.groupOfJob(jobID)
	if err != nil {
		return JobInfo{}, err
	}
	v, err := s.command(ctx, gid, who, decide, func(a *groupActor, _ []state.Event) any {
		if j := a.g.Jobs[jobID]; j != nil {
			return a.jobInfo(j)
		}
		return JobInfo{}
	})
	if err != nil {
		return JobInfo{}, err
	}
	return v.(JobInfo), nil
}

// --- groups and templates ---

// Groups lists every group with its counters, ordered by name.
func (s *System) Groups(ctx context.Context) ([]GroupInfo, error) {
	out := []GroupInfo{}
	for _, id := range s.groupIDs() {
		gi, err := s.Group(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, gi)
	}
	slices.SortFunc(out, func(a, b GroupInfo) int {
		if c := strings.Compare(a.Group.Name, b.Group.Name); c != 0 {
			return c
		}
		return strings.Compare(a.Group.ID, b.Group.ID)
	})
	return out, nil
}

func (s *System) groupIDs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]string, 0, len(s.groups))
	for id := range s.groups {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// Group returns one group with its counters.
func (s *System) Group(ctx context.Context, id string) (GroupInfo, error) {
	v, err := s.query(ctx, id, func(a *groupActor) (any, error) { return a.info(), nil })
	if err != nil {
		return GroupInfo{}, err
	}
	return v.(GroupInfo), nil
}

// Templates lists a group's templates by name, those no longer in config
// included.
func (s *System) Templates(ctx context.Context, groupID string) ([]state.Template, error) {
	v, err := s.query(ctx, groupID, func(a *groupActor) (any, error) {
		out := make([]state.Template, 0, len(a.g.Templates))
		for _, t := range a.g.Templates {
			out = append(out, copyTemplate(t))
		}
		slices.SortFunc(out, func(x, y state.Template) int {
			if c := strings.Compare(x.Name, y.Name); c != 0 {
				return c
			}
			return strings.Compare(x.ID, y.ID)
		})
		return out, nil
	})
	if err != nil {
		return nil, err
	}
	return v.([]state.Template), nil
}

// Template finds a template in any group; the copy in config wins over one
// kept for history.
func (s *System) Template(ctx context.Context, id string) (state.Template, error) {
	var found *state.Template
	for _, gid := range s.groupIDs() {
		v, err := s.query(ctx, gid, func(a *groupActor) (any, error) {
			if t := a.g.Templates[id]; t != nil {
				c := copyTemplate(t)
				return &c, nil
			}
			return (*state.Template)(nil), nil
		})
		if err != nil {
			return state.Template{}, err
		}
		if t := v.(*state.Template); t != nil && (found == nil || t.InConfig) {
			found = t
		}
	}
	if found == nil {
		return state.Template{}, state.NotFoundf("Job template not found: %s", id)
	}
	return *found, nil
}

func copyTemplate(t *state.Template) state.Template {
	c := *t
	c.DefaultInputs = cloneStrMap(t.DefaultInputs)
	c.Labels = cloneStrMap(t.Labels)
	return c
}

func cloneStrMap(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	c := make(map[string]string, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// PauseGroup pauses or resumes dispatching for a group.
func (s *System) PauseGroup(ctx context.Context, who Who, groupID string, paused bool) (GroupInfo, error) {
	v, err := s.command(ctx, groupID, who,
		func(g *state.GroupState, m state.Meta) ([]state.Event, error) {
			return g.SetGroupPaused(m, paused), nil
		},
		func(a *groupActor, _ []state.Event) any { return a.info() })
	if err != nil {
		return GroupInfo{}, err
	}
	return v.(GroupInfo), nil
}

// --- queue and jobs ---

// Queue lists a group's active jobs (by dispatch time) and then its pending
// jobs in dispatch order, each with its pending reason and ETA.
func (s *System) Queue(ctx context.Context, groupID string) ([]JobInfo, error) {
	return s.QueueInto(ctx, groupID, nil)
}

// QueueInto is Queue answered in buf[:0], so a frequent reader of large
// queues can reuse one slice instead of allocating one per read.
func (s *System) QueueInto(ctx context.Context, groupID string, buf []JobInfo) ([]JobInfo, error) {
	v, err := s.query(ctx, groupID, func(a *groupActor) (any, error) { return a.queue(buf[:0]), nil })
	if err != nil {
		return nil, err
	}
	return v.([]JobInfo), nil
}

// queue appends the group's active and pending jobs to out for a reader,
// sharing the jobs (they are copy-on-write) instead of copying thousands.
func (a *groupActor) queue(out []JobInfo) []JobInfo {
	active := a.g.Active()
	pending := a.g.Pending()
	out = slices.Grow(out, len(active)+len(pending))
	for _, j := range active {
		out = append(out, JobInfo{Job: j})
	}
	explain := a.sys.explainer(a.g)
	ahead := 0
	for _, j := range pending {
		reason, eta := explain(j, ahead)
		out = append(out, JobInfo{Job: j, PendingReason: reason, ETA: eta})
		if !j.Paused {
			ahead++
		}
	}
	return out
}

// Enqueue adds a job to a group's queue.
func (s *System) Enqueue(ctx context.Context, who Who, groupID string, req state.AddJob) (JobInfo, error) {
	v, err := s.command(ctx, groupID, who,
		func(g *state.GroupState, m state.Meta) ([]state.Event, error) { return g.Enqueue(m, req) },
		func(a *groupActor, events []state.Event) any { return a.jobInfo(a.g.Jobs[events[0].Job.ID]) })
	if err != nil {
		return JobInfo{}, err
	}
	return v.(JobInfo), nil
}

// Reorder sets the order of pending jobs.
func (s *System) Reorder(ctx context.Context, who Who, groupID string, jobIDs []string) error {
	_, err := s.command(ctx, groupID, who,
		func(g *state.GroupState, m state.Meta) ([]state.Event, error) { return g.Reorder(m, jobIDs) },
		func(*groupActor, []state.Event) any { return nil })
	return err
}

// Job returns one job.
func (s *System) Job(ctx context.Context, id string) (JobInfo, error) {
	gid, err := s.groupOfJob(id)
	if err != nil {
		return JobInfo{}, err
	}
	v, err := s.query(ctx, gid, func(a *groupActor) (any, error) {
		j := a.g.Jobs[id]
		if j == nil {
			return nil, state.NotFoundf("Job not found: %s", id)
		}
		return a.jobInfo(j), nil
	})
	if err != nil {
		return JobInfo{}, err
	}
	return v.(JobInfo), nil
}

// UpdateJob changes a pending job.
func (s *System) UpdateJob(ctx context.Context, who Who, id string, req state.UpdateJob) (JobInfo, error) {
	return s.jobCommand(ctx, id, who, func(g *state.GroupState, m state.Meta) ([]state.Event, error) { return g.Update(m, id, req) })
}

// RemoveJob deletes a pending or failed job.
func (s *System) RemoveJob(ctx context.Context, who Who, id string) error {
	_, err := s.jobCommand(ctx, id, who, func(g *state.GroupState, m state.Meta) ([]state.Event, error) { return g.Remove(m, id) })
	return err
}

// PauseJob pauses or resumes a pending job.
func (s *System) PauseJob(ctx context.Context, who Who, id string, paused bool) (JobInfo, error) {
	return s.jobCommand(ctx, id, who, func(g *state.GroupState, m state.Meta) ([]state.Event, error) { return g.SetPaused(m, id, paused) })
}

// SetAutoRequeue sets a job's auto-requeue flag and limit.
func (s *System) SetAutoRequeue(ctx context.Context, who Who, id string, on bool, limit *int) (JobInfo, error) {
	return s.jobCommand(ctx, id, who, func(g *state.GroupState, m state.Meta) ([]state.Event, error) {
		return g.SetAutoRequeue(m, id, on, limit)
	})
}

// DisableRequeue turns auto-requeue off, keeping the limit.
func (s *System) DisableRequeue(ctx context.Context, who Who, id string) (JobInfo, error) {
	return s.jobCommand(ctx, id, who, func(g *state.GroupState, m state.Meta) ([]state.Event, error) { return g.DisableRequeue(m, id) })
}

// CancelJob cancels a job that was handed to GitHub. Without a run tracker
// (GitHub integration off) the job is finished as cancelled at once;
// with one, a cancel request is journaled and the tracker cancels the run
// and records the outcome.
func (s *System) CancelJob(ctx context.Context, who Who, id string) (JobInfo, error) {
	canceller := s.canceller()
	ji, err := s.jobCommand(ctx, id, who, func(g *state.GroupState, m state.Meta) ([]state.Event, error) {
		j := g.Jobs[id]
		if j == nil {
			return nil, state.NotFoundf("Job not found: %s", id)
		}
		if !j.Status.Active() {
			return nil, state.Invalidf("Job can only be cancelled when dispatching, triggered or running")
		}
		if canceller != nil {
			return g.RequestCancel(m, id)
		}
		return g.Finish(m, id, state.Finish{Status: state.StatusCancelled, Reason: "cancelled by " + m.Actor})
	})
	if err == nil && canceller != nil {
		canceller(id)
	}
	return ji, err
}

// canceller is the hook the GitHub run tracker installs; nil without it.
func (s *System) canceller() func(jobID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cancelHook
}

// History returns a page of a group's finished jobs.
func (s *System) History(ctx context.Context, groupID string, q state.HistoryQuery) (state.HistoryPage, error) {
	v, err := s.query(ctx, groupID, func(a *groupActor) (any, error) {
		// HistoryPage returns copies: nothing to copy here.
		return a.g.HistoryPage(q)
	})
	if err != nil {
		return state.HistoryPage{}, err
	}
	return v.(state.HistoryPage), nil
}

// HistoryStats buckets a group's finished jobs over a range.
func (s *System) HistoryStats(ctx context.Context, groupID, rangeName string) (state.HistoryStats, error) {
	now := s.opts.Now().UTC()
	v, err := s.query(ctx, groupID, func(a *groupActor) (any, error) { return a.g.HistoryStats(rangeName, now) })
	if err != nil {
		return state.HistoryStats{}, err
	}
	return v.(state.HistoryStats), nil
}

// ReloadTemplates re-reads the configuration and syncs every group.
func (s *System) ReloadTemplates(ctx context.Context, who Who) ([]ReloadResult, error) {
	if s.opts.Reload == nil {
		return nil, state.Invalidf("template reload is not configured")
	}
	specs, err := s.opts.Reload()
	if err != nil {
		// The caller did nothing wrong, but the message is what they need:
		// a 400 carries it, a generic 500 would hide it.
		return nil, state.Invalidf("Failed to reload config: %v", err)
	}
	if err := s.syncConfig(ctx, who, specs); err != nil {
		return nil, err
	}
	out := make([]ReloadResult, 0, len(specs))
	for _, sp := range specs {
		out = append(out, ReloadResult{GroupID: sp.Group.ID, Templates: len(sp.Templates)})
	}
	return out, nil
}

// syncConfig brings every group in line with the configuration: new groups
// get an actor, changed ones a GroupConfigured event, and groups no longer
// configured are marked so (kept for their history, never dispatched).
func (s *System) syncConfig(ctx context.Context, who Who, specs []GroupSpec) error {
	want := map[string]bool{}
	for _, sp := range specs {
		want[sp.Group.ID] = true
		if _, err := s.groupPID(sp.Group.ID); err != nil {
			if err := s.spawnGroup(sp.Group.ID, state.NewGroupState(sp.Group.ID)); err != nil {
				return err
			}
		}
		sp := sp
		if _, err := s.command(ctx, sp.Group.ID, who,
			func(g *state.GroupState, m state.Meta) ([]state.Event, error) {
				return g.Configure(m, sp.Group, sp.Templates), nil
			},
			func(*groupActor, []state.Event) any { return nil }); err != nil {
			return fmt.Errorf("configure group %s: %w", sp.Group.ID, err)
		}
	}
	for _, id := range s.groupIDs() {
		if want[id] {
			continue
		}
		if _, err := s.command(ctx, id, who,
			func(g *state.GroupState, m state.Meta) ([]state.Event, error) { return g.Unconfigure(m), nil },
			func(*groupActor, []state.Event) any { return nil }); err != nil {
			return fmt.Errorf("unconfigure group %s: %w", id, err)
		}
	}
	return nil
}
