package github

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"mime"
	"net/url"
	"strings"

	gh "github.com/google/go-github/v88/github"
)

// Webhook request headers (spec §6.2).
const (
	HeaderEvent      = "X-GitHub-Event"
	HeaderDelivery   = "X-GitHub-Delivery"
	HeaderSignature  = "X-Hub-Signature-256"
	signaturePrefix  = "sha256="
	formPayloadField = "payload"
)

// VerifySignature checks an X-Hub-Signature-256 header ("sha256=<hex>")
// against the HMAC-SHA256 of the raw body, in constant time. An empty secret,
// a missing header, the legacy "sha1=" form and malformed hex are all
// rejected: only a SHA-256 signature made with the secret passes.
func VerifySignature(secret, body []byte, header string) bool {
	if len(secret) == 0 || !strings.HasPrefix(header, signaturePrefix) {
		return false
	}
	got, err := hex.DecodeString(strings.TrimPrefix(header, signaturePrefix))
	if err != nil || len(got) != sha256.Size {
		return false
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return hmac.Equal(got, mac.Sum(nil))
}

// WebhookPayload returns the JSON document of a delivery. GitHub sends either
// the JSON itself (application/json) or a form with the JSON in its "payload"
// field (application/x-www-form-urlencoded). The signature covers the raw
// body in both cases, so verify before calling this.
func WebhookPayload(contentType string, body []byte) ([]byte, error) {
	mediaType, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return nil, fmt.Errorf("webhook content type %q: %w", contentType, err)
	}
	switch mediaType {
	case "application/json":
		return body, nil
	case "application/x-www-form-urlencoded":
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, fmt.Errorf("webhook form body: %w", err)
		}
		return []byte(form.Get(formPayloadField)), nil
	}
	return nil, fmt.Errorf("webhook content type %q is not supported", contentType)
}

// WebhookEvent is a parsed delivery: *WorkflowRunEvent or *WorkflowJobEvent.
type WebhookEvent interface {
	webhookEvent()
}

// WorkflowRunEvent is a workflow_run delivery (actions requested,
// in_progress, completed).
type WorkflowRunEvent struct {
	Action       string
	Run          Run
	Owner        string
	Repo         string
	WorkflowID   int64
	WorkflowPath string // ".github/workflows/deploy.yml"
}

// WorkflowJobEvent is a workflow_job delivery (actions queued, waiting,
// in_progress, completed). RunnerID, RunnerName and Labels repeat the Job's
// fields for convenience; Labels are the job's runs-on labels, not the
// runner's, and the runner fields are empty while the job is queued.
type WorkflowJobEvent struct {
	Action     string
	Job        Job
	RunID      int64
	Owner      string
	Repo       string
	RunnerID   int64
	RunnerName string
	Labels     []string
}

func (*WorkflowRunEvent) webhookEvent() {}
func (*WorkflowJobEvent) webhookEvent() {}

// ParseWebhook turns a workflow_run or workflow_job payload (the JSON
// document, see WebhookPayload) into a WebhookEvent. Other event types return
// an error wrapping ErrUnhandledEvent; the caller should acknowledge them.
func ParseWebhook(eventType string, body []byte) (WebhookEvent, error) {
	if eventType != "workflow_run" && eventType != "workflow_job" {
		return nil, fmt.Errorf("%w: %q", ErrUnhandledEvent, eventType)
	}
	parsed, err := gh.ParseWebHook(eventType, body)
	if err != nil {
		return nil, fmt.Errorf("parse %s webhook: %w", eventType, err)
	}
	switch ev := parsed.(type) {
	case *gh.WorkflowRunEvent:
		return runEvent(ev)
	case *gh.WorkflowJobEvent:
		return jobEvent(ev)
	}
	return nil, fmt.Errorf("parse %s webhook: unexpected type %T", eventType, parsed)
}

func runEvent(ev *gh.WorkflowRunEvent) (*WorkflowRunEvent, error) {
	if ev.WorkflowRun == nil {
		return nil, fmt.Errorf("parse workflow_run webhook: no workflow_run object")
	}
	owner, repo := repoNames(ev.Repo)
	path := ev.WorkflowRun.GetPath()
	if ev.Workflow != nil && ev.Workflow.GetPath() != "" {
		path = ev.Workflow.GetPath()
	}
	return &WorkflowRunEvent{
		Action:       ev.GetAction(),
		Run:          toRun(ev.WorkflowRun),
		Owner:        owner,
		Repo:         repo,
		WorkflowID:   ev.WorkflowRun.GetWorkflowID(),
		WorkflowPath: path,
	}, nil
}

func jobEvent(ev *gh.WorkflowJobEvent) (*WorkflowJobEvent, error) {
	if ev.WorkflowJob == nil {
		return nil, fmt.Errorf("parse workflow_job webhook: no workflow_job object")
	}
	job := toJob(ev.WorkflowJob)
	owner, repo := repoNames(ev.Repo)
	return &WorkflowJobEvent{
		Action:     ev.GetAction(),
		Job:        job,
		RunID:      job.RunID,
		Owner:      owner,
		Repo:       repo,
		RunnerID:   job.RunnerID,
		RunnerName: job.RunnerName,
		Labels:     append([]string(nil), job.Labels...),
	}, nil
}

// repoNames returns owner and name of the delivery's repository.
func repoNames(r *gh.Repository) (owner, repo string) {
	if r == nil {
		return "", ""
	}
	owner, repo = r.GetOwner().GetLogin(), r.GetName()
	if owner == "" || repo == "" {
		if o, n, ok := strings.Cut(r.GetFullName(), "/"); ok {
			owner, repo = o, n
		}
	}
	return owner, repo
}
