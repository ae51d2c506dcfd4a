package httpd

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
)

// decodeObjectReference is the straightforward decoder decodeObject
// replaced: json.Decoder tokens for the top level, json.Unmarshal for each
// value. The fast one must answer exactly as it does.
func decodeObjectReference[T any](body []byte, into *T, fields fieldSet[T], forbidden ...map[string]string) (map[string]bool, error) {
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
		if err := json.Unmarshal(raw, f.dst(into)); err != nil {
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
		checkDecodeObject(t, body, addJobFields, serverFields)
		checkDecodeObject(t, body, updateJobFields, updateOnlyServerFields, serverFields)
		checkDecodeObject(t, body, reorderFields)
		checkDecodeObject(t, body, loginFields)
		checkDecodeObject(t, body, autoRequeueFields)
		checkDecodeObject(t, body, exchangeFields)
	})
}

func checkDecodeObject[T any](t *testing.T, body []byte, fields fieldSet[T], forbidden ...map[string]string) {
	t.Helper()
	got, want := new(T), new(T)
	gotSeen, gotErr := decodeObject(body, got, fields, forbidden...)
	wantSeen, wantErr := decodeObjectReference(body, want, fields, forbidden...)
	if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
		t.Fatalf("%T, body %q: error %v; reference %v", got, body, gotErr, wantErr)
	}
	if wantErr != nil {
		return
	}
	if !reflect.DeepEqual(gotSeen, wantSeen) || !reflect.DeepEqual(got, want) {
		t.Fatalf("%T, body %q:\n got %v %+v\nwant %v %+v", got, body, gotSeen, got, wantSeen, want)
	}
}
