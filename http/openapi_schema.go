package httpd

import (
	"fmt"
	"reflect"
	"strings"
	"time"
	"unicode"

	"github.com/dispatchoor/dispatchoor/actors/state"
)

// schemaSet derives JSON Schemas (2020-12, the dialect of OpenAPI 3.1) from
// the Go types that are decoded and marshalled on the wire, so the document
// describes exactly what encoding/json reads and writes:
//
//   - named structs become components, referenced with $ref; objects allow
//     no properties beyond their fields (the request decoders refuse
//     unknown keys, and responses carry nothing undocumented);
//   - a field without omitempty or omitzero is required;
//   - a pointer may be null: in a response only when it has no omitempty
//     (encoding/json leaves nil pointers out otherwise), in a request
//     always (null means "leave it alone");
//   - time.Time is an RFC 3339 date-time string.
//
// A type is described the same way wherever it is used; one used both in
// requests and in responses whose schemas would differ is an error, since a
// component has one schema.
type schemaSet struct {
	defs map[string]any
	// request records, by component name, whether it was generated for
	// a request.
	request map[string]bool
	err     error
}

func newSchemaSet() *schemaSet {
	return &schemaSet{defs: map[string]any{}, request: map[string]bool{}}
}

var timeType = reflect.TypeFor[time.Time]()

// schemaNames renames view types to the names the reference API used.
var schemaNames = map[string]string{
	"jobView":        "Job",
	"groupStatsView": "GroupWithStats",
	"templateView":   "JobTemplate",
	"statusView":     "SystemStatus",
	"statsView":      "HistoryStats",
	"historyView":    "HistoryResponse",
	"addJobDoc":      "AddJobRequest",
	"updateJobDoc":   "UpdateJobRequest",
	"reorderDoc":     "ReorderRequest",
	"autoRequeueDoc": "AutoRequeueRequest",
	"loginDoc":       "LoginRequest",
	"exchangeDoc":    "ExchangeRequest",
	"errorBody":      "Error",
	"githubView":     "GitHubStatus",
	"databaseView":   "DatabaseStatus",
	"wsEnvelope":     "LiveMessage",
	"webhookAnswer":  "WebhookAnswer",
}

// mayBeNull lists response properties ("Schema.property") that are null
// although their Go type is not a pointer: maps and slices a view leaves
// nil. A job enqueued without inputs has "inputs": null, as in the
// reference.
var mayBeNull = map[string]bool{
	"Job.inputs": true,
}

// enums lists the values of string types with a closed set.
var enums = map[reflect.Type][]any{
	reflect.TypeFor[state.JobStatus](): {
		string(state.StatusPending), string(state.StatusDispatching), string(state.StatusTriggered), string(state.StatusRunning),
		string(state.StatusCompleted), string(state.StatusFailed), string(state.StatusCancelled),
	},
}

func schemaName(t reflect.Type) string {
	if n, ok := schemaNames[t.Name()]; ok {
		return n
	}
	n := strings.TrimSuffix(t.Name(), "View")
	r := []rune(n)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}

// of returns the schema of v's type, or nil for a nil v. request says
// whether v is a request body.
func (s *schemaSet) of(v any, request bool) map[string]any {
	if v == nil {
		return nil
	}
	return s.schema(reflect.TypeOf(v), request)
}

func (s *schemaSet) schema(t reflect.Type, request bool) map[string]any {
	if vals, ok := enums[t]; ok {
		return map[string]any{"type": "string", "enum": vals}
	}
	switch {
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case t.Kind() == reflect.Pointer:
		return s.schema(t.Elem(), request)
	case t.Kind() == reflect.Slice:
		return map[string]any{"type": "array", "items": s.schema(t.Elem(), request)}
	case t.Kind() == reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": s.schema(t.Elem(), request)}
	case t.Kind() == reflect.Interface:
		return map[string]any{} // any JSON value
	case t.Kind() == reflect.Struct && t.Name() != "":
		return s.component(t, request)
	case t.Kind() == reflect.Struct:
		return s.objectSchema(t, request)
	}
	return scalarSchema(t.Kind())
}

func (s *schemaSet) component(t reflect.Type, request bool) map[string]any {
	name := schemaName(t)
	ref := map[string]any{"$ref": "#/components/schemas/" + name}
	if was, done := s.request[name]; done {
		if was != request && s.err == nil {
			s.err = fmt.Errorf("openapi: schema %s (%s) is used in both requests and responses", name, t)
		}
		return ref
	}
	if s.request == nil {
		s.request = map[string]bool{}
	}
	s.request[name] = request
	s.defs[name] = map[string]any{} // placeholder: breaks cycles
	obj := s.objectSchema(t, request)
	props := obj["properties"].(map[string]any)
	for prop, schema := range props {
		if mayBeNull[name+"."+prop] {
			props[prop] = nullable(schema.(map[string]any))
		}
	}
	s.defs[name] = obj
	return ref
}

func scalarSchema(k reflect.Kind) map[string]any {
	switch k {
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32:
		return map[string]any{"type": "integer"}
	case reflect.Int64, reflect.Uint64:
		return map[string]any{"type": "integer", "format": "int64"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.String:
		return map[string]any{"type": "string"}
	}
	return map[string]any{}
}

// nullable widens a schema to accept null too.
func nullable(s map[string]any) map[string]any {
	if t, ok := s["type"].(string); ok {
		out := make(map[string]any, len(s))
		for k, v := range s {
			out[k] = v
		}
		out["type"] = []string{t, "null"}
		if vals, ok := s["enum"].([]any); ok {
			out["enum"] = append(append([]any{}, vals...), nil)
		}
		return out
	}
	return map[string]any{"anyOf": []any{s, map[string]any{"type": "null"}}}
}

// object describes a struct as a response. Its properties are the same as
// a request's; tests compare them with what the decoders accept.
func (s *schemaSet) object(t reflect.Type) map[string]any { return s.objectSchema(t, false) }

// objectSchema describes a struct, flattening embedded structs as
// encoding/json does.
func (s *schemaSet) objectSchema(t reflect.Type, request bool) map[string]any {
	props := map[string]any{}
	var required []string
	s.fields(t, request, props, &required)
	obj := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	if len(required) > 0 {
		obj["required"] = required
	}
	return obj
}

func (s *schemaSet) fields(t reflect.Type, request bool, props map[string]any, required *[]string) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			s.fields(f.Type, request, props, required)
			continue
		}
		if name == "" {
			name = f.Name
		}
		omitted := strings.Contains(opts, "omitempty") || strings.Contains(opts, "omitzero")
		schema := s.schema(f.Type, request)
		if f.Type.Kind() == reflect.Pointer && (request || !omitted) {
			schema = nullable(schema)
		}
		props[name] = schema
		if !omitted {
			*required = append(*required, name)
		}
	}
}
