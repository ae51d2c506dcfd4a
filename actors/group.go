package actors

import (
	"fmt"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/dispatchoor/dispatchoor/actors/state"
)

// groupActor owns one group's partition of the state. Every change to the
// group's queue, templates and jobs goes through its mailbox, one message at
// a time, so no lock guards the partition.
type groupActor struct {
	sys *System
	id  string
	g   *state.GroupState
	// last is the most recent batch this actor submitted; a read waits for
	// it so that nothing not yet durable is ever shown.
	last *batch
}

// commandMsg asks the group actor to decide and commit events.
type commandMsg struct {
	meta   state.Meta
	decide func(g *state.GroupState, m state.Meta) ([]state.Event, error)
	// result builds the reply from the partition after the events were
	// applied (for example a copy of the changed job).
	result func(a *groupActor, events []state.Event) any
}

// queryMsg asks the group actor for a read.
type queryMsg struct {
	read func(a *groupActor) (any, error)
}

// captureMsg asks for the partition's serialised form, for a snapshot.
type captureMsg struct{ floor uint64 }

type captured struct {
	index uint64
	data  []byte
}

// reply answers commandMsg and queryMsg. The caller must wait on wait before
// using value: until then the answer may describe state that is not durable.
type reply struct {
	value any
	err   error
	wait  *batch
}

func newGroupActor(sys *System, id string) actor.Producer {
	return func() actor.Actor { return &groupActor{sys: sys, id: id} }
}

func (a *groupActor) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		a.start()
	case *actor.Restarting:
		a.sys.log.Warn("group actor restarting after a failure", "group", a.id)
	case *commandMsg:
		ctx.Respond(a.command(m))
	case *queryMsg:
		v, err := m.read(a)
		ctx.Respond(&reply{value: v, err: err, wait: a.lastBatch()})
	case *captureMsg:
		ctx.Respond(a.capture(m.floor))
	}
}

// start takes the partition over from the system. After a panic the
// supervisor creates a new instance; it rebuilds the partition from the
// journal, since the failed instance may have left it half-changed.
func (a *groupActor) start() {
	g, restarted := a.sys.takeGroup(a.id)
	if restarted {
		rebuilt, err := a.sys.rebuildGroup(a.id)
		if err != nil {
			a.sys.fail(fmt.Errorf("rebuild group %s after actor failure: %w", a.id, err))
			return
		}
		g = rebuilt
		a.sys.putGroup(a.id, g)
		a.sys.log.Info("group actor rebuilt its partition from the journal", "group", a.id, "index", g.Index)
	}
	a.g = g
}

func (a *groupActor) lastBatch() *batch {
	if a.last == nil {
		return durableBatch()
	}
	return a.last
}

func (a *groupActor) command(m *commandMsg) *reply {
	events, err := m.decide(a.g, m.meta)
	if err != nil {
		return &reply{err: err, wait: durableBatch()}
	}
	if len(events) == 0 {
		// A no-op (pausing a paused job): answer with the current state,
		// after whatever is still in flight.
		return &reply{value: m.result(a, nil), wait: a.lastBatch()}
	}
	b, first, err := a.sys.submit(events, func(idx uint64, e *state.Event) error {
		if err := a.g.Apply(idx, e); err != nil {
			return err
		}
		a.sys.indexJob(e)
		return nil
	})
	if err != nil {
		return &reply{err: err, wait: durableBatch()}
	}
	a.last = b
	b.setPrepared(a.committed(first, events))
	return &reply{value: m.result(a, events), wait: b}
}

// committed prepares what subscribers receive once the events are durable.
func (a *groupActor) committed(first uint64, events []state.Event) []Committed {
	out := make([]Committed, len(events))
	info := a.info()
	for i := range events {
		e := &events[i]
		c := Committed{Index: first + uint64(i), Event: e, Group: &info}
		if j := a.g.Jobs[e.JobID]; j != nil {
			ji := a.jobInfo(j)
			c.Job, c.JobInfo = ji.Job, &ji
		}
		out[i] = c
	}
	return out
}

func (a *groupActor) capture(floor uint64) *reply {
	if a.g.Index < floor {
		// Every event of this partition up to floor was applied before the
		// capture request arrived (see System.Snapshot).
		a.g.Index = floor
	}
	data, err := a.g.MarshalGroup()
	return &reply{value: captured{index: a.g.Index, data: data}, err: err, wait: a.lastBatch()}
}

// info is the group with its counters.
func (a *groupActor) info() GroupInfo {
	c := a.g.Counts()
	gi := GroupInfo{Group: a.g.Group, QueuedJobs: c.QueuedJobs, RunningJobs: c.RunningJobs, TemplateCount: c.TemplateCount}
	gi.Group.RunnerLabels = append([]string(nil), a.g.Group.RunnerLabels...)
	r := a.sys.runnerSummary(a.g.Group.RunnerLabels)
	gi.IdleRunners, gi.BusyRunners, gi.TotalRunners = r.idle, r.busy, r.total
	return gi
}

// jobInfo is a job with its pending reason and ETA. The job is shared, not
// copied: jobs are copy-on-write (see state.GroupState), so this value
// never changes after the actor moves on.
func (a *groupActor) jobInfo(j *state.Job) JobInfo {
	ji := JobInfo{Job: j}
	if j.Status == state.StatusPending {
		ji.PendingReason, ji.ETA = a.pendingReason(j)
	}
	return ji
}

// pendingReason explains why a pending job is not running yet and estimates
// when it will start. Queue computes it for a whole queue in one pass; this
// single-job form serves GET /jobs/{id} and command replies.
func (a *groupActor) pendingReason(j *state.Job) (string, time.Time) {
	return a.sys.explain(a.g, j, a.g.Ahead(j))
}
