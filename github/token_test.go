package github

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a log sink safe for concurrent writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestTokenNeverLeaks drives a client through failures in which a hostile or
// broken server echoes the credentials back, and checks every error text,
// error field, log line and status for the token.
func TestTokenNeverLeaks(t *testing.T) {
	other := newFakeGitHub(t) // a different host that a redirect points to
	var otherAuth []string
	other.handle("/", func(w http.ResponseWriter, r *http.Request) {
		otherAuth = append(otherAuth, r.Header.Get("Authorization"))
		writeJSON(t, w, http.StatusOK, runJSON(9, "t", "queued", nil))
	})

	f := newFakeGitHub(t)
	echo := func(status int) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			auth := r.Header.Get("Authorization")
			writeJSON(t, w, status, map[string]any{
				"message":           "rejected credentials " + auth,
				"errors":            []map[string]string{{"code": "custom", "message": "token was " + auth}},
				"documentation_url": "https://docs.github.com/rest",
			})
		}
	}
	f.handle("GET /orgs/acme/actions/runners", echo(http.StatusUnauthorized))
	f.handle("POST /repos/acme/app/actions/workflows/deploy.yml/dispatches", echo(http.StatusUnprocessableEntity))
	f.handle("POST /repos/acme/app/actions/runs/1/cancel", echo(http.StatusBadGateway))
	f.handle("GET /repos/acme/app/actions/runs/2", echo(http.StatusForbidden))
	f.handle("GET /repos/acme/app/actions/runs/3", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/elsewhere", http.StatusFound)
	})
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	f.handle("GET /repos/acme/app/actions/runs/4", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	f.handle("GET /users/{owner}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "30")
		writeJSON(t, w, http.StatusForbidden, map[string]string{
			"message":           "You have exceeded a secondary rate limit; " + r.Header.Get("Authorization"),
			"documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
		})
	})

	logs := &syncBuffer{}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := newTestClient(t, f, newFakeClock(), func(o *Options) {
		o.Logger = logger
		o.RequestTimeout = 50 * time.Millisecond
	})
	ctx := testCtx(t)

	var errs []error
	collect := func(err error) {
		if err == nil {
			t.Fatalf("a failing scenario succeeded")
		}
		errs = append(errs, err)
	}
	_, err := c.ListOrgRunners(ctx, "acme")
	collect(err)
	_, err = c.Dispatch(ctx, baseRequest())
	collect(err)
	collect(c.CancelRun(ctx, "acme", "app", 1))
	_, err = c.GetRun(ctx, "acme", "app", 2)
	collect(err)
	_, err = c.GetRun(ctx, "acme", "app", 4)
	collect(err)
	statusAfterFailures := c.Status()
	_, err = c.IsOrg(ctx, "acme")
	collect(err)

	// The redirect target is another host: it must not receive the token.
	// (Sent before the secondary back-off above would refuse it.)
	c2 := newTestClient(t, f, newFakeClock(), nil)
	if _, err := c2.GetRun(ctx, "acme", "app", 3); err != nil {
		t.Fatalf("GetRun through a redirect: %v", err)
	}
	if len(otherAuth) != 1 || otherAuth[0] != "" {
		t.Fatalf("redirect target saw Authorization %q; want none", otherAuth)
	}

	var texts []string
	for _, err := range errs {
		texts = append(texts, err.Error())
		if ve, ok := errors.AsType[*ValidationError](err); ok {
			texts = append(texts, ve.Message, strings.Join(ve.Details, " "))
		}
		if ae, ok := errors.AsType[*APIError](err); ok {
			texts = append(texts, ae.Message)
		}
	}
	statusJSON, err := json.Marshal(c.Status())
	if err != nil {
		t.Fatalf("marshal status: %v", err)
	}
	texts = append(texts, logs.String(), string(statusJSON), statusAfterFailures.Error)

	for _, text := range texts {
		if strings.Contains(text, testToken) {
			t.Fatalf("token leaked in %q", text)
		}
	}
	// The scenario really exercised the echo: the redacted marker shows up.
	if !strings.Contains(strings.Join(texts, "\n"), "[REDACTED]") {
		t.Fatalf("no redaction happened; the scenario did not echo the token")
	}
	if !strings.Contains(logs.String(), "secondary rate limit") {
		t.Fatalf("logs = %s; want the secondary limit warning", logs.String())
	}
}

func TestRedact_KeepsErrorChain(t *testing.T) {
	inner := &APIError{Status: 404, Message: "x"}
	err := redact(errors.Join(inner, errors.New("secret-abc")), "secret-abc")
	if strings.Contains(err.Error(), "secret-abc") {
		t.Fatalf("err = %q still contains the secret", err)
	}
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("errors.Is(ErrNotFound) lost through redaction")
	}
	if _, ok := errors.AsType[*APIError](err); !ok {
		t.Fatalf("errors.As(*APIError) lost through redaction")
	}
}
