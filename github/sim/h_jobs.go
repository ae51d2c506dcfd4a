package sim

import (
	"net/http"
	"strconv"
)

type jobsPage struct {
	TotalCount int       `json:"total_count"`
	Jobs       []jobJSON `json:"jobs"`
}

func (s *Sim) jobPage(q *request, jobs []*job) *response {
	p := newPager(q, len(jobs))
	body := jobsPage{TotalCount: len(jobs), Jobs: []jobJSON{}}
	for _, j := range jobs[p.lo:p.hi] {
		body.Jobs = append(body.Jobs, jobWire(s.apiBase(q.base), q.base, j))
	}
	return p.setLink(s, q, jsonResponse(http.StatusOK, body))
}

// handleListJobs lists the latest attempt's jobs, or every attempt's with
// filter=all.
func (s *Sim) handleListJobs(q *request) *response {
	r := s.runForRequest(q)
	if r == nil {
		return notFound()
	}
	jobs := r.jobs
	switch q.query.Get("filter") {
	case "", "latest":
	case "all":
		jobs = nil
		for _, a := range r.attempts {
			jobs = append(jobs, a.jobs...)
		}
		jobs = append(jobs, r.jobs...)
	default:
		return errorResponse(http.StatusUnprocessableEntity, "Validation Failed: filter must be latest or all", docRuns)
	}
	return s.jobPage(q, jobs)
}

func (s *Sim) handleListAttemptJobs(q *request) *response {
	r := s.runForRequest(q)
	n, err := strconv.Atoi(q.params["attempt"])
	if r == nil || err != nil {
		return notFound()
	}
	view := r.attemptView(n)
	if view == nil {
		return notFound()
	}
	return s.jobPage(q, view.jobs)
}

func (s *Sim) handleGetJob(q *request) *response {
	id, ok := parseID(q.params["job"])
	if !ok {
		return notFound()
	}
	j := s.w.jobs[id]
	if j == nil || j.run.repo != q.repo || q.now.Before(j.run.getVisibleAt) {
		return notFound()
	}
	return jsonResponse(http.StatusOK, jobWire(s.apiBase(q.base), q.base, j))
}
