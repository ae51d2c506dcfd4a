package main

import (
	"bufio"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// logLines parses JSON log lines.
func logLines(t *testing.T, text string) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("log line %q is not JSON: %v", sc.Text(), err)
		}
		out = append(out, m)
	}
	return out
}

// TestAccessLogCarriesRequestID: every request gets an id (the client's
// X-Request-ID when it sent a sane one), returned in the response and
// written in its access log line with the route pattern, status and
// latency.
func TestAccessLogCarriesRequestID(t *testing.T) {
	logs := &ctlBuffer{}
	e := startTestAppWith(t, testAppOptions{logs: logs})
	req, err := http.NewRequest("GET", e.url+"/api/v1/groups/ci", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+e.token["viewer"])
	req.Header.Set("X-Request-ID", "trace-42")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("X-Request-ID"); got != "trace-42" {
		t.Errorf("X-Request-ID answered %q; want the client's trace-42", got)
	}
	resp, err = http.Get(e.url + "/api/v1/jobs/nope")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	generated := resp.Header.Get("X-Request-ID")
	if generated == "" {
		t.Fatal("no X-Request-ID on a request that sent none")
	}
	found := map[string]map[string]any{}
	for _, l := range logLines(t, logs.String()) {
		if l["msg"] == "http request" {
			id, _ := l["request_id"].(string)
			found[id] = l
		}
	}
	for id, want := range map[string][2]any{"trace-42": {"/api/v1/groups/{id}", 200.0}, generated: {"/api/v1/jobs/{id}", 401.0}} {
		l, ok := found[id]
		switch {
		case !ok:
			t.Errorf("no access log line with request_id %s", id)
		case l["route"] != want[0] || l["status"] != want[1] || l["latency"] == nil || l["method"] != "GET":
			t.Errorf("access log line %v; want route %v status %v with method and latency", l, want[0], want[1])
		}
	}
}

// TestGitHubErrorsLoggedWithoutToken: a GitHub that refuses the token is
// reported with context (the client, what was being done), and the token
// appears in no log line, at any level.
func TestGitHubErrorsLoggedWithoutToken(t *testing.T) {
	const token = "ghp_wrongTokenThatMustNeverBeLogged"
	logs := &ctlBuffer{}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})
	e := startTestAppWith(t, testAppOptions{githubToken: token, logs: logs})
	e.waitFor("the refused token logged", func() bool { return strings.Contains(logs.String(), "Bad credentials") })
	text := logs.String()
	if strings.Contains(text, token) || strings.Contains(text, token[4:]) {
		t.Fatalf("the token reached the log:\n%s", text)
	}
	// The failure is a warning that says which client, or which part of
	// the integration, failed at what, with GitHub's answer.
	var warned bool
	for _, l := range logLines(t, text) {
		msg, _ := l["err"].(string)
		if l["level"] == "WARN" && strings.Contains(msg, "401") && (l["client"] != nil || l["component"] == "github") {
			warned = true
		}
	}
	if !warned {
		t.Errorf("no warning with context and GitHub's 401")
	}
	var status struct {
		GitHub struct {
			Dispatch struct {
				Connected bool   `json:"connected"`
				Error     string `json:"error"`
			} `json:"dispatch"`
		} `json:"github"`
	}
	e.call("GET", "/api/v1/status", e.token["viewer"], "", 200, &status)
	if status.GitHub.Dispatch.Connected || strings.Contains(status.GitHub.Dispatch.Error, token) {
		t.Errorf("status of the dispatch client: %+v", status.GitHub.Dispatch)
	}
}
