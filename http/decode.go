package httpd

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"slices"

	"github.com/dispatchoor/dispatchoor/actors/state"
)

// Request decoding is strict: a body is one JSON object whose keys are
// matched exactly (encoding/json alone would accept "Template_ID" for
// "template_id"), each key at most once, each value of the declared type,
// and nothing after the object. The first problem, in document order, is
// reported by name, so a client learns what to fix.

// field is one accepted key of a request object of type T.
type field[T any] struct {
	want string       // the expected JSON type, for error messages
	dst  func(*T) any // a pointer into the request to decode the value into
}

// fieldSet is the accepted keys of a request object. The sets are tables
// built once: building them per request cost an allocation per key.
type fieldSet[T any] map[string]field[T]

// serverFields are job fields the server owns: a client sending one means a
// misunderstanding worth a clear answer rather than "unknown field".
var serverFields = map[string]string{
	"id":               "it is assigned by the server",
	"group_id":         "it is given by the URL",
	"status":           "it is managed by the server",
	"position":         "use PUT /api/v1/groups/{id}/queue/reorder",
	"paused":           "use POST /api/v1/jobs/{id}/pause or /unpause",
	"requeue_count":    "it is managed by the server",
	"created_by":       "it is the logged-in user",
	"created_at":       "it is managed by the server",
	"updated_at":       "it is managed by the server",
	"triggered_at":     "it is managed by the server",
	"run_id":           "it is managed by the server",
	"run_url":          "it is managed by the server",
	"runner_id":        "it is managed by the server",
	"runner_name":      "it is managed by the server",
	"completed_at":     "it is managed by the server",
	"error_message":    "it is managed by the server",
	"pending_reason":   "it is managed by the server",
	"eta":              "it is managed by the server",
	"dispatching_at":   "it is managed by the server",
	"started_at":       "it is managed by the server",
	"dispatch_key":     "it is managed by the server",
	"conclusion":       "it is managed by the server",
	"cancel_requested": "use POST /api/v1/jobs/{id}/cancel",
	"previous_job_id":  "it is managed by the server",
}

// updateOnlyServerFields are settable at creation but not by PUT /jobs/{id}.
var updateOnlyServerFields = map[string]string{
	"template_id":   "a job cannot move to another template; remove it and enqueue a new one",
	"auto_requeue":  "use PUT /api/v1/jobs/{id}/auto-requeue",
	"requeue_limit": "use PUT /api/v1/jobs/{id}/auto-requeue",
}

// decodeObject decodes body as a single JSON object with the given fields.
// seen, if not nil, receives the keys present with a non-null value.
func decodeObject[T any](body []byte, into *T, fields fieldSet[T], forbidden ...map[string]string) (seen map[string]bool, err error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, badRequest("request body is required")
	}
	if err := checkSyntax(body); err != nil {
		return nil, err
	}
	// The body is valid JSON from here on, so walking its top level needs
	// no error handling of its own (and is several times faster than
	// json.Decoder's tokens, which matters on the enqueue path).
	i := skipSpace(body, 0)
	if body[i] != '{' {
		return nil, badRequest("request body must be a JSON object")
	}
	seen = map[string]bool{}
	var present []string // few keys: a slice beats a map
	for i = skipSpace(body, i+1); body[i] != '}'; {
		end := skipString(body, i)
		key := decodeString(body[i:end])
		if slices.Contains(present, key) {
			return nil, badRequest("field %q appears more than once", key)
		}
		present = append(present, key)
		i = skipSpace(body, end)      // at ':'
		start := skipSpace(body, i+1) // the value
		end = skipValue(body, start)
		raw := body[start:end]
		if i = skipSpace(body, end); body[i] == ',' {
			i = skipSpace(body, i+1)
		}
		f, ok := fields[key]
		if !ok {
			return nil, unknownField(key, forbidden)
		}
		if err := decodeValue(raw, f.dst(into)); err != nil {
			return nil, badRequest("field %q must be %s", key, f.want)
		}
		if string(raw) != "null" {
			seen[key] = true
		}
	}
	return seen, nil
}

func unknownField(key string, forbidden []map[string]string) error {
	for _, m := range forbidden {
		if why, ok := m[key]; ok {
			return badRequest("field %q cannot be set here: %s", key, why)
		}
	}
	return badRequest("unknown field %q", key)
}

// checkSyntax rejects anything but exactly one well-formed JSON value.
func checkSyntax(body []byte) error {
	if json.Valid(body) {
		return nil
	}
	return malformed(json.Unmarshal(body, new(json.RawMessage)))
}

func malformed(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return badRequest("malformed JSON at byte %d: %s", se.Offset, se.Error())
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return badRequest("malformed JSON: unexpected end of input")
	}
	return badRequest("malformed JSON: %v", err)
}

// decodeNoBody accepts the bodies a client may send to an action route that
// takes none: nothing, {} or null. Anything else is a mistake worth
// reporting instead of silently ignoring.
func decodeNoBody(body []byte) error {
	switch string(bytes.TrimSpace(body)) {
	case "", "{}", "null":
		return nil
	}
	if err := checkSyntax(body); err != nil {
		return err
	}
	return badRequest("this endpoint takes no request body")
}

const (
	wantString    = "a string"
	wantBool      = "a boolean"
	wantInt       = "an integer or null"
	wantStringMap = "an object of string values"
)

var addJobFields = fieldSet[state.AddJob]{
	"template_id":   {wantString, func(r *state.AddJob) any { return &r.TemplateID }},
	"inputs":        {wantStringMap, func(r *state.AddJob) any { return &r.Inputs }},
	"auto_requeue":  {wantBool, func(r *state.AddJob) any { return &r.AutoRequeue }},
	"requeue_limit": {wantInt, func(r *state.AddJob) any { return &r.RequeueLimit }},
	"priority":      {"an integer", func(r *state.AddJob) any { return &r.Priority }},
	"name":          {wantString, func(r *state.AddJob) any { return &r.Name }},
	"owner":         {wantString, func(r *state.AddJob) any { return &r.Owner }},
	"repo":          {wantString, func(r *state.AddJob) any { return &r.Repo }},
	"workflow_id":   {wantString, func(r *state.AddJob) any { return &r.WorkflowID }},
	"ref":           {wantString, func(r *state.AddJob) any { return &r.Ref }},
	"labels":        {wantStringMap, func(r *state.AddJob) any { return &r.Labels }},
}

func decodeAddJob(body []byte) (state.AddJob, error) {
	var r state.AddJob
	if _, err := decodeObject(body, &r, addJobFields, serverFields); err != nil {
		return state.AddJob{}, err
	}
	return r, nil
}

// decodeUpdateJob decodes PUT /jobs/{id}. A key that is absent or null
// leaves the job's value alone, as in the reference; "inputs": {} and
// "labels": {} empty the maps.
func decodeUpdateJob(body []byte) (state.UpdateJob, error) {
	var r state.UpdateJob
	seen, err := decodeObject(body, &r, updateJobFields, updateOnlyServerFields, serverFields)
	if err != nil {
		return state.UpdateJob{}, err
	}
	r.HasInputs, r.HasLabels = seen["inputs"], seen["labels"]
	return r, nil
}

var updateJobFields = fieldSet[state.UpdateJob]{
	"inputs":      {wantStringMap, func(r *state.UpdateJob) any { return &r.Inputs }},
	"name":        {wantString, func(r *state.UpdateJob) any { return &r.Name }},
	"owner":       {wantString, func(r *state.UpdateJob) any { return &r.Owner }},
	"repo":        {wantString, func(r *state.UpdateJob) any { return &r.Repo }},
	"workflow_id": {wantString, func(r *state.UpdateJob) any { return &r.WorkflowID }},
	"ref":         {wantString, func(r *state.UpdateJob) any { return &r.Ref }},
	"labels":      {wantStringMap, func(r *state.UpdateJob) any { return &r.Labels }},
	"priority":    {"an integer", func(r *state.UpdateJob) any { return &r.Priority }},
}

// decodeReorder decodes {"job_ids": [...]}.
func decodeReorder(body []byte) ([]string, error) {
	var ids []string
	if _, err := decodeObject(body, &ids, reorderFields); err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, badRequest("job_ids is required")
	}
	for i, id := range ids {
		if id == "" {
			return nil, badRequest("job_ids[%d] is empty", i)
		}
	}
	return ids, nil
}

var reorderFields = fieldSet[[]string]{"job_ids": {"an array of job id strings", func(ids *[]string) any { return ids }}}

// autoRequeueRequest is the body of PUT /jobs/{id}/auto-requeue.
type autoRequeueRequest struct {
	AutoRequeue  bool
	RequeueLimit *int // nil: unlimited
}

func decodeAutoRequeue(body []byte) (autoRequeueRequest, error) {
	var r autoRequeueRequest
	seen, err := decodeObject(body, &r, autoRequeueFields)
	if err != nil {
		return autoRequeueRequest{}, err
	}
	// Defaulting a missing flag to false would silently switch requeueing
	// off for a client that misspelt it.
	if !seen["auto_requeue"] {
		return autoRequeueRequest{}, badRequest("auto_requeue is required")
	}
	return r, nil
}

var autoRequeueFields = fieldSet[autoRequeueRequest]{
	"auto_requeue":  {wantBool, func(r *autoRequeueRequest) any { return &r.AutoRequeue }},
	"requeue_limit": {wantInt, func(r *autoRequeueRequest) any { return &r.RequeueLimit }},
}

// loginRequest is the body of POST /auth/login.
type loginRequest struct {
	Username, Password string
}

func decodeLogin(body []byte) (loginRequest, error) {
	var r loginRequest
	if _, err := decodeObject(body, &r, loginFields); err != nil {
		return loginRequest{}, err
	}
	if r.Username == "" || r.Password == "" {
		return loginRequest{}, badRequest("Username and password are required")
	}
	return r, nil
}

var loginFields = fieldSet[loginRequest]{
	"username": {wantString, func(r *loginRequest) any { return &r.Username }},
	"password": {wantString, func(r *loginRequest) any { return &r.Password }},
}
