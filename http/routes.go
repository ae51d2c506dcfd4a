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
	var (
		job      = jobView{}
		jobs     = []jobView{}
		group    = groupView{}
		noBody   any
		noResult any
	)
	return append([]Route{
		pub(get, "/health", "Liveness and enabled login methods", s.api(s.health)).doc(noBody, 0, healthView{}),
		pub(get, "/metrics", "Prometheus metrics (text format)", s.metricsHandler),
		pub(get, "/api/v1/openapi.json", "This API document", s.openAPIHandler),
		Route{Method: post, Path: "/api/v1/auth/login", Tier: TierAuth, Access: AccessPublic,
			Summary: "Log in with a basic user; returns a session token and sets the session cookie",
			Handler: s.api(s.login)}.doc(loginDoc{}, 0, loginResponse{}),

		user(post, "/api/v1/auth/logout", "Revoke the presented session", s.logout).doc(noBody, 0, noResult),
		user(get, "/api/v1/auth/me", "The logged-in user", s.me).doc(noBody, 0, userView{}),
		user(get, "/api/v1/groups", "Groups with queue and runner counts, by name", s.listGroups).doc(noBody, 0, []groupStatsView{}),
		user(get, "/api/v1/groups/{id}", "One group", s.getGroup).doc(noBody, 0, group),
		user(get, "/api/v1/groups/{id}/templates", "A group's templates, by name", s.groupTemplates).doc(noBody, 0, []templateView{}),
		user(get, "/api/v1/templates/{id}", "One template", s.getTemplate).doc(noBody, 0, templateView{}),
		user(get, "/api/v1/groups/{id}/queue", "Active jobs, then pending jobs in dispatch order", s.queue).doc(noBody, 0, jobs),
		user(get, "/api/v1/groups/{id}/history", "Finished jobs, newest first; query: limit (1-100), before (cursor), "+
			"status (comma list), label.KEY=VALUE", s.history).doc(noBody, 0, historyView{}),
		user(get, "/api/v1/groups/{id}/history/stats", "Finished jobs per time bucket; query: range = 1h, 6h, 24h, 7d, 30d or auto",
			s.historyStats).doc(noBody, 0, statsView{}),
		user(get, "/api/v1/jobs/{id}", "One job", s.getJob).doc(noBody, 0, job),
		user(get, "/api/v1/groups/{id}/runners", "Runners whose labels match the group", s.groupRunners).doc(noBody, 0, []runnerView{}),
		user(get, "/api/v1/runners", "All runners, by name", s.listRunners).doc(noBody, 0, []runnerView{}),
		user(get, "/api/v1/status", "Journal, GitHub clients, queue counts and version", s.systemStatus).doc(noBody, 0, statusView{}),

		admin(post, "/api/v1/groups/{id}/pause", "Stop dispatching from a group", s.pauseGroup(true)).doc(noBody, 0, group),
		admin(post, "/api/v1/groups/{id}/unpause", "Resume dispatching from a group", s.pauseGroup(false)).doc(noBody, 0, group),
		admin(post, "/api/v1/groups/{id}/queue", "Enqueue a job", s.enqueue).doc(addJobDoc{}, fasthttp.StatusCreated, job),
		admin(put, "/api/v1/groups/{id}/queue/reorder", "Reorder pending jobs", s.reorder).doc(reorderDoc{}, 0, noResult),
		admin(put, "/api/v1/jobs/{id}", "Change a pending job; absent or null fields are left alone", s.updateJob).doc(updateJobDoc{}, 0, job),
		admin(del, "/api/v1/jobs/{id}", "Delete a pending or failed job", s.removeJob).doc(noBody, 0, noResult),
		admin(post, "/api/v1/jobs/{id}/pause", "Hold a pending job", s.pauseJob(true)).doc(noBody, 0, job),
		admin(post, "/api/v1/jobs/{id}/unpause", "Release a held job", s.pauseJob(false)).doc(noBody, 0, job),
		admin(post, "/api/v1/jobs/{id}/cancel", "Cancel a job and its GitHub run", s.cancelJob()).doc(noBody, 0, job),
		admin(post, "/api/v1/jobs/{id}/disable-requeue", "Let the job finish without requeueing it", s.disableRequeue()).doc(noBody, 0, job),
		admin(put, "/api/v1/jobs/{id}/auto-requeue", "Set auto-requeue and its limit (null: unlimited)", s.setAutoRequeue).doc(autoRequeueDoc{}, 0, job),
		admin(post, "/api/v1/runners/refresh", "Poll runners now", s.refreshRunners).doc(noBody, 0, noResult),
		admin(post, "/api/v1/templates/reload", "Re-read the config's groups and templates", s.reloadTemplates).doc(noBody, 0, reloadResponse{}),
	}, s.oauthRoutes()...)
}

// doc sets the documentation of a route.
func (r Route) doc(request any, status int, response any) Route {
	r.Request, r.Status, r.Response = request, status, response
	return r
}

// Request body shapes for the document; decoding itself is in decode.go
// (a test keeps the two in step). Required fields have no omitempty.
type (
	addJobDoc struct {
		TemplateID   string            `json:"template_id,omitempty"`
		Inputs       map[string]string `json:"inputs,omitempty"`
		AutoRequeue  bool              `json:"auto_requeue,omitempty"`
		RequeueLimit *int              `json:"requeue_limit,omitempty"`
		Priority     int               `json:"priority,omitempty"`
		Name         string            `json:"name,omitempty"`
		Owner        string            `json:"owner,omitempty"`
		Repo         string            `json:"repo,omitempty"`
		WorkflowID   string            `json:"workflow_id,omitempty"`
		Ref          string            `json:"ref,omitempty"`
		Labels       map[string]string `json:"labels,omitempty"`
	}
	loginDoc struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
	reorderDoc struct {
		JobIDs []string `json:"job_ids"`
	}
	autoRequeueDoc struct {
		AutoRequeue  bool `json:"auto_requeue"`
		RequeueLimit *int `json:"requeue_limit,omitempty"`
	}
	updateJobDoc struct {
		Inputs     map[string]string `json:"inputs,omitempty"`
		Name       *string           `json:"name,omitempty"`
		Owner      *string           `json:"owner,omitempty"`
		Repo       *string           `json:"repo,omitempty"`
		WorkflowID *string           `json:"workflow_id,omitempty"`
		Ref        *string           `json:"ref,omitempty"`
		Labels     map[string]string `json:"labels,omitempty"`
		Priority   *int              `json:"priority,omitempty"`
	}
)
