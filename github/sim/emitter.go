package sim

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// emitter records deliveries (under Sim.mu) and sends them from one
// goroutine, outside the world lock, in the order they fell due.
type emitter struct {
	s *Sim

	// Guarded by Sim.mu.
	outbox     []*delivery
	deliveries []*delivery

	// Guarded by mu: the sender's queue.
	mu      sync.Mutex
	cond    *sync.Cond
	queue   []*delivery
	sending int
	started bool
	closed  bool
	client  *http.Client
}

func newEmitter(s *Sim) *emitter {
	e := &emitter{s: s}
	e.cond = sync.NewCond(&e.mu)
	timeout := s.cfg.Webhooks.Timeout.Std()
	if timeout <= 0 {
		timeout = 10 * time.Second
		if m, _ := parseMode(s.cfg.Mode); m.ghes {
			timeout = 30 * time.Second
		}
	}
	e.client = &http.Client{Timeout: timeout,
		// Hookshot does not follow redirects.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return e
}

// reset forgets deliveries (Sim.Reset); held by Sim.mu.
func (e *emitter) reset() {
	e.outbox, e.deliveries = nil, nil
}

// dueLocked turns a scheduled delivery into a record and, unless the fault
// dropped it, puts it in the outbox.
func (e *emitter) dueLocked(d *delivery, at time.Time) {
	d.id = nextID(&e.s.w.ids.delivery)
	d.at = at
	e.deliveries = append(e.deliveries, d)
	e.pruneLocked(at)
	if d.dropped {
		d.done, d.status, d.statusCode = true, "Failed to connect to host", 0
		return
	}
	e.outbox = append(e.outbox, d)
}

// pruneLocked drops records older than the retention (3 days by default).
func (e *emitter) pruneLocked(now time.Time) {
	keep := e.s.cfg.Webhooks.Retention.Std()
	if keep <= 0 {
		keep = 72 * time.Hour
	}
	i := 0
	for i < len(e.deliveries) && now.Sub(e.deliveries[i].at) > keep {
		i++
	}
	e.deliveries = e.deliveries[i:]
}

func (e *emitter) takeOutboxLocked() []*delivery {
	out := e.outbox
	e.outbox = nil
	return out
}

// send queues deliveries for the sender goroutine.
func (e *emitter) send(ds []*delivery) {
	if len(ds) == 0 {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return
	}
	e.queue = append(e.queue, ds...)
	if !e.started {
		e.started = true
		go e.loop()
	}
	e.cond.Broadcast()
}

func (e *emitter) loop() {
	for {
		e.mu.Lock()
		for len(e.queue) == 0 && !e.closed {
			e.cond.Wait()
		}
		if e.closed {
			e.mu.Unlock()
			return
		}
		d := e.queue[0]
		e.queue = e.queue[1:]
		e.sending++
		e.mu.Unlock()

		e.deliver(d)

		e.mu.Lock()
		e.sending--
		e.cond.Broadcast()
		e.mu.Unlock()
	}
}

// deliver POSTs one delivery and records the outcome.
func (e *emitter) deliver(d *delivery) {
	h := d.hook
	body, ctype := h.encodeBody(d.payload)
	secret := h.secret
	if d.badSig {
		secret = "not-" + secret
	}
	req, err := http.NewRequest(http.MethodPost, h.url, bytes.NewReader(body))
	if err != nil {
		e.record(d, 0, "Invalid URL: "+err.Error(), 0, "", nil, nil)
		return
	}
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("User-Agent", "GitHub-Hookshot/sim")
	req.Header.Set("X-GitHub-Event", d.event)
	req.Header.Set("X-GitHub-Delivery", d.guid)
	req.Header.Set("X-GitHub-Hook-ID", strconv.FormatInt(h.id, 10))
	req.Header.Set("X-GitHub-Hook-Installation-Target-Type", h.targetType())
	req.Header.Set("X-GitHub-Hook-Installation-Target-ID", strconv.FormatInt(d.targetID, 10))
	if h.secret != "" {
		s256, s1 := signatures(secret, body)
		req.Header.Set("X-Hub-Signature-256", s256)
		req.Header.Set("X-Hub-Signature", s1)
	}
	start := time.Now()
	resp, err := e.client.Do(req)
	elapsed := time.Since(start).Seconds()
	if err != nil {
		e.record(d, 0, "We couldn't deliver this payload: "+err.Error(), elapsed, "", req.Header, nil)
		return
	}
	respBody, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	status := "OK"
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		status = "Invalid HTTP Response: " + strconv.Itoa(resp.StatusCode)
	}
	e.record(d, resp.StatusCode, status, elapsed, string(respBody), req.Header, resp.Header)
}

func (e *emitter) record(d *delivery, code int, status string, secs float64, body string, reqH, respH http.Header) {
	e.s.mu.Lock()
	defer e.s.mu.Unlock()
	d.done, d.statusCode, d.status, d.duration = true, code, status, secs
	d.respBody, d.reqHeaders, d.respHeaders = body, reqH, respH
}

// flush waits until the queue is empty and nothing is being sent.
func (e *emitter) flush(ctx context.Context) error {
	done := make(chan struct{})
	go func() {
		e.mu.Lock()
		for (len(e.queue) > 0 || e.sending > 0) && !e.closed && ctx.Err() == nil {
			e.cond.Wait()
		}
		e.mu.Unlock()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		// Wake the waiter so its goroutine ends.
		e.mu.Lock()
		e.cond.Broadcast()
		e.mu.Unlock()
		return ctx.Err()
	}
}

func (e *emitter) close() {
	e.mu.Lock()
	e.closed = true
	e.queue = nil
	e.cond.Broadcast()
	e.mu.Unlock()
}
