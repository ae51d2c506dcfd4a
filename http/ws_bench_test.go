package httpd

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
	"golang.org/x/crypto/bcrypt"

	"github.com/dispatchoor/dispatchoor/actors"
	"github.com/dispatchoor/dispatchoor/actors/state"
)

// BenchmarkFanout500 measures how long a committed event takes to reach 500
// dashboards: from the moment the journal publishes it to the moment each
// WebSocket client on loopback has read its job_state. Every enqueue also
// sends each client a group_state, so a client reads two messages per op.
//
// Events go back to back: each is enqueued once the one fanoutWindow before
// it has reached every client. Flooding would measure queueing rather than
// delivery (and end with the clients dropped, which is what the hub does to
// anyone who cannot keep up); raise fanoutWindow to see latency under
// overlapping events.
func BenchmarkFanout500(b *testing.B) {
	const clients = 500
	const fanoutWindow = 1
	f := newFanoutBench(b, clients)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f.waitDelivered(int64(i-fanoutWindow+1) * clients)
		if _, err := f.sys.Enqueue(f.ctx, actors.Who{Username: "bench"}, "sync", state.AddJob{TemplateID: "geth"}); err != nil {
			b.Fatalf("enqueue: %v", err)
		}
	}
	f.waitDelivered(int64(b.N) * clients)
	b.StopTimer()
	if n := f.hub.Clients(); n != clients {
		b.Fatalf("%d of %d clients left: slow clients were dropped", n, clients)
	}
	lat := f.latencies()
	if len(lat) != b.N*clients {
		b.Fatalf("measured %d deliveries; want %d", len(lat), b.N*clients)
	}
	slices.Sort(lat)
	ms := func(q float64) float64 { return float64(lat[int(q*float64(len(lat)-1))]) / float64(time.Millisecond) }
	b.ReportMetric(ms(0.50), "p50-ms")
	b.ReportMetric(ms(0.99), "p99-ms")
	b.ReportMetric(ms(1), "max-ms")
}

type fanoutBench struct {
	b   *testing.B
	ctx context.Context
	sys *actors.System
	hub *actors.Hub

	published sync.Map // journal index -> time.Time it was published

	delivered atomic.Int64
	progress  chan struct{}

	mu  sync.Mutex
	lat []time.Duration
}

func newFanoutBench(b *testing.B, clients int) *fanoutBench {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	b.Cleanup(cancel)
	f := &fanoutBench{b: b, ctx: ctx, progress: make(chan struct{}, 1)}
	sys, err := actors.Start(ctx, actors.Options{
		Journal: newWSJournal(b),
		Logger:  slog.New(slog.DiscardHandler),
		Groups:  wsGroups(),
	})
	if err != nil {
		b.Fatalf("start system: %v", err)
	}
	// Subscribed before the hub, so the time is taken just before the hub
	// is handed the same batch.
	sys.Subscribe(func(cs []actors.Committed) {
		now := time.Now()
		for _, c := range cs {
			f.published.Store(c.Index, now)
		}
	})
	hub, err := actors.NewHub(ctx, sys, actors.HubOptions{})
	if err != nil {
		b.Fatalf("new hub: %v", err)
	}
	srv, err := New(Options{
		Service:          sys,
		Logger:           slog.New(slog.DiscardHandler),
		BasicAuthEnabled: true,
		BasicUsers:       []BasicUser{{Username: "bench", Password: "bench-password", Role: RoleReadonly}},
		bcryptCost:       bcrypt.MinCost,
	})
	if err != nil {
		b.Fatalf("new server: %v", err)
	}
	if err := RegisterWebSocket(srv, hub); err != nil {
		b.Fatalf("register websocket: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatalf("listen: %v", err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	b.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_ = hub.Close(ctx)
		_ = srv.Shutdown(ctx)
		<-served
		_ = sys.Stop(ctx)
	})
	f.sys, f.hub = sys, hub

	tok := "bench-token"
	if err := sys.CreateSession(ctx, actors.Who{Username: "bench"}, state.Session{
		TokenHash: HashToken(tok), Username: "bench", Role: RoleReadonly, Provider: ProviderBasic,
		ExpiresAt: time.Now().Add(time.Hour),
	}); err != nil {
		b.Fatalf("create session: %v", err)
	}
	url := fmt.Sprintf("ws://%s/api/v1/ws?token=%s", ln.Addr(), tok)
	for i := 0; i < clients; i++ {
		conn := f.dial(url)
		go f.read(conn)
	}
	return f
}

// dial connects one client and subscribes it to the benchmark's group.
func (f *fanoutBench) dial(url string) *websocket.Conn {
	conn, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		f.b.Fatalf("dial: %v", err)
	}
	f.b.Cleanup(func() { _ = conn.Close() })
	if err := conn.WriteMessage(websocket.TextMessage, []byte(`{"type":"subscribe","group_id":"sync"}`)); err != nil {
		f.b.Fatalf("subscribe: %v", err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(time.Minute))
	for {
		_, data, err := conn.ReadMessage()
		if err != nil {
			f.b.Fatalf("read subscribed: %v", err)
		}
		if bytes.HasPrefix(data, []byte(`{"type":"subscribed"`)) {
			return conn
		}
	}
}

var (
	jobStatePrefix = []byte(`{"type":"job_state"`)
	seqField       = []byte(`"seq":`)
)

// read records the latency of every job_state. It parses only the type
// and the trailing seq, so the client's own cost stays small next to the
// server's.
func (f *fanoutBench) read(conn *websocket.Conn) {
	var buf bytes.Buffer
	for {
		_ = conn.SetReadDeadline(time.Now().Add(time.Minute))
		_, r, err := conn.NextReader()
		if err != nil {
			return
		}
		buf.Reset()
		if _, err := buf.ReadFrom(r); err != nil {
			return
		}
		now := time.Now()
		data := buf.Bytes()
		if !bytes.HasPrefix(data, jobStatePrefix) {
			continue
		}
		i := bytes.LastIndex(data, seqField)
		if i < 0 {
			continue
		}
		seq, err := strconv.ParseUint(string(bytes.TrimRight(data[i+len(seqField):], "}")), 10, 64)
		if err != nil {
			continue
		}
		at, ok := f.published.Load(seq)
		if !ok {
			continue
		}
		f.mu.Lock()
		f.lat = append(f.lat, now.Sub(at.(time.Time)))
		f.mu.Unlock()
		f.delivered.Add(1)
		select {
		case f.progress <- struct{}{}:
		default:
		}
	}
}

// waitDelivered blocks until n job_state messages were read in total.
func (f *fanoutBench) waitDelivered(n int64) {
	deadline := time.Now().Add(time.Minute)
	for f.delivered.Load() < n {
		if time.Now().After(deadline) {
			f.b.Fatalf("delivered %d of %d messages in a minute", f.delivered.Load(), n)
		}
		select {
		case <-f.progress:
		case <-time.After(time.Millisecond):
		}
	}
}

func (f *fanoutBench) latencies() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.lat)
}
