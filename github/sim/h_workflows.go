package sim

import (
	"net/http"
	"slices"
	"strings"
)

type workflowsPage struct {
	TotalCount int            `json:"total_count"`
	Workflows  []workflowJSON `json:"workflows"`
}

func (s *Sim) handleListWorkflows(q *request) *response {
	var all []*workflow
	for _, wf := range s.w.workflowList {
		if wf.repo == q.repo {
			all = append(all, wf)
		}
	}
	p := newPager(q, len(all))
	body := workflowsPage{TotalCount: len(all), Workflows: []workflowJSON{}}
	for _, wf := range all[p.lo:p.hi] {
		body.Workflows = append(body.Workflows, workflowWire(s.apiBase(q.base), q.base, wf))
	}
	return p.setLink(s, q, jsonResponse(http.StatusOK, body))
}

func (s *Sim) handleGetWorkflow(q *request) *response {
	wf := s.w.findWorkflow(q.repo, q.params["workflow"])
	if wf == nil {
		return notFound()
	}
	return jsonResponse(http.StatusOK, workflowWire(s.apiBase(q.base), q.base, wf))
}

// existsOn reports whether the workflow file is present at a ref.
func (wf *workflow) existsOn(ref string) bool {
	return len(wf.spec.Refs) == 0 || slices.Contains(wf.spec.Refs, ref)
}

// dispatchableAt reports whether the file at ref has a workflow_dispatch
// trigger.
func (wf *workflow) dispatchableAt(ref string) bool {
	return !wf.spec.NoDispatch && wf.existsOn(ref) && !slices.Contains(wf.spec.RefsWithoutDispatch, ref)
}

// resolveRef maps a dispatch ref (bare, refs/heads/..., refs/tags/...) to
// the short name GitHub reports as head_branch; ok is false for unknown refs
// and commit SHAs, which GitHub refuses.
func (r *repo) resolveRef(ref string) (string, bool) {
	switch {
	case ref == "" || isSHA(ref):
		return "", false
	case strings.HasPrefix(ref, "refs/heads/"):
		b := strings.TrimPrefix(ref, "refs/heads/")
		return b, slices.Contains(r.branches, b)
	case strings.HasPrefix(ref, "refs/tags/"):
		t := strings.TrimPrefix(ref, "refs/tags/")
		return t, slices.Contains(r.tags, t)
	case slices.Contains(r.branches, ref) || slices.Contains(r.tags, ref):
		return ref, true
	}
	return "", false
}

func isSHA(s string) bool {
	if len(s) < 7 || len(s) > 40 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	// Short hex words like "cafe123" could be branch names; GitHub only
	// treats full object ids as SHAs here, as do we.
	return len(s) == 40
}
