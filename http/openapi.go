package httpd

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/valyala/fasthttp"
)

// The OpenAPI 3.1 document is generated from the route table, so it cannot
// drift from what the server serves: every route is in it and nothing else
// is. Request and response bodies are JSON Schemas (2020-12, as 3.1 uses)
// derived from the Go types that are decoded and marshalled on the wire
// (openapi_schema.go); routes registered by other files and the parts a
// type cannot say (query parameters, non-JSON answers) come from
// openapi_routes.go. Tests validate real requests and responses against
// the document, which keeps the schemas honest.

// OpenAPIVersion is the version of the OpenAPI specification the document
// follows.
const OpenAPIVersion = "3.1.0"

type openAPIDoc struct {
	OpenAPI    string                           `json:"openapi"`
	Info       openAPIInfo                      `json:"info"`
	Servers    []openAPIServer                  `json:"servers"`
	Tags       []openAPITag                     `json:"tags"`
	Paths      map[string]map[string]*openAPIOp `json:"paths"`
	Components openAPIComponents                `json:"components"`
}

type openAPIInfo struct {
	Title       string `json:"title"`
	Version     string `json:"version"`
	Description string `json:"description"`
}

type openAPIServer struct {
	URL         string `json:"url"`
	Description string `json:"description,omitempty"`
}

type openAPITag struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
}

type openAPIComponents struct {
	Schemas         map[string]any `json:"schemas"`
	SecuritySchemes map[string]any `json:"securitySchemes"`
}

type openAPIOp struct {
	OperationID string                `json:"operationId"`
	Summary     string                `json:"summary,omitempty"`
	Description string                `json:"description,omitempty"`
	Tags        []string              `json:"tags"`
	Parameters  []openAPIParam        `json:"parameters,omitempty"`
	RequestBody map[string]any        `json:"requestBody,omitempty"`
	Security    []map[string][]string `json:"security"`
	Responses   map[string]any        `json:"responses"`
	RateTier    string                `json:"x-rate-tier"`
	Access      string                `json:"x-access"`
	// WebSocket describes the messages of an upgraded connection.
	WebSocket map[string]any `json:"x-websocket,omitempty"`
}

type openAPIParam struct {
	Name        string         `json:"name"`
	In          string         `json:"in"`
	Description string         `json:"description,omitempty"`
	Required    bool           `json:"required"`
	Schema      map[string]any `json:"schema"`
}

const apiDescription = `dispatchoor keeps a prioritised job queue per runner group and sends ` +
	"`workflow_dispatch`" + ` only when a self-hosted runner with the group's labels is idle, then follows each run to its end.

Authenticate with ` + "`POST /api/v1/auth/login`" + ` and send the token as ` + "`Authorization: Bearer <token>`" +
	` (or the ` + "`session`" + ` cookie the login sets). Every error is JSON ` + "`{\"error\": \"...\"}`" + `, 401 and 403 included.
Read routes need any role; routes that change something need the admin role (` + "`x-access`" + `). Each route belongs to a
rate-limit tier (` + "`x-rate-tier`" + `); a client over its tier's limit gets 429 with Retry-After.`

var openAPITags = []openAPITag{
	{Name: "system", Description: "Health, metrics and this document"},
	{Name: "auth", Description: "Sessions: password and GitHub sign-in"},
	{Name: "groups", Description: "Runner groups, their queues, history and runners"},
	{Name: "templates", Description: "Workflow dispatch templates"},
	{Name: "jobs", Description: "Queued and finished jobs"},
	{Name: "runners", Description: "Self-hosted runners as last seen on GitHub"},
	{Name: "status", Description: "Journal, GitHub clients and queue counts"},
	{Name: "audit", Description: "Who did what, when and why"},
	{Name: "ws", Description: "Live updates"},
	{Name: "webhooks", Description: "Deliveries from GitHub"},
}

func (s *Server) openAPIDocument() (openAPIDoc, error) {
	schemas := newSchemaSet()
	doc := openAPIDoc{
		OpenAPI: OpenAPIVersion,
		Info:    openAPIInfo{Title: "dispatchoor API", Version: s.opts.Version, Description: apiDescription},
		Servers: []openAPIServer{{URL: "/", Description: "This server"}},
		Tags:    openAPITags,
		Paths:   map[string]map[string]*openAPIOp{},
		Components: openAPIComponents{
			SecuritySchemes: map[string]any{
				"BearerAuth": map[string]string{"type": "http", "scheme": "bearer",
					"description": "The token from POST /api/v1/auth/login or /auth/exchange"},
				"CookieAuth": map[string]string{"type": "apiKey", "in": "cookie", "name": sessionCookie,
					"description": "The session cookie the login sets (browsers)"},
				"QueryToken": map[string]string{"type": "apiKey", "in": "query", "name": "token",
					"description": "The session token in the URL, on the WebSocket route only (browsers cannot set headers on an upgrade)"},
			},
		},
	}
	ids := map[string]string{}
	for _, r := range s.Routes() {
		op, err := s.operation(r, schemas)
		if err != nil {
			return doc, err
		}
		if other, dup := ids[op.OperationID]; dup {
			return doc, fmt.Errorf("openapi: operation id %s of %s %s also names %s", op.OperationID, r.Method, r.Path, other)
		}
		ids[op.OperationID] = r.Method + " " + r.Path
		if doc.Paths[r.Path] == nil {
			doc.Paths[r.Path] = map[string]*openAPIOp{}
		}
		doc.Paths[r.Path][strings.ToLower(r.Method)] = op
	}
	doc.Components.Schemas = schemas.defs
	return doc, schemas.err
}

// operation documents one route.
func (s *Server) operation(r Route, schemas *schemaSet) (*openAPIOp, error) {
	extra := routeDocs[r.Method+" "+r.Path]
	op := &openAPIOp{
		OperationID: operationID(r.Method, r.Path),
		Summary:     r.Summary,
		Description: extra.description,
		Tags:        []string{routeTag(r.Path)},
		Security:    []map[string][]string{},
		Responses:   map[string]any{},
		RateTier:    r.Tier.String(),
		Access:      r.Access.String(),
		WebSocket:   extra.websocket,
	}
	if r.Access != AccessPublic {
		op.Security = []map[string][]string{{"BearerAuth": {}}, {"CookieAuth": {}}}
		if r.QueryToken {
			op.Security = append(op.Security, map[string][]string{"QueryToken": {}})
		}
	}
	for _, seg := range strings.Split(r.Path, "/") {
		if isParam(seg) {
			op.Parameters = append(op.Parameters, openAPIParam{
				Name: seg[1 : len(seg)-1], In: "path", Required: true, Schema: map[string]any{"type": "string"},
			})
		}
	}
	op.Parameters = append(op.Parameters, extra.query...)
	op.Parameters = append(op.Parameters, extra.headers...)
	if body := schemas.of(r.Request, true); body != nil {
		op.RequestBody = map[string]any{"required": true, "content": jsonContent(body)}
	}
	if extra.requestBody != nil {
		op.RequestBody = extra.requestBody
	}
	errorContent := jsonContent(schemas.of(errorBody{}, false))
	if extra.errorPage {
		errorContent["text/html"] = map[string]any{"schema": map[string]any{"type": "string"}}
	}
	op.Responses["default"] = map[string]any{"description": `Error: {"error": "..."}`, "content": errorContent}
	switch {
	case extra.responses != nil:
		for code, resp := range extra.responses(schemas) {
			op.Responses[code] = resp
		}
	default:
		response, status := r.Response, r.Status
		if response == nil && extra.response != nil {
			response = extra.response
		}
		if response == nil && status == 0 && r.Method == fasthttp.MethodGet {
			return nil, fmt.Errorf("openapi: %s %s documents no answer", r.Method, r.Path)
		}
		code, resp := successResponse(status, schemas.of(response, false))
		op.Responses[code] = resp
	}
	return op, nil
}

// errorBody is every error answer.
type errorBody struct {
	Error string `json:"error"`
}

func jsonContent(schema map[string]any) map[string]any {
	return map[string]any{"application/json": map[string]any{"schema": schema}}
}

// successResponse is the documented success answer: status (200 when zero
// and there is a body, 204 without one) and body schema (nil for none).
func successResponse(status int, body map[string]any) (string, map[string]any) {
	if status == 0 {
		status = fasthttp.StatusOK
		if body == nil {
			status = fasthttp.StatusNoContent
		}
	}
	resp := map[string]any{"description": fasthttp.StatusMessage(status)}
	if body != nil {
		resp["content"] = jsonContent(body)
	}
	if status >= 300 && status < 400 {
		resp["headers"] = map[string]any{"Location": map[string]any{
			"description": "Where to go next", "required": true, "schema": map[string]any{"type": "string"}}}
	}
	return strconv.Itoa(status), resp
}

// routeTag groups operations by their first segment after /api/v1.
func routeTag(p string) string {
	rest, ok := strings.CutPrefix(p, "/api/v1/")
	if !ok {
		return "system"
	}
	tag, _, _ := strings.Cut(rest, "/")
	if tag == "openapi.json" {
		return "system"
	}
	return tag
}

// operationID names an operation after its method and path, e.g.
// "getGroupsByIdQueue" for GET /api/v1/groups/{id}/queue.
func operationID(method, path string) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(method))
	rest := strings.TrimPrefix(path, "/api/v1")
	for _, seg := range strings.Split(rest, "/") {
		if isParam(seg) {
			b.WriteString("By")
			seg = seg[1 : len(seg)-1]
		}
		for _, word := range strings.FieldsFunc(seg, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
			r := []rune(word)
			r[0] = unicode.ToUpper(r[0])
			b.WriteString(string(r))
		}
	}
	return b.String()
}

// openAPIHandler handles GET /api/v1/openapi.json. Like the reference it is
// readable from any origin: it holds nothing secret. An origin the CORS
// policy already answered (with credentials) keeps that answer, since "*"
// together with Allow-Credentials is refused by browsers.
func (s *Server) openAPIHandler(ctx *fasthttp.RequestCtx) {
	doc, err := s.openAPIDocument()
	if err != nil {
		s.writeError(ctx, err)
		return
	}
	b, err := json.Marshal(doc)
	if err != nil {
		s.writeError(ctx, err)
		return
	}
	if len(ctx.Response.Header.Peek(fasthttp.HeaderAccessControlAllowOrigin)) == 0 {
		ctx.Response.Header.Set(fasthttp.HeaderAccessControlAllowOrigin, "*")
	}
	ctx.SetContentType("application/json")
	ctx.SetBody(b)
}

// OpenAPIDocument returns the API document as served on
// /api/v1/openapi.json, for tools and tests outside the server.
func (s *Server) OpenAPIDocument() ([]byte, error) {
	doc, err := s.openAPIDocument()
	if err != nil {
		return nil, err
	}
	return json.Marshal(doc)
}
