package httpd

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
	"golang.org/x/crypto/bcrypt"

	"github.com/dispatchoor/dispatchoor/actors"
	"github.com/dispatchoor/dispatchoor/actors/state"
	"github.com/dispatchoor/dispatchoor/audit"
	"github.com/dispatchoor/dispatchoor/github"
	"github.com/dispatchoor/dispatchoor/github/sim"
	"github.com/dispatchoor/dispatchoor/http/openapitest"
	"github.com/dispatchoor/dispatchoor/wal"
)

// The OAuth app the live server and its simulated GitHub share.
const (
	liveClientID     = "live-client"
	liveClientSecret = "live-client-secret"
)

const liveWebhookSecret = "live-webhook-secret"

// liveSink takes webhook deliveries and drops them: the round trip is
// about the HTTP exchange.
type liveSink struct{ n atomic.Int64 }

func (s *liveSink) HandleWebhook(github.WebhookEvent) { s.n.Add(1) }

// liveJournal adapts wal.Journal to actors.Journal, as the server does.
type liveJournal struct{ *wal.Journal }

func (w liveJournal) LatestSnapshot() (uint64, []byte, error) {
	s, err := w.Journal.LatestSnapshot()
	if errors.Is(err, wal.ErrNoSnapshot) {
		return 0, nil, actors.ErrNoSnapshot
	}
	if err != nil {
		return 0, nil, err
	}
	return s.Index, s.Data, nil
}

// liveEnv is the whole API on loopback: a real System on a journal, the
// live hub, the audit index and GitHub sign-in against the simulator. Its
// client validates every exchange against the served OpenAPI document.
type liveEnv struct {
	t      *testing.T
	srv    *Server
	sys    *actors.System
	base   string
	simURL string
	check  *openapitest.Transport
	client *http.Client // validating, cookie jar, no redirects followed
}

func liveGroups() []actors.GroupSpec {
	return []actors.GroupSpec{{
		Group: state.Group{ID: "ci", Name: "CI", RunnerLabels: []string{"self-hosted", "ci"}, Weight: 1},
		Templates: []state.Template{{ID: "unit", Name: "Unit", Owner: "acme", Repo: "tests", WorkflowID: "ci.yml",
			Ref: "main", DefaultInputs: map[string]string{"suite": "unit"}, Labels: map[string]string{"kind": "test"}}},
	}}
}

func newLiveEnv(t *testing.T) *liveEnv {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	discard := slog.New(slog.DiscardHandler)
	j, err := wal.Open(filepath.Join(t.TempDir(), "journal"), wal.Options{Sync: wal.SyncNone, Logger: discard})
	if err != nil {
		t.Fatal(err)
	}
	var ids atomic.Int64
	sys, err := actors.Start(ctx, actors.Options{
		Journal: liveJournal{j}, Logger: discard, Groups: liveGroups(),
		NewID:  func() string { return fmt.Sprintf("job-%d", ids.Add(1)) },
		Reload: func() ([]actors.GroupSpec, error) { return liveGroups(), nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	hub, err := actors.NewHub(ctx, sys, actors.HubOptions{Logger: discard})
	if err != nil {
		t.Fatal(err)
	}
	idxCtx, stopIdx := context.WithCancel(context.Background())
	idx := audit.NewIndex(j, audit.IndexOptions{})
	idx.Start(idxCtx, sys.Subscribe)

	gh := newLiveGitHub(t)
	srv, err := New(Options{
		Service: sys, Logger: discard,
		BasicAuthEnabled: true,
		BasicUsers: []BasicUser{{Username: adminUser, Password: adminPass, Role: RoleAdmin},
			{Username: readonlyUser, Password: readonlyPass, Role: RoleReadonly}},
		GitHubAuthEnabled: true,
		GitHubOAuth: &OAuthOptions{ClientID: liveClientID, ClientSecret: liveClientSecret, APIURL: gh + "/",
			StateKey: []byte("0123456789abcdef0123456789abcdef"), UserRoleMapping: map[string]string{"octo": RoleAdmin}},
		Version:    "test",
		bcryptCost: bcrypt.MinCost,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := RegisterWebSocket(srv, hub); err != nil {
		t.Fatal(err)
	}
	if err := RegisterAudit(srv, idx); err != nil {
		t.Fatal(err)
	}
	if err := RegisterWebhook(srv, WebhookOptions{Secret: liveWebhookSecret, Sink: &liveSink{}}); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
		defer cancel()
		if err := hub.Close(ctx); err != nil {
			t.Errorf("close hub: %v", err)
		}
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
		stopIdx()
		<-idx.Done()
		if err := sys.Stop(ctx); err != nil {
			t.Errorf("stop: %v", err)
		}
		if err := j.Close(); err != nil {
			t.Errorf("close journal: %v", err)
		}
	})

	doc, err := srv.OpenAPIDocument()
	if err != nil {
		t.Fatal(err)
	}
	check, err := openapitest.New(doc, nil)
	if err != nil {
		t.Fatal(err)
	}
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &liveEnv{t: t, srv: srv, sys: sys, base: "http://" + ln.Addr().String(), simURL: gh, check: check,
		client: &http.Client{Transport: check, Jar: jar, Timeout: testTimeout,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// newLiveGitHub serves the simulator's OAuth pages and API; it returns its
// root URL.
func newLiveGitHub(t *testing.T) string {
	t.Helper()
	cfg := sim.DefaultConfig()
	cfg.Clock = sim.NewManualClock(testEpoch)
	cfg.Timing = sim.Timing{}
	cfg.OAuth = sim.OAuthConfig{ClientID: liveClientID, ClientSecret: liveClientSecret,
		Users: []sim.OAuthUser{{Login: "octo", ID: 4242, Name: "Octo"}}}
	s, err := sim.Build(cfg)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s.Handler())
	t.Cleanup(func() { hs.Close(); s.Close() })
	return hs.URL
}

// call makes one validated request and returns the status, body and
// response.
func (e *liveEnv) call(method, path, token, body string, header ...string) (int, string, *http.Response) {
	e.t.Helper()
	target := path
	if !strings.HasPrefix(path, "http") {
		target = e.base + path
	}
	req, err := http.NewRequest(method, target, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := e.client.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp.StatusCode, string(b), resp
}

// must makes a request that must answer want, and returns the body.
func (e *liveEnv) must(want int, method, path, token, body string, header ...string) string {
	e.t.Helper()
	status, b, _ := e.call(method, path, token, body, header...)
	if status != want {
		e.t.Fatalf("%s %s: %d %s; want %d", method, path, status, b, want)
	}
	return b
}

// anonymous makes a validated request without the cookie jar: no session
// at all.
func (e *liveEnv) anonymous(want int, method, path string) {
	e.t.Helper()
	req, err := http.NewRequest(method, e.base+path, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	resp, err := (&http.Client{Transport: e.check, Timeout: testTimeout}).Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != want {
		e.t.Fatalf("%s %s without a session: %d; want %d", method, path, resp.StatusCode, want)
	}
}

func (e *liveEnv) login(user, pass string) string {
	e.t.Helper()
	body := e.must(200, "POST", "/api/v1/auth/login", "", fmt.Sprintf(`{"username":%q,"password":%q}`, user, pass))
	return jsonString(e.t, body, "token")
}

// githubSignIn walks the GitHub sign-in: start, the simulator approving as
// octo, the callback, and (unless jsonCallback) the code exchange.
func (e *liveEnv) githubSignIn(jsonCallback bool) string {
	e.t.Helper()
	_, _, resp := e.call("GET", "/api/v1/auth/github?redirect=/groups/ci", "", "")
	if resp.StatusCode != http.StatusTemporaryRedirect {
		e.t.Fatalf("sign-in start: %d", resp.StatusCode)
	}
	authorize, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		e.t.Fatal(err)
	}
	q := authorize.Query()
	q.Set("login", "octo")
	authorize.RawQuery = q.Encode()
	plain := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	back, err := plain.Get(authorize.String())
	if err != nil {
		e.t.Fatal(err)
	}
	back.Body.Close()
	callback := back.Header.Get("Location")
	if !strings.HasPrefix(callback, e.base+"/api/v1/auth/github/callback?") {
		e.t.Fatalf("GitHub sent the browser to %q", callback)
	}
	if jsonCallback {
		body := e.must(200, "GET", callback, "", "", "Accept", "application/json")
		return jsonString(e.t, body, "token")
	}
	_, _, resp = e.call("GET", callback, "", "")
	if resp.StatusCode != http.StatusTemporaryRedirect {
		e.t.Fatalf("callback: %d", resp.StatusCode)
	}
	landing, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		e.t.Fatal(err)
	}
	code := landing.Query().Get("code")
	body := e.must(200, "POST", "/api/v1/auth/exchange", "", fmt.Sprintf(`{"code":%q}`, code))
	return jsonString(e.t, body, "token")
}

// websocket opens /api/v1/ws and validates the handshake.
func (e *liveEnv) websocket(token string) {
	e.t.Helper()
	u := "ws" + strings.TrimPrefix(e.base, "http") + "/api/v1/ws?token=" + url.QueryEscape(token)
	conn, resp, err := websocket.DefaultDialer.Dial(u, nil)
	if err != nil {
		e.t.Fatalf("websocket: %v", err)
	}
	defer conn.Close()
	var hello struct {
		Type string `json:"type"`
	}
	if err := conn.ReadJSON(&hello); err != nil || hello.Type != "hello" {
		e.t.Fatalf("first message %+v, %v; want hello", hello, err)
	}
	req, err := http.NewRequest("GET", strings.Replace(u, "ws", "http", 1), nil)
	if err != nil {
		e.t.Fatal(err)
	}
	e.check.Validate(req, resp)
}

// TestOpenAPIRoundTrip exercises every route of the real server, success
// and failure, through a client that validates each request and response
// against the served OpenAPI 3.1 document, then checks that no route was
// left out.
func TestOpenAPIRoundTrip(t *testing.T) {
	e := newLiveEnv(t)
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	if err := e.sys.Observe(ctx, actors.Who{Username: state.ActorPoller}, []state.Runner{
		{ID: 1, Name: "ci-1", OS: "linux", Labels: []string{"self-hosted", "ci"}, Status: "online"},
	}, nil); err != nil {
		t.Fatal(err)
	}

	// Public.
	e.must(200, "GET", "/health", "", "")
	e.must(200, "GET", "/metrics", "", "")
	e.must(200, "GET", "/api/v1/openapi.json", "", "")

	// Sessions.
	admin := e.login(adminUser, adminPass)
	viewer := e.login(readonlyUser, readonlyPass)
	e.must(200, "GET", "/api/v1/auth/me", viewer, "")
	e.must(401, "POST", "/api/v1/auth/login", "", `{"username":"alice","password":"wrong"}`)
	e.must(204, "POST", "/api/v1/auth/logout", e.login(adminUser, adminPass), "")
	octo := e.githubSignIn(false)
	e.must(200, "GET", "/api/v1/auth/me", octo, "")
	e.githubSignIn(true)
	e.must(401, "POST", "/api/v1/auth/exchange", "", `{"code":"not-a-code"}`)
	e.must(400, "GET", "/api/v1/auth/github/callback?state=x", "", "")

	// Reads.
	for _, p := range []string{"/api/v1/groups", "/api/v1/groups/ci", "/api/v1/groups/ci/templates", "/api/v1/templates/unit",
		"/api/v1/groups/ci/runners", "/api/v1/runners", "/api/v1/status"} {
		e.must(200, "GET", p, viewer, "")
	}
	e.anonymous(401, "GET", "/api/v1/groups")
	e.must(404, "GET", "/api/v1/groups/nope", viewer, "")

	// The queue, every operation.
	a := jsonString(t, e.must(201, "POST", "/api/v1/groups/ci/queue", admin,
		`{"template_id":"unit","inputs":{"suite":"e2e"},"auto_requeue":true,"requeue_limit":3}`), "id")
	b := jsonString(t, e.must(201, "POST", "/api/v1/groups/ci/queue", admin,
		`{"name":"Manual","owner":"acme","repo":"tests","workflow_id":"ci.yml","ref":"main","labels":{"kind":"adhoc"}}`), "id")
	c := jsonString(t, e.must(201, "POST", "/api/v1/groups/ci/queue", admin, `{"template_id":"unit","priority":5}`), "id")
	e.must(403, "POST", "/api/v1/groups/ci/queue", viewer, `{"template_id":"unit"}`)
	e.must(400, "POST", "/api/v1/groups/ci/queue", admin, `{"template_id":7}`)
	e.must(204, "PUT", "/api/v1/groups/ci/queue/reorder", admin, fmt.Sprintf(`{"job_ids":[%q,%q,%q]}`, c, b, a))
	e.must(200, "PUT", "/api/v1/jobs/"+b, admin, `{"inputs":{"x":"1"},"name":null,"ref":"develop","priority":-3}`)
	e.must(200, "POST", "/api/v1/jobs/"+b+"/pause", admin, "")
	e.must(200, "POST", "/api/v1/jobs/"+b+"/unpause", admin, "")
	e.must(200, "PUT", "/api/v1/jobs/"+a+"/auto-requeue", admin, `{"auto_requeue":true,"requeue_limit":null}`)
	e.must(200, "POST", "/api/v1/jobs/"+a+"/disable-requeue", admin, "")
	// The dispatcher hands a to GitHub; an operator cancels it.
	if _, err := e.sys.Decide(ctx, "ci", actors.Who{Username: state.ActorDispatcher},
		func(g *state.GroupState, m state.Meta) ([]state.Event, error) {
			return g.MarkDispatching(m, a, "key-a", 1, "ci-1")
		}); err != nil {
		t.Fatal(err)
	}
	e.must(200, "POST", "/api/v1/jobs/"+a+"/cancel", admin, "")
	e.must(204, "DELETE", "/api/v1/jobs/"+b, admin, "")
	e.must(404, "GET", "/api/v1/jobs/"+b, viewer, "")
	e.must(200, "GET", "/api/v1/jobs/"+c, viewer, "")
	e.must(200, "GET", "/api/v1/groups/ci/queue", viewer, "")
	e.must(200, "POST", "/api/v1/groups/ci/pause", admin, "")
	e.must(200, "POST", "/api/v1/groups/ci/unpause", admin, "")
	e.must(204, "POST", "/api/v1/runners/refresh", admin, "")
	e.must(200, "POST", "/api/v1/templates/reload", admin, "")

	// History, the audit and the live stream.
	e.must(200, "GET", "/api/v1/groups/ci/history?limit=10&status=cancelled,failed&label.kind=test", viewer, "")
	e.must(200, "GET", "/api/v1/groups/ci/history/stats?range=24h", viewer, "")
	e.must(200, "GET", "/api/v1/groups/ci/history/stats", viewer, "")
	e.must(400, "GET", "/api/v1/groups/ci/history/stats?range=1y", viewer, "")
	e.waitAudit(admin)
	e.must(200, "GET", "/api/v1/audit?group=ci&type=job_enqueued&since=1h&limit=2", admin, "")
	e.must(200, "GET", "/api/v1/jobs/"+a+"/events", viewer, "")
	e.must(403, "GET", "/api/v1/audit", viewer, "")
	e.websocket(viewer)

	// GitHub's deliveries.
	delivery := func(want int, event, id, body, signature string) {
		t.Helper()
		if signature == "" {
			mac := hmac.New(sha256.New, []byte(liveWebhookSecret))
			mac.Write([]byte(body))
			signature = "sha256=" + hex.EncodeToString(mac.Sum(nil))
		}
		e.must(want, "POST", WebhookPath, "", body, "X-GitHub-Event", event, "X-GitHub-Delivery", id,
			"X-Hub-Signature-256", signature)
	}
	job, err := os.ReadFile(filepath.Join("..", "github", "testdata", "workflow_job_completed.json"))
	if err != nil {
		t.Fatal(err)
	}
	delivery(202, "workflow_job", "d-1", string(job), "")
	delivery(200, "workflow_job", "d-1", string(job), "")
	delivery(202, "ping", "d-2", `{"zen":"Keep it logically awesome."}`, "")
	delivery(401, "workflow_job", "d-3", string(job), "sha256="+strings.Repeat("0", 64))

	e.check.Check(t)
	exercised := e.check.Exercised()
	for _, r := range e.srv.Routes() {
		if exercised[r.Method+" "+r.Path] == 0 {
			t.Errorf("%s %s was never exercised", r.Method, r.Path)
		}
	}
}

// waitAudit waits until the audit index has finished its start-up scan.
func (e *liveEnv) waitAudit(token string) {
	e.t.Helper()
	deadline := time.Now().Add(testTimeout)
	for time.Now().Before(deadline) {
		if status, _, _ := e.call("GET", "/api/v1/audit?limit=1", token, ""); status == 200 {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	e.t.Fatal("audit index not ready")
}

func jsonString(t *testing.T, body, key string) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	v, ok := m[key].(string)
	if !ok || v == "" {
		t.Fatalf("%s has no %s", body, key)
	}
	return v
}
