package httpd

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/dispatchoor/dispatchoor/actors"
	"github.com/dispatchoor/dispatchoor/actors/state"
)

func (f *fakeService) setJob(info actors.JobInfo) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.jobs[info.Job.ID] = info
}

func wantBody(t *testing.T, r *response, want string) {
	t.Helper()
	if got := string(r.body); got != want {
		t.Fatalf("body:\n got  %s\n want %s", got, want)
	}
}

func strp(s string) *string { return &s }

func TestJobJSON(t *testing.T) {
	env := newTestEnv(t)
	tok := env.readonlyToken()
	ts := func(d time.Duration) time.Time { return testEpoch.Add(d) }
	get := func(id string) *response {
		t.Helper()
		resp := env.do(request{method: "GET", path: "/api/v1/jobs/" + id, token: tok})
		wantStatus(t, resp, fasthttp.StatusOK)
		return resp
	}

	t.Run("pending: nulls, no overrides, reason and eta", func(t *testing.T) {
		env.fake.setJob(actors.JobInfo{
			Job: &state.Job{ID: "jp", GroupID: "g1", TemplateID: "t1", Position: 3, Status: state.StatusPending,
				CreatedBy: "alice", CreatedAt: ts(0), UpdatedAt: ts(0), Labels: map[string]string{}},
			PendingReason: "2 jobs ahead", ETA: ts(5 * time.Minute),
		})
		wantBody(t, get("jp"), `{"id":"jp","group_id":"g1","template_id":"t1","priority":0,"position":3,`+
			`"status":"pending","paused":false,"auto_requeue":false,"requeue_limit":null,"requeue_count":0,`+
			`"inputs":null,"created_by":"alice","triggered_at":null,"run_id":null,"run_url":"","runner_id":null,`+
			`"runner_name":"","completed_at":null,"error_message":"","created_at":"2025-03-14T15:09:26Z",`+
			`"updated_at":"2025-03-14T15:09:26Z","pending_reason":"2 jobs ahead","eta":"2025-03-14T15:14:26Z"}`)
	})

	t.Run("triggered, run not matched yet: run_id 0", func(t *testing.T) {
		env.fake.setJob(actors.JobInfo{Job: &state.Job{ID: "jt", GroupID: "g1", Status: state.StatusTriggered,
			CreatedBy: "alice", CreatedAt: ts(0), UpdatedAt: ts(time.Second), DispatchingAt: ts(time.Second),
			TriggeredAt: ts(2 * time.Second), DispatchKey: "dk-1", Inputs: map[string]string{"a": "1"}}})
		wantBody(t, get("jt"), `{"id":"jt","group_id":"g1","template_id":"","priority":0,"position":0,`+
			`"status":"triggered","paused":false,"auto_requeue":false,"requeue_limit":null,"requeue_count":0,`+
			`"inputs":{"a":"1"},"created_by":"alice","triggered_at":"2025-03-14T15:09:28Z","run_id":0,"run_url":"",`+
			`"runner_id":null,"runner_name":"","completed_at":null,"error_message":"",`+
			`"created_at":"2025-03-14T15:09:26Z","updated_at":"2025-03-14T15:09:27Z",`+
			`"dispatching_at":"2025-03-14T15:09:27Z","dispatch_key":"dk-1"}`)
	})

	t.Run("finished manual job with overrides and labels", func(t *testing.T) {
		limit := 3
		env.fake.setJob(actors.JobInfo{Job: &state.Job{ID: "jf", GroupID: "g1", Priority: 5, Position: 9,
			Status: state.StatusFailed, AutoRequeue: true, RequeueLimit: &limit, RequeueCount: 1,
			Inputs: map[string]string{}, CreatedBy: "bob", CreatedAt: ts(0), UpdatedAt: ts(time.Hour),
			Name: strp("nightly"), Owner: strp("o"), Repo: strp("r"), WorkflowID: strp("w.yml"), Ref: strp(""),
			Labels: map[string]string{"network": "hoodi"}, TriggeredAt: ts(time.Minute), RunID: 42,
			RunURL: "https://github.com/o/r/actions/runs/42", RunnerID: 7, RunnerName: "runner-7",
			StartedAt: ts(2 * time.Minute), CompletedAt: ts(time.Hour), ErrorMessage: "Workflow failure",
			Conclusion: "failure", PreviousJobID: "j0"}})
		wantBody(t, get("jf"), `{"id":"jf","group_id":"g1","template_id":"","priority":5,"position":9,`+
			`"status":"failed","paused":false,"auto_requeue":true,"requeue_limit":3,"requeue_count":1,"inputs":{},`+
			`"created_by":"bob","triggered_at":"2025-03-14T15:10:26Z","run_id":42,`+
			`"run_url":"https://github.com/o/r/actions/runs/42","runner_id":7,"runner_name":"runner-7",`+
			`"completed_at":"2025-03-14T16:09:26Z","error_message":"Workflow failure",`+
			`"created_at":"2025-03-14T15:09:26Z","updated_at":"2025-03-14T16:09:26Z","name":"nightly","owner":"o",`+
			`"repo":"r","workflow_id":"w.yml","ref":"","labels":{"network":"hoodi"},`+
			`"started_at":"2025-03-14T15:11:26Z","conclusion":"failure","previous_job_id":"j0"}`)
	})
}

func TestGroupJSON(t *testing.T) {
	env := newTestEnv(t)
	env.fake.mu.Lock()
	env.fake.groups["g1"] = actors.GroupInfo{
		Group:      state.Group{ID: "g1", Name: "Group One", Description: "d", RunnerLabels: nil, Weight: 1, Enabled: true, Paused: true, InConfig: true, CreatedAt: testEpoch, UpdatedAt: testEpoch},
		QueuedJobs: 4, RunningJobs: 2, TemplateCount: 3, IdleRunners: 1, BusyRunners: 2, TotalRunners: 5,
	}
	env.fake.mu.Unlock()
	tok := env.readonlyToken()
	const group = `{"id":"g1","name":"Group One","description":"d","runner_labels":[],"weight":1,"enabled":true,` +
		`"paused":true,"in_config":true,"created_at":"2025-03-14T15:09:26Z","updated_at":"2025-03-14T15:09:26Z"`
	wantBody(t, env.do(request{method: "GET", path: "/api/v1/groups", token: tok}), `[`+group+
		`,"queued_jobs":4,"running_jobs":2,"idle_runners":1,"busy_runners":2,"total_runners":5,"template_count":3}]`)
	wantBody(t, env.do(request{method: "GET", path: "/api/v1/groups/g1", token: tok}), group+`}`)
	wantStatus(t, env.do(request{method: "GET", path: "/api/v1/groups/nope", token: tok}), fasthttp.StatusNotFound)
}

func TestListsAreNeverNull(t *testing.T) {
	env := newTestEnv(t)
	env.fake.addGroup(state.Group{ID: "empty", Name: "Empty"})
	tok := env.readonlyToken()
	for _, p := range []string{"/api/v1/groups/empty/queue", "/api/v1/groups/empty/templates", "/api/v1/runners", "/api/v1/groups/empty/runners"} {
		resp := env.do(request{method: "GET", path: p, token: tok})
		wantStatus(t, resp, fasthttp.StatusOK)
		if string(resp.body) != "[]" {
			t.Errorf("%s = %s; want []", p, resp.body)
		}
	}
}

func TestTemplateAndRunnerJSON(t *testing.T) {
	env := newTestEnv(t)
	env.fake.mu.Lock()
	env.fake.templates["t1"] = state.Template{ID: "t1", GroupID: "g1", Name: "T", Owner: "o", Repo: "r", WorkflowID: "w.yml",
		Ref: "main", DefaultInputs: map[string]string{"el": "geth"}, InConfig: true, SourceType: "inline",
		CreatedAt: testEpoch, UpdatedAt: testEpoch}
	env.fake.runners = []state.Runner{{ID: 11, Name: "r1", OS: "Linux", Labels: []string{"self-hosted"}, Status: "online",
		LastSeenAt: testEpoch, CreatedAt: testEpoch, UpdatedAt: testEpoch}}
	env.fake.mu.Unlock()
	tok := env.readonlyToken()
	wantBody(t, env.do(request{method: "GET", path: "/api/v1/templates/t1", token: tok}),
		`{"id":"t1","group_id":"g1","name":"T","owner":"o","repo":"r","workflow_id":"w.yml","ref":"main",`+
			`"default_inputs":{"el":"geth"},"labels":{},"in_config":true,"source_type":"inline","source_path":"",`+
			`"created_at":"2025-03-14T15:09:26Z","updated_at":"2025-03-14T15:09:26Z"}`)
	wantBody(t, env.do(request{method: "GET", path: "/api/v1/groups/g1/runners", token: tok}),
		`[{"id":11,"name":"r1","os":"Linux","labels":["self-hosted"],"status":"online","busy":false,`+
			`"last_seen_at":"2025-03-14T15:09:26Z","created_at":"2025-03-14T15:09:26Z","updated_at":"2025-03-14T15:09:26Z"}]`)
	wantStatus(t, env.do(request{method: "GET", path: "/api/v1/templates/nope", token: tok}), fasthttp.StatusNotFound)
	wantStatus(t, env.do(request{method: "GET", path: "/api/v1/groups/nope/runners", token: tok}), fasthttp.StatusNotFound)
}

func TestHistoryJSONAndQuery(t *testing.T) {
	env := newTestEnv(t)
	tok := env.readonlyToken()
	resp := env.do(request{method: "GET", path: "/api/v1/groups/g1/history", token: tok})
	wantBody(t, resp, `{"jobs":[],"has_more":false,"total_count":0}`)
	env.fake.mu.Lock()
	if q := env.fake.lastHistory; q.Limit != 50 || q.Before != "" || q.Statuses != nil || q.Labels != nil {
		t.Fatalf("default query = %+v", q)
	}
	env.fake.history = state.HistoryPage{
		Jobs: []*state.Job{{ID: "h1", GroupID: "g1", Status: state.StatusCompleted, CreatedBy: "alice",
			CreatedAt: testEpoch, UpdatedAt: testEpoch, TriggeredAt: testEpoch, RunID: 5, CompletedAt: testEpoch}},
		HasMore: true, NextCursor: "cursor-1", TotalCount: 7,
	}
	env.fake.mu.Unlock()

	resp = env.do(request{method: "GET", path: "/api/v1/groups/g1/history?limit=20&before=cursor-0&status=failed,bogus,+cancelled&label.network=hoodi&label.el=geth", token: tok})
	wantStatus(t, resp, fasthttp.StatusOK)
	if !strings.HasPrefix(string(resp.body), `{"jobs":[{"id":"h1",`) || !strings.HasSuffix(string(resp.body), `}],"has_more":true,"next_cursor":"cursor-1","total_count":7}`) {
		t.Fatalf("history body = %s", resp.body)
	}
	env.fake.mu.Lock()
	q := env.fake.lastHistory
	env.fake.mu.Unlock()
	if q.Limit != 20 || q.Before != "cursor-0" || len(q.Statuses) != 2 || q.Statuses[0] != state.StatusFailed ||
		q.Statuses[1] != state.StatusCancelled || q.Labels["network"] != "hoodi" || q.Labels["el"] != "geth" || len(q.Labels) != 2 {
		t.Fatalf("query = %+v", q)
	}
	for _, bad := range []string{"0", "101", "x"} {
		env.do(request{method: "GET", path: "/api/v1/groups/g1/history?limit=" + bad, token: tok})
		env.fake.mu.Lock()
		limit := env.fake.lastHistory.Limit
		env.fake.mu.Unlock()
		if limit != 50 {
			t.Fatalf("limit=%s gave %d; want the default 50", bad, limit)
		}
	}
	wantStatus(t, env.do(request{method: "GET", path: "/api/v1/groups/nope/history", token: tok}), fasthttp.StatusNotFound)
}

func TestHistoryStatsJSON(t *testing.T) {
	env := newTestEnv(t)
	tok := env.readonlyToken()
	env.fake.mu.Lock()
	env.fake.stats = state.HistoryStats{
		Buckets: []state.StatsBucket{
			{Timestamp: testEpoch, Completed: 1},
			{Timestamp: testEpoch.Add(time.Hour), Failed: 2, Cancelled: 1},
		},
		Start: testEpoch, End: testEpoch.Add(2 * time.Hour), BucketDuration: time.Hour,
		Totals: state.StatsBucket{Completed: 1, Failed: 2, Cancelled: 1},
	}
	env.fake.mu.Unlock()
	resp := env.do(request{method: "GET", path: "/api/v1/groups/g1/history/stats?range=24h", token: tok})
	wantBody(t, resp, `{"buckets":[{"timestamp":"2025-03-14T15:09:26Z","completed":1,"failed":0,"cancelled":0},`+
		`{"timestamp":"2025-03-14T16:09:26Z","completed":0,"failed":2,"cancelled":1}],`+
		`"range":{"start":"2025-03-14T15:09:26Z","end":"2025-03-14T17:09:26Z","bucket_duration":"1h0m0s"},`+
		`"totals":{"completed":1,"failed":2,"cancelled":1}}`)
	wantStatus(t, env.do(request{method: "GET", path: "/api/v1/groups/g1/history/stats", token: tok}), fasthttp.StatusOK)
	env.fake.mu.Lock()
	rng := env.fake.lastRange
	env.fake.mu.Unlock()
	if rng != "auto" {
		t.Fatalf("default range = %q; want auto", rng)
	}
	calls := env.fake.callCount("HistoryStats")
	resp = env.do(request{method: "GET", path: "/api/v1/groups/g1/history/stats?range=2w", token: tok})
	wantStatus(t, resp, fasthttp.StatusBadRequest)
	if msg := resp.errorText(t); msg != "Invalid range parameter" {
		t.Fatalf("error = %q", msg)
	}
	if env.fake.callCount("HistoryStats") != calls {
		t.Fatal("invalid range reached the service")
	}
}

func TestStatusJSON(t *testing.T) {
	env := newTestEnv(t, func(o *Options) { o.Version, o.Commit, o.BuildDate = "v1.2.3", "abc1234", "2025-03-01" })
	tok := env.readonlyToken()
	env.fake.mu.Lock()
	env.fake.status = actors.Status{JournalFirstIndex: 1, JournalLastIndex: 99, JournalBytes: 4096, LastSnapshotIndex: 50,
		LastSnapshotAt: testEpoch, StateHash: "h", Pending: 3, Dispatching: 1, Triggered: 2, Running: 4,
		StartedAt: testEpoch.Add(-90 * time.Minute)}
	env.fake.mu.Unlock()

	type status struct {
		Status   string `json:"status"`
		Uptime   string `json:"uptime"`
		Database struct {
			Status  string `json:"status"`
			Latency string `json:"latency"`
			Error   string `json:"error"`
		} `json:"database"`
		GitHub  map[string]ClientStatus `json:"github"`
		Queue   map[string]int          `json:"queue"`
		Journal json.RawMessage         `json:"journal"`
		Version map[string]string       `json:"version"`
	}
	resp := env.do(request{method: "GET", path: "/api/v1/status", token: tok})
	wantStatus(t, resp, fasthttp.StatusOK)
	got := decode[status](t, resp)
	if got.Status != "degraded" || got.Uptime != "1h30m0s" || got.Database.Status != "healthy" || got.Database.Latency != "0ms" {
		t.Fatalf("status = %+v", got)
	}
	if got.GitHub["runners"].Error != "Runners token not configured" || got.GitHub["dispatch"].Error != "Dispatch token not configured" {
		t.Fatalf("github = %+v", got.GitHub)
	}
	if got.Queue["pending_jobs"] != 3 || got.Queue["dispatching_jobs"] != 1 || got.Queue["triggered_jobs"] != 2 || got.Queue["running_jobs"] != 4 {
		t.Fatalf("queue = %v", got.Queue)
	}
	const wantJournal = `{"first_index":1,"last_index":99,"bytes":4096,"last_snapshot_index":50,` +
		`"last_snapshot_at":"2025-03-14T15:09:26Z","state_hash":"h"}`
	if string(got.Journal) != wantJournal {
		t.Fatalf("journal = %s; want %s", got.Journal, wantJournal)
	}
	if got.Version["version"] != "v1.2.3" || got.Version["git_commit"] != "abc1234" || got.Version["build_date"] != "2025-03-01" {
		t.Fatalf("version = %v", got.Version)
	}

	healthy := ClientStatus{Status: "healthy", Connected: true, RateLimitRemaining: 4000}
	env2 := newTestEnv(t, func(o *Options) {
		o.GitHubStatus = func() (ClientStatus, ClientStatus) { return healthy, healthy }
	})
	got = decode[status](t, env2.do(request{method: "GET", path: "/api/v1/status", token: env2.readonlyToken()}))
	if got.Status != "healthy" || got.GitHub["dispatch"].RateLimitRemaining != 4000 {
		t.Fatalf("status with healthy clients = %+v", got)
	}
	env2.fake.mu.Lock()
	env2.fake.fail["Status"] = context.DeadlineExceeded
	env2.fake.mu.Unlock()
	got = decode[status](t, env2.do(request{method: "GET", path: "/api/v1/status", token: env2.readonlyToken()}))
	if got.Status != "degraded" || got.Database.Status != "unhealthy" || got.Database.Error != "timed out waiting for the queue" || string(got.Journal) != "null" {
		t.Fatalf("status with a stuck journal = %+v", got)
	}
	// An unexpected failure is logged with the request id, so the line can
	// be found from the client's X-Request-ID.
	env2.fake.mu.Lock()
	env2.fake.fail["Status"] = errors.New("journal exploded")
	env2.fake.mu.Unlock()
	env2.do(request{method: "GET", path: "/api/v1/status", token: env2.readonlyToken(), headers: map[string]string{"X-Request-ID": "status-probe-1"}})
	if logs := env2.logs.String(); !strings.Contains(logs, `"msg":"status: journal","request_id":"status-probe-1"`) {
		t.Fatalf("journal failure not logged with the request id:\n%s", logs)
	}
}

func TestHealthJSON(t *testing.T) {
	env := newTestEnv(t, func(o *Options) { o.GitHubAuthEnabled = true })
	wantBody(t, env.do(request{method: "GET", path: "/health"}), `{"status":"ok","config":{"auth":{"basic":true,"github":true}}}`)
}

func TestReloadJSON(t *testing.T) {
	env := newTestEnv(t)
	resp := env.do(request{method: "POST", path: "/api/v1/templates/reload", token: env.adminToken()})
	wantBody(t, resp, `{"message":"Templates reloaded successfully","groups":[{"group_id":"g1","templates":1}]}`)
}

func TestServiceErrorMapping(t *testing.T) {
	env := newTestEnv(t)
	tok := env.readonlyToken()
	f := func(err error, wantCode int, wantMsg string) {
		t.Helper()
		env.fake.mu.Lock()
		env.fake.fail["Groups"] = err
		env.fake.mu.Unlock()
		resp := env.do(request{method: "GET", path: "/api/v1/groups", token: tok})
		wantStatus(t, resp, wantCode)
		if msg := resp.errorText(t); msg != wantMsg {
			t.Fatalf("error = %q; want %q", msg, wantMsg)
		}
	}
	f(errNotFound("group not found: x"), 404, "group not found: x")
	f(errInvalid("queue is closed"), 400, "queue is closed")
	f(context.DeadlineExceeded, 503, "timed out waiting for the queue")
	f(errors.New("journal: disk on fire at /var/lib/x"), 500, "internal server error")
	if !strings.Contains(env.logs.String(), "disk on fire") {
		t.Fatal("internal error detail not logged")
	}
}

func TestWritesPassRequestToService(t *testing.T) {
	env := newTestEnv(t)
	tok := env.adminToken()
	env.fake.mu.Lock()
	env.fake.templates["t1"] = state.Template{ID: "t1", GroupID: "g1"}
	env.fake.mu.Unlock()

	resp := env.do(request{method: "POST", path: "/api/v1/groups/g1/queue", token: tok,
		body: `{"template_id":"t1","inputs":{"a":"b"},"auto_requeue":true,"requeue_limit":null,"name":"n","labels":{"k":"v"}}`})
	wantStatus(t, resp, fasthttp.StatusCreated)
	job := decode[map[string]any](t, resp)
	if job["status"] != "pending" || job["created_by"] != adminUser || job["pending_reason"] != "no matching runner online" {
		t.Fatalf("created job = %v", job)
	}
	env.fake.mu.Lock()
	add, who := env.fake.lastAdd, env.fake.lastWho
	env.fake.mu.Unlock()
	if add.TemplateID != "t1" || add.Inputs["a"] != "b" || !add.AutoRequeue || add.RequeueLimit != nil || add.Name != "n" || add.Labels["k"] != "v" {
		t.Fatalf("AddJob = %+v", add)
	}
	if who.Username != adminUser || who.IP != "192.0.2.10" {
		t.Fatalf("who = %+v", who)
	}

	wantStatus(t, env.do(request{method: "PUT", path: "/api/v1/jobs/j1", token: tok, body: `{"name":"x","labels":null}`}), fasthttp.StatusOK)
	env.fake.mu.Lock()
	upd := env.fake.lastUpdate
	env.fake.mu.Unlock()
	if upd.HasInputs || upd.HasLabels || upd.Name == nil || *upd.Name != "x" || upd.Owner != nil {
		t.Fatalf("UpdateJob = %+v; want only name set", upd)
	}
	wantStatus(t, env.do(request{method: "PUT", path: "/api/v1/jobs/j1", token: tok, body: `{"inputs":{},"labels":{"a":"b"},"ref":""}`}), fasthttp.StatusOK)
	env.fake.mu.Lock()
	upd = env.fake.lastUpdate
	env.fake.mu.Unlock()
	if !upd.HasInputs || len(upd.Inputs) != 0 || !upd.HasLabels || upd.Labels["a"] != "b" || upd.Ref == nil || *upd.Ref != "" {
		t.Fatalf("UpdateJob = %+v; want inputs emptied, labels set, ref cleared", upd)
	}

	wantStatus(t, env.do(request{method: "PUT", path: "/api/v1/groups/g1/queue/reorder", token: tok, body: `{"job_ids":["j1"]}`}), fasthttp.StatusNoContent)
	wantStatus(t, env.do(request{method: "PUT", path: "/api/v1/jobs/j1/auto-requeue", token: tok, body: `{"auto_requeue":true,"requeue_limit":4}`}), fasthttp.StatusOK)
	env.fake.mu.Lock()
	on, limit, order := env.fake.lastOn, env.fake.lastLimit, env.fake.lastReorder
	env.fake.mu.Unlock()
	if !on || limit == nil || *limit != 4 || len(order) != 1 || order[0] != "j1" {
		t.Fatalf("auto-requeue on=%v limit=%v reorder=%v", on, limit, order)
	}
	for _, r := range []request{
		{method: "POST", path: "/api/v1/jobs/j1/pause", body: "{}"},
		{method: "POST", path: "/api/v1/jobs/j1/unpause", body: "null"},
		{method: "POST", path: "/api/v1/jobs/j1/disable-requeue"},
		{method: "POST", path: "/api/v1/groups/g1/pause"},
		{method: "POST", path: "/api/v1/runners/refresh"},
	} {
		r.token = tok
		resp := env.do(r)
		if resp.status != fasthttp.StatusOK && resp.status != fasthttp.StatusNoContent {
			t.Fatalf("%s %s: status %d (%s)", r.method, r.path, resp.status, resp.body)
		}
	}
	wantStatus(t, env.do(request{method: "DELETE", path: "/api/v1/jobs/j1", token: tok}), fasthttp.StatusNoContent)
	wantStatus(t, env.do(request{method: "GET", path: "/api/v1/jobs/j1", token: tok}), fasthttp.StatusNotFound)
	if n := env.fake.callCount("RefreshRunners"); n != 1 {
		t.Fatalf("RefreshRunners called %d times; want 1", n)
	}
}

// TestJobViewKeysMatchSpecOrder guards the field order independently of
// the golden bodies above.
func TestJobViewKeysMatchSpecOrder(t *testing.T) {
	limit := 1
	j := &state.Job{ID: "x", RequeueLimit: &limit, Name: strp("n"), Owner: strp("o"), Repo: strp("r"),
		WorkflowID: strp("w"), Ref: strp("f"), Labels: map[string]string{"a": "b"}}
	b, err := json.Marshal(newJobView(actors.JobInfo{Job: j, PendingReason: "p", ETA: testEpoch}))
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	var keys []string
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		switch v := tok.(type) {
		case json.Delim:
			if v == '{' || v == '[' {
				depth++
			} else {
				depth--
			}
		case string:
			// At depth 1 every string is a key: values are consumed whole
			// right after their key.
			if depth == 1 {
				keys = append(keys, v)
				var raw json.RawMessage
				if err := dec.Decode(&raw); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	want := "id group_id template_id priority position status paused auto_requeue requeue_limit requeue_count " +
		"inputs created_by triggered_at run_id run_url runner_id runner_name completed_at error_message created_at " +
		"updated_at name owner repo workflow_id ref labels pending_reason eta"
	if got := strings.Join(keys, " "); got != want {
		t.Fatalf("keys:\n got  %s\n want %s", got, want)
	}
}
