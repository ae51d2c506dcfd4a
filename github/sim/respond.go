package sim

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Documentation URLs GitHub puts in error bodies. go-github recognises the
// secondary limit by the suffix of docSecondary.
const (
	docREST      = "https://docs.github.com/rest"
	docRateLimit = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"
	docSecondary = docRateLimit + "#about-secondary-rate-limits"
	docDispatch  = "https://docs.github.com/rest/actions/workflows#create-a-workflow-dispatch-event"
	docRuns      = "https://docs.github.com/rest/actions/workflow-runs"
)

// response is a finished answer, built under the lock and written after it.
type response struct {
	status int
	body   []byte
	header http.Header
}

func newResponse(status int, body []byte) *response {
	return &response{status: status, body: body, header: http.Header{}}
}

// jsonResponse marshals v. The simulator's own types always marshal, so a
// failure is a programming error worth a 500 rather than a panic.
func jsonResponse(status int, v any) *response {
	b, err := json.Marshal(v)
	if err != nil {
		return errorResponse(http.StatusInternalServerError, "marshal response: "+err.Error(), docREST)
	}
	return newResponse(status, b)
}

// errorBody is GitHub's error shape (§0.3).
type errorBody struct {
	Message          string        `json:"message"`
	Errors           []errorDetail `json:"errors,omitempty"`
	DocumentationURL string        `json:"documentation_url"`
	Status           string        `json:"status"`
}

type errorDetail struct {
	Resource string `json:"resource,omitempty"`
	Field    string `json:"field,omitempty"`
	Code     string `json:"code"`
	Message  string `json:"message,omitempty"`
}

func errorResponse(status int, message, doc string) *response {
	return jsonResponse(status, errorBody{Message: message, DocumentationURL: doc, Status: strconv.Itoa(status)})
}

func notFound() *response { return errorResponse(http.StatusNotFound, "Not Found", docREST) }

func badCredentials() *response {
	return errorResponse(http.StatusUnauthorized, "Bad credentials", docREST)
}

// serverError is a GitHub-like 5xx body for fault injection.
func serverError(status int) *response {
	msg := "Server Error"
	switch status {
	case http.StatusServiceUnavailable:
		msg = "Service Unavailable"
	case http.StatusGatewayTimeout:
		msg = "We couldn't respond to your request in time. Sorry about that. Please try resubmitting your request and contact us if the problem persists."
	}
	return errorResponse(status, msg, docREST)
}

// write sends the response; 204 and 304 carry no body.
func (r *response) write(w http.ResponseWriter) {
	h := w.Header()
	for k, vs := range r.header {
		h[k] = vs
	}
	if r.status != http.StatusNoContent && r.status != http.StatusNotModified && r.body != nil {
		if h.Get("Content-Type") == "" {
			h.Set("Content-Type", "application/json; charset=utf-8")
		}
		h.Set("Content-Length", strconv.Itoa(len(r.body)))
		w.WriteHeader(r.status)
		_, _ = w.Write(r.body)
		return
	}
	w.WriteHeader(r.status)
}

// etagOf is a weak validator over the exact body bytes, so it changes
// whenever any serialised field does.
func etagOf(body []byte) string {
	sum := sha256.Sum256(body)
	return `W/"` + hex.EncodeToString(sum[:16]) + `"`
}

// etagMatches implements If-None-Match with weak comparison.
func etagMatches(ifNoneMatch, etag string) bool {
	if ifNoneMatch == "" {
		return false
	}
	want := strings.TrimPrefix(etag, "W/")
	for _, cand := range strings.Split(ifNoneMatch, ",") {
		cand = strings.TrimSpace(cand)
		if cand == "*" || strings.TrimPrefix(cand, "W/") == want {
			return true
		}
	}
	return false
}

// stamp is a time that marshals as GitHub does: RFC 3339, UTC, seconds.
type stamp time.Time

func (t stamp) MarshalJSON() ([]byte, error) {
	return []byte(`"` + time.Time(t).UTC().Format(time.RFC3339) + `"`), nil
}

// stampPtr returns nil for the zero time, which marshals as null.
func stampPtr(t time.Time) *stamp {
	if t.IsZero() {
		return nil
	}
	s := stamp(t)
	return &s
}

// strPtr returns nil for "", which marshals as null.
func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func int64Ptr(v int64) *int64 {
	if v == 0 {
		return nil
	}
	return &v
}

func parseID(s string) (int64, bool) {
	v, err := strconv.ParseInt(s, 10, 64)
	return v, err == nil && v > 0
}

func requestID(n uint64) string {
	return fmt.Sprintf("SIM0:%04X:%06X:%08X", n>>32&0xffff, n&0xffffff, n*2654435761&0xffffffff)
}

// encodeSorted is url.Values.Encode; kept as a helper so links are built in
// one place with a stable parameter order.
func encodeSorted(v map[string][]string) string {
	return url.Values(v).Encode()
}
