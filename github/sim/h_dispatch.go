package sim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// dispatchBody is the decoded, validated dispatch request.
type dispatchBody struct {
	ref        string
	inputs     map[string]string
	runDetails bool
}

// handleDispatch implements POST .../dispatches with the validation order of
// spec §8.5: the first failing check answers, and nothing is created.
func (s *Sim) handleDispatch(q *request) *response {
	wf := s.w.findWorkflow(q.repo, q.params["workflow"])
	if wf == nil || !wf.existsOn(q.repo.defaultBranch) {
		return notFound()
	}
	body, resp := s.decodeDispatch(q)
	if resp != nil {
		return resp
	}
	ref, ok := q.repo.resolveRef(body.ref)
	if !ok {
		return unprocessable("No ref found for: " + body.ref)
	}
	if wf.state != "active" {
		return unprocessable("Cannot trigger a 'workflow_dispatch' on a disabled workflow")
	}
	if !wf.dispatchableAt(ref) {
		return unprocessable("Workflow does not have 'workflow_dispatch' trigger")
	}
	inputs, resp := s.validateInputs(wf, q)
	if resp != nil {
		return resp
	}
	run := s.createRunLocked(q.now, wf, ref, inputs, actor{login: q.tok.login, id: q.tok.userID}, q.eff)

	details := q.version == apiVersion2026 || (body.runDetails && s.runDetailsPolicy(q) == RunDetailsSupported)
	if !details {
		return newResponse(http.StatusNoContent, nil)
	}
	repo := q.repo.fullName()
	return jsonResponse(http.StatusOK, map[string]any{
		"workflow_run_id": run.id,
		"run_url":         fmt.Sprintf("%s/repos/%s/actions/runs/%d", s.apiBase(q.base), repo, run.id),
		"html_url":        fmt.Sprintf("%s/%s/actions/runs/%d", q.base, repo, run.id),
	})
}

// runDetailsPolicy is the effective return_run_details support: a fault
// flip, then the configured policy, then the mode (GHES >= 3.21).
func (s *Sim) runDetailsPolicy(q *request) string {
	switch {
	case q.eff.runDetails != "":
		return q.eff.runDetails
	case s.cfg.Dispatch.RunDetails != "":
		return s.cfg.Dispatch.RunDetails
	case s.mode.atLeast(3, 21):
		return RunDetailsSupported
	}
	return RunDetailsUnsupported
}

// decodeDispatch performs checks 2 and 3 of §8.5 that concern the body's
// shape: JSON, permitted keys, field types.
func (s *Sim) decodeDispatch(q *request) (dispatchBody, *response) {
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(q.body))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil || raw == nil {
		return dispatchBody{}, errorResponse(http.StatusBadRequest, "Problems parsing JSON", docDispatch)
	}
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !s.permittedKey(q, k) {
			return dispatchBody{}, errorResponse(http.StatusBadRequest,
				strconv.Quote(k)+" is not a permitted key.", docDispatch)
		}
	}
	var b dispatchBody
	if r, ok := raw["ref"]; ok && string(r) != "null" {
		if err := json.Unmarshal(r, &b.ref); err != nil {
			return b, unprocessable(fmt.Sprintf("Invalid request.\n\nFor 'properties/ref', %s is not a string.", r))
		}
	}
	if r, ok := raw["return_run_details"]; ok && string(r) != "null" {
		if err := json.Unmarshal(r, &b.runDetails); err != nil {
			return b, unprocessable(fmt.Sprintf("Invalid request.\n\nFor 'properties/return_run_details', %s is not a boolean.", r))
		}
	}
	if r, ok := raw["inputs"]; ok && string(r) != "null" {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(r, &obj); err != nil {
			return b, unprocessable(fmt.Sprintf("Invalid request.\n\nFor 'properties/inputs', %s is not an object.", r))
		}
	}
	return b, nil
}

// permittedKey decides whether a top-level dispatch key is accepted.
func (s *Sim) permittedKey(q *request, k string) bool {
	switch k {
	case "ref", "inputs":
		return true
	case "return_run_details":
		if q.version == apiVersion2026 {
			// The parameter was removed in 2026-03-10 (spec §8.1).
			return s.cfg.Dispatch.IgnoreRunDetailsOn2026
		}
		return s.runDetailsPolicy(q) != RunDetailsUnsupported
	}
	return s.cfg.Dispatch.AllowUnknownKeys
}

// validateInputs performs checks 5 to 8 of §8.5 and returns the inputs the
// run sees: supplied values plus declared defaults.
func (s *Sim) validateInputs(wf *workflow, q *request) (map[string]string, *response) {
	var envelope struct {
		Inputs map[string]json.RawMessage `json:"inputs"`
	}
	dec := json.NewDecoder(bytes.NewReader(q.body))
	dec.UseNumber()
	_ = dec.Decode(&envelope) // shape already checked by decodeDispatch
	supplied := envelope.Inputs

	maxInputs := s.cfg.Dispatch.MaxInputs
	if maxInputs <= 0 {
		maxInputs = 25
	}
	if len(supplied) > maxInputs {
		msg := s.cfg.Dispatch.TooManyInputsMessage
		if msg == "" {
			msg = "No more than " + strconv.Itoa(maxInputs) + " properties are allowed; %d were supplied."
		}
		return nil, unprocessable(fmt.Sprintf(msg, len(supplied)))
	}
	declared := map[string]InputSpec{}
	for _, in := range wf.spec.Inputs {
		declared[in.Name] = in
	}
	var unexpected []string
	for k := range supplied {
		if _, ok := declared[k]; !ok {
			unexpected = append(unexpected, strconv.Quote(k))
		}
	}
	if len(unexpected) > 0 {
		sort.Strings(unexpected)
		return nil, unprocessable("Unexpected inputs provided: [" + strings.Join(unexpected, ", ") + "]")
	}
	values := map[string]string{}
	names := make([]string, 0, len(supplied))
	for k := range supplied {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		v, ok := inputString(supplied[k])
		if !ok && !s.cfg.Dispatch.AllowNonStringInputs {
			return nil, unprocessable(fmt.Sprintf("Invalid value for input '%s': %s is not a string.", k, supplied[k]))
		}
		values[k] = v
	}
	for _, in := range wf.spec.Inputs {
		if _, ok := values[in.Name]; ok {
			continue
		}
		if in.Required && in.Default == "" {
			return nil, unprocessable("Required input '" + in.Name + "' not provided")
		}
		values[in.Name] = in.Default
	}
	return values, nil
}

// inputString returns a JSON value as the string a workflow would see; ok
// is false for non-strings.
func inputString(raw json.RawMessage) (string, bool) {
	var str string
	if err := json.Unmarshal(raw, &str); err == nil {
		return str, true
	}
	return strings.Trim(string(raw), `"`), false
}

func unprocessable(msg string) *response {
	return errorResponse(http.StatusUnprocessableEntity, msg, docDispatch)
}
