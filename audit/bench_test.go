package audit

import (
	"testing"
	"time"

	"github.com/dispatchoor/dispatchoor/actors/state"
)

// benchPayloads are typical events: an enqueue carrying its job, and a
// lifecycle transition.
func benchPayloads(b *testing.B) [][]byte {
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	job := &state.Job{ID: "00000000-0000-4000-0050-000000001000", GroupID: "g1", TemplateID: "t1", Position: 12345,
		Status: state.StatusPending, AutoRequeue: true, RequeueCount: 50, Inputs: map[string]string{"a": "1", "network": "hoodi"},
		CreatedBy: "alice", CreatedAt: at, UpdatedAt: at, PreviousJobID: "00000000-0000-4000-0049-000000001000"}
	events := []state.Event{
		{Type: state.JobEnqueued, Time: at, Actor: state.ActorTracker, GroupID: "g1", JobID: job.ID, Job: job, Reason: "auto-requeue after x"},
		{Type: state.JobDispatching, Time: at, Actor: state.ActorDispatcher, GroupID: "g1", JobID: job.ID,
			DispatchKey: "k" + job.ID, RunnerID: 7, RunnerName: "runner-7", Reason: "next in line; runner-7 idle"},
		{Type: state.JobFinished, Time: at, Actor: state.ActorTracker, GroupID: "g1", JobID: job.ID,
			Status: state.StatusCompleted, Conclusion: "success", Reason: "run concluded"},
	}
	var out [][]byte
	for _, e := range events {
		p, err := e.Encode()
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

func BenchmarkReadHeader(b *testing.B) {
	ps := benchPayloads(b)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := readHeader(ps[i%len(ps)]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeEvent(b *testing.B) {
	ps := benchPayloads(b)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := state.DecodeEvent(ps[i%len(ps)]); err != nil {
			b.Fatal(err)
		}
	}
}
