package state

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

// t0 is the fixed start of every test clock.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// fixture drives a State the way the live system does: decide, journal (here:
// append to log with the next index), apply. Time only moves when a test
// moves it, and ids come from a counter, so every run is the same.
type fixture struct {
	tb    testing.TB
	s     *State
	now   time.Time
	actor string
	seq   int
	idx   uint64
	log   []journaled
}

// journaled is an event with the journal index it was applied at.
type journaled struct {
	idx uint64
	e   Event
}

// newFixture returns a state holding group g1 with templates t1 and t2.
func newFixture(tb testing.TB) *fixture {
	tb.Helper()
	f := &fixture{tb: tb, s: New(), now: t0, actor: "alice"}
	f.configure(testGroup("g1"), testTemplates())
	return f
}

func testGroup(id string) Group {
	return Group{ID: id, Name: "Group " + id, RunnerLabels: []string{"self-hosted", "linux"}, Weight: 1}
}

// testTemplates: t1 has defaults, labels and no ref (so "main" applies); t2
// has a ref and labels but no default inputs.
func testTemplates() []Template {
	return []Template{
		{
			ID: "t1", Name: "Deploy", Owner: "acme", Repo: "infra", WorkflowID: "deploy.yml",
			DefaultInputs: map[string]string{"network": "hoodi", "client": "geth"},
			Labels:        map[string]string{"network": "hoodi"},
		},
		{
			ID: "t2", Name: "Sync", Owner: "acme", Repo: "tests", WorkflowID: "sync.yml", Ref: "develop",
			Labels: map[string]string{"suite": "sync"},
		},
	}
}

func (f *fixture) g() *GroupState { return f.group("g1") }

func (f *fixture) group(id string) *GroupState {
	f.tb.Helper()
	g := f.s.Groups[id]
	if g == nil {
		f.tb.Fatalf("group %s does not exist", id)
	}
	return g
}

func (f *fixture) newID() string {
	f.seq++
	return fmt.Sprintf("id-%05d", f.seq)
}

func (f *fixture) meta() Meta {
	return Meta{Time: f.now, Actor: f.actor, IP: "127.0.0.1", NewID: f.newID}
}

func (f *fixture) advance(d time.Duration) { f.now = f.now.Add(d) }

// apply journals and applies events; Decide's events must always apply.
func (f *fixture) apply(events []Event) {
	f.tb.Helper()
	for i := range events {
		f.idx++
		if err := f.s.Apply(f.idx, &events[i]); err != nil {
			f.tb.Fatalf("apply %s at %d: %v", events[i].Type, f.idx, err)
		}
		f.log = append(f.log, journaled{f.idx, events[i]})
	}
}

// must applies the events of a decision that has to succeed.
func (f *fixture) must(events []Event, err error) []Event {
	f.tb.Helper()
	if err != nil {
		f.tb.Fatalf("decide: %v", err)
	}
	f.apply(events)
	return events
}

func (f *fixture) configure(grp Group, templates []Template) []Event {
	f.tb.Helper()
	g := f.s.Groups[grp.ID]
	if g == nil {
		g = NewGroupState(grp.ID)
	}
	events := g.Configure(f.meta(), grp, templates)
	f.apply(events)
	return events
}

// enqueue adds a job to g1 and returns the state's copy of it.
func (f *fixture) enqueue(req AddJob) *Job {
	f.tb.Helper()
	events := f.must(f.g().Enqueue(f.meta(), req))
	return f.g().Jobs[events[0].JobID]
}

func (f *fixture) enqueueT1() *Job {
	f.tb.Helper()
	return f.enqueue(AddJob{TemplateID: "t1"})
}

// job returns g1's current copy of job id. Jobs are copy-on-write: every
// event that changes a job replaces its pointer, so a test reads the job
// again after events instead of keeping an earlier pointer.
func (f *fixture) job(id string) *Job {
	f.tb.Helper()
	j := f.g().Jobs[id]
	if j == nil {
		f.tb.Fatalf("job %s does not exist in g1", id)
	}
	return j
}

// handEvent builds the events the dispatcher and tracker journal without a
// Decide method.
func (f *fixture) handEvent(t Type, jobID string) Event {
	return Event{Type: t, Time: f.now, Actor: ActorDispatcher, GroupID: f.s.FindJob(jobID).GroupID, JobID: jobID}
}

func (f *fixture) dispatch(jobID string) {
	f.tb.Helper()
	e := f.handEvent(JobDispatching, jobID)
	e.DispatchKey, e.RunnerID, e.RunnerName = "key-"+jobID, 7, "runner-7"
	f.apply([]Event{e})
}

func (f *fixture) trigger(jobID string, runID int64) {
	f.tb.Helper()
	e := f.handEvent(JobTriggered, jobID)
	e.RunID, e.RunURL = runID, fmt.Sprintf("https://github.com/acme/infra/actions/runs/%d", runID)
	f.apply([]Event{e})
}

func (f *fixture) finish(jobID string, fin Finish) []Event {
	f.tb.Helper()
	g := f.s.Groups[f.s.FindJob(jobID).GroupID]
	m := f.meta()
	m.Actor = ActorTracker
	return f.must(g.Finish(m, jobID, fin))
}

// complete runs a pending job of g1 through dispatch to a terminal status.
func (f *fixture) complete(jobID string, status JobStatus) []Event {
	f.tb.Helper()
	f.dispatch(jobID)
	f.trigger(jobID, 1000+int64(f.seq))
	return f.finish(jobID, Finish{Status: status})
}

// wantErr checks a refused decision: the right kind, the user-facing
// message, no events, and no change to the state.
func wantErr(tb testing.TB, f *fixture, decide func() ([]Event, error), kind error, msg string) {
	tb.Helper()
	before := f.s.Hash()
	events, err := decide()
	if err == nil {
		tb.Fatalf("got no error and %d events; want %v %q", len(events), kind, msg)
	}
	if !errors.Is(err, kind) {
		tb.Fatalf("got error %v; want kind %v", err, kind)
	}
	if err.Error() != msg {
		tb.Fatalf("got message %q; want %q", err.Error(), msg)
	}
	if events != nil {
		tb.Fatalf("got %d events with the error; want none", len(events))
	}
	if after := f.s.Hash(); after != before {
		tb.Fatalf("a refused decision changed the state")
	}
}

func intPtr(v int) *int { return &v }

func pendingIDs(g *GroupState) []string {
	ids := make([]string, 0, len(g.Pending()))
	for _, j := range g.Pending() {
		ids = append(ids, j.ID)
	}
	return ids
}
