// Package openapitest holds HTTP traffic to an OpenAPI 3.1 document. Its
// Transport validates every exchange a test client makes: each response
// against the documented answers of its operation, and each request the
// server accepted against the documented parameters, security and body.
// It also records which operations were exercised, so a test can require
// that every documented route was.
//
// Requests the server refused (4xx, 5xx) are not validated: tests send
// deliberately bad ones, and the server refusing them is the point. Their
// answers are validated like any other.
package openapitest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	verrors "github.com/pb33f/libopenapi-validator/errors"
	"github.com/pb33f/libopenapi-validator/router"
)

// Transport is an http.RoundTripper that validates the traffic it carries.
// It is safe for concurrent use.
type Transport struct {
	// Base sends the requests; http.DefaultTransport when nil.
	Base http.RoundTripper

	v      validator.Validator
	routes router.Router

	mu        sync.Mutex
	problems  []string
	exercised map[string]int
}

// New parses and checks doc (it must be a valid OpenAPI document) and
// returns a Transport over base.
func New(doc []byte, base http.RoundTripper) (*Transport, error) {
	d, err := libopenapi.NewDocument(doc)
	if err != nil {
		return nil, fmt.Errorf("parse openapi document: %w", err)
	}
	v, errs := validator.NewValidator(d)
	if len(errs) > 0 {
		return nil, fmt.Errorf("build validator: %w", errors.Join(errs...))
	}
	if ok, verrs := v.ValidateDocument(); !ok {
		return nil, fmt.Errorf("openapi document is invalid:\n%s", describe(verrs))
	}
	model, err := d.BuildV3Model()
	if err != nil {
		return nil, fmt.Errorf("build openapi model: %w", err)
	}
	return &Transport{
		Base:      base,
		v:         v,
		routes:    router.NewRouter(&model.Model, router.WithPathOnlyMatching()),
		exercised: map[string]int{},
	}, nil
}

// Client returns an http.Client that sends through t.
func (t *Transport) Client() *http.Client { return &http.Client{Transport: t} }

// RoundTrip sends req and validates the exchange. Bodies are buffered, so
// both the validator and the caller read them in full.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		var err error
		if body, err = io.ReadAll(req.Body); err != nil {
			return nil, fmt.Errorf("read request body: %w", err)
		}
		_ = req.Body.Close()
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	resp, err := base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	rbody, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("read response body: %w", err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(rbody))
	vreq := req.Clone(req.Context())
	vreq.Body = io.NopCloser(bytes.NewReader(body))
	vresp := *resp
	vresp.Body = io.NopCloser(bytes.NewReader(rbody))
	t.Validate(vreq, &vresp)
	return resp, nil
}

// Validate checks one exchange made outside the Transport (a WebSocket
// handshake, say). The bodies are consumed.
func (t *Transport) Validate(req *http.Request, resp *http.Response) {
	key := req.Method + " " + req.URL.Path
	if route, err := t.routes.FindRoute(req); err == nil {
		key = strings.ToUpper(route.Method) + " " + route.Path
	} else {
		t.fail("%s %s: not in the document: %v", req.Method, req.URL.RequestURI(), err)
	}
	t.mu.Lock()
	t.exercised[key]++
	t.mu.Unlock()
	if resp.StatusCode < 400 {
		if ok, errs := t.v.ValidateHttpRequestSync(req); !ok {
			t.fail("%s %s (answered %d): request does not match the document:\n%s",
				req.Method, req.URL.RequestURI(), resp.StatusCode, describe(errs))
		}
	}
	if ok, errs := t.v.ValidateHttpResponse(req, resp); !ok {
		t.fail("%s %s: response %d does not match the document:\n%s",
			req.Method, req.URL.RequestURI(), resp.StatusCode, describe(errs))
	}
}

func (t *Transport) fail(format string, args ...any) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.problems = append(t.problems, fmt.Sprintf(format, args...))
}

// Problems lists every exchange that did not match the document.
func (t *Transport) Problems() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]string(nil), t.problems...)
}

// Exercised counts the exchanges per operation, keyed "METHOD /path
// template" as in the document.
func (t *Transport) Exercised() map[string]int {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make(map[string]int, len(t.exercised))
	for k, v := range t.exercised {
		out[k] = v
	}
	return out
}

// TB is the part of testing.TB Check needs.
type TB interface {
	Helper()
	Errorf(format string, args ...any)
}

// Check reports every problem seen so far as a test error.
func (t *Transport) Check(tb TB) {
	tb.Helper()
	for _, p := range t.Problems() {
		tb.Errorf("%s", p)
	}
}

func describe(errs []*verrors.ValidationError) string {
	lines := make([]string, 0, len(errs))
	for _, e := range errs {
		line := "  - " + e.Message
		if e.Reason != "" {
			line += ": " + e.Reason
		}
		for _, s := range e.SchemaValidationErrors {
			line += fmt.Sprintf("\n      %s at %s", s.Reason, s.FieldPath)
		}
		lines = append(lines, line)
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}
