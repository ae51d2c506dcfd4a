package httpd

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	"github.com/dispatchoor/dispatchoor/actors/state"
)

// decodeObjectReference is the straightforward decoder decodeObject
// replaced: json.Decoder tokens for the top level, json.Unmarshal for each
// value. The fast one must answer exactly as it does.
func decodeObjectReference(body []byte, fields map[string]field, forbidden ...map[string]string) (map[string]bool, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, badRequest("request body is required")
	}
	if err := checkSyntax(body); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	tok, err := dec.Token()
	if err != nil {
		return nil, malformed(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, badRequest("request body must be a JSON object")
	}
	seen := map[string]bool{}
	present := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, malformed(err)
		}
		key, _ := tok.(string)
		if present[key] {
			return nil, badRequest("field %q appears more than once", key)
		}
		present[key] = true
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, malformed(err)
		}
		f, ok := fields[key]
		if !ok {
			return nil, unknownField(key, forbidden)
		}
		if err := json.Unmarshal(raw, f.dst()); err != nil {
			return nil, badRequest("field %q must be %s", key, f.want)
		}
		if string(raw) != "null" {
			seen[key] = true
		}
	}
	return seen, nil
}

var decodeObjectSeeds = []string{
	`{"te\u006dplate_id":"t"}`, `{"template_id":"t","te\u006dplate_id":"u"}`, `{"inputs":{"a":null,"b":"x"}}`,
	`{"inputs":{"a":1}}`, `{"inputs":{"\u00e9":"\ud83d\ude80","a\"b":"c\\d"}}`, `{"inputs":{"a":"1","a":"2"}}`,
	"\t{ \"ref\" :\n\"x\" ,\r\"name\": \"y\" }\n", `{"name":"\u003cb\u003e"}`, "{\"name\":\"bad \xff utf8\"}",
	`{"inputs":{}}`, `{"inputs":{ }}`, `{"inputs":[]}`, `{"inputs":"x"}`, `{"labels":{"k":{"x":1}}}`,
	`{"requeue_limit":2.5}`, `{"requeue_limit":"3"}`, `{"priority":null}`, `{"auto_requeue":"true"}`,
	`{"job_ids":["a","b"]}`, `{"job_ids":[]}`, `{"job_ids":[1]}`, `{"username":"u","password":"p"}`,
	`{"x":{"nested":[1,{"y":"}"}]},"name":"n"}`, `{"name":"a}b,c"}`, ` { } `, `{"":""}`,
}

// FuzzDecodeObjectMatchesReference holds decodeObject to the reference on
// every field set the API uses: same error, same fields seen, same values.
func FuzzDecodeObjectMatchesReference(f *testing.F) {
	for _, seeds := range [][]string{addJobSeeds, updateJobSeeds, decodeObjectSeeds} {
		for _, s := range seeds {
			f.Add([]byte(s))
		}
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		type target struct {
			fields    func(dst any) map[string]field
			new       func() any
			forbidden []map[string]string
		}
		targets := []target{
			{func(d any) map[string]field { return addJobFields(d.(*state.AddJob)) }, func() any { return new(state.AddJob) }, []map[string]string{serverFields}},
			{func(d any) map[string]field { return updateJobFields(d.(*state.UpdateJob)) }, func() any { return new(state.UpdateJob) }, []map[string]string{updateOnlyServerFields, serverFields}},
			{func(d any) map[string]field { return reorderFields(d.(*[]string)) }, func() any { return new([]string) }, nil},
			{func(d any) map[string]field { return loginFields(d.(*loginRequest)) }, func() any { return new(loginRequest) }, nil},
		}
		for i, tg := range targets {
			got, want := tg.new(), tg.new()
			gotSeen, gotErr := decodeObject(body, tg.fields(got), tg.forbidden...)
			wantSeen, wantErr := decodeObjectReference(body, tg.fields(want), tg.forbidden...)
			if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
				t.Fatalf("target %d, body %q: error %v; reference %v", i, body, gotErr, wantErr)
			}
			if wantErr != nil {
				continue
			}
			if !reflect.DeepEqual(gotSeen, wantSeen) || !reflect.DeepEqual(got, want) {
				t.Fatalf("target %d, body %q:\n got %v %+v\nwant %v %+v", i, body, gotSeen, got, wantSeen, want)
			}
		}
	})
}
