package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// apiClient calls the REST API with the session token.
type apiClient struct {
	base  *url.URL
	token string
	http  *http.Client
}

// ctlRequestTimeout bounds one API call; watch uses its own connection.
const ctlRequestTimeout = 30 * time.Second

func newAPIClient(rawURL, token string, rt http.RoundTripper) (*apiClient, error) {
	u, err := url.Parse(strings.TrimRight(rawURL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, exitWith(exitUsage, "server URL %q: want http(s)://HOST[:PORT]", rawURL)
	}
	return &apiClient{base: u, token: token, http: &http.Client{Transport: rt, Timeout: ctlRequestTimeout}}, nil
}

// apiError is an error answer of the server.
type apiError struct {
	status  int
	message string
}

func (e *apiError) Error() string {
	if e.message == "" {
		return fmt.Sprintf("server answered %d %s", e.status, http.StatusText(e.status))
	}
	return e.message
}

// exitCode maps an answer to the documented exit codes.
func (e *apiError) exitCode() int {
	switch {
	case e.status == http.StatusNotFound:
		return exitNotFound
	case e.status == http.StatusUnauthorized || e.status == http.StatusForbidden:
		return exitUnauthorized
	case e.status == http.StatusTooManyRequests || e.status == http.StatusServiceUnavailable:
		return exitUnavailable
	case e.status >= 400 && e.status < 500:
		return exitRefused
	}
	return exitError
}

// do sends a request with an optional JSON body and returns the answer's
// body. Any status from 400 up is an error carrying the exit code for it.
func (a *apiClient) do(ctx context.Context, method, path string, body any) ([]byte, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("encode request: %w", err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.base.String()+path, rd)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if a.token != "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	resp, err := a.http.Do(req)
	if err != nil {
		return nil, &ctlExit{code: exitError, err: fmt.Errorf("%s %s: %w", method, a.base.Host, unwrapURLError(err))}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("%s %s: read answer: %w", method, path, err)
	}
	if resp.StatusCode >= 400 {
		e := &apiError{status: resp.StatusCode}
		var eb struct {
			Error string `json:"error"`
		}
		if json.Unmarshal(b, &eb) == nil {
			e.message = eb.Error
		}
		return nil, &ctlExit{code: e.exitCode(), err: e}
	}
	return b, nil
}

// get decodes a GET answer into out and returns the raw body too.
func (a *apiClient) get(ctx context.Context, path string, out any) ([]byte, error) {
	return a.send(ctx, http.MethodGet, path, nil, out)
}

// send makes a request and decodes its answer into out (if not nil).
func (a *apiClient) send(ctx context.Context, method, path string, body, out any) ([]byte, error) {
	b, err := a.do(ctx, method, path, body)
	if err != nil {
		return nil, err
	}
	if out != nil && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			return nil, fmt.Errorf("%s %s: decode answer: %w", method, path, err)
		}
	}
	return b, nil
}

// unwrapURLError drops net/http's "Get \"URL\":" prefix, which repeats
// what the caller already says.
func unwrapURLError(err error) error {
	if ue, ok := errors.AsType[*url.Error](err); ok {
		return ue.Err
	}
	return err
}

// pathEscape escapes one path segment (ids are URL-safe, but a typo need
// not address another route).
func pathEscape(s string) string { return url.PathEscape(s) }
