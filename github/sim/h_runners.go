package sim

import (
	"net/http"
	"strings"
)

// runnersInScope lists the runners registered at the request's level:
// repository, organisation or enterprise. Repository listings do not
// include organisation runners (spec §9.7).
func (s *Sim) runnersInScope(q *request) []*runner {
	var out []*runner
	for _, id := range s.w.runnerIDs {
		r := s.w.runners[id]
		switch {
		case q.repo != nil:
			if r.scope == scopeRepo && r.repo == q.repo {
				out = append(out, r)
			}
		case q.org != nil:
			if r.scope == scopeOrg && strings.EqualFold(r.owner, q.org.login) {
				out = append(out, r)
			}
		default:
			if r.scope == scopeEnterprise && strings.EqualFold(r.owner, q.params["enterprise"]) {
				out = append(out, r)
			}
		}
	}
	return out
}

type runnersPage struct {
	TotalCount int          `json:"total_count"`
	Runners    []runnerJSON `json:"runners"`
}

func (s *Sim) handleListRunners(q *request) *response {
	all := s.runnersInScope(q)
	if name := q.query.Get("name"); name != "" {
		var named []*runner
		for _, r := range all {
			if r.name == name {
				named = append(named, r)
			}
		}
		all = named
	}
	return s.runnerPage(q, all)
}

func (s *Sim) runnerPage(q *request, all []*runner) *response {
	p := newPager(q, len(all))
	body := runnersPage{TotalCount: len(all), Runners: []runnerJSON{}}
	for _, r := range all[p.lo:p.hi] {
		body.Runners = append(body.Runners, runnerWire(r))
	}
	return p.setLink(s, q, jsonResponse(http.StatusOK, body))
}

func (s *Sim) handleGetRunner(q *request) *response {
	id, ok := parseID(q.params["id"])
	if !ok {
		return notFound()
	}
	for _, r := range s.runnersInScope(q) {
		if r.id == id {
			return jsonResponse(http.StatusOK, runnerWire(r))
		}
	}
	return notFound()
}

type runnerGroupsPage struct {
	TotalCount   int               `json:"total_count"`
	RunnerGroups []runnerGroupJSON `json:"runner_groups"`
}

func (s *Sim) handleListRunnerGroups(q *request) *response {
	var groups []*runnerGroup
	visibleTo := q.query.Get("visible_to_repository")
	for _, g := range s.w.groupList {
		if g.org != q.org {
			continue
		}
		if visibleTo != "" {
			repo := s.w.repoByName(q.org.login, visibleTo)
			if repo == nil || !g.allowsRepo(repo) {
				continue
			}
		}
		groups = append(groups, g)
	}
	p := newPager(q, len(groups))
	body := runnerGroupsPage{TotalCount: len(groups), RunnerGroups: []runnerGroupJSON{}}
	for _, g := range groups[p.lo:p.hi] {
		body.RunnerGroups = append(body.RunnerGroups, groupWire(s.apiBase(q.base), g))
	}
	return p.setLink(s, q, jsonResponse(http.StatusOK, body))
}

func (s *Sim) handleListGroupRunners(q *request) *response {
	id, ok := parseID(q.params["group"])
	if !ok {
		return notFound()
	}
	g := s.w.groupByID(q.org.login, id)
	if g == nil {
		return notFound()
	}
	var in []*runner
	for _, id := range s.w.runnerIDs {
		if r := s.w.runners[id]; r.scope == scopeOrg && r.group == g {
			in = append(in, r)
		}
	}
	return s.runnerPage(q, in)
}

// allowsRepo applies a group's repository access (spec §3.5).
func (g *runnerGroup) allowsRepo(r *repo) bool {
	if r.public && !g.allowsPublic {
		return false
	}
	switch g.visibility {
	case "selected":
		return g.selectedRepos[strings.ToLower(r.fullName())]
	case "private":
		return !r.public
	default:
		return true
	}
}

// allowsWorkflow applies restricted_to_workflows; entries may carry an
// "@ref" suffix, which must then match the run's ref.
func (g *runnerGroup) allowsWorkflow(wf *workflow, ref string) bool {
	if !g.restricted {
		return true
	}
	full := strings.ToLower(wf.repo.fullName() + "/" + wf.path)
	for _, sel := range g.selectedWorkflows {
		path, at, hasRef := strings.Cut(strings.ToLower(sel), "@")
		if path == full && (!hasRef || at == strings.ToLower(ref) || at == "refs/heads/"+strings.ToLower(ref)) {
			return true
		}
	}
	return false
}
