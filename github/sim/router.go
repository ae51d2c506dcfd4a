package sim

import (
	"strings"
)

// route is one REST endpoint. name is "METHOD /pattern" and identifies the
// endpoint for per-endpoint secondary limits.
type route struct {
	method   string
	segments []string
	name     string
	perm     string // permission needed, "" for none beyond a valid token
	anon     bool   // answers without a token
	free     bool   // does not count against the primary limit
	handle   func(s *Sim, q *request) *response
}

// router matches a method and an API path (prefix removed) to a route.
type router struct {
	routes []*route
}

func (rt *router) add(method, pattern, perm string, h func(*Sim, *request) *response) *route {
	r := &route{method: method, segments: splitPath(pattern), name: method + " " + pattern, perm: perm, handle: h}
	rt.routes = append(rt.routes, r)
	return r
}

// match returns the route and its {params}; literal segments win over
// wildcards because routes are tried in registration order and literal
// routes are registered first where they overlap.
func (rt *router) match(method, path string) (*route, map[string]string) {
	segs := splitPath(path)
	for _, r := range rt.routes {
		if r.method != method || len(r.segments) != len(segs) {
			continue
		}
		params := map[string]string{}
		ok := true
		for i, p := range r.segments {
			if strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}") {
				if segs[i] == "" {
					ok = false
					break
				}
				params[p[1:len(p)-1]] = segs[i]
				continue
			}
			if p != segs[i] {
				ok = false
				break
			}
		}
		if ok {
			return r, params
		}
	}
	return nil, nil
}

func splitPath(p string) []string {
	p = strings.Trim(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// Permissions a token may be granted (TokenConfig.Permissions).
const (
	permActionsRead  = "actions:read"
	permActionsWrite = "actions:write"
	permRunnersRead  = "runners:read"
	permHooksRead    = "hooks:read"
	permHooksWrite   = "hooks:write"
)

// apiRoutes is the REST surface of spec §8.2 plus the user endpoints used by
// sign-in.
func apiRoutes() *router {
	rt := &router{}
	rl := rt.add("GET", "/rate_limit", "", (*Sim).handleRateLimit)
	rl.free = true
	meta := rt.add("GET", "/meta", "", (*Sim).handleMeta)
	meta.anon = true

	rt.add("GET", "/user", "", (*Sim).handleUser)
	rt.add("GET", "/user/orgs", "", (*Sim).handleUserOrgs)
	rt.add("GET", "/user/memberships/orgs", "", (*Sim).handleUserMemberships)

	rt.add("GET", "/repos/{owner}/{repo}/actions/runners", permRunnersRead, (*Sim).handleListRunners)
	rt.add("GET", "/repos/{owner}/{repo}/actions/runners/{id}", permRunnersRead, (*Sim).handleGetRunner)
	rt.add("GET", "/orgs/{org}/actions/runners", permRunnersRead, (*Sim).handleListRunners)
	rt.add("GET", "/orgs/{org}/actions/runners/{id}", permRunnersRead, (*Sim).handleGetRunner)
	rt.add("GET", "/enterprises/{enterprise}/actions/runners", permRunnersRead, (*Sim).handleListRunners)
	rt.add("GET", "/enterprises/{enterprise}/actions/runners/{id}", permRunnersRead, (*Sim).handleGetRunner)
	rt.add("GET", "/orgs/{org}/actions/runner-groups", permRunnersRead, (*Sim).handleListRunnerGroups)
	rt.add("GET", "/orgs/{org}/actions/runner-groups/{group}/runners", permRunnersRead, (*Sim).handleListGroupRunners)

	rt.add("GET", "/repos/{owner}/{repo}/actions/workflows", permActionsRead, (*Sim).handleListWorkflows)
	rt.add("GET", "/repos/{owner}/{repo}/actions/workflows/{workflow}", permActionsRead, (*Sim).handleGetWorkflow)
	rt.add("POST", "/repos/{owner}/{repo}/actions/workflows/{workflow}/dispatches", permActionsWrite, (*Sim).handleDispatch)
	rt.add("GET", "/repos/{owner}/{repo}/actions/workflows/{workflow}/runs", permActionsRead, (*Sim).handleListRuns)
	rt.add("GET", "/repos/{owner}/{repo}/actions/runs", permActionsRead, (*Sim).handleListRuns)
	rt.add("GET", "/repos/{owner}/{repo}/actions/runs/{run}", permActionsRead, (*Sim).handleGetRun)
	rt.add("GET", "/repos/{owner}/{repo}/actions/runs/{run}/attempts/{attempt}", permActionsRead, (*Sim).handleGetRunAttempt)
	rt.add("GET", "/repos/{owner}/{repo}/actions/runs/{run}/jobs", permActionsRead, (*Sim).handleListJobs)
	rt.add("GET", "/repos/{owner}/{repo}/actions/runs/{run}/attempts/{attempt}/jobs", permActionsRead, (*Sim).handleListAttemptJobs)
	rt.add("GET", "/repos/{owner}/{repo}/actions/jobs/{job}", permActionsRead, (*Sim).handleGetJob)
	rt.add("POST", "/repos/{owner}/{repo}/actions/runs/{run}/cancel", permActionsWrite, (*Sim).handleCancel)
	rt.add("POST", "/repos/{owner}/{repo}/actions/runs/{run}/force-cancel", permActionsWrite, (*Sim).handleForceCancel)
	rt.add("POST", "/repos/{owner}/{repo}/actions/runs/{run}/rerun", permActionsWrite, (*Sim).handleRerun)
	rt.add("POST", "/repos/{owner}/{repo}/actions/runs/{run}/rerun-failed-jobs", permActionsWrite, (*Sim).handleRerunFailed)

	rt.add("GET", "/orgs/{org}/hooks/{hook}/deliveries", permHooksRead, (*Sim).handleListDeliveries)
	rt.add("GET", "/orgs/{org}/hooks/{hook}/deliveries/{delivery}", permHooksRead, (*Sim).handleGetDelivery)
	rt.add("POST", "/orgs/{org}/hooks/{hook}/deliveries/{delivery}/attempts", permHooksWrite, (*Sim).handleRedeliver)
	rt.add("GET", "/repos/{owner}/{repo}/hooks/{hook}/deliveries", permHooksRead, (*Sim).handleListDeliveries)
	rt.add("GET", "/repos/{owner}/{repo}/hooks/{hook}/deliveries/{delivery}", permHooksRead, (*Sim).handleGetDelivery)
	rt.add("POST", "/repos/{owner}/{repo}/hooks/{hook}/deliveries/{delivery}/attempts", permHooksWrite, (*Sim).handleRedeliver)
	return rt
}
