package httpd

import (
	"encoding/json"
	"errors"
	"maps"
	"reflect"
	"testing"

	"github.com/dispatchoor/dispatchoor/actors/state"
)

var addJobSeeds = []string{
	`{"template_id":"t1"}`,
	`{"template_id":"t1","inputs":{"a":"b","c":""},"auto_requeue":true,"requeue_limit":3,"priority":-2}`,
	`{"owner":"o","repo":"r","workflow_id":"w.yml","ref":"main","name":"n","labels":{"k":"v"},"requeue_limit":null}`,
	`{}`, `null`, `[]`, `"x"`, `{"template_id":1}`, `{"inputs":{"a":1}}`, `{"status":"running"}`,
	`{"Template_ID":"t"}`, `{"template_id":"a","template_id":"b"}`, `{"a":`, `{} {}`, "{\"name\":\"\xff\"}",
	`{"requeue_limit":1e3}`, `{"requeue_limit":-1}`, `{"inputs":null,"labels":null}`, ` {"ref" : "x" } `,
}

// FuzzDecodeAddJob checks that decoding never panics, that every failure
// is a 400 the client can read, and that what it accepts survives a round
// trip through the wire format unchanged.
func FuzzDecodeAddJob(f *testing.F) {
	for _, s := range addJobSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := decodeAddJob(body)
		if err != nil {
			checkClientError(t, err)
			return
		}
		if !json.Valid(body) {
			t.Fatalf("accepted invalid JSON %q", body)
		}
		wire, err := json.Marshal(req)
		if err != nil {
			t.Fatalf("re-encode %+v: %v", req, err)
		}
		again, err := decodeAddJob(wire)
		if err != nil {
			t.Fatalf("re-decode of %s: %v", wire, err)
		}
		if !sameAddJob(req, again) {
			t.Fatalf("round trip changed the request:\n %+v\n %+v", req, again)
		}
	})
}

func sameAddJob(a, b state.AddJob) bool {
	return a.TemplateID == b.TemplateID && maps.Equal(a.Inputs, b.Inputs) && a.AutoRequeue == b.AutoRequeue &&
		reflect.DeepEqual(a.RequeueLimit, b.RequeueLimit) && a.Priority == b.Priority && a.Name == b.Name &&
		a.Owner == b.Owner && a.Repo == b.Repo && a.WorkflowID == b.WorkflowID && a.Ref == b.Ref &&
		maps.Equal(a.Labels, b.Labels)
}

var updateJobSeeds = []string{
	`{"name":"x"}`, `{"inputs":{}}`, `{"inputs":null}`, `{"labels":{"a":"b"},"ref":""}`,
	`{"owner":"o","repo":"r","workflow_id":"w","priority":5}`, `{"status":"x"}`, `{"run_id":1}`,
	`{"auto_requeue":true}`, `{}`, `[]`, `{"name":null}`, `{"inputs":{"a":"b"},"inputs":{}}`,
}

// FuzzDecodeUpdateJob checks, besides the properties of FuzzDecodeAddJob,
// that HasInputs and HasLabels say exactly whether the key was given a
// value, since that decides between "leave alone" and "replace".
func FuzzDecodeUpdateJob(f *testing.F) {
	for _, s := range updateJobSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := decodeUpdateJob(body)
		if err != nil {
			checkClientError(t, err)
			return
		}
		var raw map[string]json.RawMessage
		if err := json.Unmarshal(body, &raw); err != nil {
			t.Fatalf("accepted %q, which is not a JSON object: %v", body, err)
		}
		present := func(k string) bool { v, ok := raw[k]; return ok && string(v) != "null" }
		if req.HasInputs != present("inputs") || req.HasLabels != present("labels") {
			t.Fatalf("%s: HasInputs=%v HasLabels=%v", body, req.HasInputs, req.HasLabels)
		}
		for k := range raw {
			if _, forbidden := serverFields[k]; forbidden {
				t.Fatalf("accepted server-owned field %q", k)
			}
			if _, forbidden := updateOnlyServerFields[k]; forbidden {
				t.Fatalf("accepted field %q that PUT may not change", k)
			}
		}
	})
}

func checkClientError(t *testing.T, err error) {
	t.Helper()
	var ae *apiError
	if !errors.As(err, &ae) || ae.status != 400 || ae.msg == "" {
		t.Fatalf("decode error %v is not a 400 with a message", err)
	}
}

func TestDecodeNoBody(t *testing.T) {
	f := func(body string, ok bool) {
		t.Helper()
		if err := decodeNoBody([]byte(body)); (err == nil) != ok {
			t.Fatalf("decodeNoBody(%q) = %v; want ok=%v", body, err, ok)
		}
	}
	f("", true)
	f("  \n", true)
	f("{}", true)
	f(" null ", true)
	f(`{"a":1}`, false)
	f("{", false)
	f("[]", false)
}
