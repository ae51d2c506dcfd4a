package sim

import (
	"net/http"
	"strconv"
	"strings"
)

// listCap is GitHub's cap on filtered run searches.
const listCap = 1000

type runsPage struct {
	TotalCount   int       `json:"total_count"`
	WorkflowRuns []runJSON `json:"workflow_runs"`
}

// runStatuses are the values "status" filters on the run status; anything
// else is matched against the conclusion.
var runStatuses = map[string]bool{
	statusRequested: true, statusQueued: true, statusPending: true, "waiting": true,
	statusInProgress: true, statusCompleted: true,
}

// handleListRuns serves both the repository and the per-workflow listing.
func (s *Sim) handleListRuns(q *request) *response {
	var wf *workflow
	if ref, ok := q.params["workflow"]; ok {
		if wf = s.w.findWorkflow(q.repo, ref); wf == nil {
			return notFound()
		}
	}
	match, capped, resp := s.runFilter(q)
	if resp != nil {
		return resp
	}
	staleAfter := q.eff.staleAfter
	var all []*run
	// Newest first: created_at desc, then id desc. runList is in creation
	// order, so walking it backwards gives exactly that.
	for i := len(s.w.runList) - 1; i >= 0; i-- {
		r := s.w.runList[i]
		if r.repo != q.repo || (wf != nil && r.workflow != wf) || q.now.Before(r.listVisibleAt) {
			continue
		}
		if !staleAfter.IsZero() && r.createdAt.After(staleAfter) {
			continue // a stale page: the listing lags behind reality
		}
		if match(r) {
			all = append(all, r)
		}
	}
	if capped && len(all) > listCap {
		all = all[:listCap]
	}
	p := newPager(q, len(all))
	body := runsPage{TotalCount: len(all), WorkflowRuns: []runJSON{}}
	for _, r := range all[p.lo:p.hi] {
		body.WorkflowRuns = append(body.WorkflowRuns, runWire(s.apiBase(q.base), q.base, r))
	}
	return p.setLink(s, q, jsonResponse(http.StatusOK, body))
}

// runFilter builds the predicate of the list query parameters; capped says
// whether the 1,000-result search cap applies.
func (s *Sim) runFilter(q *request) (func(*run) bool, bool, *response) {
	var preds []func(*run) bool
	capped := false
	if v := q.query.Get("event"); v != "" {
		capped = true
		preds = append(preds, func(r *run) bool { return r.event == v })
	}
	if v := q.query.Get("status"); v != "" {
		capped = true
		preds = append(preds, func(r *run) bool {
			if runStatuses[v] {
				return r.status == v
			}
			return r.conclusion == v
		})
	}
	if v := q.query.Get("branch"); v != "" {
		capped = true
		preds = append(preds, func(r *run) bool { return r.ref == v })
	}
	if v := q.query.Get("actor"); v != "" {
		capped = true
		preds = append(preds, func(r *run) bool { return strings.EqualFold(r.actor.login, v) })
	}
	if v := q.query.Get("head_sha"); v != "" {
		capped = true
		preds = append(preds, func(r *run) bool { return r.headSHA == v })
	}
	if v := q.query.Get("check_suite_id"); v != "" {
		capped = true
		id, _ := strconv.ParseInt(v, 10, 64)
		preds = append(preds, func(r *run) bool { return r.checkSuiteID == id })
	}
	if v := q.query.Get("created"); v != "" {
		capped = true
		tr, err := parseCreated(v)
		if err != nil {
			return nil, false, errorResponse(http.StatusUnprocessableEntity, "Validation Failed: created "+err.Error(), docRuns)
		}
		preds = append(preds, func(r *run) bool { return tr.contains(r.createdAt) })
	}
	return func(r *run) bool {
		for _, p := range preds {
			if !p(r) {
				return false
			}
		}
		return true
	}, capped, nil
}

// runForRequest finds {run} in the request's repository, honouring the
// GET visibility lag.
func (s *Sim) runForRequest(q *request) *run {
	id, ok := parseID(q.params["run"])
	if !ok {
		return nil
	}
	r := s.w.runs[id]
	if r == nil || r.repo != q.repo || q.now.Before(r.getVisibleAt) {
		return nil
	}
	return r
}

func (s *Sim) handleGetRun(q *request) *response {
	r := s.runForRequest(q)
	if r == nil {
		return notFound()
	}
	return jsonResponse(http.StatusOK, runWire(s.apiBase(q.base), q.base, r))
}

func (s *Sim) handleGetRunAttempt(q *request) *response {
	r := s.runForRequest(q)
	n, err := strconv.Atoi(q.params["attempt"])
	if r == nil || err != nil {
		return notFound()
	}
	view := r.attemptView(n)
	if view == nil {
		return notFound()
	}
	return jsonResponse(http.StatusOK, runWire(s.apiBase(q.base), q.base, view))
}

func (s *Sim) handleCancel(q *request) *response { return s.cancel(q, false) }

func (s *Sim) handleForceCancel(q *request) *response { return s.cancel(q, true) }

// cancel answers 202 and cancels asynchronously, or 409 for a completed
// run. A cancel_ignored fault accepts and does nothing (spec §2.7, P13).
func (s *Sim) cancel(q *request, force bool) *response {
	r := s.runForRequest(q)
	if r == nil {
		return notFound()
	}
	if r.status == statusCompleted {
		return errorResponse(http.StatusConflict, "Cannot cancel a workflow run that is completed.", docRuns)
	}
	if !(q.eff.cancelIgnored && !force) {
		s.cancelRunLocked(r, q.now, force)
	}
	return jsonResponse(http.StatusAccepted, map[string]any{})
}

func (s *Sim) handleRerun(q *request) *response { return s.rerun(q, false) }

func (s *Sim) handleRerunFailed(q *request) *response { return s.rerun(q, true) }

func (s *Sim) rerun(q *request, failedOnly bool) *response {
	r := s.runForRequest(q)
	if r == nil {
		return notFound()
	}
	if q.eff.rerunRefused || r.status != statusCompleted {
		return errorResponse(http.StatusForbidden, "This workflow run cannot be rerun", docRuns)
	}
	if failedOnly && r.conclusion == conclusionSuccess {
		return errorResponse(http.StatusForbidden, "This workflow run has no failed jobs to re-run", docRuns)
	}
	s.rerunLocked(r, q.now, failedOnly)
	return jsonResponse(http.StatusCreated, map[string]any{})
}
