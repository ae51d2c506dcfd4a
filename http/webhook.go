package httpd

import (
	"container/list"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/valyala/fasthttp"

	"github.com/dispatchoor/dispatchoor/github"
)

// WebhookPath is where GitHub delivers workflow_run and workflow_job events.
const WebhookPath = "/api/v1/webhooks/github"

// DefaultWebhookDedupe is how many delivery ids are remembered to drop
// redeliveries and duplicates.
const DefaultWebhookDedupe = 4096

// WebhookSink receives verified deliveries. HandleWebhook must not block:
// GitHub counts a delivery as failed when the answer takes more than ten
// seconds, and the endpoint answers as soon as the event is handed over.
type WebhookSink interface {
	HandleWebhook(ev github.WebhookEvent)
}

// WebhookOptions configure the webhook endpoint.
type WebhookOptions struct {
	// Secret is github.webhook_secret; every delivery must be signed with
	// it (X-Hub-Signature-256).
	Secret string
	Sink   WebhookSink
	// Dedupe bounds the remembered delivery ids (DefaultWebhookDedupe when
	// 0).
	Dedupe int
}

// RegisterWebhook adds POST /api/v1/webhooks/github. The route needs no
// session: the HMAC signature over the raw body authenticates GitHub, and a
// request without a valid one is refused with 401 before anything is read
// from it.
func RegisterWebhook(s *Server, opts WebhookOptions) error {
	r, err := webhookRoute(opts, s.log)
	if err != nil {
		return err
	}
	return s.HandleRoute(r)
}

func webhookRoute(opts WebhookOptions, log *slog.Logger) (Route, error) {
	if opts.Secret == "" {
		return Route{}, errors.New("register webhook: a secret is required")
	}
	if opts.Sink == nil {
		return Route{}, errors.New("register webhook: a sink is required")
	}
	if opts.Dedupe <= 0 {
		opts.Dedupe = DefaultWebhookDedupe
	}
	h := &webhookHandler{secret: []byte(opts.Secret), sink: opts.Sink, seen: newDeliveryLRU(opts.Dedupe), log: log}
	return Route{
		Method: fasthttp.MethodPost, Path: WebhookPath, Tier: TierSigned, Access: AccessPublic,
		Summary: "GitHub webhook deliveries (workflow_run, workflow_job), signed with github.webhook_secret",
		Handler: h.serve,
	}, nil
}

type webhookHandler struct {
	secret []byte
	sink   WebhookSink
	seen   *deliveryLRU
	log    *slog.Logger
}

// webhookAnswer is the body of a successful delivery.
type webhookAnswer struct {
	Status string `json:"status"` // accepted | duplicate | ignored
}

func (h *webhookHandler) serve(ctx *fasthttp.RequestCtx) {
	body := ctx.PostBody()
	if !github.VerifySignature(h.secret, body, string(ctx.Request.Header.Peek(github.HeaderSignature))) {
		h.log.Warn("webhook refused: bad or missing signature", "delivery", string(ctx.Request.Header.Peek(github.HeaderDelivery)))
		writeErrorStatus(ctx, fasthttp.StatusUnauthorized, "invalid webhook signature")
		return
	}
	delivery := string(ctx.Request.Header.Peek(github.HeaderDelivery))
	event := string(ctx.Request.Header.Peek(github.HeaderEvent))
	payload, err := github.WebhookPayload(string(ctx.Request.Header.ContentType()), body)
	if err != nil {
		writeErrorStatus(ctx, fasthttp.StatusBadRequest, err.Error())
		return
	}
	ev, err := github.ParseWebhook(event, payload)
	switch {
	case errors.Is(err, github.ErrUnhandledEvent):
		// ping, push, ...: acknowledged so GitHub does not report failures.
		writeJSON(ctx, fasthttp.StatusAccepted, webhookAnswer{Status: "ignored"})
		return
	case err != nil:
		writeErrorStatus(ctx, fasthttp.StatusBadRequest, fmt.Sprintf("unreadable %s delivery: %v", event, err))
		return
	}
	// GitHub redelivers with the same X-GitHub-Delivery and can send a
	// delivery twice: apply each once. Only deliveries that were applied
	// are remembered, so a redelivery after a failure still counts.
	if delivery != "" && !h.seen.add(delivery) {
		h.log.Debug("webhook duplicate dropped", "delivery", delivery, "event", event)
		writeJSON(ctx, fasthttp.StatusOK, webhookAnswer{Status: "duplicate"})
		return
	}
	h.sink.HandleWebhook(ev)
	writeJSON(ctx, fasthttp.StatusAccepted, webhookAnswer{Status: "accepted"})
}

// deliveryLRU remembers the most recent delivery ids.
type deliveryLRU struct {
	mu    sync.Mutex
	max   int
	order *list.List // front: newest
	ids   map[string]*list.Element
}

func newDeliveryLRU(max int) *deliveryLRU {
	return &deliveryLRU{max: max, order: list.New(), ids: make(map[string]*list.Element, max)}
}

// add records id and reports whether it was new.
func (l *deliveryLRU) add(id string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e, ok := l.ids[id]; ok {
		l.order.MoveToFront(e)
		return false
	}
	l.ids[id] = l.order.PushFront(id)
	if l.order.Len() > l.max {
		oldest := l.order.Back()
		l.order.Remove(oldest)
		delete(l.ids, oldest.Value.(string))
	}
	return true
}
