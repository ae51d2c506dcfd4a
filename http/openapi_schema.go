package httpd

import (
	"reflect"
	"strings"
	"time"
	"unicode"
)

// schemaSet derives OpenAPI schemas from the Go types that are marshalled
// on the wire, so the document describes exactly what encoding/json emits.
// Named structs become components referenced by $ref; fields without
// omitempty or omitzero are required; pointers are nullable.
type schemaSet struct {
	defs map[string]any
}

var timeType = reflect.TypeFor[time.Time]()

// schemaNames renames view types to the names the reference API used.
var schemaNames = map[string]string{
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
	"errorBody":      "Error",
	"githubView":     "GitHubStatus",
	"databaseView":   "DatabaseStatus",
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

// of returns the schema of v's type, or nil for a nil v.
func (s *schemaSet) of(v any) map[string]any {
	if v == nil {
		return nil
	}
	return s.schema(reflect.TypeOf(v))
}

func (s *schemaSet) schema(t reflect.Type) map[string]any {
	switch {
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case t.Kind() == reflect.Pointer:
		inner := s.schema(t.Elem())
		if _, isRef := inner["$ref"]; isRef {
			return map[string]any{"allOf": []any{inner}, "nullable": true}
		}
		inner["nullable"] = true
		return inner
	case t.Kind() == reflect.Slice:
		return map[string]any{"type": "array", "items": s.schema(t.Elem())}
	case t.Kind() == reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": s.schema(t.Elem())}
	case t.Kind() == reflect.Struct && t.Name() != "":
		name := schemaName(t)
		if _, done := s.defs[name]; !done {
			s.defs[name] = nil // placeholder: breaks cycles
			s.defs[name] = s.object(t)
		}
		return map[string]any{"$ref": "#/components/schemas/" + name}
	case t.Kind() == reflect.Struct:
		return s.object(t)
	}
	return scalarSchema(t.Kind())
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

// object describes a struct, flattening embedded structs as encoding/json
// does.
func (s *schemaSet) object(t reflect.Type) map[string]any {
	props := map[string]any{}
	var required []string
	s.fields(t, props, &required)
	obj := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		obj["required"] = required
	}
	return obj
}

func (s *schemaSet) fields(t reflect.Type, props map[string]any, required *[]string) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			s.fields(f.Type, props, required)
			continue
		}
		if name == "" {
			name = f.Name
		}
		props[name] = s.schema(f.Type)
		if !strings.Contains(opts, "omitempty") && !strings.Contains(opts, "omitzero") {
			*required = append(*required, name)
		}
	}
}
