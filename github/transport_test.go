package github

import (
	"errors"
	"net/http"
	"reflect"
	"sync"
	"testing"
	"time"
)

type recordedCall struct {
	endpoint string
	status   int
}

// callRecorder collects OnCall reports.
type callRecorder struct {
	mu    sync.Mutex
	calls []recordedCall
}

func (r *callRecorder) onCall(endpoint string, status int, _ time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, recordedCall{endpoint, status})
}

func (r *callRecorder) get() []recordedCall {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]recordedCall(nil), r.calls...)
}

func TestOnCall_ReportsEveryRequestWithItsRealStatus(t *testing.T) {
	f := newFakeGitHub(t)
	pages := newRunnerPages(t)
	f.handle("GET /orgs/acme/actions/runners", pages.serve)
	f.handle("POST /repos/acme/app/actions/runs/1/cancel", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(t, w, http.StatusAccepted, map[string]any{})
	})
	rec := &callRecorder{}
	c := newTestClient(t, f, newFakeClock(), func(o *Options) { o.OnCall = rec.onCall })
	ctx := testCtx(t)

	for range 2 {
		if _, err := c.ListOrgRunners(ctx, "acme"); err != nil {
			t.Fatalf("ListOrgRunners: %v", err)
		}
	}
	if err := c.CancelRun(ctx, "acme", "app", 1); err != nil {
		t.Fatalf("CancelRun: %v", err)
	}
	want := []recordedCall{
		{"list_org_runners", 200}, {"list_org_runners", 200},
		{"list_org_runners", 304}, {"list_org_runners", 304},
		{"cancel_run", 202},
	}
	if got := rec.get(); !reflect.DeepEqual(got, want) {
		t.Fatalf("OnCall reports = %v; want %v", got, want)
	}

	f.Close()
	if _, err := c.GetRun(ctx, "acme", "app", 1); err == nil {
		t.Fatalf("GetRun on a closed server succeeded")
	}
	if got := rec.get(); got[len(got)-1] != (recordedCall{"get_run", 0}) {
		t.Fatalf("last report = %v; want get_run with status 0", got[len(got)-1])
	}
}

func TestEnterpriseBasePath(t *testing.T) {
	f := newFakeGitHub(t)
	f.handle("GET /api/v3/orgs/acme/actions/runners", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+testToken {
			t.Errorf("Authorization header missing on the GHES path")
		}
		writeJSON(t, w, http.StatusOK, map[string]any{"total_count": 1, "runners": []any{runnerJSON(1, "ghes", false, "self-hosted")}})
	})
	c := newTestClient(t, f, newFakeClock(), func(o *Options) { o.APIURL = f.URL + "/api/v3" })
	list, err := c.ListOrgRunners(testCtx(t), "acme")
	if err != nil {
		t.Fatalf("ListOrgRunners on GHES: %v", err)
	}
	if len(list.Runners) != 1 || list.Runners[0].Name != "ghes" {
		t.Fatalf("runners = %+v; want the GHES runner", list.Runners)
	}
}

func TestStatus_BadCredentialsIsDisconnected(t *testing.T) {
	f := newFakeGitHub(t)
	f.handle("GET /rate_limit", func(w http.ResponseWriter, r *http.Request) {
		writeError(t, w, http.StatusUnauthorized, "Bad credentials")
	})
	f.handle("GET /repos/acme/app/actions/runs/1", func(w http.ResponseWriter, r *http.Request) {
		writeError(t, w, http.StatusNotFound, "Not Found")
	})
	c := newTestClient(t, f, newFakeClock(), nil)
	_, err := c.RateLimit(testCtx(t))
	if !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("err = %v; want ErrUnauthorized", err)
	}
	st := c.Status()
	if st.Connected || st.Status != HealthUnhealthy || st.Error == "" || st.Name != "test" {
		t.Fatalf("status = %+v; want named, disconnected, unhealthy, with an error", st)
	}
	// Any other answer proves the connection works again.
	if _, err := c.GetRun(testCtx(t), "acme", "app", 1); !errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v; want ErrNotFound", err)
	}
	if st := c.Status(); !st.Connected || st.Status != HealthHealthy || st.Error != "" {
		t.Fatalf("status = %+v; want connected and healthy", st)
	}
}

func TestRateLimit_DisabledOnGHES(t *testing.T) {
	f := newFakeGitHub(t)
	f.handle("GET /rate_limit", func(w http.ResponseWriter, r *http.Request) {
		writeError(t, w, http.StatusNotFound, "Rate limiting is not enabled.")
	})
	c := newTestClient(t, f, newFakeClock(), nil)
	rate, err := c.RateLimit(testCtx(t))
	if err != nil || rate != (Rate{}) {
		t.Fatalf("RateLimit = %+v, %v; want no budget and no error", rate, err)
	}
	if st := c.Status(); st.Status != HealthHealthy {
		t.Fatalf("status = %+v; want healthy without rate limits", st)
	}
}
