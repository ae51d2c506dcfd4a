package state

import (
	"maps"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestLifecycle follows one job through every status and checks what each
// transition records and which index holds the job.
func TestLifecycle(t *testing.T) {
	f := newFixture(t)
	j := f.enqueueT1()
	// where checks the indexes against the job's current pointer: after each
	// event j is read again, since the event replaced the job.
	where := func(wantPending, wantHistory bool, counts GroupCounts) {
		t.Helper()
		if got := slices.Contains(f.g().Pending(), j); got != wantPending {
			t.Fatalf("%s: in pending index %v; want %v", j.Status, got, wantPending)
		}
		if got := slices.Contains(f.g().History(), j); got != wantHistory {
			t.Fatalf("%s: in history index %v; want %v", j.Status, got, wantHistory)
		}
		counts.TemplateCount = 2
		if got := f.g().Counts(); got != counts {
			t.Fatalf("%s: got counts %+v; want %+v", j.Status, got, counts)
		}
	}
	where(true, false, GroupCounts{QueuedJobs: 1})

	f.advance(time.Second)
	f.dispatch(j.ID)
	j = f.job(j.ID)
	if j.Status != StatusDispatching || j.DispatchKey != "key-"+j.ID || j.RunnerID != 7 || !j.DispatchingAt.Equal(f.now) {
		t.Fatalf("got %s key %q runner %d at %v; want dispatching with key, runner 7, at %v", j.Status, j.DispatchKey, j.RunnerID, j.DispatchingAt, f.now)
	}
	where(false, false, GroupCounts{RunningJobs: 1})

	f.advance(time.Second)
	f.trigger(j.ID, 0)
	j = f.job(j.ID)
	if j.Status != StatusTriggered || j.RunID != 0 || !j.TriggeredAt.Equal(f.now) {
		t.Fatalf("got %s run %d triggered %v; want triggered, run unknown, at %v", j.Status, j.RunID, j.TriggeredAt, f.now)
	}
	link := f.handEvent(JobRunLinked, j.ID)
	link.RunID, link.RunURL = 42, "https://github.com/acme/infra/actions/runs/42"
	f.apply([]Event{link})
	j = f.job(j.ID)
	if j.Status != StatusTriggered || j.RunID != 42 || j.RunURL != link.RunURL {
		t.Fatalf("got %s run %d %q; want the run linked and status unchanged", j.Status, j.RunID, j.RunURL)
	}

	f.advance(time.Second)
	running := f.handEvent(JobRunning, j.ID)
	running.RunnerID, running.RunnerName = 9, "runner-9"
	f.apply([]Event{running})
	j = f.job(j.ID)
	if j.Status != StatusRunning || j.RunnerID != 9 || j.RunnerName != "runner-9" || !j.StartedAt.Equal(f.now) {
		t.Fatalf("got %s on %d %q started %v; want running on runner-9 at %v", j.Status, j.RunnerID, j.RunnerName, j.StartedAt, f.now)
	}
	where(false, false, GroupCounts{RunningJobs: 1})

	f.apply([]Event{f.handEvent(JobCancelRequest, j.ID)})
	j = f.job(j.ID)
	if !j.CancelRequested {
		t.Fatalf("cancel request not recorded")
	}

	f.advance(time.Second)
	f.finish(j.ID, Finish{Status: StatusFailed, Error: "Workflow failure", Conclusion: "failure"})
	j = f.job(j.ID)
	if j.Status != StatusFailed || j.ErrorMessage != "Workflow failure" || j.Conclusion != "failure" || !j.CompletedAt.Equal(f.now) {
		t.Fatalf("got %s %q %q at %v; want failed with the error at %v", j.Status, j.ErrorMessage, j.Conclusion, j.CompletedAt, f.now)
	}
	if j.RunID != 42 {
		t.Fatalf("got run %d; want the linked run kept when the finish names none", j.RunID)
	}
	where(false, true, GroupCounts{})
}

func TestRunningKeepsRunnerWhenNotReported(t *testing.T) {
	f := newFixture(t)
	j := f.enqueueT1()
	f.dispatch(j.ID)
	f.trigger(j.ID, 5)
	f.apply([]Event{f.handEvent(JobRunning, j.ID)})
	j = f.job(j.ID)
	if j.RunnerID != 7 || j.RunnerName != "runner-7" {
		t.Fatalf("got runner %d %q; want the reserved runner kept", j.RunnerID, j.RunnerName)
	}
}

func TestDispatchUndone(t *testing.T) {
	f := newFixture(t)
	a, b := f.enqueueT1(), f.enqueueT1()
	f.dispatch(a.ID)
	if got := pendingIDs(f.g()); !slices.Equal(got, []string{b.ID}) {
		t.Fatalf("got pending %v; want only %s", got, b.ID)
	}
	f.apply([]Event{f.handEvent(JobDispatchUndone, a.ID)})
	a = f.job(a.ID)
	if a.Status != StatusPending || a.DispatchKey != "" || !a.DispatchingAt.IsZero() || a.RunnerID != 0 || a.RunnerName != "" {
		t.Fatalf("got %s key %q at %v runner %d %q; want pending with the dispatch cleared", a.Status, a.DispatchKey, a.DispatchingAt, a.RunnerID, a.RunnerName)
	}
	if got := pendingIDs(f.g()); !slices.Equal(got, []string{a.ID, b.ID}) {
		t.Fatalf("got pending %v; want %s back at the head", got, a.ID)
	}
}

// TestDispatchUndoneAfterFullReorder: a full reorder while a job is away
// renumbers the queue from 0 and may hand out the job's old position; the
// job comes back at the head without sharing a position.
func TestDispatchUndoneAfterFullReorder(t *testing.T) {
	f := newFixture(t)
	a, b, c := f.enqueueT1(), f.enqueueT1(), f.enqueueT1()
	f.dispatch(a.ID) // a holds position 0
	f.must(f.g().Reorder(f.meta(), []string{c.ID, b.ID}))
	f.apply([]Event{f.handEvent(JobDispatchUndone, a.ID)})
	if got := pendingIDs(f.g()); !slices.Equal(got, []string{a.ID, c.ID, b.ID}) {
		t.Fatalf("got pending %v; want %s at the head", got, a.ID)
	}
	assertUniquePositions(t, f.g(), 0, 0)
}

// TestRefusedDispatchFinish: a job GitHub refused to dispatch ends failed
// straight from dispatching and is never requeued, however it is set up.
func TestRefusedDispatchFinish(t *testing.T) {
	f := newFixture(t)
	j := f.enqueue(AddJob{TemplateID: "t1", AutoRequeue: true})
	f.dispatch(j.ID)
	events := f.finish(j.ID, Finish{Status: StatusFailed, Error: "Failed to trigger: 422", NoRun: true})
	if len(events) != 1 {
		t.Fatalf("got %d events; want only the finish, no requeue", len(events))
	}
	j = f.job(j.ID)
	if j.Status != StatusFailed || !j.TriggeredAt.IsZero() {
		t.Fatalf("got %s triggered %v; want failed, never triggered", j.Status, j.TriggeredAt)
	}
}

// TestAutoRequeueLimit: a limit of N gives exactly N requeues across a chain
// of finishes, whatever the statuses; nil is unlimited.
func TestAutoRequeueLimit(t *testing.T) {
	statuses := []JobStatus{StatusCompleted, StatusFailed, StatusCancelled}
	for _, tc := range []struct {
		name  string
		limit *int
		runs  int // finishes to drive, following the chain
		want  int // requeues expected
	}{
		{"limit 0", intPtr(0), 3, 0},
		{"limit 1", intPtr(1), 5, 1},
		{"limit 3", intPtr(3), 8, 3},
		{"unlimited", nil, 12, 12},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			j := f.enqueue(AddJob{TemplateID: "t1", AutoRequeue: true, RequeueLimit: tc.limit})
			requeues := 0
			for i := 0; i < tc.runs && j != nil; i++ {
				f.advance(time.Minute)
				f.dispatch(j.ID)
				f.trigger(j.ID, int64(i+1))
				events := f.finish(j.ID, Finish{Status: statuses[i%len(statuses)]})
				j = nil
				if len(events) == 2 {
					requeues++
					j = f.g().Jobs[events[1].JobID]
					if j.RequeueCount != requeues {
						t.Fatalf("got requeue_count %d; want %d", j.RequeueCount, requeues)
					}
				}
			}
			if requeues != tc.want {
				t.Fatalf("got %d requeues; want %d", requeues, tc.want)
			}
		})
	}
}

// TestAutoRequeueCopies checks the job a requeue creates.
func TestAutoRequeueCopies(t *testing.T) {
	f := newFixture(t)
	f.actor = "bob"
	owner := "fork"
	orig := f.enqueue(AddJob{
		TemplateID: "t1", Inputs: map[string]string{"client": "nethermind"}, AutoRequeue: true,
		RequeueLimit: intPtr(5), Priority: 2, Name: "soak", Owner: owner, Ref: "v1",
		Labels: map[string]string{"team": "core"},
	})
	other := f.enqueue(AddJob{TemplateID: "t1", Priority: 2})
	f.must(f.g().SetPaused(f.meta(), orig.ID, true))
	f.advance(time.Hour)

	// A pending, paused job can still finish (its dispatch failed before the
	// run was known): the copy must start unpaused.
	events := f.finish(orig.ID, Finish{Status: StatusFailed})
	if len(events) != 2 || events[1].Type != JobEnqueued {
		t.Fatalf("got %d events; want the finish and a requeue", len(events))
	}
	n := f.job(events[1].JobID)
	orig = f.job(orig.ID)
	if n.PreviousJobID != orig.ID || n.RequeueCount != 1 || !n.AutoRequeue || n.Paused || n.Status != StatusPending {
		t.Fatalf("got previous %q count %d auto %v paused %v %s; want linked, 1, true, false, pending",
			n.PreviousJobID, n.RequeueCount, n.AutoRequeue, n.Paused, n.Status)
	}
	if n.CreatedBy != "bob" {
		t.Fatalf("got creator %q; want the original creator bob", n.CreatedBy)
	}
	if !maps.Equal(n.Inputs, orig.Inputs) || !maps.Equal(n.Labels, orig.Labels) || n.Priority != 2 {
		t.Fatalf("got inputs %v labels %v priority %d; want copies of %v %v 2", n.Inputs, n.Labels, n.Priority, orig.Inputs, orig.Labels)
	}
	if *n.Name != "soak" || *n.Owner != "fork" || *n.Ref != "v1" || n.Repo != nil || *n.RequeueLimit != 5 {
		t.Fatalf("got overrides %v %v %v %v limit %v; want soak, fork, v1, unset, 5", *n.Name, *n.Owner, *n.Ref, n.Repo, *n.RequeueLimit)
	}
	if n.RequeueLimit == orig.RequeueLimit || n.Owner == orig.Owner {
		t.Fatalf("requeued job shares pointers with the original")
	}
	if n.Position <= other.Position {
		t.Fatalf("got position %d; want behind %d (the back of the queue)", n.Position, other.Position)
	}
	if got := pendingIDs(f.g()); !slices.Equal(got, []string{other.ID, n.ID}) {
		t.Fatalf("got pending %v; want the requeued job behind %s of the same priority", got, other.ID)
	}
	if !strings.Contains(events[1].Reason, "auto-requeue 1 of 5 after "+orig.ID) {
		t.Fatalf("got reason %q; want the requeue explained", events[1].Reason)
	}
	if !n.CreatedAt.Equal(f.now) {
		t.Fatalf("got created %v; want %v", n.CreatedAt, f.now)
	}
}

// TestAutoRequeueNotWhen: situations in which a finishing job with
// auto-requeue on must not come back.
func TestAutoRequeueNotWhen(t *testing.T) {
	for _, tc := range []struct {
		name   string
		before func(f *fixture, j *Job)
	}{
		{"disabled while running", func(f *fixture, j *Job) { f.must(f.g().DisableRequeue(f.meta(), j.ID)) }},
		{"group left the config", func(f *fixture, j *Job) { f.apply(f.g().Unconfigure(f.meta())) }},
		{"template left the config", func(f *fixture, j *Job) { f.configure(testGroup("g1"), testTemplates()[1:]) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			j := f.enqueue(AddJob{TemplateID: "t1", AutoRequeue: true})
			f.dispatch(j.ID)
			f.trigger(j.ID, 1)
			tc.before(f, j)
			if events := f.finish(j.ID, Finish{Status: StatusCompleted}); len(events) != 1 {
				t.Fatalf("got %d events; want no requeue", len(events))
			}
		})
	}
}

func TestManualJobRequeues(t *testing.T) {
	f := newFixture(t)
	j := f.enqueue(AddJob{Owner: "acme", Repo: "infra", WorkflowID: "ci.yml", Ref: "main", AutoRequeue: true, RequeueLimit: intPtr(1)})
	f.dispatch(j.ID)
	events := f.finish(j.ID, Finish{Status: StatusCompleted})
	if len(events) != 2 {
		t.Fatalf("got %d events; want a requeue of the manual job", len(events))
	}
	n := f.g().Jobs[events[1].JobID]
	if owner, repo, wf, ref := f.g().Effective(n); owner != "acme" || repo != "infra" || wf != "ci.yml" || ref != "main" {
		t.Fatalf("got %s/%s %s@%s; want the manual coordinates copied", owner, repo, wf, ref)
	}
}

// TestApplyRejects: events that do not fit the state are refused and change
// nothing. Decide never makes them; a damaged journal might.
func TestApplyRejects(t *testing.T) {
	f := newFixture(t)
	j := f.enqueueT1()
	other := f.enqueueT1()
	for _, tc := range []struct {
		name string
		e    Event
	}{
		{"unknown group", Event{Type: JobPaused, GroupID: "nope", JobID: j.ID}},
		{"unknown job", Event{Type: JobPaused, GroupID: "g1", JobID: "nope"}},
		{"enqueue without job", Event{Type: JobEnqueued, GroupID: "g1"}},
		{"enqueue of an existing id", Event{Type: JobEnqueued, GroupID: "g1", Job: &Job{ID: j.ID, Status: StatusPending}}},
		{"update without patch", Event{Type: JobUpdated, GroupID: "g1", JobID: j.ID}},
		{"finish with a live status", Event{Type: JobFinished, GroupID: "g1", JobID: j.ID, Status: StatusRunning}},
		{"configure without group", Event{Type: GroupConfigured, GroupID: "g1"}},
		{"reorder with more ids than positions", Event{Type: JobsReordered, GroupID: "g1", JobIDs: []string{j.ID}, Positions: []int64{}}},
		{"reorder naming an unknown job", Event{Type: JobsReordered, GroupID: "g1", JobIDs: []string{other.ID, "nope"}, Positions: []int64{0, 1}}},
		{"auth event type in a group", Event{Type: SessionCreated, GroupID: "g1", JobID: j.ID}},
		{"group event type without group", Event{Type: JobPaused, JobID: j.ID}},
		{"runner event without a type it knows", Event{Type: RunnersObserved, GroupID: "g1", JobID: j.ID}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, index := f.s.Hash(), f.g().Index
			if err := f.s.Apply(f.idx+1, &tc.e); err == nil {
				t.Fatalf("got no error; want the event refused")
			}
			if f.s.Hash() != before || f.g().Index != index {
				t.Fatalf("a refused event changed the state")
			}
			assertIndexes(t, f.g())
		})
	}
}

// TestApplySkipsJournaledIndexes: an event at or below a partition's index
// was already applied (it is in the snapshot) and is skipped.
func TestApplySkipsJournaledIndexes(t *testing.T) {
	f := newFixture(t)
	j := f.enqueueT1()
	idx := f.g().Index
	if err := f.s.Apply(idx, &Event{Type: JobPaused, GroupID: "g1", JobID: j.ID}); err != nil {
		t.Fatal(err)
	}
	if f.job(j.ID).Paused {
		t.Fatalf("event at the partition's own index was applied again")
	}
	if err := f.s.Apply(0, &Event{Type: JobPaused, GroupID: "g1", JobID: j.ID}); err != nil {
		t.Fatal(err)
	}
	if j = f.job(j.ID); !j.Paused || f.g().Index != idx {
		t.Fatalf("got paused %v index %d; want index 0 applied without moving the index %d", j.Paused, f.g().Index, idx)
	}
}

// TestStatusChangesKeepIndexes: the dispatcher and tracker build their
// events by hand, so Apply cannot count on the usual order of statuses; the
// pending and history indexes must follow the status whatever the order.
func TestStatusChangesKeepIndexes(t *testing.T) {
	f := newFixture(t)
	a, b := f.enqueueT1(), f.enqueueT1()
	f.trigger(a.ID, 1) // straight from pending, no dispatching recorded
	assertIndexes(t, f.g())
	if slices.Contains(pendingIDs(f.g()), a.ID) {
		t.Fatalf("a triggered job is still queued for dispatch")
	}
	f.complete(b.ID, StatusCompleted)
	f.apply([]Event{f.handEvent(JobRunning, b.ID)}) // a late in_progress report
	assertIndexes(t, f.g())
	if got := f.g().Counts(); got.RunningJobs != 2 {
		t.Fatalf("got %d running; want 2", got.RunningJobs)
	}
}

func TestPruneHistory(t *testing.T) {
	f := newFixture(t)
	var jobs []*Job
	for range 4 {
		id := f.enqueueT1().ID
		f.complete(id, StatusCompleted)
		jobs = append(jobs, f.job(id))
		f.advance(time.Hour)
	}
	events := f.g().PruneHistory(f.meta(), jobs[2].CompletedAt)
	if len(events) != 1 || !slices.Equal(events[0].JobIDs, []string{jobs[0].ID, jobs[1].ID}) {
		t.Fatalf("got %+v; want the two jobs completed strictly before the cutoff", events)
	}
	f.apply(events)
	if len(f.g().History()) != 2 || f.g().Jobs[jobs[0].ID] != nil {
		t.Fatalf("got %d history jobs; want 2 left", len(f.g().History()))
	}
}

// assertIndexes checks the derived indexes against a rebuild from Jobs.
func assertIndexes(tb testing.TB, g *GroupState) {
	tb.Helper()
	fresh := &GroupState{Jobs: g.Jobs}
	fresh.Reindex()
	if !slices.Equal(g.Pending(), fresh.Pending()) {
		tb.Fatalf("pending index %v; want %v", jobIDs(g.Pending()), jobIDs(fresh.Pending()))
	}
	if !slices.Equal(g.History(), fresh.History()) {
		tb.Fatalf("history index %v; want %v", jobIDs(g.History()), jobIDs(fresh.History()))
	}
	if !slices.Equal(g.Active(), fresh.Active()) {
		tb.Fatalf("active index %v; want %v", jobIDs(g.Active()), jobIDs(fresh.Active()))
	}
	if g.pausedPending != fresh.pausedPending {
		tb.Fatalf("paused pending count %d; want %d", g.pausedPending, fresh.pausedPending)
	}
	unpaused := 0
	for _, j := range g.Pending() {
		if got := g.Ahead(j); got != unpaused {
			tb.Fatalf("Ahead(%s) = %d; want %d", j.ID, got, unpaused)
		}
		if !j.Paused {
			unpaused++
		}
	}
}

func jobIDs(jobs []*Job) []string {
	ids := make([]string, len(jobs))
	for i, j := range jobs {
		ids[i] = j.ID
	}
	return ids
}
