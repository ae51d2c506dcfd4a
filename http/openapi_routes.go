package httpd

// routeDoc documents what a route's Request and Response values cannot:
// query parameters, answers that are not JSON, the messages of a
// WebSocket, and the bodies of routes other files register without them.
// Keys are "METHOD /path" as in the route table; an entry for a route that
// is not registered is ignored.
type routeDoc struct {
	description string
	query       []openAPIParam
	// response is the success body of a route registered without one.
	response any
	// responses replaces the success answers (the error answer stays).
	responses func(s *schemaSet) map[string]any
	// requestBody replaces the request body of a route that reads no
	// JSON of ours.
	requestBody map[string]any
	headers     []openAPIParam
	websocket   map[string]any
	// errorPage: errors may be a small HTML page for a browser instead.
	errorPage bool
}

func queryParam(name, desc string, schema map[string]any) openAPIParam {
	return openAPIParam{Name: name, In: "query", Description: desc, Schema: schema}
}

func str() map[string]any { return map[string]any{"type": "string"} }

func headerParam(name, desc string, required bool, schema map[string]any) openAPIParam {
	return openAPIParam{Name: name, In: "header", Description: desc, Required: required, Schema: schema}
}

var routeDocs = map[string]routeDoc{
	"POST " + WebhookPath: {
		description: "Configure a GitHub webhook (organisation, repository or app) with this URL, the secret " +
			"github.webhook_secret and the events workflow_run and workflow_job. A delivery without a valid " +
			"signature is refused with 401 before anything else is read; other events (ping, ...) are " +
			"acknowledged and ignored; a redelivery of an id already applied answers 200 duplicate.",
		headers: []openAPIParam{
			headerParam("X-Hub-Signature-256", "sha256=HMAC-SHA256 of the raw body with the webhook secret", true,
				map[string]any{"type": "string", "pattern": "^sha256=[0-9a-f]{64}$"}),
			headerParam("X-GitHub-Event", "The event: workflow_run and workflow_job are used", true, str()),
			headerParam("X-GitHub-Delivery", "The delivery id, for deduplication", false, str()),
		},
		requestBody: map[string]any{"required": true, "content": map[string]any{
			"application/json": map[string]any{"schema": map[string]any{"type": "object",
				"description": "GitHub's event payload"}},
			"application/x-www-form-urlencoded": map[string]any{"schema": map[string]any{"type": "object",
				"properties": map[string]any{"payload": map[string]any{"type": "string",
					"description": "GitHub's event payload as JSON"}}}},
		}},
		responses: func(s *schemaSet) map[string]any {
			answer := s.of(webhookAnswer{}, false)
			return map[string]any{
				"202": map[string]any{"description": "Accepted (or ignored: not an event this server uses)", "content": jsonContent(answer)},
				"200": map[string]any{"description": "A duplicate of a delivery already applied", "content": jsonContent(answer)},
			}
		},
	},
	"GET /metrics": {
		description: "Prometheus text exposition: the reference's metrics (jobs, queue, runners, HTTP, dispatcher, " +
			"GitHub API) and dispatch lag, queue wait, idle runner time, journal and snapshot latencies, GitHub " +
			"rate limits per client, WebSocket clients, plus Go runtime and process metrics.",
		responses: func(*schemaSet) map[string]any {
			return map[string]any{"200": map[string]any{"description": "OK",
				"content": map[string]any{"text/plain": map[string]any{"schema": str()}}}}
		},
	},
	"GET /api/v1/openapi.json": {
		responses: func(*schemaSet) map[string]any {
			return map[string]any{"200": map[string]any{"description": "This document (OpenAPI 3.1)",
				"content": jsonContent(map[string]any{"type": "object"})}}
		},
	},
	"GET /api/v1/groups/{id}/history": {
		query: []openAPIParam{
			queryParam("limit", "Page size, 1 to 100 (default 50; anything else means 50)",
				map[string]any{"type": "integer", "minimum": 1, "maximum": 100}),
			queryParam("before", "Cursor: the next_cursor of the previous page", str()),
			queryParam("status", "Comma list of completed, failed, cancelled (default all three)", str()),
		},
		description: "Filter by template or job labels with label.KEY=VALUE (repeatable, all must match).",
	},
	"GET /api/v1/groups/{id}/history/stats": {
		query: []openAPIParam{queryParam("range", "Time window (default auto: from the oldest finished job)",
			map[string]any{"type": "string", "enum": []any{"1h", "6h", "24h", "7d", "30d", "auto"}})},
	},
	"GET /api/v1/audit": {
		response: auditPageView{},
		query: []openAPIParam{
			queryParam("job", "Only this job and the generations requeued from it", str()),
			queryParam("group", "Only these groups (repeatable or comma-separated)", str()),
			queryParam("actor", "Only these actors: usernames or system:dispatcher, system:tracker, ...", str()),
			queryParam("type", "Only these event types (repeatable or comma-separated)", str()),
			queryParam("since", "From: RFC 3339, a date, or a duration ago such as 2h or 7d", str()),
			queryParam("until", "Until: same forms as since", str()),
			queryParam("limit", "Page size, 1 to 500 (default 100; more is capped at 500)",
				map[string]any{"type": "integer", "minimum": 1}),
			queryParam("cursor", "The next_cursor of the previous page", str()),
		},
	},
	"GET /api/v1/jobs/{id}/events": {response: []jobEventView{}},
	"GET /api/v1/auth/github": {
		query: []openAPIParam{queryParam("redirect", "Where to return after sign-in: a path on this server, "+
			"auth.github.redirect_url or an allowed origin", str())},
	},
	"GET /api/v1/auth/github/callback": {
		query: []openAPIParam{
			queryParam("code", "GitHub's authorisation code", str()),
			queryParam("state", "The state this server sent to GitHub", str()),
			queryParam("error", "Set by GitHub when the user declined", str()),
		},
		errorPage: true,
		description: "Browsers are redirected to the UI with a one-time code (POST /auth/exchange trades it for a " +
			"token); a failure shows a small HTML page. Clients sending Accept: application/json get the token directly.",
		responses: func(s *schemaSet) map[string]any {
			code, redirect := successResponse(307, nil)
			_, token := successResponse(200, s.of(loginResponse{}, false))
			return map[string]any{code: redirect, "200": token}
		},
	},
	"GET /api/v1/ws": {
		query: []openAPIParam{queryParam("token", "Session token, for clients that cannot set headers (browsers)", str())},
		description: "Upgrade to a WebSocket. Every message, both ways, is a LiveMessage. The server sends hello " +
			"{seq, user} first; a client then subscribes to groups ({\"type\":\"subscribe\",\"group_id\":\"G\"}, or \"*\" " +
			"for all) and receives their job_state, job_removed, queue_reordered, group_state, runner_status, " +
			"runners_changed and templates_reloaded messages. seq is the journal index behind a message: after a " +
			"reconnect, a hello.seq past the last seq seen means events were missed and the client refetches over REST.",
		responses: func(s *schemaSet) map[string]any {
			s.of(wsEnvelope{}, false)
			return map[string]any{"101": map[string]any{"description": "Switching Protocols: LiveMessage frames follow"}}
		},
		websocket: map[string]any{
			"message": map[string]any{"$ref": "#/components/schemas/LiveMessage"},
			"client":  []string{wsSubscribe, wsUnsubscribe, wsPing},
			"server": map[string]string{
				"hello": "HelloPayload {seq, user}", "subscribed": "", "unsubscribed": "",
				"job_state": "Job", "job_removed": "{id, group_id}", "queue_reordered": "{group_id, job_ids}",
				"group_state": "GroupWithStats", "runner_status": "Runner", "runners_changed": "[Runner]",
				"templates_reloaded": "{groups: [{group_id, templates}]}", "system_status": "{status, timestamp}",
				"error": "{error}",
			},
		},
	},
}
