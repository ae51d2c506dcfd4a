package httpd

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"net"
	"time"

	"github.com/fasthttp/websocket"
	"github.com/valyala/fasthttp"

	"github.com/dispatchoor/dispatchoor/actors"
	"github.com/dispatchoor/dispatchoor/actors/state"
)

// The live dashboard's WebSocket, GET /api/v1/ws.
//
// Each connection has two goroutines: a reader that turns client requests
// into hub messages, and a writer that alone writes to the client, draining
// the connection's bounded buffer in the hub. Neither ever waits for the
// hub, and the hub never waits for them: a connection that falls behind is
// closed by the hub, and the client reconnects.
//
// Envelope, both directions: {"type", "group_id"?, "payload"?, "seq"?};
// seq is the journal index behind a message. A client receives hello
// {seq, user} first; if it reconnects and hello.seq is past the last seq it
// saw, it missed events and refetches over REST.

// LiveHub is what the endpoint needs of the hub; *actors.Hub provides it.
type LiveHub interface {
	Register(c *actors.HubClient)
	Unregister(c *actors.HubClient)
	Subscribe(c *actors.HubClient, groupID string)
	Unsubscribe(c *actors.HubClient, groupID string)
	Seq() uint64
}

// Client → server message types.
const (
	wsSubscribe   = "subscribe"
	wsUnsubscribe = "unsubscribe"
	wsPing        = "ping"
)

// wsConfig holds a connection's limits and timings; tests shorten them.
type wsConfig struct {
	// pingInterval is how often the server pings; readTimeout how long it
	// waits for any frame (pongs included) before giving the client up.
	pingInterval time.Duration
	readTimeout  time.Duration
	writeTimeout time.Duration
	// closeGrace is how long a closed client's writer may take to send
	// its close frame before the connection is cut.
	closeGrace time.Duration
	// maxMessage caps a client message; a larger one closes the connection.
	maxMessage int64
	buffer     int
}

func defaultWSConfig() wsConfig {
	return wsConfig{
		pingInterval: 30 * time.Second,
		readTimeout:  60 * time.Second,
		writeTimeout: 10 * time.Second,
		closeGrace:   time.Second,
		maxMessage:   4 << 10,
		buffer:       actors.DefaultClientBuffer,
	}
}

type wsEndpoint struct {
	s        *Server
	hub      LiveHub
	cfg      wsConfig
	upgrader websocket.FastHTTPUpgrader
}

// RegisterWebSocket adds GET /api/v1/ws. Callers authenticate with the
// session cookie, the Authorization header or ?token= (browsers cannot set
// headers on an upgrade); origins must be the server's own or allowed by
// cors_origins. Both are checked before the upgrade, with JSON errors.
func RegisterWebSocket(s *Server, hub LiveHub) error {
	return registerWebSocket(s, hub, defaultWSConfig())
}

func registerWebSocket(s *Server, hub LiveHub, cfg wsConfig) error {
	w := &wsEndpoint{s: s, hub: hub, cfg: cfg}
	w.upgrader = websocket.FastHTTPUpgrader{
		HandshakeTimeout: cfg.writeTimeout,
		CheckOrigin:      s.OriginAllowed,
		Error: func(ctx *fasthttp.RequestCtx, status int, reason error) {
			writeErrorStatus(ctx, status, reason.Error())
		},
	}
	return s.HandleRoute(Route{
		Method:     get,
		Path:       "/api/v1/ws",
		Tier:       TierAuthenticated,
		Access:     AccessUser,
		QueryToken: true,
		Summary:    "Live updates over WebSocket: job, queue, group and runner changes",
		Handler:    w.handle,
	})
}

// handle runs after the server authenticated the caller (401 otherwise).
func (w *wsEndpoint) handle(ctx *fasthttp.RequestCtx) {
	p := PrincipalFrom(ctx)
	if p == nil {
		w.s.writeError(ctx, ErrUnauthenticated)
		return
	}
	// Checked here as well as by the upgrader so that a refused origin gets
	// a 403 even when the handshake itself is malformed.
	if !w.s.OriginAllowed(ctx) {
		writeErrorStatus(ctx, fasthttp.StatusForbidden, msgOriginRefused)
		return
	}
	id := requestID(ctx)
	err := w.upgrader.Upgrade(ctx, func(conn *websocket.Conn) { w.serve(conn, p, id) })
	if err != nil {
		w.s.log.Debug("websocket handshake refused", "request_id", id, "err", err)
	}
}

// serve runs one connection until either side ends it.
func (w *wsEndpoint) serve(conn *websocket.Conn, p *Principal, id string) {
	c := actors.NewHubClient(p.user(), w.cfg.buffer)
	w.hub.Register(c)
	defer w.hub.Unregister(c)
	w.s.log.Debug("websocket connected", "request_id", id, "user", p.Username)

	pongs := make(chan string, 1)
	readDone, writeDone := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(readDone)
		w.read(conn, c, pongs)
	}()
	go func() {
		defer close(writeDone)
		w.write(conn, c, p, pongs)
	}()
	select {
	case <-writeDone:
	case <-c.Done():
		// Give the writer a moment for its close frame. A writer stuck on a
		// client that stopped reading (the usual reason for a drop) would
		// otherwise hold the connection until its write deadline.
		grace := time.NewTimer(w.cfg.closeGrace)
		select {
		case <-writeDone:
		case <-grace.C:
		}
		grace.Stop()
	}
	c.Close()
	bothDone := make(chan struct{})
	go func() {
		<-writeDone
		<-readDone
		close(bothDone)
	}()
	cutUntil(conn.NetConn(), bothDone)
	w.s.log.Debug("websocket closed", "request_id", id, "user", p.Username, "reason", c.Err())
}

// cutRetry is how often cutUntil re-arms its deadline.
const cutRetry = 10 * time.Millisecond

// cutUntil makes every read and write on nc fail at once, until done.
//
// Closing would be simpler, but fasthttp closes a hijacked connection only
// when the handler returns, which it must not do while the reader or writer
// still use the connection. A past deadline fails blocked I/O instead; it is
// re-armed because a read or write starting meanwhile sets its own.
func cutUntil(nc net.Conn, done <-chan struct{}) {
	tick := time.NewTicker(cutRetry)
	defer tick.Stop()
	past := time.Unix(1, 0)
	for {
		_ = nc.SetDeadline(past)
		select {
		case <-done:
			return
		case <-tick.C:
		}
	}
}

// read handles client messages until the connection fails, the client goes
// quiet for readTimeout, or it sends a message over maxMessage.
//
// Pings from the client are answered by the writer, through pongs: the
// websocket package's default handlers would write from this goroutine.
func (w *wsEndpoint) read(conn *websocket.Conn, c *actors.HubClient, pongs chan<- string) {
	defer c.Close()
	conn.SetReadLimit(w.cfg.maxMessage)
	alive := func() error { return conn.SetReadDeadline(time.Now().Add(w.cfg.readTimeout)) }
	if alive() != nil {
		return
	}
	conn.SetPongHandler(func(string) error { return alive() })
	conn.SetPingHandler(func(data string) error {
		select {
		case pongs <- data:
		default: // a pong is already due; one answers any number of pings
		}
		return alive()
	})
	// A close frame ends ReadMessage with an error; the writer then sends
	// the closing reply.
	conn.SetCloseHandler(func(int, string) error { return nil })
	for {
		_, data, err := conn.ReadMessage()
		if err != nil {
			return
		}
		if alive() != nil {
			return
		}
		w.handleMessage(c, data)
	}
}

// wsRequest is a client message; other fields are ignored.
type wsRequest struct {
	Type    string `json:"type"`
	GroupID string `json:"group_id"`
}

// systemStatusPayload answers a ping; seq is the hub's position, and every
// event up to it is already queued ahead of this answer.
type systemStatusPayload struct {
	Status    string `json:"status"`
	Timestamp string `json:"timestamp"`
	Seq       uint64 `json:"seq"`
}

// handleMessage acts on one client message. Invalid JSON and unknown types
// are ignored, as in the reference: a client on a newer protocol keeps
// working.
func (w *wsEndpoint) handleMessage(c *actors.HubClient, data []byte) {
	var m wsRequest
	if err := json.Unmarshal(data, &m); err != nil {
		return
	}
	switch m.Type {
	case wsSubscribe:
		if m.GroupID != "" {
			w.hub.Subscribe(c, m.GroupID)
		}
	case wsUnsubscribe:
		if m.GroupID != "" {
			w.hub.Unsubscribe(c, m.GroupID)
		}
	case wsPing:
		seq := w.hub.Seq()
		c.Offer(&actors.Frame{Type: actors.FrameSystemStatus, Seq: seq, Payload: systemStatusPayload{
			Status: "ok", Timestamp: w.s.opts.Now().UTC().Format(time.RFC3339), Seq: seq,
		}})
	}
}

// write is the connection's only writer. It returns when the client is
// closed (by the hub or the reader), a write fails, or the session ended.
func (w *wsEndpoint) write(conn *websocket.Conn, c *actors.HubClient, p *Principal, pongs <-chan string) {
	out := &wsWriter{nc: conn.NetConn(), timeout: w.cfg.writeTimeout}
	ping := time.NewTicker(w.cfg.pingInterval)
	defer ping.Stop()
	for {
		select {
		case f := <-c.Frames():
			w.add(out, f)
			// Whatever else is queued goes out in the same write.
			for more := true; more && len(out.buf) < wsMaxBatch; {
				select {
				case f := <-c.Frames():
					w.add(out, f)
				default:
					more = false
				}
			}
		case data := <-pongs:
			out.add(websocket.PongMessage, []byte(data))
		case <-ping.C:
			// A session revoked or expired while connected ends the stream
			// too, at the next keepalive.
			if !w.s.sessionLive(p) {
				out.add(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.ClosePolicyViolation, "session ended"))
				_ = out.flush()
				return
			}
			out.add(websocket.PingMessage, nil)
		case <-c.Done():
			code, text := closeCode(c.Err())
			out.add(websocket.CloseMessage, websocket.FormatCloseMessage(code, text))
			_ = out.flush()
			return
		}
		if out.flush() != nil {
			return
		}
	}
}

// add appends a hub frame as a text message.
func (w *wsEndpoint) add(out *wsWriter, f *actors.Frame) {
	b, err := f.Encoded(encodeFrame)
	if err != nil {
		// Cannot happen with the view types; skipping one frame is better
		// than dropping the connection over it.
		w.s.log.Error("encode websocket frame", "type", f.Type, "err", err)
		return
	}
	out.add(websocket.TextMessage, b)
}

// wsMaxBatch is the size past which the writer stops adding queued frames
// to one write.
const wsMaxBatch = 64 << 10

// wsWriter writes server frames straight to the connection, every frame
// of one wake-up in a single write: when one event goes to hundreds of
// clients, the system calls, not the bytes, are the cost (a job change is
// a job_state and a group_state, so this halves them).
//
// The writer goroutine owns the write side. The reader's websocket.Conn
// writes only as it fails (a close frame after a protocol error or an
// oversized message), in one write of its own, which cannot interleave
// with ours.
type wsWriter struct {
	nc      net.Conn
	timeout time.Duration
	buf     []byte
}

// add appends one final, unmasked frame (RFC 6455 §5.2). The opcodes are
// the websocket package's message types.
func (w *wsWriter) add(opcode int, payload []byte) {
	w.buf = append(w.buf, 0x80|byte(opcode))
	switch n := len(payload); {
	case n <= 125:
		w.buf = append(w.buf, byte(n))
	case n <= 0xFFFF:
		w.buf = append(w.buf, 126, byte(n>>8), byte(n))
	default:
		w.buf = append(w.buf, 127)
		w.buf = binary.BigEndian.AppendUint64(w.buf, uint64(n))
	}
	w.buf = append(w.buf, payload...)
}

func (w *wsWriter) flush() error {
	if len(w.buf) == 0 {
		return nil
	}
	defer func() { w.buf = w.buf[:0] }()
	if err := w.nc.SetWriteDeadline(time.Now().Add(w.timeout)); err != nil {
		return err
	}
	_, err := w.nc.Write(w.buf)
	return err
}

// closeCode tells the client why the hub closed it: 1013 (try again later)
// means reconnect and refetch; 1001 that the server is going away.
func closeCode(err error) (int, string) {
	switch {
	case errors.Is(err, actors.ErrSlowClient):
		return websocket.CloseTryAgainLater, "too slow: reconnect and refetch"
	case errors.Is(err, actors.ErrHubBehind):
		return websocket.CloseTryAgainLater, "updates interrupted: reconnect and refetch"
	case errors.Is(err, actors.ErrHubClosed):
		return websocket.CloseGoingAway, "server shutting down"
	default:
		return websocket.CloseNormalClosure, ""
	}
}

// sessionLive re-checks a connected principal's session as Authenticate
// would: still stored, not expired, login method still allowed.
func (s *Server) sessionLive(p *Principal) bool {
	sess, ok := s.svc.LookupSession(p.TokenHash)
	if !ok || sess == nil || !sess.ExpiresAt.After(s.opts.Now()) {
		return false
	}
	_, ok = s.auth.principal(sess)
	return ok
}

// wsEnvelope is a server message on the wire.
type wsEnvelope struct {
	Type    string `json:"type"`
	GroupID string `json:"group_id,omitempty"`
	Payload any    `json:"payload,omitempty"`
	Seq     uint64 `json:"seq,omitempty"`
}

// encodeFrame renders a hub frame. Jobs, groups and runners use the REST
// views, so a live update and a refetch never disagree about a field.
func encodeFrame(f *actors.Frame) ([]byte, error) {
	return json.Marshal(wsEnvelope{Type: f.Type, GroupID: f.GroupID, Payload: wirePayload(f.Payload), Seq: f.Seq})
}

func wirePayload(p any) any {
	switch v := p.(type) {
	case *state.Job:
		return jobFields(v)
	case actors.JobInfo:
		return newJobView(v)
	case actors.GroupInfo:
		return newGroupStatsView(v)
	case state.Runner:
		return runnerViews([]state.Runner{v})[0]
	case []state.Runner:
		return runnerViews(v)
	default:
		return v
	}
}
