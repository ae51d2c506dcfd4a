package sim_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dispatchoor/dispatchoor/github/sim"
	"github.com/google/go-github/v88/github"
)

// hookHarness is a harness with one org hook pointing at a receiver.
func hookHarness(t *testing.T, mutate func(*sim.Config)) (*harness, *receiver, int64) {
	t.Helper()
	rec := newReceiver(t, "s3cret")
	cfg := baseConfig(fixedStart)
	cfg.Timing.WebhookDelay = sim.Duration(200 * time.Millisecond)
	cfg.Hooks = []sim.HookConfig{{ID: 77, URL: rec.srv.URL, Secret: "s3cret", Owner: testOwner,
		Events: []string{"workflow_job", "workflow_run"}}}
	if mutate != nil {
		mutate(&cfg)
	}
	h := newHarness(t, cfg)
	return h, rec, 77
}

func (h *harness) settleHooks(d time.Duration) {
	h.t.Helper()
	h.advance(d)
	if err := h.sim.FlushWebhooks(h.ctx); err != nil {
		h.t.Fatalf("flush webhooks: %v", err)
	}
}

func jobActions(rs []received) []string {
	var out []string
	for _, d := range rs {
		if ev, ok := d.event.(*github.WorkflowJobEvent); ok {
			out = append(out, ev.GetAction())
		}
	}
	return out
}

func TestWebhooksAreDelayedAndDeliveriesListed(t *testing.T) {
	h, rec, hookID := hookHarness(t, nil)
	h.dispatch(nil)
	if err := h.sim.FlushWebhooks(h.ctx); err != nil {
		t.Fatalf("flush: %v", err)
	}
	if n := len(rec.raw()); n != 0 {
		t.Fatalf("%d deliveries before webhook_delay", n)
	}
	h.settleHooks(time.Second)
	if got := jobActions(rec.all()); strings.Join(got, ",") != "queued,in_progress" {
		t.Fatalf("job actions %v", got)
	}
	for _, d := range rec.all() {
		if d.header.Get("X-GitHub-Hook-ID") != "77" || d.header.Get("X-GitHub-Hook-Installation-Target-Type") != "organization" {
			t.Fatalf("hook headers %v", d.header)
		}
		if ev, ok := d.event.(*github.WorkflowJobEvent); ok {
			if got := d.header.Get("X-GitHub-Hook-Installation-Target-ID"); got != itoa(ev.GetOrg().GetID()) {
				t.Fatalf("target id %s; want the organisation's id %d", got, ev.GetOrg().GetID())
			}
		}
	}
	deliveries, _, err := h.gh.Organizations.ListHookDeliveries(h.ctx, testOwner, hookID, &github.ListCursorOptions{PerPage: 3})
	if err != nil || len(deliveries) != 3 {
		t.Fatalf("list deliveries: %v, %d; want 3 (run requested, job queued, in_progress... newest first)", err, len(deliveries))
	}
	if deliveries[0].GetStatus() != "OK" || deliveries[0].GetStatusCode() != 200 || deliveries[0].GetRedelivery() {
		t.Fatalf("delivery %+v", deliveries[0])
	}
	if deliveries[0].GetID() <= deliveries[1].GetID() {
		t.Fatalf("deliveries not newest first")
	}
	_, resp, err := h.gh.Organizations.ListHookDeliveries(h.ctx, testOwner, hookID, &github.ListCursorOptions{PerPage: 2})
	if err != nil || resp.Cursor == "" {
		t.Fatalf("cursor: %v %q", err, resp.Cursor)
	}
	rest, _, err := h.gh.Organizations.ListHookDeliveries(h.ctx, testOwner, hookID, &github.ListCursorOptions{PerPage: 2, Cursor: resp.Cursor})
	if err != nil || len(rest) != 2 {
		t.Fatalf("second cursor page: %v %d", err, len(rest))
	}
	if _, resp, err := h.gh.Organizations.ListHookDeliveries(h.ctx, "other", hookID, nil); err == nil || resp.StatusCode != 404 {
		t.Fatalf("other org: %v; want 404", err)
	}
}

func TestWebhookDropIsRecordedAndRedeliverable(t *testing.T) {
	h, rec, hookID := hookHarness(t, func(cfg *sim.Config) {
		cfg.Faults = []sim.FaultRule{{Kind: sim.FaultWebhookDrop, Event: "workflow_job", Action: "completed"}}
	})
	h.dispatch(nil)
	h.settleHooks(31 * time.Second)
	if got := jobActions(rec.all()); strings.Join(got, ",") != "queued,in_progress" {
		t.Fatalf("job actions %v; want completed dropped", got)
	}
	deliveries, _, err := h.gh.Organizations.ListHookDeliveries(h.ctx, testOwner, hookID, nil)
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	var dropped *github.HookDelivery
	for _, d := range deliveries {
		if d.GetAction() == "completed" && d.GetEvent() == "workflow_job" {
			dropped = d
		}
	}
	if dropped == nil || dropped.GetStatusCode() != 0 || dropped.GetStatus() == "OK" {
		t.Fatalf("dropped delivery %+v; want a failed record", dropped)
	}
	_, _, err = h.gh.Organizations.RedeliverHookDelivery(h.ctx, testOwner, hookID, dropped.GetID())
	var accepted *github.AcceptedError
	if !errors.As(err, &accepted) {
		t.Fatalf("redeliver: %v; want *AcceptedError (202)", err)
	}
	h.settleHooks(0)
	got := rec.all()
	last := got[len(got)-1]
	if ev, ok := last.event.(*github.WorkflowJobEvent); !ok || ev.GetAction() != "completed" || last.guid != dropped.GetGUID() {
		t.Fatalf("redelivered %T guid %s; want workflow_job completed with guid %s", last.event, last.guid, dropped.GetGUID())
	}
	deliveries, _, _ = h.gh.Organizations.ListHookDeliveries(h.ctx, testOwner, hookID, nil)
	if !deliveries[0].GetRedelivery() || deliveries[0].GetStatus() != "OK" {
		t.Fatalf("redelivery record %+v", deliveries[0])
	}
	one, _, err := h.gh.Organizations.GetHookDelivery(h.ctx, testOwner, hookID, deliveries[0].GetID())
	if err != nil || one.Request == nil || one.Request.GetHeader("X-Github-Event") != "workflow_job" {
		t.Fatalf("get delivery: %v %+v", err, one)
	}
}

func TestWebhookDuplicateBadSignatureAndFailures(t *testing.T) {
	h, rec, hookID := hookHarness(t, func(cfg *sim.Config) {
		cfg.Faults = []sim.FaultRule{
			{Kind: sim.FaultWebhookDuplicate, Event: "workflow_run", Action: "requested"},
			{Kind: sim.FaultWebhookBadSignature, Event: "workflow_job", Action: "queued"},
		}
	})
	rec.setStatus(http.StatusInternalServerError)
	h.dispatch(nil)
	h.settleHooks(time.Second)
	var dupGUIDs []string
	bad := 0
	for _, d := range rec.raw() {
		if d.validErr != nil {
			bad++
			continue
		}
		if ev, ok := d.event.(*github.WorkflowRunEvent); ok && ev.GetAction() == "requested" {
			dupGUIDs = append(dupGUIDs, d.guid)
		}
	}
	if len(dupGUIDs) != 2 || dupGUIDs[0] != dupGUIDs[1] {
		t.Fatalf("duplicates %v; want two deliveries with one GUID", dupGUIDs)
	}
	if bad != 1 {
		t.Fatalf("%d deliveries failed validation; want exactly the queued one", bad)
	}
	deliveries, _, err := h.gh.Organizations.ListHookDeliveries(h.ctx, testOwner, hookID, nil)
	if err != nil || deliveries[0].GetStatusCode() != 500 || deliveries[0].GetStatus() != "Invalid HTTP Response: 500" {
		t.Fatalf("failed delivery record %+v err %v", deliveries[0], err)
	}
}

func TestWebhookFormEncodingAndRepoHook(t *testing.T) {
	rec := newReceiver(t, "")
	cfg := baseConfig(fixedStart)
	cfg.Hooks = []sim.HookConfig{{URL: rec.srv.URL, Scope: "repo", Owner: testOwner, Repo: testRepo,
		ContentType: "form", Events: []string{"workflow_dispatch"}}}
	h := newHarness(t, cfg)
	h.dispatch(map[string]any{"network": "sepolia"})
	h.settleHooks(time.Second)
	got := rec.all()
	if len(got) != 1 {
		t.Fatalf("%d deliveries; want the workflow_dispatch event only", len(got))
	}
	ev, ok := got[0].event.(*github.WorkflowDispatchEvent)
	if !ok || ev.GetRef() != "refs/heads/main" || ev.GetWorkflow() != ".github/workflows/sync.yml" ||
		!strings.Contains(string(ev.Inputs), `"network":"sepolia"`) {
		t.Fatalf("dispatch event %+v", got[0].event)
	}
	if got[0].header.Get("Content-Type") != "application/x-www-form-urlencoded" || got[0].header.Get("X-Hub-Signature-256") != "" {
		t.Fatalf("headers %v; want form encoding and no signature without a secret", got[0].header)
	}
}

func TestWebhookDelayReordersEvents(t *testing.T) {
	h, rec, _ := hookHarness(t, func(cfg *sim.Config) {
		cfg.Timing.AssignDelay = sec(1)
		cfg.Faults = []sim.FaultRule{{Kind: sim.FaultWebhookDelay, Event: "workflow_job", Action: "queued", Delay: sec(5)}}
	})
	h.dispatch(nil)
	h.settleHooks(2 * time.Second)
	if got := jobActions(rec.all()); strings.Join(got, ",") != "in_progress" {
		t.Fatalf("job actions %v; want in_progress before the delayed queued", got)
	}
	h.settleHooks(5 * time.Second)
	if got := jobActions(rec.all()); strings.Join(got, ",") != "in_progress,queued" {
		t.Fatalf("job actions %v; want the late queued event last", got)
	}
}
