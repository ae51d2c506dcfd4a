package httpd

import (
	"encoding/json"
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
	Summary    string             `json:"summary,omitempty"`
	Tags       []string           `json:"tags,omitempty"`
	Parameters []openAPIParam     `json:"parameters,omitempty"`
	Security   []map[string][]any `json:"security"`
	Responses  map[string]any     `json:"responses"`
	RateTier   string             `json:"x-rate-tier"`
	Access     string             `json:"x-access"`
}

type openAPIParam struct {
	Name     string            `json:"name"`
	In       string            `json:"in"`
	Required bool              `json:"required"`
	Schema   map[string]string `json:"schema"`
}

func (s *Server) openAPIDocument() openAPIDoc {
	doc := openAPIDoc{
		OpenAPI: "3.0.3",
		Info:    map[string]string{"title": "dispatchoor API", "version": s.opts.Version},
		Paths:   map[string]map[string]openAPIOp{},
		Components: map[string]any{
			"securitySchemes": map[string]any{
				"BearerAuth": map[string]string{"type": "http", "scheme": "bearer"},
				"CookieAuth": map[string]string{"type": "apiKey", "in": "cookie", "name": sessionCookie},
			},
			"schemas": map[string]any{
				"Error": map[string]any{"type": "object", "properties": map[string]any{"error": map[string]string{"type": "string"}}},
			},
		},
	}
	errorResponse := map[string]any{"description": "Error", "content": map[string]any{
		"application/json": map[string]any{"schema": map[string]string{"$ref": "#/components/schemas/Error"}},
	}}
	for _, r := range s.Routes() {
		op := openAPIOp{
			Summary:   r.Summary,
			Tags:      []string{routeTag(r.Path)},
			Security:  []map[string][]any{},
			Responses: map[string]any{"2XX": map[string]string{"description": "Success"}, "default": errorResponse},
			RateTier:  r.Tier.String(),
			Access:    r.Access.String(),
		}
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
