package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dispatchoor/dispatchoor/config"
	"github.com/dispatchoor/dispatchoor/github/sim"
)

// Secrets the scenario below configures and uses. None may reach any file
// of the data directory: journal segments, snapshots, anchors.
const (
	secretPassword      = "pw-Zq8#audit-never-journal"
	secretGitHubToken   = "ghp_AuditNeverJournal0123456789abcdef"
	secretRunnersToken  = "ghp_RunnersNeverJournal0123456789abcd"
	secretWebhook       = "whsec-audit-never-journal-4242"
	secretOAuthClient   = "oauth-client-secret-never-journal"
	secretURLToken      = "url-token-never-journal-77"
	secretURLPassword   = "url-password-never-journal-88"
	secretsTestTemplate = "sync"
)

const secretsConfig = `
[server]
listen = "127.0.0.1:0"
[server.rate_limit.auth]
enabled = false
[storage]
dir = %q
sync = "none"
snapshot_every = 5
[github]
api_url = %q
token = %q
runners_token = %q
webhook_secret = %q
poll_interval = "1s"
[templates]
allow_private_urls = true
[auth.basic]
enabled = true
[[auth.basic.users]]
username = "admin"
password = %q
role = "admin"
[auth.github]
enabled = false
client_id = "audit-client"
client_secret = %q
[[groups.github]]
id = "sync"
name = "Sync"
runner_labels = ["self-hosted", "linux", "sync"]
workflow_dispatch_templates_urls = [%q]
  [[groups.github.workflow_dispatch_templates]]
  id = %q
  owner = "acme"
  repo = "sync-tests"
  workflow_id = "sync.yml"
  ref = "main"
  inputs = { client = "geth" }
`

// TestSecretsNeverReachTheDataDir runs the whole server in process with
// known secrets (an admin password, GitHub tokens for the simulator, a
// webhook secret, an OAuth client secret, credentials in a template URL),
// logs in, changes the queue,
// reloads the config, signs a webhook and logs out, then searches every
// file under the data directory for each secret and for the session token.
func TestSecretsNeverReachTheDataDir(t *testing.T) {
	world := sim.DemoConfig()
	world.ClockMode = "manual"
	world.Tokens[0].Token = secretGitHubToken
	world.Tokens = append(world.Tokens, sim.TokenConfig{Token: secretRunnersToken, Login: "runners"})
	gh, err := sim.Build(world)
	if err != nil {
		t.Fatal(err)
	}
	defer gh.Close()
	ghSrv := httptest.NewServer(gh.Handler())
	defer ghSrv.Close()
	templates := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, "- id: remote\n  owner: acme\n  repo: sync-tests\n  workflow_id: sync.yml\n  ref: main\n")
	}))
	defer templates.Close()
	templateURL := fmt.Sprintf("http://reader:%s@%s/t.yaml?access_token=%s", secretURLPassword, templates.Listener.Addr(), secretURLToken)

	data := filepath.Join(t.TempDir(), "data")
	cfgPath := filepath.Join(t.TempDir(), "config.toml")
	body := fmt.Sprintf(secretsConfig, data, ghSrv.URL+"/", secretGitHubToken, secretRunnersToken, secretWebhook,
		secretPassword, secretOAuthClient, templateURL, secretsTestTemplate)
	if err := os.WriteFile(cfgPath, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(cfgPath, config.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	a, err := startApp(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), appHooks{})
	if err != nil {
		t.Fatal(err)
	}
	session := driveWithSecrets(t, a.ln.Addr().String())
	if err := a.shutdown(); err != nil {
		t.Fatalf("shutdown: %v", err)
	}

	secrets := map[string]string{
		"admin password": secretPassword, "GitHub token": secretGitHubToken, "runners token": secretRunnersToken,
		"webhook secret": secretWebhook, "OAuth client secret": secretOAuthClient, "session token": session,
		"template URL token": secretURLToken, "template URL password": secretURLPassword,
	}
	files, found := 0, false
	err = filepath.WalkDir(data, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		// A positive control: the scan does read the events.
		found = found || (bytes.Contains(b, []byte(`"actor":"admin"`)) && bytes.Contains(b, []byte(`"source_type":"url"`)))
		for name, s := range secrets {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("the %s is in %s", name, path)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 2 || !found {
		t.Fatalf("searched %d files and found no event by admin; the search proves nothing", files)
	}
}

// driveWithSecrets uses the server the way an operator and GitHub would,
// and returns the session token it was given.
func driveWithSecrets(t *testing.T, addr string) string {
	t.Helper()
	status, resp := call(t, "POST", addr, "/api/v1/auth/login", "", fmt.Sprintf(`{"username":"admin","password":%q}`, secretPassword))
	if status != 200 {
		t.Fatalf("login: %d %s", status, resp)
	}
	token := jsonString(t, resp, "token")
	if token == "" {
		t.Fatalf("login gave no token: %s", resp)
	}
	// Paused while the queue is reordered: the dispatcher would otherwise
	// hand the jobs to the simulator's idle runners first. Unpausing below
	// lets them go, so the GitHub token is used for real.
	if status, resp := call(t, "POST", addr, "/api/v1/groups/sync/pause", token, ""); status >= 300 {
		t.Fatalf("pause group: %d %s", status, resp)
	}
	var ids []string
	for i := 0; i < 3; i++ {
		status, resp = call(t, "POST", addr, "/api/v1/groups/sync/queue", token, fmt.Sprintf(`{"template_id":%q}`, secretsTestTemplate))
		if status != 201 && status != 200 {
			t.Fatalf("enqueue: %d %s", status, resp)
		}
		ids = append(ids, jsonString(t, resp, "id"))
	}
	steps := []struct{ method, path, body string }{
		{"PUT", "/api/v1/groups/sync/queue/reorder", fmt.Sprintf(`{"job_ids":[%q,%q,%q]}`, ids[2], ids[0], ids[1])},
		{"POST", "/api/v1/jobs/" + ids[1] + "/pause", ""},
		{"POST", "/api/v1/groups/sync/unpause", ""},
		{"POST", "/api/v1/templates/reload", ""},
		{"GET", "/api/v1/audit", ""},
		{"GET", "/api/v1/jobs/" + ids[0] + "/events", ""},
	}
	for _, s := range steps {
		if status, resp := call(t, s.method, addr, s.path, token, s.body); status >= 300 {
			t.Fatalf("%s %s: %d %s", s.method, s.path, status, resp)
		}
	}
	postSignedWebhook(t, addr)
	if status, resp := call(t, "POST", addr, "/api/v1/auth/logout", token, ""); status >= 300 {
		t.Fatalf("logout: %d %s", status, resp)
	}
	return token
}

// postSignedWebhook delivers a workflow_job event signed with the webhook
// secret, as GitHub would. Where the route is not served the server
// answers 404, which is fine: the point is that nothing it does with the
// delivery puts the secret in the journal.
func postSignedWebhook(t *testing.T, addr string) {
	t.Helper()
	payload, err := os.ReadFile(filepath.Join("..", "..", "github", "testdata", "workflow_job_queued.json"))
	if err != nil {
		t.Fatal(err)
	}
	mac := hmac.New(sha256.New, []byte(secretWebhook))
	mac.Write(payload)
	status, resp := call(t, "POST", addr, "/api/v1/webhooks/github", "", string(payload),
		"X-GitHub-Event", "workflow_job",
		"X-GitHub-Delivery", "audit-delivery-1",
		"X-Hub-Signature-256", "sha256="+hex.EncodeToString(mac.Sum(nil)),
		"Content-Type", "application/json")
	t.Logf("webhook delivery: %d %s", status, resp)
}

// call sends one request with a bearer token (if any) and header pairs.
func call(t *testing.T, method, addr, path, token, body string, headers ...string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, "http://"+addr+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return resp.StatusCode, b
}

func jsonString(t *testing.T, body []byte, key string) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	s, _ := m[key].(string)
	return s
}
