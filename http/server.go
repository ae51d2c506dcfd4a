package httpd

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/VictoriaMetrics/metrics"
	"github.com/valyala/fasthttp"
)

// Server is the API server. Build it with New, add routes with Handle or
// HandleRoute, then call Serve (or use Handler in tests).
type Server struct {
	opts    Options
	svc     Service
	log     *slog.Logger
	auth    *authenticator
	proxies *proxySet
	cors    *corsPolicy
	limits  map[Tier]*limiter
	static  fasthttp.RequestHandler
	metrics *metrics.Set
	srv     *fasthttp.Server
	jobs    *jobCache // JSON of queued jobs, for GET .../queue
	answers sync.Map  // metricKey → *answerMetric: per-route HTTP metrics

	startedAt time.Time

	// mu serialises route changes; frozen is set (under mu) when serving
	// starts, after which the router is only read and needs no lock.
	mu     sync.Mutex
	frozen atomic.Bool
	router router

	// closeMu guards closed and listeners: Shutdown closes every listener
	// Serve was given, including one whose Serve call had not yet reached
	// fasthttp, so a Serve racing a Shutdown cannot run forever.
	closeMu   sync.Mutex
	closed    bool
	listeners []net.Listener
}

// New builds a server from opts. It hashes the basic users' passwords here,
// once, so logins never pay for it twice.
func New(opts Options) (*Server, error) {
	opts.applyDefaults()
	if err := opts.validate(); err != nil {
		return nil, err
	}
	if opts.random == nil {
		opts.random = rand.Reader
	}
	if opts.newID == nil {
		opts.newID = randomID(opts.random)
	}
	proxies, err := newProxySet(opts.TrustedProxies)
	if err != nil {
		return nil, fmt.Errorf("new server: %w", err)
	}
	auth, err := newAuthenticator(&opts)
	if err != nil {
		return nil, fmt.Errorf("new server: %w", err)
	}
	s := &Server{
		opts:      opts,
		svc:       opts.Service,
		log:       opts.Logger,
		auth:      auth,
		proxies:   proxies,
		cors:      newCORSPolicy(opts.CORSOrigins, proxies),
		limits:    newLimiters(*opts.RateLimit, opts.Now),
		metrics:   metrics.NewSet(),
		jobs:      newJobCache(),
		startedAt: opts.Now(),
	}
	s.static = s.staticHandler()
	for _, r := range s.builtinRoutes() {
		if err := s.router.add(r); err != nil {
			return nil, fmt.Errorf("new server: %w", err)
		}
	}
	s.srv = &fasthttp.Server{
		Handler:                      s.Handler(),
		ErrorHandler:                 s.transportError,
		Name:                         "dispatchoor",
		MaxRequestBodySize:           int(opts.MaxBodyBytes),
		ReadTimeout:                  60 * time.Second,
		WriteTimeout:                 60 * time.Second,
		IdleTimeout:                  2 * time.Minute,
		DisablePreParseMultipartForm: true,
		Logger:                       fasthttpLogger{opts.Logger},
	}
	return s, nil
}

// Handle adds a route. Tier follows access: public routes are in the public
// tier, the others in the authenticated tier. It fails once the server has
// started serving.
func (s *Server) Handle(method, path string, access Access, h fasthttp.RequestHandler) error {
	tier := TierAuthenticated
	if access == AccessPublic {
		tier = TierPublic
	}
	return s.HandleRoute(Route{Method: method, Path: path, Tier: tier, Access: access, Handler: h})
}

// HandleRoute adds a route with full control over its tier and token
// sources (the WebSocket route sets QueryToken).
func (s *Server) HandleRoute(r Route) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.frozen.Load() {
		return fmt.Errorf("add route %s %s: %w", r.Method, r.Path, ErrServerStarted)
	}
	return s.router.add(r)
}

// Routes returns a copy of the route table.
func (s *Server) Routes() []Route {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Route, 0, len(s.router.routes))
	for _, r := range s.router.routes {
		out = append(out, *r)
	}
	return out
}

// Handler returns the server's request handler. The route table is frozen
// at the first request it handles.
func (s *Server) Handler() fasthttp.RequestHandler {
	return func(ctx *fasthttp.RequestCtx) {
		s.freeze()
		s.serve(ctx)
	}
}

func (s *Server) freeze() {
	if s.frozen.Load() {
		return
	}
	s.mu.Lock()
	s.frozen.Store(true)
	s.mu.Unlock()
}

// Serve serves on ln until Shutdown, then returns nil. It freezes the route
// table. After Shutdown it returns ErrServerClosed at once.
func (s *Server) Serve(ln net.Listener) error {
	s.freeze()
	s.closeMu.Lock()
	if s.closed {
		s.closeMu.Unlock()
		_ = ln.Close()
		return ErrServerClosed
	}
	s.listeners = append(s.listeners, ln)
	s.closeMu.Unlock()
	err := s.srv.Serve(ln)
	if s.isClosed() {
		return nil
	}
	if err != nil {
		return fmt.Errorf("serve %s: %w", ln.Addr(), err)
	}
	return nil
}

func (s *Server) isClosed() bool {
	s.closeMu.Lock()
	defer s.closeMu.Unlock()
	return s.closed
}

// ListenAndServe listens on Options.Listen and serves.
func (s *Server) ListenAndServe() error {
	ln, err := net.Listen("tcp", s.opts.Listen)
	if err != nil {
		return fmt.Errorf("listen %s: %w", s.opts.Listen, err)
	}
	return s.Serve(ln)
}

// Shutdown stops accepting connections and waits for in-flight requests to
// finish, or for ctx to end.
func (s *Server) Shutdown(ctx context.Context) error {
	s.closeMu.Lock()
	s.closed = true
	lns := s.listeners
	s.closeMu.Unlock()
	err := s.srv.ShutdownWithContext(ctx)
	for _, ln := range lns {
		// Already closed by fasthttp unless its Serve had not started yet.
		_ = ln.Close()
	}
	if err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// Metrics is the server's own metric set (HTTP request counts and
// latencies). The caller registers it with metrics.RegisterSet to expose
// it on /metrics.
func (s *Server) Metrics() *metrics.Set { return s.metrics }

// OriginAllowed reports whether the request's Origin may use the API: none,
// same origin, or allowed by cors_origins. The WebSocket handler uses it
// for its origin check.
func (s *Server) OriginAllowed(ctx *fasthttp.RequestCtx) bool { return s.cors.allowed(ctx) }

// ClientIP is the client's address as the server believes it (forwarding
// headers only from trusted proxies), without port.
func (s *Server) ClientIP(ctx *fasthttp.RequestCtx) string { return s.proxies.clientAddr(ctx).String() }

// transportError answers requests fasthttp could not read, in JSON like
// every other error.
func (s *Server) transportError(ctx *fasthttp.RequestCtx, err error) {
	if errors.Is(err, fasthttp.ErrBodyTooLarge) {
		writeErrorStatus(ctx, fasthttp.StatusRequestEntityTooLarge, msgBodyTooLarge)
		return
	}
	writeErrorStatus(ctx, fasthttp.StatusBadRequest, "malformed HTTP request")
}

func randomID(r io.Reader) func() string {
	return func() string {
		b := make([]byte, 16)
		if _, err := io.ReadFull(r, b); err != nil {
			// crypto/rand does not fail on supported platforms; a
			// request id is not worth failing a request over.
			return "unknown"
		}
		return hex.EncodeToString(b)
	}
}

// fasthttpLogger routes fasthttp's own messages to slog.
type fasthttpLogger struct{ l *slog.Logger }

func (f fasthttpLogger) Printf(format string, args ...any) {
	f.l.Warn(fmt.Sprintf(format, args...), "component", "fasthttp")
}
