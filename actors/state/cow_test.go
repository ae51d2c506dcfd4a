package state

import (
	"bytes"
	"encoding/json"
	"slices"
	"testing"
	"time"
)

// TestJobsAreCopyOnWrite: an event never changes a *Job a reader already
// holds. It replaces the job with a changed copy, stamped with the event's
// journal index, in the partition's map and in its index slot.
func TestJobsAreCopyOnWrite(t *testing.T) {
	t.Run("every job-changing event", func(t *testing.T) {
		f := newFixture(t)
		id := f.enqueue(AddJob{TemplateID: "t1", Labels: map[string]string{"team": "core"}}).ID
		if got := f.job(id).Rev(); got != f.idx {
			t.Fatalf("enqueued job: got rev %d; want the enqueue's index %d", got, f.idx)
		}
		other := f.enqueueT1().ID
		owner := "fork"
		steps := []struct {
			want   Type
			decide func() ([]Event, error)
		}{
			{JobUpdated, func() ([]Event, error) {
				return f.g().Update(f.meta(), id, UpdateJob{Owner: &owner, Priority: intPtr(2), HasInputs: true, Inputs: map[string]string{"a": "1"}})
			}},
			{JobPaused, func() ([]Event, error) { return f.g().SetPaused(f.meta(), id, true) }},
			{JobUnpaused, func() ([]Event, error) { return f.g().SetPaused(f.meta(), id, false) }},
			{JobRequeueSet, func() ([]Event, error) { return f.g().SetAutoRequeue(f.meta(), id, true, intPtr(3)) }},
			{JobsReordered, func() ([]Event, error) { return f.g().Reorder(f.meta(), []string{other, id}) }},
			{JobDispatching, func() ([]Event, error) { return f.g().MarkDispatching(f.meta(), id, "k1", 7, "runner-7") }},
			{JobDispatchUndone, func() ([]Event, error) { return f.g().UndoDispatch(f.meta(), id, "no run appeared") }},
			{JobDispatching, func() ([]Event, error) { return f.g().MarkDispatching(f.meta(), id, "k2", 8, "runner-8") }},
			{JobTriggered, func() ([]Event, error) { return f.g().MarkTriggered(f.meta(), id, 0, "") }},
			{JobRunLinked, func() ([]Event, error) { return f.g().LinkRun(f.meta(), id, 42, "https://example.invalid/42") }},
			{JobRunning, func() ([]Event, error) { return f.g().MarkRunning(f.meta(), id, 9, "runner-9") }},
			{JobCancelRequest, func() ([]Event, error) { return f.g().RequestCancel(f.meta(), id) }},
			// Turning requeue off keeps the finish a single event, whose
			// index is then the job's revision.
			{JobRequeueSet, func() ([]Event, error) { return f.g().DisableRequeue(f.meta(), id) }},
			{JobFinished, func() ([]Event, error) {
				return f.g().Finish(f.meta(), id, Finish{Status: StatusCancelled, Conclusion: "cancelled"})
			}},
		}
		for _, st := range steps {
			old := f.job(id)
			oldRev := old.Rev()
			before := marshalJob(t, old)
			f.advance(time.Second) // every change then shows in updated_at
			events := f.must(st.decide())
			if len(events) != 1 || events[0].Type != st.want {
				t.Fatalf("%s: got %d events %+v; want exactly one %s", st.want, len(events), events, st.want)
			}

			if after := marshalJob(t, old); !bytes.Equal(after, before) {
				t.Fatalf("%s changed a job a reader held:\nbefore %s\nafter  %s", st.want, before, after)
			}
			if old.Rev() != oldRev {
				t.Fatalf("%s: the held job's rev moved from %d to %d", st.want, oldRev, old.Rev())
			}
			cur := f.job(id)
			if cur == old {
				t.Fatalf("%s: the job was changed in place; want a new pointer", st.want)
			}
			if bytes.Equal(marshalJob(t, cur), before) {
				t.Fatalf("%s: the current job equals the old one; want the event applied", st.want)
			}
			if cur.Rev() != f.idx {
				t.Fatalf("%s: got rev %d; want the event's index %d", st.want, cur.Rev(), f.idx)
			}
			assertHeldBy(t, f.g(), st.want, old, cur)
		}
		if cur := f.job(id); cur.Status != StatusCancelled || !cur.CancelRequested || cur.RunID != 42 {
			t.Fatalf("got %s cancel %v run %d; want the whole sequence applied", cur.Status, cur.CancelRequested, cur.RunID)
		}
	})

	t.Run("reorder of several jobs", func(t *testing.T) {
		f := newFixture(t)
		var ids []string
		for range 4 {
			ids = append(ids, f.enqueueT1().ID)
		}
		held := map[string]*Job{}
		before := map[string][]byte{}
		for _, id := range ids {
			held[id] = f.job(id)
			before[id] = marshalJob(t, held[id])
		}
		f.advance(time.Second)
		moved := []string{ids[3], ids[0], ids[1]} // ids[2] keeps its place
		f.must(f.g().Reorder(f.meta(), moved))
		for _, id := range moved {
			cur := f.job(id)
			if cur == held[id] {
				t.Fatalf("job %s: moved in place; want a new pointer", id)
			}
			if cur.Rev() != f.idx {
				t.Fatalf("job %s: got rev %d; want the reorder's index %d", id, cur.Rev(), f.idx)
			}
			assertHeldBy(t, f.g(), JobsReordered, held[id], cur)
		}
		for _, id := range ids {
			if after := marshalJob(t, held[id]); !bytes.Equal(after, before[id]) {
				t.Fatalf("job %s: the reorder changed a job a reader held:\nbefore %s\nafter  %s", id, before[id], after)
			}
		}
		// A job the event does not name is not changed, so it keeps its
		// pointer and its revision: a reader's cache of it stays valid.
		if f.job(ids[2]) != held[ids[2]] || held[ids[2]].Rev() == f.idx {
			t.Fatalf("job %s, left out of the reorder, was replaced", ids[2])
		}
		if got, want := pendingIDs(f.g()), []string{ids[3], ids[0], ids[2], ids[1]}; !slices.Equal(got, want) {
			t.Fatalf("got pending %v; want %v", got, want)
		}
	})
}

// assertHeldBy checks that the pending or history index (whichever the
// job's status puts it in) holds the job's current pointer, and that no
// index still holds the replaced one.
func assertHeldBy(tb testing.TB, g *GroupState, after Type, old, cur *Job) {
	tb.Helper()
	if slices.Contains(g.Pending(), old) || slices.Contains(g.History(), old) {
		tb.Fatalf("%s: an index still holds the replaced job", after)
	}
	if got, want := slices.Contains(g.Pending(), cur), cur.Status == StatusPending; got != want {
		tb.Fatalf("%s: %s job in the pending index %v; want %v", after, cur.Status, got, want)
	}
	if got, want := slices.Contains(g.History(), cur), cur.Status.Terminal(); got != want {
		tb.Fatalf("%s: %s job in the history index %v; want %v", after, cur.Status, got, want)
	}
	assertIndexes(tb, g)
}

func marshalJob(tb testing.TB, j *Job) []byte {
	tb.Helper()
	b, err := json.Marshal(j)
	if err != nil {
		tb.Fatalf("marshal job %s: %v", j.ID, err)
	}
	return b
}
