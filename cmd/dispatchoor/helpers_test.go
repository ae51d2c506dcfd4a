package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/dispatchoor/dispatchoor/config"
)

func netListen() (net.Listener, error) { return net.Listen("tcp", "127.0.0.1:0") }

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// sendExpect sends req, fails the test unless the answer has status want,
// decodes the body into out when out is not nil, and returns the body.
func sendExpect(t testing.TB, req *http.Request, timeout time.Duration, want int, out any) []byte {
	t.Helper()
	resp, err := (&http.Client{Timeout: timeout}).Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != want {
		t.Fatalf("%s %s: %d %s; want %d", req.Method, req.URL.Path, resp.StatusCode, b, want)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: decode %s: %v", req.Method, req.URL.Path, b, err)
		}
	}
	return b
}

// startOnCrashConfig starts the full server (journal, actors, HTTP on a loopback
// port) in this process on crashConfig, after edit changes the parsed
// config, and returns it with an admin token. The server stops when the
// test ends.
func startOnCrashConfig(tb testing.TB, edit func(*config.Config)) (*app, string) {
	tb.Helper()
	cfg, err := config.Parse([]byte(fmt.Sprintf(crashConfig, "127.0.0.1:0", filepath.Join(tb.TempDir(), "data"))), "toml", "", config.LoadOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	if edit != nil {
		edit(cfg)
	}
	a, err := startApp(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), appHooks{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = a.shutdown() })
	st, body := do(tb, "POST", a.ln.Addr().String(), "/api/v1/auth/login", "", `{"username":"admin","password":"secret-admin"}`)
	if st != 200 {
		tb.Fatalf("login: %d %s", st, body)
	}
	return a, jsonField(body, "token")
}
