package sim_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"

	"github.com/dispatchoor/dispatchoor/github/sim"
	"github.com/google/go-github/v88/github"
)

// received is one webhook delivery as a product would see it.
type received struct {
	event     any
	eventType string
	guid      string
	userAgent string
	body      []byte
	header    http.Header
	validErr  error
}

// receiver is a webhook endpoint that validates and parses deliveries with
// go-github.
type receiver struct {
	t      *testing.T
	secret string
	srv    *httptest.Server
	status int

	mu   sync.Mutex
	got  []received
	recv chan struct{}
}

func newReceiver(t *testing.T, secret string) *receiver {
	rec := &receiver{t: t, secret: secret, status: http.StatusOK, recv: make(chan struct{}, 1000)}
	rec.srv = httptest.NewServer(http.HandlerFunc(rec.serve))
	t.Cleanup(rec.srv.Close)
	return rec
}

func (rec *receiver) serve(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(raw))
	d := received{eventType: github.WebHookType(r), guid: github.DeliveryID(r), userAgent: r.UserAgent(),
		body: raw, header: r.Header.Clone()}
	payload, err := github.ValidatePayload(r, []byte(rec.secret))
	d.validErr = err
	if err == nil {
		d.event, d.validErr = github.ParseWebHook(d.eventType, payload)
	}
	rec.mu.Lock()
	rec.got = append(rec.got, d)
	status := rec.status
	rec.mu.Unlock()
	rec.recv <- struct{}{}
	w.WriteHeader(status)
}

func (rec *receiver) setStatus(code int) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.status = code
}

// all returns the deliveries so far and fails the test on invalid ones.
func (rec *receiver) all() []received {
	rec.t.Helper()
	rec.mu.Lock()
	defer rec.mu.Unlock()
	for _, d := range rec.got {
		if d.validErr != nil {
			rec.t.Fatalf("delivery %s %s did not validate: %v", d.eventType, d.guid, d.validErr)
		}
	}
	return append([]received(nil), rec.got...)
}

// raw returns the deliveries without checking them.
func (rec *receiver) raw() []received {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]received(nil), rec.got...)
}

// validateTampered re-validates the first delivery with one byte changed.
func (rec *receiver) validateTampered() error {
	rec.mu.Lock()
	d := rec.got[0]
	rec.mu.Unlock()
	body := append([]byte(nil), d.body...)
	body[len(body)/2] ^= 0x01
	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	req.Header = d.header.Clone()
	_, err := github.ValidatePayload(req, []byte(rec.secret))
	return err
}

func simSecondary(retryAfterSecs int) sim.FaultRule {
	return sim.FaultRule{Kind: sim.FaultSecondary, RetryAfter: sec(retryAfterSecs), Count: 1}
}

func strconvFormat(n int64) string { return strconv.FormatInt(n, 10) }
