package github

import (
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"testing"
	"time"
)

func runJSON(id int64, title, status string, conclusion any) map[string]any {
	return map[string]any{
		"id": id, "name": "Deploy", "display_title": title, "run_number": 7, "run_attempt": 1,
		"workflow_id": 161335, "event": "workflow_dispatch", "status": status, "conclusion": conclusion,
		"head_branch": "main", "html_url": fmt.Sprintf("https://github.com/acme/app/actions/runs/%d", id),
		"created_at": "2026-03-01T12:00:05Z", "updated_at": "2026-03-01T12:03:00Z",
		"run_started_at": "2026-03-01T12:00:05Z",
	}
}

func TestListWorkflowRuns_FiltersAndPages(t *testing.T) {
	f := newFakeGitHub(t)
	var queries []string
	f.handle("GET /repos/acme/app/actions/workflows/deploy.yml/runs", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		queries = append(queries, q.Get("page"))
		if q.Get("event") != "workflow_dispatch" || q.Get("created") != ">=2026-03-01T11:59:30Z" || q.Get("per_page") != "2" {
			t.Errorf("query = %v; want event, created>= in UTC and per_page=2", q)
		}
		page, _ := strconv.Atoi(q.Get("page"))
		if page < 3 {
			base := "http://" + r.Host + r.URL.Path
			w.Header().Set("Link", fmt.Sprintf(`<%s?page=%d&per_page=2>; rel="next"`, base, page+1))
		}
		id := int64(20000000000 + page)
		writeJSON(t, w, http.StatusOK, map[string]any{"total_count": 3,
			"workflow_runs": []any{runJSON(id, "deploy [q-"+strconv.Itoa(page)+"]", "queued", nil)}})
	})
	c := newTestClient(t, f, newFakeClock(), nil)
	// A non-UTC instant must be sent in UTC.
	after := epoch.Add(-30 * time.Second).In(time.FixedZone("CET", 3600))

	runs, err := c.ListWorkflowRuns(testCtx(t), "acme", "app", "deploy.yml",
		RunFilter{Event: "workflow_dispatch", CreatedAfter: after, PerPage: 2, MaxPages: 2})
	if err != nil {
		t.Fatalf("ListWorkflowRuns: %v", err)
	}
	if len(runs) != 2 || runs[0].ID != 20000000001 || runs[1].DisplayTitle != "deploy [q-2]" {
		t.Fatalf("runs = %+v; want the runs of pages 1 and 2", runs)
	}
	if !reflect.DeepEqual(queries, []string{"1", "2"}) {
		t.Fatalf("pages requested = %v; want [1 2] (MaxPages)", queries)
	}
}

func TestGetRun_ConvertsFields(t *testing.T) {
	f := newFakeGitHub(t)
	f.handle("GET /repos/acme/app/actions/runs/22222222222", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(t, w, http.StatusOK, runJSON(22222222222, "deploy [q-7f3a]", "completed", "success"))
	})
	c := newTestClient(t, f, newFakeClock(), nil)
	run, err := c.GetRun(testCtx(t), "acme", "app", 22222222222)
	if err != nil {
		t.Fatalf("GetRun: %v", err)
	}
	want := Run{ID: 22222222222, WorkflowID: 161335, RunNumber: 7, RunAttempt: 1, Name: "Deploy",
		DisplayTitle: "deploy [q-7f3a]", Status: "completed", Conclusion: "success",
		HTMLURL: "https://github.com/acme/app/actions/runs/22222222222", HeadBranch: "main",
		Event: "workflow_dispatch", CreatedAt: epoch.Add(5 * time.Second), UpdatedAt: epoch.Add(3 * time.Minute),
		RunStartedAt: epoch.Add(5 * time.Second)}
	if !runsEqual(run, want) {
		t.Fatalf("run = %+v; want %+v", run, want)
	}
}

func runsEqual(a, b Run) bool {
	return a.CreatedAt.Equal(b.CreatedAt) && a.UpdatedAt.Equal(b.UpdatedAt) && a.RunStartedAt.Equal(b.RunStartedAt) &&
		reflect.DeepEqual(stripRunTimes(a), stripRunTimes(b))
}

func stripRunTimes(r Run) Run {
	r.CreatedAt, r.UpdatedAt, r.RunStartedAt = time.Time{}, time.Time{}, time.Time{}
	return r
}

func TestGetRun_NotFound(t *testing.T) {
	f := newFakeGitHub(t)
	f.handle("GET /repos/acme/app/actions/runs/1", func(w http.ResponseWriter, r *http.Request) {
		writeError(t, w, http.StatusNotFound, "Not Found")
	})
	c := newTestClient(t, f, newFakeClock(), nil)
	_, err := c.GetRun(testCtx(t), "acme", "app", 1)
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v; want ErrNotFound", err)
	}
	if IsUncertain(err) {
		t.Fatalf("a read is never uncertain: %v", err)
	}
}

func TestListRunJobs_AllPages(t *testing.T) {
	f := newFakeGitHub(t)
	f.handle("GET /repos/acme/app/actions/runs/5/jobs", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("filter") != "latest" {
			t.Errorf("filter = %q; want latest", r.URL.Query().Get("filter"))
		}
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		job := map[string]any{"id": 100 + page, "run_id": 5, "name": "build", "status": "queued",
			"conclusion": nil, "labels": []string{"self-hosted", "sync-test"}, "runner_id": nil, "runner_name": nil,
			"created_at": "2026-03-01T12:00:06Z", "started_at": "2026-03-01T12:00:06Z", "completed_at": nil}
		if page == 2 {
			job["status"], job["runner_id"], job["runner_name"] = "in_progress", 23, "sync-runner-03"
		} else {
			base := "http://" + r.Host + r.URL.Path
			w.Header().Set("Link", fmt.Sprintf(`<%s?page=2&per_page=100>; rel="next"`, base))
		}
		writeJSON(t, w, http.StatusOK, map[string]any{"total_count": 2, "jobs": []any{job}})
	})
	c := newTestClient(t, f, newFakeClock(), nil)
	jobs, err := c.ListRunJobs(testCtx(t), "acme", "app", 5)
	if err != nil {
		t.Fatalf("ListRunJobs: %v", err)
	}
	if len(jobs) != 2 {
		t.Fatalf("jobs = %+v; want 2", jobs)
	}
	if jobs[0].RunnerID != 0 || jobs[0].RunnerName != "" || !reflect.DeepEqual(jobs[0].Labels, []string{"self-hosted", "sync-test"}) {
		t.Fatalf("queued job = %+v; want no runner and the runs-on labels", jobs[0])
	}
	if jobs[1].ID != 102 || jobs[1].RunnerID != 23 || jobs[1].RunnerName != "sync-runner-03" || jobs[1].Status != "in_progress" {
		t.Fatalf("running job = %+v; want runner 23 sync-runner-03", jobs[1])
	}
}

func TestCancel(t *testing.T) {
	for _, tc := range []struct {
		name   string
		force  bool
		status int
		check  func(t *testing.T, err error)
	}{
		{"cancel 202", false, http.StatusAccepted, func(t *testing.T, err error) {
			if err != nil {
				t.Fatalf("err = %v; want nil for 202", err)
			}
		}},
		{"cancel 409", false, http.StatusConflict, func(t *testing.T, err error) {
			if !errors.Is(err, ErrAlreadyCompleted) {
				t.Fatalf("err = %v; want ErrAlreadyCompleted", err)
			}
		}},
		{"cancel 500", false, http.StatusInternalServerError, func(t *testing.T, err error) {
			if !IsUncertain(err) {
				t.Fatalf("err = %v; want uncertain", err)
			}
		}},
		{"force-cancel 202", true, http.StatusAccepted, func(t *testing.T, err error) {
			if err != nil {
				t.Fatalf("err = %v; want nil for 202", err)
			}
		}},
		{"force-cancel 409", true, http.StatusConflict, func(t *testing.T, err error) {
			if !errors.Is(err, ErrAlreadyCompleted) {
				t.Fatalf("err = %v; want ErrAlreadyCompleted", err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeGitHub(t)
			path := "POST /repos/acme/app/actions/runs/22222222222/cancel"
			if tc.force {
				path = "POST /repos/acme/app/actions/runs/22222222222/force-cancel"
			}
			f.handle(path, func(w http.ResponseWriter, r *http.Request) {
				if tc.status == http.StatusAccepted {
					writeJSON(t, w, tc.status, map[string]any{})
					return
				}
				writeError(t, w, tc.status, "Cannot cancel a workflow run that is completed.")
			})
			c := newTestClient(t, f, newFakeClock(), nil)
			var err error
			if tc.force {
				err = c.ForceCancelRun(testCtx(t), "acme", "app", 22222222222)
			} else {
				err = c.CancelRun(testCtx(t), "acme", "app", 22222222222)
			}
			tc.check(t, err)
			if got := f.count(); got != 1 {
				t.Fatalf("requests = %d; want 1", got)
			}
		})
	}
}
