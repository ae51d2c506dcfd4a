package sim

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// maxBody bounds request bodies; dispatch bodies are tiny.
const maxBody = 1 << 20

// request is one API call on its way through the pipeline.
type request struct {
	r       *http.Request
	now     time.Time
	path    string // API path without the /api/v3 prefix
	query   url.Values
	body    []byte
	route   *route
	params  map[string]string
	tok     *token
	version string
	base    string // public base, scheme://host[:port]

	repo *repo // resolved {owner}/{repo}
	org  *org  // resolved {org}

	eff  effects
	free bool // not counted against the primary limit
}

// apiBase is the REST root URL for links and object URLs.
func (s *Sim) apiBase(base string) string { return base + s.mode.apiPrefix() }

// Handler serves the REST API (at "/" and "/api/v3/"), the OAuth endpoints
// under /login/oauth/ and the control API under /_sim/.
func (s *Sim) Handler() http.Handler {
	routes := apiRoutes()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch p := r.URL.Path; {
		case strings.HasPrefix(p, "/_sim/"):
			s.serveControl(w, r)
		case strings.HasPrefix(p, "/login/oauth/"):
			s.serveOAuth(w, r)
		default:
			s.serveAPI(w, r, routes)
		}
	})
}

// publicBase is Config.PublicURL or the scheme and host the client used.
func (s *Sim) publicBase(r *http.Request) string {
	if s.cfg.PublicURL != "" {
		return strings.TrimRight(s.cfg.PublicURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// apiPath removes the GHES prefix. Both prefixes are served in both modes
// (spec §0.1); links always use the mode's own prefix.
func apiPath(p string) string {
	if p == "/api/v3" || strings.HasPrefix(p, "/api/v3/") {
		p = strings.TrimPrefix(p, "/api/v3")
	}
	if p == "" {
		p = "/"
	}
	return p
}

func (s *Sim) serveAPI(w http.ResponseWriter, r *http.Request, routes *router) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err != nil {
		errorResponse(http.StatusBadRequest, "Problems reading the request body", docREST).write(w)
		return
	}
	q := &request{r: r, path: apiPath(r.URL.Path), query: r.URL.Query(), body: body}
	q.route, q.params = routes.match(r.Method, q.path)
	key := bearer(r)

	// Phase 1: decide the faults for this request (this consumes the PRNG,
	// so it happens under the lock, in arrival order) and count it in flight.
	now := s.lock()
	q.now = now
	q.base = s.publicBase(r)
	s.lastBase = q.base
	q.eff = s.faults.forRequest(s, q)
	s.rate.enter(key)
	s.unlock(now)
	defer func() {
		s.mu.Lock()
		s.rate.leave(key)
		s.mu.Unlock()
	}()

	// Injected latency runs on the virtual clock: with a manual clock the
	// response is held until the test advances time or the client gives up.
	if q.eff.delay > 0 && !s.waitVirtual(r.Context(), q.eff.delay) {
		return
	}
	if q.eff.reset {
		resetConnection(w)
		return
	}

	// Phase 2: answer.
	now = s.lock()
	q.now = now
	resp := s.respondLocked(q)
	s.unlock(now)
	resp.write(w)
}

// respondLocked evaluates the request and adds the headers every response
// carries: request id, ETag/304 and the rate-limit headers.
func (s *Sim) respondLocked(q *request) *response {
	s.requestNo++
	resp := s.evaluateLocked(q)
	resp.header.Set("X-GitHub-Request-Id", requestID(s.requestNo))
	if q.version != "" {
		resp.header.Set("X-GitHub-Api-Version-Selected", q.version)
	}
	if q.r.Method == http.MethodGet && resp.status == http.StatusOK {
		etag := etagOf(resp.body)
		resp.header.Set("ETag", etag)
		if etagMatches(q.r.Header.Get("If-None-Match"), etag) {
			// A conditional hit is free (spec §5.4).
			notModified := newResponse(http.StatusNotModified, nil)
			notModified.header = resp.header
			resp = notModified
			q.free = true
		}
	}
	s.rate.finish(q, resp)
	return resp
}

// evaluateLocked runs the checks of a GitHub request in GitHub's order and
// then the endpoint itself.
func (s *Sim) evaluateLocked(q *request) *response {
	q.tok = s.w.tokens[bearer(q.r)]
	if q.tok == nil && !(q.route != nil && q.route.anon && bearer(q.r) == "") {
		q.free = true
		return badCredentials()
	}
	if resp := s.checkVersion(q); resp != nil {
		return resp
	}
	if q.route == nil {
		return notFound()
	}
	if q.route.free {
		q.free = true
	}
	if q.eff.response != nil {
		q.free = q.free || q.eff.response.status >= 500
		return q.eff.response
	}
	if q.tok != nil {
		if resp := s.rate.admit(q); resp != nil {
			return resp
		}
		if !q.tok.can(q.route.perm) {
			return q.tok.forbidden()
		}
	}
	if resp := s.resolveScope(q); resp != nil {
		return resp
	}
	resp := q.route.handle(s, q)
	if q.eff.lost {
		// "Applied but lost": the change above happened, the client is
		// told the call failed.
		return serverError(q.eff.lostStatus)
	}
	return resp
}

// checkVersion validates X-GitHub-Api-Version (spec §8.1).
func (s *Sim) checkVersion(q *request) *response {
	v := q.r.Header.Get("X-GitHub-Api-Version")
	switch {
	case v == "" || v == apiVersion2022:
		q.version = apiVersion2022
	case v == apiVersion2026 && s.mode.atLeast(3, 21):
		q.version = apiVersion2026
	default:
		return errorResponse(http.StatusBadRequest,
			"Unsupported 'X-GitHub-Api-Version' header value: "+v, "https://docs.github.com/rest/overview/api-versions")
	}
	return nil
}

// resolveScope looks up {owner}/{repo} and {org}; what the token cannot see
// is "Not Found", never "Forbidden" (spec §0.3).
func (s *Sim) resolveScope(q *request) *response {
	if owner, ok := q.params["owner"]; ok {
		q.repo = s.w.repoByName(owner, q.params["repo"])
		if q.repo == nil || (q.tok != nil && !q.tok.sees(q.repo)) {
			return notFound()
		}
	}
	if login, ok := q.params["org"]; ok {
		q.org = s.w.orgs[strings.ToLower(login)]
		if q.org == nil {
			return notFound()
		}
	}
	return nil
}

// waitVirtual blocks for d of virtual time; false if the client went away.
func (s *Sim) waitVirtual(ctx context.Context, d time.Duration) bool {
	done := make(chan struct{})
	t := s.clock.AfterFunc(d, func() { close(done) })
	select {
	case <-done:
		return true
	case <-ctx.Done():
		t.Stop()
		return false
	}
}

// resetConnection drops the TCP connection with an RST where possible.
func resetConnection(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}
