package state

import (
	"strings"
	"testing"
	"time"
)

// stage moves a fresh t1 job of g1 to the given status through the decide
// functions under test, so each case starts from a state they produced. It
// returns the job as it is after the last step.
func (f *fixture) stage(status JobStatus) *Job {
	f.tb.Helper()
	id := f.enqueueT1().ID
	if status == StatusPending {
		return f.job(id)
	}
	f.must(f.g().MarkDispatching(f.meta(), id, "k-"+id, 7, "runner-7"))
	if status == StatusDispatching {
		return f.job(id)
	}
	f.must(f.g().MarkTriggered(f.meta(), id, 0, ""))
	if status == StatusTriggered {
		return f.job(id)
	}
	if status == StatusRunning {
		f.must(f.g().MarkRunning(f.meta(), id, 9, "runner-9"))
		return f.job(id)
	}
	f.must(f.g().Finish(f.meta(), id, Finish{Status: status}))
	return f.job(id)
}

func TestMarkDispatching(t *testing.T) {
	f := newFixture(t)
	j := f.enqueueT1()
	behind := f.enqueueT1()
	events := f.must(f.g().MarkDispatching(f.meta(), j.ID, "key-1", 7, "runner-7"))
	if len(events) != 1 || events[0].Type != JobDispatching {
		t.Fatalf("got %+v; want one %s event", events, JobDispatching)
	}
	e := events[0]
	if e.DispatchKey != "key-1" || e.RunnerID != 7 || e.RunnerName != "runner-7" || e.JobID != j.ID || e.GroupID != "g1" {
		t.Fatalf("got event %+v; want key-1 for runner 7 on %s", e, j.ID)
	}
	j = f.job(j.ID)
	if j.Status != StatusDispatching || j.DispatchKey != "key-1" || j.RunnerID != 7 || !j.DispatchingAt.Equal(f.now) {
		t.Fatalf("got job %+v; want dispatching with key-1 on runner 7 at %v", j, f.now)
	}
	if got := pendingIDs(f.g()); len(got) != 1 || got[0] != behind.ID {
		t.Fatalf("got pending %v; want only %s", got, behind.ID)
	}
}

func TestMarkDispatchingRefusals(t *testing.T) {
	decide := func(key string) func(f *fixture) decision {
		return func(f *fixture) decision {
			j := f.enqueueT1()
			return func() ([]Event, error) { return f.g().MarkDispatching(f.meta(), j.ID, key, 1, "r1") }
		}
	}
	from := func(status JobStatus) func(f *fixture) decision {
		return func(f *fixture) decision {
			j := f.stage(status)
			return func() ([]Event, error) { return f.g().MarkDispatching(f.meta(), j.ID, "k2", 1, "r1") }
		}
	}
	runRefusals(t, []refusal{
		{"unknown job", func(f *fixture) decision {
			return func() ([]Event, error) { return f.g().MarkDispatching(f.meta(), "nope", "k", 1, "r1") }
		}, ErrNotFound, "job not found: nope"},
		{"already dispatching", from(StatusDispatching), ErrInvalid, "cannot dispatch job id-00001 with status dispatching"},
		{"triggered", from(StatusTriggered), ErrInvalid, "cannot dispatch job id-00001 with status triggered"},
		{"running", from(StatusRunning), ErrInvalid, "cannot dispatch job id-00001 with status running"},
		{"finished", from(StatusCompleted), ErrInvalid, "cannot dispatch job id-00001 with status completed"},
		{"job paused", func(f *fixture) decision {
			j := f.enqueueT1()
			f.must(f.g().SetPaused(f.meta(), j.ID, true))
			return func() ([]Event, error) { return f.g().MarkDispatching(f.meta(), j.ID, "k", 1, "r1") }
		}, ErrInvalid, "job id-00001 is paused"},
		{"group paused", func(f *fixture) decision {
			j := f.enqueueT1()
			f.apply(f.g().SetGroupPaused(f.meta(), true))
			return func() ([]Event, error) { return f.g().MarkDispatching(f.meta(), j.ID, "k", 1, "r1") }
		}, ErrInvalid, "group g1 is paused"},
		{"group left the config", func(f *fixture) decision {
			j := f.enqueueT1()
			f.apply(f.g().Unconfigure(f.meta()))
			return func() ([]Event, error) { return f.g().MarkDispatching(f.meta(), j.ID, "k", 1, "r1") }
		}, ErrInvalid, "group g1 is no longer in the config"},
		{"empty key", decide(""), ErrInvalid, "dispatch key must be 1 to 64 bytes"},
		{"key too long", decide(strings.Repeat("k", MaxDispatchKeyLen+1)), ErrInvalid, "dispatch key must be 1 to 64 bytes"},
		{"template vanished", func(f *fixture) decision {
			j := f.enqueueT1()
			delete(f.g().Templates, "t1")
			return func() ([]Event, error) { return f.g().MarkDispatching(f.meta(), j.ID, "k", 1, "r1") }
		}, ErrInvalid, "cannot dispatch: template t1 no longer exists"},
		{"incomplete coordinates", func(f *fixture) decision {
			tmpls := testTemplates()
			tmpls[0].Repo, tmpls[0].WorkflowID = "", ""
			f.configure(testGroup("g1"), tmpls)
			j := f.enqueueT1()
			return func() ([]Event, error) { return f.g().MarkDispatching(f.meta(), j.ID, "k", 1, "r1") }
		}, ErrInvalid, "cannot dispatch: missing repo, workflow_id"},
	})
}

func TestMarkTriggered(t *testing.T) {
	for _, runID := range []int64{0, 22222222222} {
		f := newFixture(t)
		j := f.stage(StatusDispatching)
		url := ""
		if runID != 0 {
			url = "https://github.com/acme/infra/actions/runs/22222222222"
		}
		events := f.must(f.g().MarkTriggered(f.meta(), j.ID, runID, url))
		if len(events) != 1 || events[0].Type != JobTriggered {
			t.Fatalf("run %d: got %+v; want one %s event", runID, events, JobTriggered)
		}
		j = f.job(j.ID)
		if j.Status != StatusTriggered || j.RunID != runID || j.RunURL != url || !j.TriggeredAt.Equal(f.now) {
			t.Fatalf("run %d: got job %+v; want triggered with run %d", runID, j, runID)
		}
		if j.RunnerID != 7 {
			t.Fatalf("run %d: got runner %d; want the reserved runner 7 kept", runID, j.RunnerID)
		}
	}
}

func TestMarkTriggeredRefusals(t *testing.T) {
	from := func(status JobStatus) func(f *fixture) decision {
		return func(f *fixture) decision {
			j := f.stage(status)
			return func() ([]Event, error) { return f.g().MarkTriggered(f.meta(), j.ID, 5, "u") }
		}
	}
	runRefusals(t, []refusal{
		{"unknown job", func(f *fixture) decision {
			return func() ([]Event, error) { return f.g().MarkTriggered(f.meta(), "nope", 5, "u") }
		}, ErrNotFound, "job not found: nope"},
		{"pending", from(StatusPending), ErrInvalid, "cannot mark job id-00001 triggered: status pending, want dispatching"},
		{"triggered", from(StatusTriggered), ErrInvalid, "cannot mark job id-00001 triggered: status triggered, want dispatching"},
		{"cancelled", from(StatusCancelled), ErrInvalid, "cannot mark job id-00001 triggered: status cancelled, want dispatching"},
		{"negative run id", func(f *fixture) decision {
			j := f.stage(StatusDispatching)
			return func() ([]Event, error) { return f.g().MarkTriggered(f.meta(), j.ID, -1, "") }
		}, ErrInvalid, "run id must not be negative, got -1"},
		{"run of another job", func(f *fixture) decision {
			other := f.stage(StatusDispatching)
			f.must(f.g().MarkTriggered(f.meta(), other.ID, 5, "u"))
			j := f.stage(StatusDispatching)
			return func() ([]Event, error) { return f.g().MarkTriggered(f.meta(), j.ID, 5, "u") }
		}, ErrInvalid, "run 5 already belongs to job id-00001"},
	})
}

func TestLinkRun(t *testing.T) {
	for _, status := range []JobStatus{StatusTriggered, StatusRunning} {
		f := newFixture(t)
		j := f.stage(status)
		events := f.must(f.g().LinkRun(f.meta(), j.ID, 42, "https://github.com/acme/infra/actions/runs/42"))
		if len(events) != 1 || events[0].Type != JobRunLinked {
			t.Fatalf("%s: got %+v; want one %s event", status, events, JobRunLinked)
		}
		j = f.job(j.ID)
		if j.RunID != 42 || j.RunURL == "" || j.Status != status {
			t.Fatalf("%s: got job %+v; want run 42 linked, status kept", status, j)
		}
		again, err := f.g().LinkRun(f.meta(), j.ID, 42, "https://github.com/acme/infra/actions/runs/42")
		if err != nil || again != nil {
			t.Fatalf("%s: linking the same run again: got %v, %v; want a no-op", status, again, err)
		}
	}
}

func TestLinkRunRefusals(t *testing.T) {
	from := func(status JobStatus) func(f *fixture) decision {
		return func(f *fixture) decision {
			j := f.stage(status)
			return func() ([]Event, error) { return f.g().LinkRun(f.meta(), j.ID, 42, "u") }
		}
	}
	runRefusals(t, []refusal{
		{"unknown job", func(f *fixture) decision {
			return func() ([]Event, error) { return f.g().LinkRun(f.meta(), "nope", 42, "u") }
		}, ErrNotFound, "job not found: nope"},
		{"pending", from(StatusPending), ErrInvalid, "cannot link a run to job id-00001 with status pending"},
		{"dispatching", from(StatusDispatching), ErrInvalid, "cannot link a run to job id-00001 with status dispatching"},
		{"failed", from(StatusFailed), ErrInvalid, "cannot link a run to job id-00001 with status failed"},
		{"zero run id", func(f *fixture) decision {
			j := f.stage(StatusTriggered)
			return func() ([]Event, error) { return f.g().LinkRun(f.meta(), j.ID, 0, "") }
		}, ErrInvalid, "run id must be positive, got 0"},
		{"linked to another run", func(f *fixture) decision {
			j := f.stage(StatusTriggered)
			f.must(f.g().LinkRun(f.meta(), j.ID, 41, "u"))
			return func() ([]Event, error) { return f.g().LinkRun(f.meta(), j.ID, 42, "u") }
		}, ErrInvalid, "job id-00001 is already linked to run 41"},
		{"run of another job", func(f *fixture) decision {
			other := f.stage(StatusTriggered)
			f.must(f.g().LinkRun(f.meta(), other.ID, 42, "u"))
			j := f.stage(StatusTriggered)
			return func() ([]Event, error) { return f.g().LinkRun(f.meta(), j.ID, 42, "u") }
		}, ErrInvalid, "run 42 already belongs to job id-00001"},
	})
}

func TestMarkRunning(t *testing.T) {
	f := newFixture(t)
	j := f.stage(StatusTriggered)
	f.advance(3 * time.Second)
	events := f.must(f.g().MarkRunning(f.meta(), j.ID, 11, "runner-11"))
	if len(events) != 1 || events[0].Type != JobRunning {
		t.Fatalf("got %+v; want one %s event", events, JobRunning)
	}
	j = f.job(j.ID)
	if j.Status != StatusRunning || j.RunnerID != 11 || j.RunnerName != "runner-11" || !j.StartedAt.Equal(f.now) {
		t.Fatalf("got job %+v; want running on runner-11 since %v", j, f.now)
	}
	again, err := f.g().MarkRunning(f.meta(), j.ID, 12, "runner-12")
	if err != nil || again != nil {
		t.Fatalf("marking a running job running again: got %v, %v; want a no-op", again, err)
	}
}

func TestMarkRunningRefusals(t *testing.T) {
	from := func(status JobStatus) func(f *fixture) decision {
		return func(f *fixture) decision {
			j := f.stage(status)
			return func() ([]Event, error) { return f.g().MarkRunning(f.meta(), j.ID, 1, "r1") }
		}
	}
	runRefusals(t, []refusal{
		{"unknown job", func(f *fixture) decision {
			return func() ([]Event, error) { return f.g().MarkRunning(f.meta(), "nope", 1, "r1") }
		}, ErrNotFound, "job not found: nope"},
		{"pending", from(StatusPending), ErrInvalid, "cannot mark job id-00001 running: status pending, want triggered"},
		{"dispatching", from(StatusDispatching), ErrInvalid, "cannot mark job id-00001 running: status dispatching, want triggered"},
		{"completed", from(StatusCompleted), ErrInvalid, "cannot mark job id-00001 running: status completed, want triggered"},
	})
}

func TestUndoDispatch(t *testing.T) {
	f := newFixture(t)
	j := f.stage(StatusDispatching)
	behind := f.enqueueT1()
	events := f.must(f.g().UndoDispatch(f.meta(), j.ID, "no run appeared"))
	if len(events) != 1 || events[0].Type != JobDispatchUndone || events[0].Reason != "no run appeared" {
		t.Fatalf("got %+v; want one %s event with the reason", events, JobDispatchUndone)
	}
	j = f.job(j.ID)
	if j.Status != StatusPending || j.DispatchKey != "" || j.RunnerID != 0 || !j.DispatchingAt.IsZero() {
		t.Fatalf("got job %+v; want pending with the dispatch cleared", j)
	}
	if got := pendingIDs(f.g()); len(got) != 2 || got[0] != j.ID || got[1] != behind.ID {
		t.Fatalf("got pending %v; want %s back at the head, then %s", got, j.ID, behind.ID)
	}
}

func TestUndoDispatchAfterCancelFinishesTheJob(t *testing.T) {
	f := newFixture(t)
	j := f.enqueue(AddJob{TemplateID: "t1", AutoRequeue: true, RequeueLimit: intPtr(1)})
	f.must(f.g().MarkDispatching(f.meta(), j.ID, "k", 7, "runner-7"))
	f.must(f.g().RequestCancel(f.meta(), j.ID))
	events := f.must(f.g().UndoDispatch(f.meta(), j.ID, "no run appeared"))
	if len(events) != 2 || events[0].Type != JobFinished || events[1].Type != JobEnqueued {
		t.Fatalf("got %+v; want the job finished and its auto-requeue", events)
	}
	if j = f.job(j.ID); j.Status != StatusCancelled {
		t.Fatalf("got status %s; want cancelled: a cancelled job must never be sent again", j.Status)
	}
}

func TestUndoDispatchRefusals(t *testing.T) {
	from := func(status JobStatus) func(f *fixture) decision {
		return func(f *fixture) decision {
			j := f.stage(status)
			return func() ([]Event, error) { return f.g().UndoDispatch(f.meta(), j.ID, "r") }
		}
	}
	runRefusals(t, []refusal{
		{"unknown job", func(f *fixture) decision {
			return func() ([]Event, error) { return f.g().UndoDispatch(f.meta(), "nope", "r") }
		}, ErrNotFound, "job not found: nope"},
		{"pending", from(StatusPending), ErrInvalid, "cannot undo the dispatch of job id-00001: status pending, want dispatching"},
		{"triggered", from(StatusTriggered), ErrInvalid, "cannot undo the dispatch of job id-00001: status triggered, want dispatching"},
		{"running", from(StatusRunning), ErrInvalid, "cannot undo the dispatch of job id-00001: status running, want dispatching"},
	})
}

func TestFailUndispatchable(t *testing.T) {
	f := newFixture(t)
	j := f.enqueue(AddJob{TemplateID: "t1", AutoRequeue: true})
	delete(f.g().Templates, "t1")
	events := f.must(f.g().FailUndispatchable(f.meta(), j.ID))
	if len(events) != 1 || events[0].Type != JobFinished {
		t.Fatalf("got %+v; want only the failure, no requeue of a job that would fail again", events)
	}
	j = f.job(j.ID)
	if j.Status != StatusFailed || j.ErrorMessage != "cannot dispatch: template t1 no longer exists" {
		t.Fatalf("got job %s %q; want failed with the reason", j.Status, j.ErrorMessage)
	}
}

func TestFailUndispatchableRefusals(t *testing.T) {
	runRefusals(t, []refusal{
		{"dispatchable", func(f *fixture) decision {
			j := f.enqueueT1()
			return func() ([]Event, error) { return f.g().FailUndispatchable(f.meta(), j.ID) }
		}, ErrInvalid, "job id-00001 can be dispatched"},
		{"not pending", func(f *fixture) decision {
			j := f.stage(StatusDispatching)
			delete(f.g().Templates, "t1")
			return func() ([]Event, error) { return f.g().FailUndispatchable(f.meta(), j.ID) }
		}, ErrInvalid, "cannot fail job id-00001 as undispatchable: status dispatching"},
	})
}

func TestDispatchable(t *testing.T) {
	cases := []struct {
		name    string
		prepare func(f *fixture) *Job
		want    bool
	}{
		{"pending", func(f *fixture) *Job { return f.enqueueT1() }, true},
		{"manual job", func(f *fixture) *Job {
			return f.enqueue(AddJob{Owner: "acme", Repo: "x", WorkflowID: "ci.yml", Ref: "main"})
		}, true},
		{"paused job", func(f *fixture) *Job {
			j := f.enqueueT1()
			f.must(f.g().SetPaused(f.meta(), j.ID, true))
			return j
		}, false},
		{"paused group", func(f *fixture) *Job {
			j := f.enqueueT1()
			f.apply(f.g().SetGroupPaused(f.meta(), true))
			return j
		}, false},
		{"removed group", func(f *fixture) *Job {
			j := f.enqueueT1()
			f.apply(f.g().Unconfigure(f.meta()))
			return j
		}, false},
		{"template gone", func(f *fixture) *Job {
			j := f.enqueueT1()
			delete(f.g().Templates, "t1")
			return j
		}, false},
		{"template left the config", func(f *fixture) *Job {
			j := f.enqueueT1()
			f.configure(testGroup("g1"), testTemplates()[1:])
			return j
		}, true},
		{"dispatching", func(f *fixture) *Job { return f.stage(StatusDispatching) }, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			j := f.job(tc.prepare(f).ID) // as it is after the preparation's events
			if got := f.g().Dispatchable(j); got != tc.want {
				t.Fatalf("got %v; want %v (problem %q)", got, tc.want, f.g().DispatchProblem(j))
			}
		})
	}
}

// TestDispatchLifecycleReplays checks that the events of a full dispatch
// rebuild the same state when replayed, as recovery and the audit do.
func TestDispatchLifecycleReplays(t *testing.T) {
	f := newFixture(t)
	a := f.stage(StatusRunning)
	f.must(f.g().LinkRun(f.meta(), a.ID, 77, "u"))
	b := f.stage(StatusDispatching)
	f.must(f.g().UndoDispatch(f.meta(), b.ID, "no run"))
	f.must(f.g().Finish(f.meta(), a.ID, Finish{Status: StatusCompleted, Conclusion: "success"}))
	replayed := New()
	for _, je := range f.log {
		if err := replayed.Apply(je.idx, &je.e); err != nil {
			t.Fatalf("replay %s at %d: %v", je.e.Type, je.idx, err)
		}
	}
	if got, want := replayed.Hash(), f.s.Hash(); got != want {
		t.Fatalf("replayed hash %s; want %s", got, want)
	}
}
