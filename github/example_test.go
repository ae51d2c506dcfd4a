package github_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/dispatchoor/dispatchoor/github"
)

// A webhook handler verifies the signature over the raw body, extracts the
// JSON document, parses it, and maps a completed run's conclusion.
func ExampleParseWebhook() {
	secret := []byte("hook-secret")
	body := []byte(`{"action":"completed",
		"workflow_run":{"id":22222222222,"workflow_id":161335,"status":"completed","conclusion":"timed_out",
			"display_title":"deploy [q-7f3a]","path":".github/workflows/deploy.yml"},
		"repository":{"name":"app","full_name":"acme/app","owner":{"login":"acme"}}}`)
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	signature := "sha256=" + hex.EncodeToString(mac.Sum(nil)) // sent by GitHub in X-Hub-Signature-256

	if !github.VerifySignature(secret, body, signature) {
		fmt.Println("reject: bad signature")
		return
	}
	doc, err := github.WebhookPayload("application/json", body)
	if err != nil {
		fmt.Println("reject:", err)
		return
	}
	ev, err := github.ParseWebhook("workflow_run", doc)
	if err != nil {
		fmt.Println("ignore:", err)
		return
	}
	if run, ok := ev.(*github.WorkflowRunEvent); ok {
		status, msg := github.MapConclusion(run.Run.Conclusion)
		fmt.Println(run.Owner, run.Repo, run.Run.ID, run.Run.DisplayTitle, status, msg)
	}
	// Output: acme app 22222222222 deploy [q-7f3a] failed Workflow timed_out
}
