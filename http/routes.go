package httpd

import "github.com/valyala/fasthttp"

const (
	get  = fasthttp.MethodGet
	post = fasthttp.MethodPost
	put  = fasthttp.MethodPut
	del  = fasthttp.MethodDelete
)

// builtinRoutes is the route table: every route this package serves, with
// its rate tier and who may call it. Routes other packages add (WebSocket,
// webhooks, OAuth) go through Handle or HandleRoute and land in the same
// table.
func (s *Server) builtinRoutes() []Route {
	pub := func(m, p, sum string, h fasthttp.RequestHandler) Route {
		return Route{Method: m, Path: p, Tier: TierPublic, Access: AccessPublic, Summary: sum, Handler: h}
	}
	user := func(m, p, sum string, e endpoint) Route {
		return Route{Method: m, Path: p, Tier: TierAuthenticated, Access: AccessUser, Summary: sum, Handler: s.api(e)}
	}
	admin := func(m, p, sum string, e endpoint) Route {
		return Route{Method: m, Path: p, Tier: TierAuthenticated, Access: AccessAdmin, Summary: sum, Handler: s.api(e)}
	}
	return []Route{
		pub(get, "/health", "Liveness and enabled login methods", s.api(s.health)),
		pub(get, "/metrics", "Prometheus metrics", s.metricsHandler),
		pub(get, "/api/v1/openapi.json", "This API document", s.openAPIHandler),
		{Method: post, Path: "/api/v1/auth/login", Tier: TierAuth, Access: AccessPublic,
			Summary: "Log in with a basic user; returns a session token and sets the session cookie", Handler: s.api(s.login)},

		user(post, "/api/v1/auth/logout", "Revoke the presented session", s.logout),
		user(get, "/api/v1/auth/me", "The logged-in user", s.me),
		user(get, "/api/v1/groups", "Groups with queue and runner counts, by name", s.listGroups),
		user(get, "/api/v1/groups/{id}", "One group", s.getGroup),
		user(get, "/api/v1/groups/{id}/templates", "A group's templates, by name", s.groupTemplates),
		user(get, "/api/v1/templates/{id}", "One template", s.getTemplate),
		user(get, "/api/v1/groups/{id}/queue", "Active jobs, then pending jobs in dispatch order", s.queue),
		user(get, "/api/v1/groups/{id}/history", "Finished jobs, newest first, paged", s.history),
		user(get, "/api/v1/groups/{id}/history/stats", "Finished jobs counted per time bucket", s.historyStats),
		user(get, "/api/v1/jobs/{id}", "One job", s.getJob),
		user(get, "/api/v1/groups/{id}/runners", "Runners whose labels match the group", s.groupRunners),
		user(get, "/api/v1/runners", "All runners, by name", s.listRunners),
		user(get, "/api/v1/status", "Journal, GitHub clients, queue counts and version", s.systemStatus),

		admin(post, "/api/v1/groups/{id}/pause", "Stop dispatching from a group", s.pauseGroup(true)),
		admin(post, "/api/v1/groups/{id}/unpause", "Resume dispatching from a group", s.pauseGroup(false)),
		admin(post, "/api/v1/groups/{id}/queue", "Enqueue a job", s.enqueue),
		admin(put, "/api/v1/groups/{id}/queue/reorder", "Reorder pending jobs", s.reorder),
		admin(put, "/api/v1/jobs/{id}", "Change a pending job", s.updateJob),
		admin(del, "/api/v1/jobs/{id}", "Delete a pending or failed job", s.removeJob),
		admin(post, "/api/v1/jobs/{id}/pause", "Hold a pending job", s.pauseJob(true)),
		admin(post, "/api/v1/jobs/{id}/unpause", "Release a held job", s.pauseJob(false)),
		admin(post, "/api/v1/jobs/{id}/cancel", "Cancel a job and its GitHub run", s.cancelJob()),
		admin(post, "/api/v1/jobs/{id}/disable-requeue", "Let the job finish without requeueing it", s.disableRequeue()),
		admin(put, "/api/v1/jobs/{id}/auto-requeue", "Set auto-requeue and its limit", s.setAutoRequeue),
		admin(post, "/api/v1/runners/refresh", "Poll runners now", s.refreshRunners),
		admin(post, "/api/v1/templates/reload", "Re-read the config's groups and templates", s.reloadTemplates),
	}
}
