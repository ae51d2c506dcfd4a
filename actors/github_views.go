package actors

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/dispatchoor/dispatchoor/actors/state"
)

// jobView is what the GitHub actors know of a job: a copy taken on its
// group's actor, so it can be read on any goroutine.
type jobView struct {
	ID         string
	GroupID    string
	TemplateID string
	Status     state.JobStatus

	Owner, Repo, WorkflowID, Ref string
	Inputs                       map[string]string
	CorrelationInput             string

	Key             string
	DispatchingAt   time.Time
	TriggeredAt     time.Time
	StartedAt       time.Time
	RunID           int64
	RunURL          string
	RunnerID        int64
	RunnerName      string
	CancelRequested bool
}

// workflowKey names a workflow across repositories: runs are listed per
// workflow, so the tracker groups jobs by it.
func (j *jobView) workflowKey() string { return j.Owner + "/" + j.Repo + "/" + j.WorkflowID }

// groupView is a group as the dispatcher and tracker see it in one pass.
type groupView struct {
	Group  state.Group
	Halted bool // paused or no longer configured: nothing is dispatched
	// Ready are the dispatchable pending jobs in dispatch order, at most
	// the limit asked for.
	Ready []jobView
	// Undispatchable are pending, unpaused jobs that can never be
	// dispatched as they stand, with the reason.
	Undispatchable map[string]string
	// Active are the jobs handed to GitHub and not finished.
	Active []jobView
	// Claimed are the run ids of jobs dispatched at or after the cutoff,
	// finished ones included: the runs a correlation must never take.
	Claimed []int64
	// Durations are run times of recently finished jobs, by template.
	Durations map[string][]time.Duration
}

// viewJob copies a job with its effective coordinates.
func viewJob(g *state.GroupState, j *state.Job) jobView {
	owner, repo, wf, ref := g.Effective(j)
	v := jobView{
		ID: j.ID, GroupID: g.Group.ID, TemplateID: j.TemplateID, Status: j.Status,
		Owner: owner, Repo: repo, WorkflowID: wf, Ref: ref, Inputs: maps.Clone(j.Inputs),
		Key: j.DispatchKey, DispatchingAt: j.DispatchingAt, TriggeredAt: j.TriggeredAt, StartedAt: j.StartedAt,
		RunID: j.RunID, RunURL: j.RunURL, RunnerID: j.RunnerID, RunnerName: j.RunnerName,
		CancelRequested: j.CancelRequested,
	}
	if t := g.Templates[j.TemplateID]; t != nil && j.TemplateID != "" {
		v.CorrelationInput = t.CorrelationInput
	}
	return v
}

// durationSamples is how many finished runs per template seed the duration
// averages at start-up; durationScan bounds the history jobs looked at.
const (
	durationSamples = 20
	durationScan    = 200
)

// readGroupView builds a groupView on the group's actor. readyLimit caps
// Ready (the dispatcher never needs more jobs than there are runners);
// cutoff bounds the claimed run ids to those a correlation could meet.
func readGroupView(g *state.GroupState, readyLimit int, cutoff time.Time) groupView {
	v := groupView{Group: g.Group, Undispatchable: map[string]string{}, Durations: map[string][]time.Duration{}}
	v.Group.RunnerLabels = slices.Clone(g.Group.RunnerLabels)
	v.Group.Repos = slices.Clone(g.Group.Repos)
	v.Halted = g.DispatchHalted() != nil
	for _, j := range g.Pending() {
		if j.Paused {
			continue
		}
		if p := g.DispatchProblem(j); p != "" {
			// Failed only while the group dispatches: a paused group is
			// left alone.
			if !v.Halted {
				v.Undispatchable[j.ID] = p
			}
			continue
		}
		if !v.Halted && len(v.Ready) < readyLimit {
			v.Ready = append(v.Ready, viewJob(g, j))
		}
	}
	for _, j := range g.Active() {
		v.Active = append(v.Active, viewJob(g, j))
		if j.RunID != 0 {
			v.Claimed = append(v.Claimed, j.RunID)
		}
	}
	// History is ordered by completion: once past the cutoff no job can
	// hold a run a correlation could meet, and only duration samples are
	// still collected, from a bounded number of jobs.
	hist := g.History()
	for i, seen := len(hist)-1, 0; i >= 0; i, seen = i-1, seen+1 {
		j := hist[i]
		past := j.CompletedAt.Before(cutoff)
		if past && seen >= durationScan {
			break
		}
		if !past && j.RunID != 0 {
			v.Claimed = append(v.Claimed, j.RunID)
		}
		if j.Status == state.StatusCompleted && !j.StartedAt.IsZero() && len(v.Durations[j.TemplateID]) < durationSamples {
			v.Durations[j.TemplateID] = append(v.Durations[j.TemplateID], j.CompletedAt.Sub(j.StartedAt))
		}
	}
	return v
}

// readGroups reads every group. A group that cannot be read (its actor is
// restarting) is skipped with an error logged by the caller: the others
// still get dispatched.
func (gh *GitHub) readGroups(ctx context.Context, readyLimit int, cutoff time.Time) ([]groupView, error) {
	var out []groupView
	var firstErr error
	for _, id := range gh.sys.GroupIDs() {
		v, err := gh.sys.Read(ctx, id, func(g *state.GroupState) (any, error) {
			return readGroupView(g, readyLimit, cutoff), nil
		})
		if err != nil {
			if firstErr == nil {
				firstErr = fmt.Errorf("read group %s: %w", id, err)
			}
			continue
		}
		out = append(out, v.(groupView))
	}
	return out, firstErr
}
