package httpd

import (
	"encoding/json"
	"reflect"
	"strconv"
	"strings"

	"github.com/valyala/fasthttp"
)

// The OpenAPI document is generated from the route table, so it cannot
// drift from what the server serves. It describes paths, methods, path
// parameters, security and the rate tier and access of each route
// (x-rate-tier, x-access); bodies are described in prose in the summaries.

type openAPIDoc struct {
	OpenAPI    string                          `json:"openapi"`
	Info       map[string]string               `json:"info"`
	Paths      map[string]map[string]openAPIOp `json:"paths"`
	Components map[string]any                  `json:"components"`
}

type openAPIOp struct {
	Summary     string             `json:"summary,omitempty"`
	Tags        []string           `json:"tags,omitempty"`
	Parameters  []openAPIParam     `json:"parameters,omitempty"`
	RequestBody map[string]any     `json:"requestBody,omitempty"`
	Security    []map[string][]any `json:"security"`
	Responses   map[string]any     `json:"responses"`
	RateTier    string             `json:"x-rate-tier"`
	Access      string             `json:"x-access"`
}

type openAPIParam struct {
	Name     string            `json:"name"`
	In       string            `json:"in"`
	Required bool              `json:"required"`
	Schema   map[string]string `json:"schema"`
}

func (s *Server) openAPIDocument() openAPIDoc {
	schemas := &schemaSet{defs: map[string]any{}}
	errorSchema := schemas.schema(reflect.TypeFor[errorBody]())
	doc := openAPIDoc{
		OpenAPI: "3.0.3",
		Info:    map[string]string{"title": "dispatchoor API", "version": s.opts.Version},
		Paths:   map[string]map[string]openAPIOp{},
		Components: map[string]any{
			"securitySchemes": map[string]any{
				"BearerAuth": map[string]string{"type": "http", "scheme": "bearer"},
				"CookieAuth": map[string]string{"type": "apiKey", "in": "cookie", "name": sessionCookie},
			},
			"schemas": schemas.defs,
		},
	}
	errorResponse := map[string]any{"description": `Error: {"error": "..."}`, "content": jsonContent(errorSchema)}
	for _, r := range s.Routes() {
		op := openAPIOp{
			Summary:   r.Summary,
			Tags:      []string{routeTag(r.Path)},
			Security:  []map[string][]any{},
			Responses: map[string]any{"default": errorResponse},
			RateTier:  r.Tier.String(),
			Access:    r.Access.String(),
		}
		if body := schemas.of(r.Request); body != nil {
			op.RequestBody = map[string]any{"required": true, "content": jsonContent(body)}
		}
		status, success := successResponse(r, schemas)
		op.Responses[status] = success
		if r.Access != AccessPublic {
			op.Security = []map[string][]any{{"BearerAuth": {}}, {"CookieAuth": {}}}
		}
		for _, seg := range strings.Split(r.Path, "/") {
			if isParam(seg) {
				op.Parameters = append(op.Parameters, openAPIParam{
					Name: seg[1 : len(seg)-1], In: "path", Required: true, Schema: map[string]string{"type": "string"},
				})
			}
		}
		if doc.Paths[r.Path] == nil {
			doc.Paths[r.Path] = map[string]openAPIOp{}
		}
		doc.Paths[r.Path][strings.ToLower(r.Method)] = op
	}
	return doc
}

// errorBody is every error answer.
type errorBody struct {
	Error string `json:"error"`
}

func jsonContent(schema map[string]any) map[string]any {
	return map[string]any{"application/json": map[string]any{"schema": schema}}
}

func successResponse(r Route, schemas *schemaSet) (string, map[string]any) {
	body := schemas.of(r.Response)
	status := r.Status
	switch {
	case status == 0 && body == nil && r.Request == nil && r.Method == fasthttp.MethodGet:
		// Undocumented GET (metrics, this document): some 200 body.
		return "200", map[string]any{"description": "Success"}
	case status == 0 && body == nil:
		status = fasthttp.StatusNoContent
	case status == 0:
		status = fasthttp.StatusOK
	}
	resp := map[string]any{"description": fasthttp.StatusMessage(status)}
	if body != nil {
		resp["content"] = jsonContent(body)
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
	return tag
}

// openAPIHandler handles GET /api/v1/openapi.json. Like the reference it is
// readable from any origin: it holds nothing secret. An origin the CORS
// policy already answered (with credentials) keeps that answer, since "*"
// together with Allow-Credentials is refused by browsers.
func (s *Server) openAPIHandler(ctx *fasthttp.RequestCtx) {
	b, err := json.Marshal(s.openAPIDocument())
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
