package httpd

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
	"github.com/valyala/fasthttp/fasthttputil"
	"golang.org/x/crypto/bcrypt"

	"github.com/dispatchoor/dispatchoor/actors"
	"github.com/dispatchoor/dispatchoor/actors/state"
)

// wsTestTimeout bounds every wait in the WebSocket tests.
const wsTestTimeout = 10 * time.Second

var wsT0 = time.Date(2026, 2, 3, 4, 5, 6, 0, time.UTC)

func wsNow() time.Time { return wsT0 }

// wsJournal is an in-memory actors.Journal that acknowledges durability on
// a separate goroutine, like the real group commit.
type wsJournal struct {
	mu      sync.Mutex
	records [][]byte
	durable uint64
	snapIdx uint64
	snap    []byte
	queue   chan func()
}

func newWSJournal(t testing.TB) *wsJournal {
	j := &wsJournal{queue: make(chan func(), 1<<16)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ack := range j.queue {
			ack()
		}
	}()
	t.Cleanup(func() { close(j.queue); <-done })
	return j
}

func (j *wsJournal) AppendAsync(payloads [][]byte, done func(uint64, error)) uint64 {
	j.mu.Lock()
	first := uint64(len(j.records)) + 1
	for _, p := range payloads {
		j.records = append(j.records, append([]byte(nil), p...))
	}
	last := uint64(len(j.records))
	j.mu.Unlock()
	j.queue <- func() {
		j.mu.Lock()
		j.durable = max(j.durable, last)
		j.mu.Unlock()
		done(first, nil)
	}
	return first
}

func (j *wsJournal) Replay(from uint64, fn func(uint64, []byte) error) error {
	j.mu.Lock()
	recs := slices.Clone(j.records)
	j.mu.Unlock()
	for i := max(from, 1); i <= uint64(len(recs)); i++ {
		if err := fn(i, recs[i-1]); err != nil {
			return err
		}
	}
	return nil
}

func (j *wsJournal) SaveSnapshot(index uint64, data []byte) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.snapIdx, j.snap = index, slices.Clone(data)
	return nil
}

func (j *wsJournal) LatestSnapshot() (uint64, []byte, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.snap == nil {
		return 0, nil, actors.ErrNoSnapshot
	}
	return j.snapIdx, j.snap, nil
}

func (j *wsJournal) Compact(uint64) error { return nil }
func (j *wsJournal) FirstIndex() uint64   { return 1 }
func (j *wsJournal) LastIndex() uint64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	return uint64(len(j.records))
}
func (j *wsJournal) DurableIndex() uint64 { j.mu.Lock(); defer j.mu.Unlock(); return j.durable }
func (j *wsJournal) SizeBytes() int64     { return 0 }
func (j *wsJournal) Close() error         { return nil }

// wsEnv is a real System and hub behind a real Server on an in-memory
// listener.
type wsEnv struct {
	t       testing.TB
	ctx     context.Context
	journal *wsJournal
	sys     *actors.System
	hub     *actors.Hub
	srv     *Server
	ln      *fasthttputil.InmemoryListener
}

func wsGroups() []actors.GroupSpec {
	return []actors.GroupSpec{
		{
			Group:     state.Group{ID: "sync", Name: "Sync", RunnerLabels: []string{"self-hosted", "sync"}, Weight: 1},
			Templates: []state.Template{{ID: "geth", Name: "Geth", Owner: "acme", Repo: "tests", WorkflowID: "sync.yml", Ref: "main"}},
		},
		{
			Group:     state.Group{ID: "gpu", Name: "GPU", RunnerLabels: []string{"self-hosted", "gpu"}, Weight: 1},
			Templates: []state.Template{{ID: "bench", Name: "Bench", Owner: "acme", Repo: "gpu", WorkflowID: "bench.yml", Ref: "main"}},
		},
	}
}

// fastWSConfig keeps the production limits but makes closing quick.
func fastWSConfig() wsConfig {
	cfg := defaultWSConfig()
	cfg.closeGrace = 50 * time.Millisecond
	return cfg
}

func newWSEnv(t testing.TB, cfg wsConfig) *wsEnv {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wsTestTimeout)
	t.Cleanup(cancel)
	e := &wsEnv{t: t, ctx: ctx, journal: newWSJournal(t)}
	var ids atomic.Int64
	sys, err := actors.Start(ctx, actors.Options{
		Journal: e.journal,
		Logger:  slog.New(slog.DiscardHandler),
		Now:     wsNow,
		NewID:   func() string { return fmt.Sprintf("job-%04d", ids.Add(1)) },
		Groups:  wsGroups(),
	})
	if err != nil {
		t.Fatalf("start system: %v", err)
	}
	hub, err := actors.NewHub(ctx, sys, actors.HubOptions{})
	if err != nil {
		t.Fatalf("new hub: %v", err)
	}
	srv, err := New(Options{
		Service:          sys,
		Logger:           slog.New(slog.DiscardHandler),
		BasicAuthEnabled: true,
		BasicUsers:       []BasicUser{{Username: "alice", Password: "alice-password", Role: RoleAdmin}},
		CORSOrigins:      []string{"https://ui.example.com"},
		TrustedProxies:   []string{"10.0.0.0/8"},
		Now:              wsNow,
		bcryptCost:       bcrypt.MinCost,
	})
	if err != nil {
		t.Fatalf("new server: %v", err)
	}
	if err := registerWebSocket(srv, hub, cfg); err != nil {
		t.Fatalf("register websocket: %v", err)
	}
	e.ln = fasthttputil.NewInmemoryListener()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(e.ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), wsTestTimeout)
		defer cancel()
		// The hub first: it closes the hijacked connections, which the
		// HTTP server no longer tracks.
		if err := hub.Close(ctx); err != nil {
			t.Errorf("close hub: %v", err)
		}
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
		if err := sys.Stop(ctx); err != nil {
			t.Errorf("stop system: %v", err)
		}
	})
	e.sys, e.hub, e.srv = sys, hub, srv
	return e
}

// token creates a session for alice and returns its token.
func (e *wsEnv) token() string {
	e.t.Helper()
	tok := fmt.Sprintf("ws-token-%d", time.Now().UnixNano())
	err := e.sys.CreateSession(e.ctx, actors.Who{Username: "alice"}, state.Session{
		TokenHash: HashToken(tok), UserID: BasicUserID("alice"), Username: "alice", Role: RoleAdmin,
		Provider: ProviderBasic, ExpiresAt: wsT0.Add(time.Hour),
	})
	if err != nil {
		e.t.Fatalf("create session: %v", err)
	}
	return tok
}

// dialFrom opens a WebSocket from the client address from ("" for none).
func (e *wsEnv) dialFrom(from, query string, header http.Header) (*wsClient, *http.Response, error) {
	d := websocket.Dialer{
		HandshakeTimeout: wsTestTimeout,
		NetDial: func(string, string) (net.Conn, error) {
			if from == "" {
				return e.ln.Dial()
			}
			return e.ln.DialWithLocalAddr(&net.TCPAddr{IP: net.ParseIP(from), Port: 40000})
		},
	}
	conn, resp, err := d.Dial("ws://dispatchoor.test/api/v1/ws"+query, header)
	if err != nil {
		return nil, resp, err
	}
	c := &wsClient{t: e.t, conn: conn}
	e.t.Cleanup(func() { _ = conn.Close() })
	return c, resp, nil
}

// connect opens an authenticated WebSocket, reads hello and subscribes.
func (e *wsEnv) connect(groups ...string) *wsClient {
	e.t.Helper()
	c, _, err := e.dialFrom("", "?token="+e.token(), nil)
	if err != nil {
		e.t.Fatalf("dial: %v", err)
	}
	c.hello = c.next()
	if c.hello.Type != actors.FrameHello {
		e.t.Fatalf("first message %q; want hello", c.hello.Type)
	}
	for _, g := range groups {
		c.subscribe(g)
	}
	return c
}

// settle waits until the hub has fanned out everything journaled so far.
func (e *wsEnv) settle() uint64 {
	e.t.Helper()
	last := e.journal.LastIndex()
	wsWaitUntil(e.t, fmt.Sprintf("hub seq %d", last), func() bool { return e.hub.Seq() >= last })
	return last
}

func (e *wsEnv) enqueue(group, template string) string {
	e.t.Helper()
	ji, err := e.sys.Enqueue(e.ctx, actors.Who{Username: "alice"}, group, state.AddJob{TemplateID: template})
	if err != nil {
		e.t.Fatalf("enqueue into %s: %v", group, err)
	}
	return ji.Job.ID
}

func wsWaitUntil(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(wsTestTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// wsClient is the test side of a connection.
type wsClient struct {
	t     testing.TB
	conn  *websocket.Conn
	hello wsMessage
}

type wsMessage struct {
	Type    string          `json:"type"`
	GroupID string          `json:"group_id"`
	Payload json.RawMessage `json:"payload"`
	Seq     uint64          `json:"seq"`
}

func (c *wsClient) read() (wsMessage, error) {
	if err := c.conn.SetReadDeadline(time.Now().Add(wsTestTimeout)); err != nil {
		return wsMessage{}, err
	}
	_, data, err := c.conn.ReadMessage()
	if err != nil {
		return wsMessage{}, err
	}
	var m wsMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return wsMessage{}, fmt.Errorf("decode %s: %w", data, err)
	}
	return m, nil
}

func (c *wsClient) next() wsMessage {
	c.t.Helper()
	m, err := c.read()
	if err != nil {
		c.t.Fatalf("read: %v", err)
	}
	return m
}

// until reads up to and including the first message of type typ and
// returns the messages before it.
func (c *wsClient) until(typ string) (before []wsMessage, found wsMessage) {
	c.t.Helper()
	for {
		m := c.next()
		if m.Type == typ {
			return before, m
		}
		before = append(before, m)
	}
}

func (c *wsClient) send(v any) {
	c.t.Helper()
	var data []byte
	switch v := v.(type) {
	case string:
		data = []byte(v)
	default:
		var err error
		if data, err = json.Marshal(v); err != nil {
			c.t.Fatal(err)
		}
	}
	if err := c.conn.WriteMessage(websocket.TextMessage, data); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

func (c *wsClient) subscribe(group string) {
	c.t.Helper()
	c.send(map[string]string{"type": "subscribe", "group_id": group})
	if _, m := c.until(actors.FrameSubscribed); m.GroupID != group {
		c.t.Fatalf("subscribed to %q; want %q", m.GroupID, group)
	}
}

// sync pings and returns what arrived before the answer. The answer is
// queued behind every frame of the events the hub had fanned out.
func (c *wsClient) sync() []wsMessage {
	c.t.Helper()
	c.send(map[string]string{"type": "ping"})
	before, _ := c.until(actors.FrameSystemStatus)
	return before
}

func payload[T any](t testing.TB, m wsMessage) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(m.Payload, &v); err != nil {
		t.Fatalf("decode %s payload %s: %v", m.Type, m.Payload, err)
	}
	return v
}

// wsErrorBody reads a refused handshake's JSON error.
func wsErrorBody(t testing.TB, resp *http.Response) string {
	t.Helper()
	if resp == nil {
		t.Fatal("no HTTP response for a refused handshake")
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("Content-Type %q; want application/json", ct)
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Error string `json:"error"`
	}
	if err := json.Unmarshal(b, &v); err != nil || v.Error == "" {
		t.Fatalf("body %s is not a JSON error: %v", b, err)
	}
	return v.Error
}

func TestWSAuthentication(t *testing.T) {
	e := newWSEnv(t, fastWSConfig())
	good := e.token()
	cases := []struct {
		name   string
		query  string
		header http.Header
		ok     bool
	}{
		{name: "no token"},
		{name: "bad query token", query: "?token=nope"},
		{name: "bad cookie", header: http.Header{"Cookie": {"session=nope"}}},
		{name: "query token", query: "?token=" + good, ok: true},
		{name: "cookie", header: http.Header{"Cookie": {"session=" + good}}, ok: true},
		{name: "bearer header", header: http.Header{"Authorization": {"Bearer " + good}}, ok: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, resp, err := e.dialFrom("", tc.query, tc.header)
			if !tc.ok {
				if !errors.Is(err, websocket.ErrBadHandshake) || resp == nil || resp.StatusCode != http.StatusUnauthorized {
					t.Fatalf("got err %v, response %v; want a 401 before the upgrade", err, resp)
				}
				if msg := wsErrorBody(t, resp); msg != msgUnauthorized {
					t.Fatalf("error %q; want %q", msg, msgUnauthorized)
				}
				return
			}
			if err != nil {
				t.Fatalf("dial: %v", err)
			}
			hello := c.next()
			if hello.Type != actors.FrameHello {
				t.Fatalf("first message %q; want hello", hello.Type)
			}
			p := payload[struct {
				Seq  uint64   `json:"seq"`
				User userView `json:"user"`
			}](t, hello)
			if p.User.Username != "alice" || p.User.Role != RoleAdmin || p.Seq != hello.Seq {
				t.Fatalf("hello payload %+v (envelope seq %d)", p, hello.Seq)
			}
		})
	}
}

func TestWSOriginCheck(t *testing.T) {
	e := newWSEnv(t, fastWSConfig())
	tok := e.token()
	cases := []struct {
		name, from, origin string
		extra              http.Header
		ok                 bool
	}{
		{name: "no origin", ok: true},
		{name: "same origin", origin: "http://dispatchoor.test", ok: true},
		{name: "same host other scheme", origin: "https://dispatchoor.test", ok: true},
		{name: "configured", origin: "https://ui.example.com", ok: true},
		{name: "foreign", origin: "https://evil.example"},
		{name: "lookalike", origin: "https://dispatchoor.test.evil.example"},
		{name: "forwarded host from trusted proxy", from: "10.0.0.5", origin: "https://public.example",
			extra: http.Header{"X-Forwarded-Host": {"public.example"}, "X-Forwarded-Proto": {"https"}}, ok: true},
		{name: "forwarded host from anyone else", from: "192.0.2.7", origin: "https://public.example",
			extra: http.Header{"X-Forwarded-Host": {"public.example"}, "X-Forwarded-Proto": {"https"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			for k, v := range tc.extra {
				h[k] = v
			}
			if tc.origin != "" {
				h.Set("Origin", tc.origin)
			}
			c, resp, err := e.dialFrom(tc.from, "?token="+tok, h)
			if !tc.ok {
				if !errors.Is(err, websocket.ErrBadHandshake) || resp == nil || resp.StatusCode != http.StatusForbidden {
					t.Fatalf("got err %v, response %v; want a 403 before the upgrade", err, resp)
				}
				if msg := wsErrorBody(t, resp); msg != msgOriginRefused {
					t.Fatalf("error %q; want %q", msg, msgOriginRefused)
				}
				return
			}
			if err != nil {
				t.Fatalf("dial: %v", err)
			}
			if m := c.next(); m.Type != actors.FrameHello {
				t.Fatalf("first message %q; want hello", m.Type)
			}
		})
	}
}

func TestWSFanOutOrderAndFiltering(t *testing.T) {
	e := newWSEnv(t, fastWSConfig())
	syncC := e.connect("sync")
	gpuC := e.connect("gpu")
	allC := e.connect(actors.AllGroups)
	noneC := e.connect()

	var want []string
	for i := 0; i < 5; i++ {
		want = append(want, e.enqueue("sync", "geth"), e.enqueue("gpu", "bench"))
	}
	e.settle()

	pick := func(n int) []string {
		var out []string
		for i := n; i < len(want); i += 2 {
			out = append(out, want[i])
		}
		return out
	}
	check := func(name string, c *wsClient, wantJobs []string) {
		t.Helper()
		var got []string
		var last uint64
		groups := 0
		for _, m := range c.sync() {
			switch m.Type {
			case actors.FrameJobState:
				if m.Seq <= last {
					t.Fatalf("%s: job_state seq %d after %d", name, m.Seq, last)
				}
				last = m.Seq
				j := payload[map[string]any](t, m)
				if j["group_id"] != m.GroupID || j["status"] != "pending" || j["run_id"] != nil {
					t.Fatalf("%s: job_state payload %s (envelope group %q)", name, m.Payload, m.GroupID)
				}
				got = append(got, j["id"].(string))
			case actors.FrameGroupState:
				groups++
			}
		}
		if !slices.Equal(got, wantJobs) {
			t.Fatalf("%s: got jobs %v; want %v", name, got, wantJobs)
		}
		if groups != len(want) {
			t.Fatalf("%s: got %d group_state messages; want %d (one per counter change, to everyone)", name, groups, len(want))
		}
	}
	check("sync subscriber", syncC, pick(0))
	check("gpu subscriber", gpuC, pick(1))
	check("* subscriber", allC, want)
	check("unsubscribed", noneC, nil)
}

func TestWSProtocolMessages(t *testing.T) {
	e := newWSEnv(t, fastWSConfig())
	c := e.connect()

	// Invalid JSON, unknown types and empty group ids are ignored: the
	// next answer is the ping's.
	c.send("{not json")
	c.send(map[string]string{"type": "teleport"})
	c.send(map[string]string{"type": "subscribe"})
	c.send(map[string]string{"type": "ping"})
	m := c.next()
	if m.Type != actors.FrameSystemStatus {
		t.Fatalf("got %q; want system_status", m.Type)
	}
	st := payload[systemStatusPayload](t, m)
	if st.Status != "ok" || st.Timestamp != wsT0.Format(time.RFC3339) || st.Seq != e.hub.Seq() || m.Seq != st.Seq {
		t.Fatalf("system_status %+v (envelope seq %d, hub seq %d)", st, m.Seq, e.hub.Seq())
	}

	c.subscribe("sync")
	c.send(map[string]string{"type": "unsubscribe", "group_id": "sync"})
	if _, m := c.until(actors.FrameUnsubscribed); m.GroupID != "sync" {
		t.Fatalf("unsubscribed %q; want sync", m.GroupID)
	}
	e.enqueue("sync", "geth")
	e.settle()
	for _, m := range c.sync() {
		if m.Type == actors.FrameJobState {
			t.Fatalf("job_state after unsubscribing: %s", m.Payload)
		}
	}

	// A message over 4 KiB ends the connection.
	c.send(`{"type":"ping","pad":"` + strings.Repeat("x", 5000) + `"}`)
	for {
		if _, err := c.read(); err != nil {
			if !websocket.IsCloseError(err, websocket.CloseMessageTooBig) {
				t.Fatalf("got %v; want close 1009 (message too big)", err)
			}
			break
		}
	}
	wsWaitUntil(t, "client unregistered", func() bool { return e.hub.Clients() == 0 })
}

func TestWSSlowClientIsDroppedOthersKeepReceiving(t *testing.T) {
	cfg := fastWSConfig()
	cfg.buffer = 16
	e := newWSEnv(t, cfg)
	slow := e.connect("sync")
	fast := e.connect("sync")

	// The fast client reads in the background and reports each job.
	jobs := make(chan string, 256)
	go func() {
		defer close(jobs)
		for {
			m, err := fast.read()
			if err != nil {
				return
			}
			if m.Type == actors.FrameJobState {
				var j struct {
					ID string `json:"id"`
				}
				if json.Unmarshal(m.Payload, &j) != nil {
					return
				}
				jobs <- j.ID
			}
		}
	}()
	// The slow client never reads again. Each enqueue returns while its
	// frames pile up; pacing on the fast client keeps that one in step.
	const n = 100
	var want, got []string
	for i := 0; i < n; i++ {
		want = append(want, e.enqueue("sync", "geth"))
		select {
		case id := <-jobs:
			got = append(got, id)
		case <-time.After(wsTestTimeout):
			t.Fatalf("fast client stalled after %d jobs", len(got))
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("fast client got %v; want %v", got, want)
	}
	wsWaitUntil(t, "slow client dropped", func() bool { return e.hub.Clients() == 1 })

	// What the slow client had in flight is there, then the connection
	// ends: it has to reconnect and refetch.
	received := 0
	for {
		m, err := slow.read()
		if err != nil {
			break
		}
		if m.Type == actors.FrameJobState {
			received++
		}
	}
	if received >= n {
		t.Fatalf("slow client received all %d jobs; it should have been dropped", received)
	}
	var out strings.Builder
	e.hub.Metrics().WritePrometheus(&out)
	if !strings.Contains(out.String(), "dispatchoor_ws_slow_clients_dropped_total 1\n") {
		t.Fatalf("dropped client not counted:\n%s", out.String())
	}
}

func TestWSResyncAfterReconnect(t *testing.T) {
	e := newWSEnv(t, fastWSConfig())
	first := e.connect("sync")
	e.enqueue("sync", "geth")
	e.settle()
	var lastSeen uint64
	for _, m := range first.sync() {
		lastSeen = max(lastSeen, m.Seq)
	}
	if lastSeen == 0 {
		t.Fatal("first connection saw no event")
	}
	_ = first.conn.Close()
	wsWaitUntil(t, "first connection unregistered", func() bool { return e.hub.Clients() == 0 })

	var missed []string
	for i := 0; i < 3; i++ {
		missed = append(missed, e.enqueue("sync", "geth"))
	}
	lastMissed := e.settle()

	again := e.connect("sync")
	if again.hello.Seq < lastMissed || again.hello.Seq <= lastSeen {
		t.Fatalf("hello seq %d; want >= %d (the last missed event) and > %d (the last seen)", again.hello.Seq, lastMissed, lastSeen)
	}
	// The missed jobs are what a refetch finds.
	q, err := e.sys.Queue(e.ctx, "sync")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, ji := range q {
		ids = append(ids, ji.Job.ID)
	}
	for _, id := range missed {
		if !slices.Contains(ids, id) {
			t.Fatalf("missed job %s not in the queue %v", id, ids)
		}
	}
	// And the new connection is live again, past the hello.
	id := e.enqueue("sync", "geth")
	_, m := again.until(actors.FrameJobState)
	if got := payload[struct {
		ID string `json:"id"`
	}](t, m).ID; got != id || m.Seq <= again.hello.Seq {
		t.Fatalf("job_state for %s at seq %d; want %s after hello seq %d", got, m.Seq, id, again.hello.Seq)
	}
}

func TestWSKeepaliveAndSessionEnd(t *testing.T) {
	cfg := fastWSConfig()
	cfg.pingInterval = 20 * time.Millisecond
	cfg.readTimeout = 200 * time.Millisecond
	e := newWSEnv(t, cfg)

	t.Run("pings and revoked session", func(t *testing.T) {
		tok := e.token()
		c, _, err := e.dialFrom("", "?token="+tok, nil)
		if err != nil {
			t.Fatalf("dial: %v", err)
		}
		var pings atomic.Int64
		c.conn.SetPingHandler(func(data string) error {
			pings.Add(1)
			return c.conn.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(wsTestTimeout))
		})
		errs := make(chan error, 1)
		go func() {
			for {
				if _, err := c.read(); err != nil {
					errs <- err
					return
				}
			}
		}()
		// Answering pings keeps the connection past several read timeouts.
		wsWaitUntil(t, "pings", func() bool { return pings.Load() >= 15 })
		if err := e.sys.RevokeSession(e.ctx, actors.Who{Username: "alice"}, HashToken(tok)); err != nil {
			t.Fatal(err)
		}
		select {
		case err := <-errs:
			if !websocket.IsCloseError(err, websocket.ClosePolicyViolation) {
				t.Fatalf("got %v; want close 1008 (session ended)", err)
			}
		case <-time.After(wsTestTimeout):
			t.Fatal("connection outlived its session")
		}
	})

	t.Run("silent client times out", func(t *testing.T) {
		wsWaitUntil(t, "earlier connections gone", func() bool { return e.hub.Clients() == 0 })
		if _, _, err := e.dialFrom("", "?token="+e.token(), nil); err != nil {
			t.Fatalf("dial: %v", err)
		}
		// Never reading means never answering pings: the server gives up
		// after its read timeout.
		wsWaitUntil(t, "silent client registered", func() bool { return e.hub.Clients() == 1 })
		wsWaitUntil(t, "silent client dropped", func() bool { return e.hub.Clients() == 0 })
	})
}
