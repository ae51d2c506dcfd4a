package github

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestVerifySignature(t *testing.T) {
	// GitHub's documented test vector (validating webhook deliveries).
	secret := []byte("It's a Secret to Everybody")
	body := []byte("Hello, World!")
	good := "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
	sha1Mac := hmac.New(sha1.New, secret)
	sha1Mac.Write(body)
	sha1Header := "sha1=" + hex.EncodeToString(sha1Mac.Sum(nil))

	f := func(name string, secret, body []byte, header string, want bool) {
		t.Helper()
		if got := VerifySignature(secret, body, header); got != want {
			t.Errorf("%s: VerifySignature = %v; want %v", name, got, want)
		}
	}
	f("good", secret, body, good, true)
	f("uppercase hex", secret, body, "sha256="+strings.ToUpper(strings.TrimPrefix(good, "sha256=")), true)
	f("tampered body", secret, []byte("Hello, World?"), good, false)
	f("wrong secret", []byte("another secret"), body, good, false)
	f("tampered signature", secret, body, good[:len(good)-1]+"f", false)
	f("missing", secret, body, "", false)
	f("no prefix", secret, body, strings.TrimPrefix(good, "sha256="), false)
	f("wrong prefix", secret, body, "sha512="+strings.TrimPrefix(good, "sha256="), false)
	f("sha1 only", secret, body, sha1Header, false)
	f("not hex", secret, body, "sha256=zz", false)
	f("truncated", secret, body, good[:20], false)
	f("empty secret", nil, body, good, false)
}

func TestVerifySignature_RealPayload(t *testing.T) {
	body := readTestdata(t, "workflow_job_completed.json")
	secret := []byte("hook-secret")
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	header := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	if !VerifySignature(secret, body, header) {
		t.Fatalf("signature over the raw payload rejected")
	}
	if VerifySignature(secret, append(body, '\n'), header) {
		t.Fatalf("signature accepted after a byte was appended")
	}
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("read testdata: %v", err)
	}
	return b
}

func TestParseWebhook_WorkflowRun(t *testing.T) {
	ev, err := ParseWebhook("workflow_run", readTestdata(t, "workflow_run_completed.json"))
	if err != nil {
		t.Fatalf("ParseWebhook: %v", err)
	}
	run, ok := ev.(*WorkflowRunEvent)
	if !ok {
		t.Fatalf("event = %T; want *WorkflowRunEvent", ev)
	}
	if run.Action != "completed" || run.Owner != "ethpandaops" || run.Repo != "syncoor-tests" ||
		run.WorkflowID != 161335 || run.WorkflowPath != ".github/workflows/syncoor.yaml" {
		t.Fatalf("event = %+v; want completed run of ethpandaops/syncoor-tests workflow 161335", run)
	}
	r := run.Run
	if r.ID != 22222222222 || r.Status != "completed" || r.Conclusion != "failure" ||
		r.DisplayTitle != "sync geth/prysm [q-7f3a]" || r.RunNumber != 412 || r.Event != "workflow_dispatch" ||
		r.HeadBranch != "master" || r.HTMLURL != "https://github.com/ethpandaops/syncoor-tests/actions/runs/22222222222" {
		t.Fatalf("run = %+v", r)
	}
	if want := time.Date(2026, 3, 1, 12, 41, 17, 0, time.UTC); !r.UpdatedAt.Equal(want) {
		t.Fatalf("UpdatedAt = %v; want %v", r.UpdatedAt, want)
	}
}

func TestParseWebhook_WorkflowJob(t *testing.T) {
	for _, tc := range []struct {
		file       string
		action     string
		status     string
		conclusion string
		runnerID   int64
		runnerName string
		completed  time.Time
	}{
		{"workflow_job_queued.json", "queued", "queued", "", 0, "", time.Time{}},
		{"workflow_job_in_progress.json", "in_progress", "in_progress", "", 23, "sync-runner-03", time.Time{}},
		{"workflow_job_completed.json", "completed", "completed", "failure", 23, "sync-runner-03",
			time.Date(2026, 3, 1, 12, 41, 15, 0, time.UTC)},
	} {
		t.Run(tc.action, func(t *testing.T) {
			ev, err := ParseWebhook("workflow_job", readTestdata(t, tc.file))
			if err != nil {
				t.Fatalf("ParseWebhook: %v", err)
			}
			job, ok := ev.(*WorkflowJobEvent)
			if !ok {
				t.Fatalf("event = %T; want *WorkflowJobEvent", ev)
			}
			labels := []string{"self-hosted", "sync-test"}
			if job.Action != tc.action || job.RunID != 22222222222 || job.Owner != "ethpandaops" ||
				job.Repo != "syncoor-tests" || job.RunnerID != tc.runnerID || job.RunnerName != tc.runnerName ||
				!reflect.DeepEqual(job.Labels, labels) {
				t.Fatalf("event = %+v", job)
			}
			j := job.Job
			if j.ID != 63113380011 || j.Status != tc.status || j.Conclusion != tc.conclusion ||
				j.Name != "sync (geth, prysm)" || !j.CompletedAt.Equal(tc.completed) || j.RunnerID != tc.runnerID {
				t.Fatalf("job = %+v", j)
			}
		})
	}
}

func TestParseWebhook_Rejects(t *testing.T) {
	if _, err := ParseWebhook("ping", []byte(`{"zen":"Keep it logically awesome."}`)); !errors.Is(err, ErrUnhandledEvent) {
		t.Fatalf("ping: err = %v; want ErrUnhandledEvent", err)
	}
	if _, err := ParseWebhook("workflow_job", []byte(`{"action":`)); err == nil || errors.Is(err, ErrUnhandledEvent) {
		t.Fatalf("truncated JSON: err = %v; want a parse error", err)
	}
	if _, err := ParseWebhook("workflow_run", []byte(`{"action":"completed"}`)); err == nil {
		t.Fatalf("payload without workflow_run accepted")
	}
}

func TestWebhookPayload(t *testing.T) {
	doc := readTestdata(t, "workflow_job_queued.json")
	got, err := WebhookPayload("application/json", doc)
	if err != nil || string(got) != string(doc) {
		t.Fatalf("json: got %d bytes, err %v; want the body unchanged", len(got), err)
	}
	form := []byte("payload=" + url.QueryEscape(string(doc)))
	got, err = WebhookPayload("application/x-www-form-urlencoded", form)
	if err != nil || string(got) != string(doc) {
		t.Fatalf("form: err %v; want the payload field", err)
	}
	if _, err := WebhookPayload("text/plain", doc); err == nil {
		t.Fatalf("text/plain accepted")
	}
}
