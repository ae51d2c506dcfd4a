package state

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"time"
)

// journalSample returns the encoded events of a short random run: valid
// events of every kind, the seed corpus of both fuzz targets.
func journalSample(tb testing.TB) [][]byte {
	tb.Helper()
	q := newSequence(tb, 7)
	for range 120 {
		q.f.advance(30 * time.Second)
		q.step()
	}
	var out [][]byte
	for _, j := range q.f.log {
		b, err := j.e.Encode()
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// brokenEvents are records a damaged journal or a hostile peer could hold.
var brokenEvents = []string{
	``,
	`{`,
	`null`,
	`[]`,
	`"job_enqueued"`,
	`{"type":""}`,
	`{"type":"job_enqueued","job":{"id":1}}`,
	`{"type":"job_enqueued","time":"yesterday"}`,
	`{"type":"job_enqueued","group_id":"g1","job":null}`,
	`{"type":"job_enqueued","group_id":"g1","job":{"id":"x","status":"running","position":9223372036854775807}}`,
	`{"type":"job_enqueued","group_id":"g1","job":{"id":"y","status":"completed"}}`,
	`{"type":"job_updated","group_id":"g1","job_id":"id-00001","patch":{"priority":5,"set_inputs":true}}`,
	`{"type":"jobs_reordered","group_id":"g1","job_ids":["id-00002","nope"],"positions":[0,1]}`,
	`{"type":"jobs_reordered","group_id":"g1","job_ids":["id-00003","id-00001"],"positions":[5,-5]}`,
	`{"type":"job_triggered","group_id":"g1","job_id":"id-00001","run_id":-1}`,
	`{"type":"job_running","group_id":"g1","job_id":"id-00005"}`,
	`{"type":"job_dispatch_undone","group_id":"g1","job_id":"id-00006"}`,
	`{"type":"job_finished","group_id":"g1","job_id":"id-00003","status":"running"}`,
	`{"type":"job_finished","group_id":"g1","job_id":"id-00005","status":"failed","time":"2026-03-01T11:00:00+05:00"}`,
	`{"type":"job_finished","group_id":"g1","job_id":"id-00003","status":"failed","time":"9999-12-31T23:59:59.5-23:59"}`,
	`{"type":"history_pruned","group_id":"g1","job_ids":["id-00001","id-00005","nope"]}`,
	`{"type":"group_configured","group_id":"g2"}`,
	`{"type":"group_configured","group_id":"g2","group":{"id":"other"},"templates":[{"id":"t"},{"id":"t"}]}`,
	`{"type":"group_removed","group_id":"g1"}`,
	`{"type":"session_created"}`,
	`{"type":"session_created","session":{"token_hash":"h","expires_at":"0001-01-01T00:00:00Z"}}`,
	`{"type":"sessions_expired","time":"9999-12-31T23:59:59Z"}`,
	`{"type":"user_upserted","user":{"id":"u"}}`,
	`{"type":"runners_observed","runners":[{"id":1},{"id":1}],"runner_ids":[1]}`,
	`{"type":"no_such_type","group_id":"g1","job_id":"id-00001"}`,
	"{\"type\":\"job_paused\",\"group_id\":\"g1\",\"job_id\":\"id-\xff\"}",
}

// FuzzDecodeEvent: any record either fails to decode or decodes to an
// event that survives the codec: it encodes, decodes again, and the second
// round changes nothing. (The first round may drop an empty map that
// omitempty cannot tell from an absent one; that is why the comparison is
// between the first and second re-encodings.)
func FuzzDecodeEvent(f *testing.F) {
	for _, b := range journalSample(f) {
		f.Add(b)
	}
	for _, s := range brokenEvents {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := DecodeEvent(b)
		if err != nil {
			if e != nil {
				t.Fatalf("got an event with error %v", err)
			}
			return
		}
		if e.Type == "" {
			t.Fatalf("decoded an event without a type")
		}
		b1, err := e.Encode()
		if err != nil {
			t.Fatalf("decoded event does not encode: %v", err)
		}
		e2, err := DecodeEvent(b1)
		if err != nil {
			t.Fatalf("re-encoded event %s does not decode: %v", b1, err)
		}
		b2, err := e2.Encode()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b1, b2) {
			t.Fatalf("encoding is not stable:\n%s\n%s", b1, b2)
		}
		e3, err := DecodeEvent(b2)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(e2, e3) {
			t.Fatalf("got %+v after a round trip; want %+v", e3, e2)
		}
	})
}

// smallState is a group with a job in each status, a session and a runner:
// enough for arbitrary events to find something to act on.
func smallState(tb testing.TB) *fixture {
	tb.Helper()
	f := newFixture(tb)
	f.enqueueT1()                                             // id-00001 pending
	f.must(f.g().SetPaused(f.meta(), f.enqueueT1().ID, true)) // id-00002 pending, paused
	f.dispatch(f.enqueueT1().ID)                              // id-00003 dispatching
	j := f.enqueue(AddJob{TemplateID: "t2", AutoRequeue: true})
	f.dispatch(j.ID)
	f.trigger(j.ID, 4)                            // id-00004 triggered
	f.complete(f.enqueueT1().ID, StatusCompleted) // id-00005
	f.complete(f.enqueueT1().ID, StatusFailed)    // id-00006
	f.apply([]Event{
		{Type: SessionCreated, Time: f.now, Session: session("h1", "alice", f.now.Add(time.Hour))},
		{Type: RunnersObserved, Time: f.now, Runners: []Runner{{ID: 1, Name: "r1", Labels: []string{"self-hosted"}}}},
	})
	return f
}

// FuzzApply feeds decoded records (one per line) to a small state. Apply
// may refuse an event but must never panic, and whatever it accepts must
// leave a state whose indexes match its jobs, that every read path can
// serve, that survives a snapshot, and that a replay of the re-encoded
// records reproduces.
func FuzzApply(f *testing.F) {
	sample := journalSample(f)
	f.Add(bytes.Join(sample[:20], []byte("\n")))
	for _, b := range sample {
		f.Add(b)
	}
	for _, s := range brokenEvents {
		f.Add([]byte(s))
	}
	f.Add([]byte(strings.Join([]string{
		`{"type":"job_triggered","group_id":"g1","job_id":"id-00001"}`,
		`{"type":"job_dispatch_undone","group_id":"g1","job_id":"id-00006"}`,
		`{"type":"jobs_reordered","group_id":"g1","job_ids":["id-00006","id-00002"],"positions":[1,1]}`,
		`{"type":"job_finished","group_id":"g1","job_id":"id-00002","status":"cancelled"}`,
	}, "\n")))
	f.Fuzz(func(t *testing.T, data []byte) {
		live, replay := smallState(t), smallState(t)
		for i, line := range bytes.Split(data, []byte("\n")) {
			e, err := DecodeEvent(line)
			if err != nil {
				continue
			}
			b, err := e.Encode()
			if err != nil {
				t.Fatalf("decoded event does not encode: %v", err)
			}
			again, err := DecodeEvent(b)
			if err != nil {
				t.Fatal(err)
			}
			idx := live.idx + uint64(i) + 1
			errLive, errReplay := live.s.Apply(idx, e), replay.s.Apply(idx, again)
			if (errLive == nil) != (errReplay == nil) {
				t.Fatalf("live and replay disagree on %s: %v / %v", b, errLive, errReplay)
			}
		}
		for _, id := range sortedKeys(live.s.Groups) {
			g := live.s.Groups[id]
			assertIndexes(t, g)
			readEverything(t, g)
		}
		h := live.s.Hash()
		if replay.s.Hash() != h {
			t.Fatalf("replaying the re-encoded records gave another state")
		}
		snap, err := live.s.Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		restored, err := Restore(snap)
		if err != nil {
			t.Fatal(err)
		}
		if restored.Hash() != h {
			t.Fatalf("the restored snapshot differs from the state")
		}
	})
}

// readEverything calls every read path of a group; none may panic.
func readEverything(tb testing.TB, g *GroupState) {
	tb.Helper()
	p, err := g.HistoryPage(HistoryQuery{Limit: MaxHistoryLimit})
	if err != nil {
		tb.Fatal(err)
	}
	if p.NextCursor != "" {
		if _, err := g.HistoryPage(HistoryQuery{Limit: 1, Before: p.NextCursor}); err != nil {
			tb.Fatalf("a cursor the state made was refused: %v", err)
		}
	}
	for _, j := range g.History() {
		c, err := decodeCursor(encodeCursor(j))
		if err != nil || !c.at.Equal(j.CompletedAt) || c.id != j.ID {
			tb.Fatalf("cursor of %s at %v does not round-trip: %+v, %v", j.ID, j.CompletedAt, c, err)
		}
	}
	for _, r := range []string{"auto", "1h", "30d"} {
		if _, err := g.HistoryStats(r, t0); err != nil {
			tb.Fatal(err)
		}
	}
	g.Counts()
	g.Active()
	for _, j := range g.Jobs {
		g.Effective(j)
	}
}
