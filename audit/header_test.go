package audit

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/dispatchoor/dispatchoor/actors/state"
)

// headerSeeds are encoded events covering every field the header reads,
// and the traps: "job_id" as an input name, escapes, nulls, whitespace.
func headerSeeds(t testing.TB) [][]byte {
	t.Helper()
	at := time.Date(2026, 3, 14, 9, 0, 0, 123456789, time.UTC)
	events := []state.Event{
		{Type: state.JobEnqueued, Time: at, Actor: "alice", IP: "192.0.2.1", GroupID: "g", JobID: "j2",
			Job: &state.Job{ID: "j2", PreviousJobID: "j1", Inputs: map[string]string{"job_id": "fake", "previous_job_id": "x"}}},
		{Type: state.JobsReordered, Time: at, Actor: "bob", GroupID: "g", JobIDs: []string{"a", "b\"c", "d\\e"}, Positions: []int64{0, 1, 2}},
		{Type: state.HistoryPruned, Time: at, Actor: state.ActorRetention, GroupID: "g", JobIDs: []string{"a"}, Reason: `quote " and \ backslash`},
		{Type: state.SessionCreated, Time: at, Actor: "ünïcode", Session: &state.Session{Username: "job_id"}},
		{Type: state.JobFinished, Time: at, Actor: state.ActorTracker, GroupID: "g", JobID: "j\u2028x", Status: state.StatusFailed},
	}
	var out [][]byte
	for _, e := range events {
		b, err := e.Encode()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return append(out,
		[]byte(` { "time" : "2026-03-14T09:00:00Z" , "type" : "job_removed" , "job_id" : null , "job" : null, "job_ids": null, "extra": [1, {"job_id": "x"}, "]"] } `),
		[]byte(`{"type":"job_paused","time":"2026-03-14T09:00:00Z","job_id":"j\u0031"}`),
		[]byte(`{"typ\u0065":"job_paused","time":"2026-03-14T09:00:00Z"}`),
		[]byte(`{"type":"job_paused","time":"2026-03-14T09:00:00Z","JOB_ID":"upper","joB":{"ID":"x"}}`),
		[]byte(`{"type":"job_paused","time":"2026-03-14T09:00:00Z","job_ids":["a"],"job_ids":["b"],"job":{"id":"x"},"job":null}`),
	)
}

// TestReadHeaderMatchesDecode: the fast header reader agrees with a full
// decode on every seed, including those it hands to the decoder.
func TestReadHeaderMatchesDecode(t *testing.T) {
	for _, b := range headerSeeds(t) {
		checkHeader(t, b)
	}
}

func checkHeader(t *testing.T, b []byte) {
	t.Helper()
	e, derr := state.DecodeEvent(b)
	h, herr := readHeader(b)
	if derr != nil {
		// Not an event: whatever the header says, the full decode that
		// shows it fails, as start-up recovery would.
		return
	}
	if herr != nil {
		t.Fatalf("%s: header: %v", b, herr)
	}
	want := headerOf(e)
	if !h.Time.Equal(want.Time) {
		t.Fatalf("%s: time %v; want %v", b, h.Time, want.Time)
	}
	h.Time, want.Time = time.Time{}, time.Time{}
	if len(h.JobIDs) == 0 && len(want.JobIDs) == 0 {
		h.JobIDs, want.JobIDs = nil, nil
	}
	if !reflect.DeepEqual(h, want) {
		t.Fatalf("%s:\nheader %+v\nwant   %+v", b, h, want)
	}
}

// FuzzReadHeader checks the header reader against encoding/json on
// arbitrary input. Its seeds run under plain go test.
func FuzzReadHeader(f *testing.F) {
	for _, b := range headerSeeds(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if !json.Valid(b) {
			return // the journal only holds encoded events
		}
		checkHeader(t, b)
	})
}
