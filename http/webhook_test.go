package httpd

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/url"
	"sync"
	"testing"

	"github.com/dispatchoor/dispatchoor/github"
)

const hookSecret = "It's a Secret to Everybody"

type recordingSink struct {
	mu     sync.Mutex
	events []github.WebhookEvent
}

func (r *recordingSink) HandleWebhook(ev github.WebhookEvent) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, ev)
}

func (r *recordingSink) all() []github.WebhookEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]github.WebhookEvent(nil), r.events...)
}

func newWebhookEnv(t *testing.T, dedupe int, edit ...func(*Options)) (*testEnv, *recordingSink) {
	t.Helper()
	sink := &recordingSink{}
	route, err := webhookRoute(WebhookOptions{Secret: hookSecret, Sink: sink, Dedupe: dedupe}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	return newTestEnvWithRoutes(t, []Route{route}, edit...), sink
}

// TestWebhookIsNotRateLimited: with every tier limited to one request a
// minute, a burst of deliveries from one address all get through, while
// the public routes beside them are limited.
func TestWebhookIsNotRateLimited(t *testing.T) {
	e, sink := newWebhookEnv(t, 0, func(o *Options) {
		o.RateLimit = &RateLimit{
			Public:        RateTier{Enabled: true, RequestsPerMinute: 1},
			Auth:          RateTier{Enabled: true, RequestsPerMinute: 1},
			Authenticated: RateTier{Enabled: true, RequestsPerMinute: 1},
		}
	})
	for i := range 20 {
		r := e.do(hookRequest("workflow_run", fmt.Sprint("burst-", i), runCompleted, sign(hookSecret, runCompleted)))
		wantStatus(t, r, 202)
	}
	if n := len(sink.all()); n != 20 {
		t.Fatalf("sink got %d of 20 deliveries", n)
	}
	wantStatus(t, e.do(request{method: "GET", path: "/health"}), 200)
	wantStatus(t, e.do(request{method: "GET", path: "/health"}), 429)
}

func sign(secret, body string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(body))
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

const runCompleted = `{"action":"completed","workflow_run":{"id":22000000001,"status":"completed","conclusion":"success",` +
	`"display_title":"Sync [k1]"},"repository":{"name":"tests","full_name":"acme/tests","owner":{"login":"acme"}}}`

func hookRequest(event, delivery, body, signature string) request {
	h := map[string]string{"Content-Type": "application/json", github.HeaderEvent: event}
	if delivery != "" {
		h[github.HeaderDelivery] = delivery
	}
	if signature != "" {
		h[github.HeaderSignature] = signature
	}
	return request{method: "POST", path: WebhookPath, body: body, headers: h}
}

func TestWebhookAcceptsSignedDelivery(t *testing.T) {
	e, sink := newWebhookEnv(t, 0)
	r := e.do(hookRequest("workflow_run", "d-1", runCompleted, sign(hookSecret, runCompleted)))
	wantStatus(t, r, 202)
	if got := decode[webhookAnswer](t, r).Status; got != "accepted" {
		t.Fatalf("status %q; want accepted", got)
	}
	evs := sink.all()
	if len(evs) != 1 {
		t.Fatalf("sink got %d events; want 1", len(evs))
	}
	ev, ok := evs[0].(*github.WorkflowRunEvent)
	if !ok || ev.Run.ID != 22000000001 || ev.Run.Conclusion != "success" || ev.Owner != "acme" || ev.Repo != "tests" {
		t.Fatalf("got %#v; want the completed run of acme/tests", evs[0])
	}
}

func TestWebhookRefusesBadSignatures(t *testing.T) {
	cases := []struct{ name, signature string }{
		{"missing", ""},
		{"other secret", sign("not the secret", runCompleted)},
		{"tampered body", sign(hookSecret, runCompleted+" ")},
		{"sha1 form", "sha1=" + sign(hookSecret, runCompleted)[7:47]},
		{"not hex", "sha256=zz"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e, sink := newWebhookEnv(t, 0)
			r := e.do(hookRequest("workflow_run", "d-1", runCompleted, tc.signature))
			wantStatus(t, r, 401)
			if msg := r.errorText(t); msg != "invalid webhook signature" {
				t.Fatalf("error %q", msg)
			}
			if n := len(sink.all()); n != 0 {
				t.Fatalf("sink got %d events from a refused delivery", n)
			}
			// The refusal did not poison the delivery id: the genuine
			// delivery with that id still applies.
			wantStatus(t, e.do(hookRequest("workflow_run", "d-1", runCompleted, sign(hookSecret, runCompleted))), 202)
		})
	}
}

func TestWebhookAppliesAReplayedDeliveryOnce(t *testing.T) {
	e, sink := newWebhookEnv(t, 0)
	sig := sign(hookSecret, runCompleted)
	wantStatus(t, e.do(hookRequest("workflow_run", "d-1", runCompleted, sig)), 202)
	r := e.do(hookRequest("workflow_run", "d-1", runCompleted, sig))
	wantStatus(t, r, 200)
	if got := decode[webhookAnswer](t, r).Status; got != "duplicate" {
		t.Fatalf("replay status %q; want duplicate", got)
	}
	if n := len(sink.all()); n != 1 {
		t.Fatalf("sink got %d events; want the delivery applied once", n)
	}
	wantStatus(t, e.do(hookRequest("workflow_run", "d-2", runCompleted, sig)), 202)
	if n := len(sink.all()); n != 2 {
		t.Fatalf("sink got %d events; a new delivery id must apply", n)
	}
}

func TestWebhookForgetsTheOldestDeliveries(t *testing.T) {
	e, sink := newWebhookEnv(t, 2)
	sig := sign(hookSecret, runCompleted)
	for _, id := range []string{"a", "b", "c", "a"} {
		wantStatus(t, e.do(hookRequest("workflow_run", id, runCompleted, sig)), 202)
	}
	if n := len(sink.all()); n != 4 {
		t.Fatalf("sink got %d; want 4: a was forgotten after b and c", n)
	}
	wantStatus(t, e.do(hookRequest("workflow_run", "c", runCompleted, sig)), 200)
}

func TestWebhookIgnoresOtherEventsAndRejectsGarbage(t *testing.T) {
	e, sink := newWebhookEnv(t, 0)
	ping := `{"zen":"Keep it logically awesome."}`
	r := e.do(hookRequest("ping", "p-1", ping, sign(hookSecret, ping)))
	wantStatus(t, r, 202)
	if got := decode[webhookAnswer](t, r).Status; got != "ignored" {
		t.Fatalf("ping: %q; want ignored", got)
	}
	bad := `{"action":`
	r = e.do(hookRequest("workflow_job", "j-1", bad, sign(hookSecret, bad)))
	wantStatus(t, r, 400)
	r.errorText(t)
	if n := len(sink.all()); n != 0 {
		t.Fatalf("sink got %d events; want none", n)
	}
}

func TestWebhookReadsFormEncodedDeliveries(t *testing.T) {
	e, sink := newWebhookEnv(t, 0)
	body := "payload=" + url.QueryEscape(runCompleted)
	req := hookRequest("workflow_run", "f-1", body, sign(hookSecret, body))
	req.headers["Content-Type"] = "application/x-www-form-urlencoded"
	wantStatus(t, e.do(req), 202)
	if evs := sink.all(); len(evs) != 1 {
		t.Fatalf("sink got %d events; want 1", len(evs))
	}
}

func TestRegisterWebhookNeedsSecretAndSink(t *testing.T) {
	for _, o := range []WebhookOptions{{Sink: &recordingSink{}}, {Secret: "s"}} {
		if _, err := webhookRoute(o, slog.New(slog.DiscardHandler)); err == nil {
			t.Fatalf("options %s: got no error", fmt.Sprintf("%+v", o))
		}
	}
}
