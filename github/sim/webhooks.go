package sim

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Webhook event names.
const (
	eventWorkflowRun      = "workflow_run"
	eventWorkflowJob      = "workflow_job"
	eventWorkflowDispatch = "workflow_dispatch"
)

type hook struct {
	id          int64
	url         string
	secret      string
	events      map[string]bool // empty: all
	contentType string
	scope       string
	owner       string
	repo        string
}

func (w *world) addHook(hc HookConfig) (*hook, error) {
	if hc.URL == "" {
		return nil, fmt.Errorf("hook needs a url")
	}
	if _, err := url.Parse(hc.URL); err != nil {
		return nil, fmt.Errorf("hook url: %w", err)
	}
	h := &hook{id: hc.ID, url: hc.URL, secret: hc.Secret, events: map[string]bool{},
		contentType: hc.ContentType, scope: hc.Scope, owner: hc.Owner, repo: hc.Repo}
	if h.contentType == "" {
		h.contentType = "json"
	}
	if h.contentType != "json" && h.contentType != "form" {
		return nil, fmt.Errorf("content_type %q: want json or form", h.contentType)
	}
	if h.scope == "" {
		h.scope = "org"
	}
	switch h.scope {
	case "org":
		if h.owner == "" {
			return nil, fmt.Errorf("org hook needs owner")
		}
	case "repo":
		if h.owner == "" || h.repo == "" {
			return nil, fmt.Errorf("repo hook needs owner and repo")
		}
	case "app":
	default:
		return nil, fmt.Errorf("scope %q: want org, repo or app", h.scope)
	}
	for _, e := range hc.Events {
		switch e {
		case eventWorkflowRun, eventWorkflowJob, eventWorkflowDispatch:
			h.events[e] = true
		case "*":
		default:
			return nil, fmt.Errorf("event %q: want workflow_run, workflow_job, workflow_dispatch or *", e)
		}
	}
	if slices.Contains(hc.Events, "*") {
		clear(h.events)
	}
	if h.id == 0 {
		h.id = nextID(&w.ids.hook)
	}
	for _, other := range w.hooks {
		if other.id == h.id {
			return nil, fmt.Errorf("hook id %d used twice", h.id)
		}
	}
	w.hooks = append(w.hooks, h)
	return h, nil
}

// wants reports whether the hook receives an event of repo r.
func (h *hook) wants(event string, r *repo) bool {
	if len(h.events) > 0 && !h.events[event] {
		return false
	}
	switch h.scope {
	case "org":
		return strings.EqualFold(h.owner, r.owner.login)
	case "repo":
		return strings.EqualFold(h.owner, r.owner.login) && strings.EqualFold(h.repo, r.name)
	}
	return true
}

// targetID is the id of what the hook is installed on.
func (h *hook) targetID(r *repo) int64 {
	switch h.scope {
	case "repo":
		return r.id
	case "app":
		return h.id
	}
	return r.owner.id
}

// targetType is X-GitHub-Hook-Installation-Target-Type.
func (h *hook) targetType() string {
	switch h.scope {
	case "repo":
		return "repository"
	case "app":
		return "integration"
	}
	return "organization"
}

// delivery is one attempt to deliver an event to a hook (spec §2.10).
type delivery struct {
	id          int64
	guid        string
	hook        *hook
	event       string
	action      string
	repoID      int64
	targetID    int64  // X-GitHub-Hook-Installation-Target-ID: org or repo id
	payload     []byte // the JSON document, before form encoding
	at          time.Time
	redelivery  bool
	badSig      bool
	dropped     bool
	done        bool
	statusCode  int
	status      string
	duration    float64
	respBody    string
	reqHeaders  http.Header
	respHeaders http.Header
}

// hookBase is the base URL used inside payloads built outside a request.
func (s *Sim) hookBase() string {
	switch {
	case s.cfg.PublicURL != "":
		return strings.TrimRight(s.cfg.PublicURL, "/")
	case s.lastBase != "":
		return s.lastBase
	}
	return "http://127.0.0.1"
}

func (s *Sim) payloadCommon(r *run) map[string]any {
	base := s.hookBase()
	api := s.apiBase(base)
	return map[string]any{
		"repository":   repoWire(api, base, r.repo),
		"organization": orgWire(api, base, r.repo.owner),
		"sender":       userWire(api, base, r.triggering.login, r.triggering.id, "User"),
	}
}

func (s *Sim) emitRun(r *run, action string, at time.Time) {
	if len(s.w.hooks) == 0 {
		return
	}
	base := s.hookBase()
	api := s.apiBase(base)
	p := s.payloadCommon(r)
	p["action"] = action
	p["workflow_run"] = runWire(api, base, r)
	p["workflow"] = workflowWire(api, base, r.workflow)
	s.emit(eventWorkflowRun, action, r.repo, p, at)
}

func (s *Sim) emitJob(j *job, action string, at time.Time) {
	if len(s.w.hooks) == 0 {
		return
	}
	base := s.hookBase()
	p := s.payloadCommon(j.run)
	p["action"] = action
	p["workflow_job"] = jobWire(s.apiBase(base), base, j)
	s.emit(eventWorkflowJob, action, j.run.repo, p, at)
}

func (s *Sim) emitDispatch(r *run, at time.Time) {
	if len(s.w.hooks) == 0 {
		return
	}
	p := s.payloadCommon(r)
	p["inputs"] = r.inputs
	p["ref"] = "refs/heads/" + r.ref
	if slices.Contains(r.repo.tags, r.ref) && !slices.Contains(r.repo.branches, r.ref) {
		p["ref"] = "refs/tags/" + r.ref
	}
	p["workflow"] = r.workflow.path
	s.emit(eventWorkflowDispatch, "", r.repo, p, at)
}

// emit snapshots the payload now and schedules one delivery per subscribed
// hook after the webhook delay, with webhook faults applied.
func (s *Sim) emit(event, action string, r *repo, payload map[string]any, at time.Time) {
	body, err := json.Marshal(payload)
	if err != nil {
		panic(fmt.Sprintf("sim: marshal %s payload: %v", event, err)) // our own types always marshal
	}
	t := s.cfg.Timing
	for _, h := range s.w.hooks {
		if !h.wants(event, r) {
			continue
		}
		guid := s.rng.uuid()
		fx := s.faults.forWebhook(s, h, event, action, at)
		copies := 1 + fx.duplicates
		for i := 0; i < copies; i++ {
			delay := s.rng.jitter(t.WebhookDelay.Std(), t.WebhookJitter.Std()) + fx.delay
			d := &delivery{guid: guid, hook: h, event: event, action: action, repoID: r.id,
				targetID: h.targetID(r), payload: body, badSig: fx.badSignature, dropped: fx.drop}
			s.schedule(at.Add(delay), "webhook", func(due time.Time) { s.webhooks.dueLocked(d, due) })
		}
	}
}

// signatures returns the X-Hub-Signature-256 and legacy SHA-1 values for
// body, signed with secret (spec §6.3).
func signatures(secret string, body []byte) (string, string) {
	m256 := hmac.New(sha256.New, []byte(secret))
	m256.Write(body)
	m1 := hmac.New(sha1.New, []byte(secret))
	m1.Write(body)
	return "sha256=" + hex.EncodeToString(m256.Sum(nil)), "sha1=" + hex.EncodeToString(m1.Sum(nil))
}

// encodeBody returns the exact bytes sent and their content type.
func (h *hook) encodeBody(payload []byte) ([]byte, string) {
	if h.contentType == "form" {
		return []byte("payload=" + url.QueryEscape(string(payload))), "application/x-www-form-urlencoded"
	}
	return payload, "application/json"
}
