package state

import (
	"encoding/base64"
	"errors"
	"slices"
	"testing"
	"time"
)

// finishAt runs a new job of g1 to status, completing exactly at `at`, and
// returns the finished job.
func (f *fixture) finishAt(req AddJob, status JobStatus, at time.Time) *Job {
	f.tb.Helper()
	f.now = at.Add(-time.Minute)
	id := f.enqueue(req).ID
	f.dispatch(id)
	f.now = at
	f.finish(id, Finish{Status: status})
	return f.job(id)
}

// collect pages through the whole history and returns the ids in page order.
func collect(t *testing.T, g *GroupState, q HistoryQuery) (ids []string, pages int) {
	t.Helper()
	for {
		p, err := g.HistoryPage(q)
		if err != nil {
			t.Fatalf("page %d: %v", pages, err)
		}
		pages++
		ids = append(ids, jobIDs(p.Jobs)...)
		if (p.NextCursor != "") != (len(p.Jobs) > 0) {
			t.Fatalf("page %d: got cursor %q with %d jobs; want one exactly on non-empty pages", pages, p.NextCursor, len(p.Jobs))
		}
		if !p.HasMore {
			return ids, pages
		}
		if len(p.Jobs) != q.Limit {
			t.Fatalf("page %d: got %d jobs with has_more; want a full page of %d", pages, len(p.Jobs), q.Limit)
		}
		q.Before = p.NextCursor
		if pages > 1000 {
			t.Fatalf("paging does not end")
		}
	}
}

// newestFirst is the expected history order: completed_at desc, id desc.
func newestFirst(jobs []*Job) []string {
	sorted := slices.Clone(jobs)
	slices.SortFunc(sorted, func(a, b *Job) int {
		if c := b.CompletedAt.Compare(a.CompletedAt); c != 0 {
			return c
		}
		switch {
		case a.ID > b.ID:
			return -1
		case a.ID < b.ID:
			return 1
		}
		return 0
	})
	return jobIDs(sorted)
}

// TestHistoryPagingEqualTimes: jobs finishing in the same instant straddle
// page boundaries; every job appears exactly once, newest first.
func TestHistoryPagingEqualTimes(t *testing.T) {
	f := newFixture(t)
	var jobs []*Job
	instants := []time.Time{t0.Add(time.Hour), t0.Add(2 * time.Hour), t0.Add(3 * time.Hour)}
	for i, n := range []int{10, 10, 5} {
		for range n {
			jobs = append(jobs, f.finishAt(AddJob{TemplateID: "t1"}, StatusCompleted, instants[i]))
		}
	}
	// A pending and a running job are not history.
	f.enqueueT1()
	f.dispatch(f.enqueueT1().ID)

	want := newestFirst(jobs)
	for _, limit := range []int{1, 3, 4, 7, 10, 25, 100} {
		got, pages := collect(t, f.g(), HistoryQuery{Limit: limit})
		if !slices.Equal(got, want) {
			t.Fatalf("limit %d: got %v; want %v", limit, got, want)
		}
		if wantPages := (len(want) + limit - 1) / limit; pages != wantPages {
			t.Fatalf("limit %d: got %d pages; want %d", limit, pages, wantPages)
		}
	}

	first, err := f.g().HistoryPage(HistoryQuery{Limit: 4})
	if err != nil {
		t.Fatal(err)
	}
	second, err := f.g().HistoryPage(HistoryQuery{Limit: 4, Before: first.NextCursor})
	if err != nil {
		t.Fatal(err)
	}
	if first.TotalCount != 25 || second.TotalCount != 25 {
		t.Fatalf("got totals %d and %d; want 25 on every page", first.TotalCount, second.TotalCount)
	}
}

func TestHistoryFilters(t *testing.T) {
	f := newFixture(t)
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	manual := AddJob{Owner: "acme", Repo: "infra", WorkflowID: "ci.yml", Ref: "main"}
	withLabels := func(req AddJob, labels map[string]string) AddJob { req.Labels = labels; return req }

	hoodiOK := f.finishAt(AddJob{TemplateID: "t1"}, StatusCompleted, at(1))
	hoodiFail := f.finishAt(AddJob{TemplateID: "t1"}, StatusFailed, at(2))
	sepolia := f.finishAt(withLabels(AddJob{TemplateID: "t1"}, map[string]string{"network": "sepolia"}), StatusCompleted, at(3))
	syncCancel := f.finishAt(AddJob{TemplateID: "t2"}, StatusCancelled, at(4))
	manualHoodi := f.finishAt(withLabels(manual, map[string]string{"network": "hoodi", "team": "core"}), StatusFailed, at(5))
	manualBare := f.finishAt(manual, StatusCompleted, at(6))

	for _, tc := range []struct {
		name string
		q    HistoryQuery
		want []*Job
	}{
		{"everything", HistoryQuery{}, []*Job{manualBare, manualHoodi, syncCancel, sepolia, hoodiFail, hoodiOK}},
		{"failed", HistoryQuery{Statuses: []JobStatus{StatusFailed}}, []*Job{manualHoodi, hoodiFail}},
		{"completed or cancelled", HistoryQuery{Statuses: []JobStatus{StatusCancelled, StatusCompleted}},
			[]*Job{manualBare, syncCancel, sepolia, hoodiOK}},
		{"template label, own label wins, manual label", HistoryQuery{Labels: map[string]string{"network": "hoodi"}},
			[]*Job{manualHoodi, hoodiFail, hoodiOK}},
		{"own label overriding the template's", HistoryQuery{Labels: map[string]string{"network": "sepolia"}}, []*Job{sepolia}},
		{"labels are ANDed", HistoryQuery{Labels: map[string]string{"network": "hoodi", "team": "core"}}, []*Job{manualHoodi}},
		{"label and status", HistoryQuery{Labels: map[string]string{"network": "hoodi"}, Statuses: []JobStatus{StatusCompleted}},
			[]*Job{hoodiOK}},
		{"no match", HistoryQuery{Labels: map[string]string{"suite": "nope"}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.q.Limit = 2
			got, _ := collect(t, f.g(), tc.q)
			if want := jobIDs(tc.want); !slices.Equal(got, want) {
				t.Fatalf("got %v; want %v", got, want)
			}
			p, err := f.g().HistoryPage(tc.q)
			if err != nil {
				t.Fatal(err)
			}
			if p.TotalCount != len(tc.want) || p.HasMore != (len(tc.want) > 2) {
				t.Fatalf("got total %d has_more %v; want %d %v", p.TotalCount, p.HasMore, len(tc.want), len(tc.want) > 2)
			}
			if len(tc.want) > 0 {
				next, err := f.g().HistoryPage(HistoryQuery{Limit: 2, Before: p.NextCursor, Statuses: tc.q.Statuses, Labels: tc.q.Labels})
				if err != nil {
					t.Fatal(err)
				}
				if next.TotalCount != p.TotalCount {
					t.Fatalf("got total %d behind the cursor; want %d (the cursor is ignored)", next.TotalCount, p.TotalCount)
				}
			}
		})
	}
}

func TestHistoryQueryRefusals(t *testing.T) {
	f := newFixture(t)
	f.finishAt(AddJob{TemplateID: "t1"}, StatusCompleted, t0.Add(time.Hour))
	b64 := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	for _, tc := range []struct {
		name string
		q    HistoryQuery
		msg  string
	}{
		{"limit 0", HistoryQuery{Limit: 0}, "limit must be between 1 and 100"},
		{"limit 101", HistoryQuery{Limit: 101}, "limit must be between 1 and 100"},
		{"unknown status", HistoryQuery{Limit: 5, Statuses: []JobStatus{"done"}}, `invalid status "done": must be completed, failed or cancelled`},
		{"live status", HistoryQuery{Limit: 5, Statuses: []JobStatus{StatusCompleted, StatusPending}}, `invalid status "pending": must be completed, failed or cancelled`},
		{"cursor not base64", HistoryQuery{Limit: 5, Before: "not base64!"}, "invalid cursor"},
		{"reference-style cursor", HistoryQuery{Limit: 5, Before: t0.Format(time.RFC3339Nano)}, "invalid cursor"},
		{"cursor without id", HistoryQuery{Limit: 5, Before: b64(t0.Format(time.RFC3339Nano) + "|")}, "invalid cursor"},
		{"cursor without separator", HistoryQuery{Limit: 5, Before: b64("garbage")}, "invalid cursor"},
		{"cursor with a bad time", HistoryQuery{Limit: 5, Before: b64("yesterday|id-00001")}, "invalid cursor"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.g().HistoryPage(tc.q)
			if !errors.Is(err, ErrInvalid) || err.Error() != tc.msg {
				t.Fatalf("got %v; want invalid %q", err, tc.msg)
			}
		})
	}
}

// TestHistoryCursorOutlivesItsJob: the cursor is a position, not a job, so
// it keeps working when its job has been deleted meanwhile.
func TestHistoryCursorOutlivesItsJob(t *testing.T) {
	f := newFixture(t)
	var jobs []*Job
	for i := range 5 {
		jobs = append(jobs, f.finishAt(AddJob{TemplateID: "t1"}, StatusFailed, t0.Add(time.Duration(i)*time.Hour)))
	}
	p, err := f.g().HistoryPage(HistoryQuery{Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	f.must(f.g().Remove(f.meta(), jobs[3].ID))
	next, err := f.g().HistoryPage(HistoryQuery{Limit: 2, Before: p.NextCursor})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := jobIDs(next.Jobs), []string{jobs[2].ID, jobs[1].ID}; !slices.Equal(got, want) {
		t.Fatalf("got %v; want %v", got, want)
	}
}

func TestHistoryPageReturnsCopies(t *testing.T) {
	f := newFixture(t)
	j := f.finishAt(AddJob{TemplateID: "t1"}, StatusCompleted, t0.Add(time.Hour))
	p, err := f.g().HistoryPage(HistoryQuery{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if p.Jobs[0] == j {
		t.Fatalf("got the state's own job; want a copy")
	}
	before := f.s.Hash()
	p.Jobs[0].Inputs["network"] = "mutated"
	p.Jobs[0].Status = StatusFailed
	if now := f.job(j.ID); now.Inputs["network"] != "hoodi" || now.Status != StatusCompleted || f.s.Hash() != before {
		t.Fatalf("changing a returned job changed the state")
	}
}

func TestHistoryEmpty(t *testing.T) {
	f := newFixture(t)
	f.enqueueT1()
	p, err := f.g().HistoryPage(HistoryQuery{Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Jobs) != 0 || p.HasMore || p.NextCursor != "" || p.TotalCount != 0 {
		t.Fatalf("got %+v; want an empty page", p)
	}
}

func TestHistoryStatsRanges(t *testing.T) {
	now := t0.Add(60 * 24 * time.Hour)
	for _, tc := range []struct {
		name    string
		window  time.Duration
		buckets int
	}{
		{"1h", time.Hour, 12},
		{"6h", 6 * time.Hour, 24},
		{"24h", 24 * time.Hour, 24},
		{"7d", 7 * 24 * time.Hour, 28},
		{"30d", 30 * 24 * time.Hour, 30},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			start := now.Add(-tc.window)
			d := tc.window / time.Duration(tc.buckets)
			f.finishAt(AddJob{TemplateID: "t1"}, StatusCompleted, start.Add(-time.Nanosecond)) // before the window
			f.finishAt(AddJob{TemplateID: "t1"}, StatusCompleted, start)                       // first bucket
			f.finishAt(AddJob{TemplateID: "t1"}, StatusFailed, start.Add(d-time.Nanosecond))   // still first
			f.finishAt(AddJob{TemplateID: "t1"}, StatusCancelled, start.Add(d))                // second
			f.finishAt(AddJob{TemplateID: "t1"}, StatusFailed, now.Add(-time.Nanosecond))      // last
			f.finishAt(AddJob{TemplateID: "t1"}, StatusCompleted, now)                         // at the end: excluded

			st, err := f.g().HistoryStats(tc.name, now)
			if err != nil {
				t.Fatal(err)
			}
			if len(st.Buckets) != tc.buckets || st.BucketDuration != d || !st.Start.Equal(start) || !st.End.Equal(now) {
				t.Fatalf("got %d buckets of %v from %v to %v; want %d of %v from %v to %v",
					len(st.Buckets), st.BucketDuration, st.Start, st.End, tc.buckets, d, start, now)
			}
			for i, b := range st.Buckets {
				if !b.Timestamp.Equal(start.Add(time.Duration(i) * d)) {
					t.Fatalf("bucket %d: got timestamp %v; want %v", i, b.Timestamp, start.Add(time.Duration(i)*d))
				}
			}
			wantBucket := func(i, completed, failed, cancelled int) {
				t.Helper()
				b := st.Buckets[i]
				if b.Completed != completed || b.Failed != failed || b.Cancelled != cancelled {
					t.Fatalf("bucket %d: got %d/%d/%d; want %d/%d/%d", i, b.Completed, b.Failed, b.Cancelled, completed, failed, cancelled)
				}
			}
			wantBucket(0, 1, 1, 0)
			wantBucket(1, 0, 0, 1)
			wantBucket(tc.buckets-1, 0, 1, 0)
			for i := 2; i < tc.buckets-1; i++ {
				wantBucket(i, 0, 0, 0)
			}
			if tot := st.Totals; tot.Completed != 1 || tot.Failed != 2 || tot.Cancelled != 1 {
				t.Fatalf("got totals %+v; want 1 completed, 2 failed, 1 cancelled", tot)
			}
		})
	}
}

func TestHistoryStatsAuto(t *testing.T) {
	now := t0.Add(90 * 24 * time.Hour)
	for _, tc := range []struct {
		name    string
		oldest  time.Duration // before now; 0 means no history
		buckets int
		bucket  time.Duration
	}{
		{"no history", 0, 24, time.Hour},
		{"2h", 2 * time.Hour, 12, 605 * time.Second}, // 2h1m / 12
		{"span exactly 6h", 6*time.Hour - time.Minute, 12, 30 * time.Minute},
		{"10h", 10 * time.Hour, 24, 1502 * time.Second}, // 10h1m / 24 = 25m2.5s, whole seconds
		{"3d", 3 * 24 * time.Hour, 24, 3*time.Hour + 2*time.Second},
		{"8d", 8 * 24 * time.Hour, 28, (8*24*time.Hour + time.Minute) / 28 / time.Second * time.Second},
		{"40d", 40 * 24 * time.Hour, 30, (40*24*time.Hour + time.Minute) / 30 / time.Second * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			wantStart := now.Add(-24 * time.Hour)
			if tc.oldest > 0 {
				f.finishAt(AddJob{TemplateID: "t1"}, StatusCompleted, now.Add(-tc.oldest))
				f.finishAt(AddJob{TemplateID: "t1"}, StatusFailed, now.Add(-time.Nanosecond))
				wantStart = now.Add(-tc.oldest - time.Minute)
			}
			for _, name := range []string{"auto", ""} {
				st, err := f.g().HistoryStats(name, now)
				if err != nil {
					t.Fatal(err)
				}
				if len(st.Buckets) != tc.buckets || st.BucketDuration != tc.bucket || !st.Start.Equal(wantStart) {
					t.Fatalf("%q: got %d buckets of %v from %v; want %d of %v from %v",
						name, len(st.Buckets), st.BucketDuration, st.Start, tc.buckets, tc.bucket, wantStart)
				}
				if tc.oldest > 0 {
					// The remainder of an uneven split lands in the last bucket.
					last := st.Buckets[len(st.Buckets)-1]
					if st.Totals.Completed != 1 || st.Totals.Failed != 1 || last.Failed != 1 {
						t.Fatalf("%q: got totals %+v last %+v; want both jobs counted, the newest last", name, st.Totals, last)
					}
				}
			}
		})
	}
}

func TestHistoryStatsRefusesUnknownRange(t *testing.T) {
	f := newFixture(t)
	for _, name := range []string{"2h", "AUTO", "1d", " 1h"} {
		_, err := f.g().HistoryStats(name, t0)
		if !errors.Is(err, ErrInvalid) || err.Error() != "Invalid range parameter" {
			t.Fatalf("%q: got %v; want invalid \"Invalid range parameter\"", name, err)
		}
	}
}

func TestCounts(t *testing.T) {
	f := newFixture(t)
	a, b, c, d := f.enqueueT1(), f.enqueueT1(), f.enqueueT1(), f.enqueueT1()
	f.enqueueT1() // plain pending
	f.must(f.g().SetPaused(f.meta(), a.ID, true))
	f.dispatch(b.ID)
	f.dispatch(c.ID)
	f.trigger(c.ID, 1)
	f.complete(d.ID, StatusCompleted)
	f.configure(testGroup("g1"), testTemplates()[:1]) // t2 dropped: no jobs use it
	want := GroupCounts{QueuedJobs: 2, RunningJobs: 2, TemplateCount: 1}
	if got := f.g().Counts(); got != want {
		t.Fatalf("got %+v; want %+v (%s paused still queued)", got, want, a.ID)
	}
}

func TestEffective(t *testing.T) {
	f := newFixture(t)
	empty, fork, tag := "", "fork", "v9"
	for _, tc := range []struct {
		name string
		job  Job
		want [4]string
	}{
		{"template values, ref defaults to main", Job{TemplateID: "t1"}, [4]string{"acme", "infra", "deploy.yml", "main"}},
		{"template ref", Job{TemplateID: "t2"}, [4]string{"acme", "tests", "sync.yml", "develop"}},
		{"overrides win", Job{TemplateID: "t2", Owner: &fork, Ref: &tag}, [4]string{"fork", "tests", "sync.yml", "v9"}},
		{"empty override means template", Job{TemplateID: "t2", Owner: &empty, Ref: &empty}, [4]string{"acme", "tests", "sync.yml", "develop"}},
		{"manual job", Job{Owner: &fork, Repo: &fork, WorkflowID: &tag}, [4]string{"fork", "fork", "v9", "main"}},
		{"template gone", Job{TemplateID: "gone", Repo: &fork}, [4]string{"", "fork", "", "main"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o, r, w, ref := f.g().Effective(&tc.job)
			if got := [4]string{o, r, w, ref}; got != tc.want {
				t.Fatalf("got %v; want %v", got, tc.want)
			}
		})
	}
}
