package audit

import (
	"encoding/json"
	"fmt"
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
	if got, want := headerText(h), headerText(headerOf(e)); got != want {
		t.Fatalf("%s:\nheader %s\nwant   %s", b, got, want)
	}
}

// headerText renders a header for comparison: nil and empty read alike.
func headerText(h header) string {
	var ids []string
	for _, id := range h.JobIDs {
		ids = append(ids, string(id))
	}
	return fmt.Sprintf("type=%q time=%s actor=%q ip=%q group=%q job=%q jobs=%q new=%q prev=%q",
		h.Type, h.Time.UTC().Format(time.RFC3339Nano), h.Actor, h.IP, h.GroupID, h.JobID, ids, h.NewJob, h.Previous)
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

// FuzzParseTime checks the fast time reader against time.Parse: the same
// instant when both accept, and an error whenever time.Parse refuses.
func FuzzParseTime(f *testing.F) {
	for _, s := range []string{
		"2026-03-14T09:00:00Z", "2026-03-14T09:00:00.123456789Z", "2026-03-14T09:00:00.5Z", "0001-01-01T00:00:00Z",
		"2026-02-31T00:00:00Z", "2026-03-14T24:00:00Z", "2026-03-14T09:00:00.Z", "2026-03-14T09:00:00.1234567891Z",
		"2026-03-14T09:00:00+02:00", "2026-13-14T09:00:00Z", "2026-03-14T09:00:60Z", "+026-03-14T09:00:00Z",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := parseTime([]byte(s))
		want, werr := time.Parse(time.RFC3339Nano, s)
		switch {
		case werr != nil && err == nil:
			t.Fatalf("%q: accepted as %v; time.Parse refuses: %v", s, got, werr)
		case werr == nil && err != nil:
			t.Fatalf("%q: refused (%v); time.Parse gives %v", s, err, want)
		case werr == nil && !got.Equal(want):
			t.Fatalf("%q: %v; time.Parse gives %v", s, got, want)
		}
	})
}
