package httpd

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
	"github.com/valyala/fasthttp/fasthttputil"
	"golang.org/x/crypto/bcrypt"

	"github.com/dispatchoor/dispatchoor/actors/state"
)

// testTimeout bounds every wait in this package's tests.
const testTimeout = 10 * time.Second

// Test users, present in every test server's config.
const (
	adminUser    = "alice"
	adminPass    = "alice-password"
	readonlyUser = "victor"
	readonlyPass = "victor-password"
)

var testEpoch = time.Date(2025, 3, 14, 15, 9, 26, 0, time.UTC)

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{now: testEpoch} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// testEnv is a server on an in-memory listener with a fake service.
type testEnv struct {
	t     testing.TB
	srv   *Server
	fake  *fakeService
	clock *fakeClock
	ln    *fasthttputil.InmemoryListener
	logs  *syncBuffer
}

// syncBuffer collects log output from concurrent handlers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// testOptions are the options every test server starts from.
func testOptions(clock *fakeClock, fake *fakeService, logs *syncBuffer) Options {
	var n atomic.Int64
	return Options{
		Service:          fake,
		Logger:           slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		MaxBodyBytes:     4096,
		BasicAuthEnabled: true,
		BasicUsers: []BasicUser{
			{Username: adminUser, Password: adminPass, Role: RoleAdmin},
			{Username: readonlyUser, Password: readonlyPass, Role: RoleReadonly},
		},
		Now:        clock.Now,
		bcryptCost: bcrypt.MinCost,
		newID:      func() string { return fmt.Sprintf("req-%d", n.Add(1)) },
	}
}

// newTestEnv starts a server; edit may change the options first.
func newTestEnv(t testing.TB, edit ...func(*Options)) *testEnv {
	t.Helper()
	return newTestEnvWithRoutes(t, nil, edit...)
}

// newTestEnvWithRoutes starts a server with extra routes added before it
// serves.
func newTestEnvWithRoutes(t testing.TB, routes []Route, edit ...func(*Options)) *testEnv {
	t.Helper()
	clock := newFakeClock()
	fake := newFakeService(clock.Now)
	logs := &syncBuffer{}
	opts := testOptions(clock, fake, logs)
	for _, e := range edit {
		e(&opts)
	}
	srv, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	for _, r := range routes {
		if err := srv.HandleRoute(r); err != nil {
			t.Fatalf("HandleRoute: %v", err)
		}
	}
	ln := fasthttputil.NewInmemoryListener()
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	// Dial returns once the server has accepted, so Serve is running
	// before the test (and its cleanup's Shutdown) goes on.
	conn, err := ln.Dial()
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	_ = conn.Close()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	fake.addGroup(state.Group{ID: "g1", Name: "Group One", RunnerLabels: []string{"self-hosted"}, Enabled: true, InConfig: true})
	fake.addJob(&state.Job{ID: "j1", GroupID: "g1", Status: state.StatusPending, CreatedBy: adminUser, CreatedAt: testEpoch, UpdatedAt: testEpoch})
	return &testEnv{t: t, srv: srv, fake: fake, clock: clock, ln: ln, logs: logs}
}

// session creates a live session for a configured user directly in the
// fake, bypassing login, and returns its token.
func (e *testEnv) session(username, role string) string {
	e.t.Helper()
	return e.sessionWith(state.Session{Username: username, Role: role, Provider: ProviderBasic})
}

// sessionWith stores s (filling the token hash, id and times) and returns
// its token.
func (e *testEnv) sessionWith(s state.Session) string {
	e.t.Helper()
	n := sessionSeq.Add(1)
	tok := fmt.Sprintf("token-%s-%d", s.Username, n)
	now := e.clock.Now()
	s.TokenHash, s.ID, s.UserID = HashToken(tok), fmt.Sprintf("s-%d", n), BasicUserID(s.Username)
	s.CreatedAt = now
	if s.ExpiresAt.IsZero() {
		s.ExpiresAt = now.Add(time.Hour)
	}
	e.fake.addSession(s)
	return tok
}

var sessionSeq atomic.Int64

func (e *testEnv) adminToken() string    { return e.session(adminUser, RoleAdmin) }
func (e *testEnv) readonlyToken() string { return e.session(readonlyUser, RoleReadonly) }

// request describes one HTTP request to the test server.
type request struct {
	method  string
	path    string
	body    string
	token   string // sent as Authorization: Bearer
	from    string // client address "ip:port"; 192.0.2.10:40000 when empty
	headers map[string]string
}

// response is a received response, copied out of fasthttp's pools.
type response struct {
	status  int
	body    []byte
	headers map[string][]string
	cookies map[string]string // raw Set-Cookie values by cookie name
}

func (r *response) header(name string) string {
	if v := r.headers[strings.ToLower(name)]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// errorText decodes a JSON error body, failing if the body is not one.
func (r *response) errorText(t testing.TB) string {
	t.Helper()
	if ct := r.header("Content-Type"); ct != "application/json" {
		t.Fatalf("error response Content-Type = %q; want application/json (body %s)", ct, r.body)
	}
	var v struct {
		Error string `json:"error"`
	}
	dec := json.NewDecoder(bytes.NewReader(r.body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil || v.Error == "" {
		t.Fatalf("error body %s is not {\"error\": \"...\"}: %v", r.body, err)
	}
	return v.Error
}

// do sends a request over a fresh in-memory connection.
func (e *testEnv) do(r request) *response {
	e.t.Helper()
	from := r.from
	if from == "" {
		from = "192.0.2.10:40000"
	}
	addr, err := net.ResolveTCPAddr("tcp", from)
	if err != nil {
		e.t.Fatalf("client address %q: %v", from, err)
	}
	conn, err := e.ln.DialWithLocalAddr(addr)
	if err != nil {
		e.t.Fatalf("dial: %v", err)
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(testTimeout)); err != nil {
		e.t.Fatalf("deadline: %v", err)
	}
	// Not pooled: the writer goroutine below may still hold it when a
	// failed test returns early.
	req := &fasthttp.Request{}
	req.Header.SetMethod(r.method)
	req.SetRequestURI(r.path)
	req.Header.SetHost("dispatchoor.test")
	if r.token != "" {
		req.Header.Set("Authorization", "Bearer "+r.token)
	}
	for k, v := range r.headers {
		req.Header.Set(k, v)
	}
	if r.body != "" {
		req.SetBodyString(r.body)
	}
	// Write concurrently: the server may answer (413) before reading a
	// large body, and the in-memory pipe holds only a few writes.
	written := make(chan struct{})
	go func() {
		defer close(written)
		bw := bufio.NewWriter(conn)
		if err := req.Write(bw); err == nil {
			_ = bw.Flush()
		}
	}()
	resp := fasthttp.AcquireResponse()
	defer fasthttp.ReleaseResponse(resp)
	resp.SkipBody = r.method == fasthttp.MethodHead
	if err := resp.Read(bufio.NewReader(conn)); err != nil {
		e.t.Fatalf("%s %s: read response: %v", r.method, r.path, err)
	}
	out := &response{
		status:  resp.StatusCode(),
		body:    append([]byte(nil), resp.Body()...),
		headers: map[string][]string{},
		cookies: map[string]string{},
	}
	for k, v := range resp.Header.All() {
		key := strings.ToLower(string(k))
		out.headers[key] = append(out.headers[key], string(v))
	}
	for k, v := range resp.Header.Cookies() {
		out.cookies[string(k)] = string(v)
	}
	// Closing the connection ends a write the server stopped reading.
	_ = conn.Close()
	<-written
	return out
}

// decode unmarshals a JSON response body.
func decode[T any](t testing.TB, r *response) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
	return v
}

func wantStatus(t testing.TB, r *response, want int) {
	t.Helper()
	if r.status != want {
		t.Fatalf("status = %d; want %d (body %s)", r.status, want, r.body)
	}
}
