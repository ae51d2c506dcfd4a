package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// TestQueueAnswerFollowsChanges reads a queue through the real server (its
// answers come from per-job cached JSON) around every kind of change a
// pending job goes through, and holds each element of the answer byte for
// byte to the job's own, uncached, GET /jobs/{id}.
func TestQueueAnswerFollowsChanges(t *testing.T) {
	a, token := startOnCrashConfig(t, nil)
	addr := a.ln.Addr().String()
	must := func(method, path, body string, want int) []byte {
		t.Helper()
		st, got := do(t, method, addr, path, token, body)
		if st != want {
			t.Fatalf("%s %s: %d %s", method, path, st, got)
		}
		return got
	}
	enqueue := func(input string) string {
		return jsonField(must("POST", "/api/v1/groups/g1/queue", `{"template_id":"t1","inputs":{"c":"`+input+`"}}`, 201), "id")
	}
	// queue reads the queue and checks it against the single-job answers.
	queue := func() []map[string]any {
		t.Helper()
		var raw []json.RawMessage
		if err := json.Unmarshal(must("GET", "/api/v1/groups/g1/queue", "", 200), &raw); err != nil {
			t.Fatal(err)
		}
		jobs := make([]map[string]any, len(raw))
		for i, r := range raw {
			if err := json.Unmarshal(r, &jobs[i]); err != nil {
				t.Fatal(err)
			}
			single := must("GET", "/api/v1/jobs/"+jobs[i]["id"].(string), "", 200)
			if string(single) != string(r) {
				t.Fatalf("queue element %d differs from the job's own answer:\nqueue %s\n  job %s", i, r, single)
			}
		}
		return jobs
	}
	ids := func(jobs []map[string]any) []string {
		out := make([]string, len(jobs))
		for i, j := range jobs {
			out[i] = j["id"].(string)
		}
		return out
	}

	var created []string
	for i := range 5 {
		created = append(created, enqueue(fmt.Sprint("v", i)))
	}
	if got := ids(queue()); !slices.Equal(got, created) {
		t.Fatalf("queue %v; want %v", got, created)
	}
	queue() // answered from the cache now

	must("PUT", "/api/v1/jobs/"+created[1], `{"inputs":{"c":"changed"}}`, 200)
	must("POST", "/api/v1/jobs/"+created[2]+"/pause", "", 200)
	must("DELETE", "/api/v1/jobs/"+created[3], "", 204)
	reordered := []string{created[4], created[0], created[2], created[1]}
	must("PUT", "/api/v1/groups/g1/queue/reorder", `{"job_ids":["`+strings.Join(reordered, `","`)+`"]}`, 204)
	created = append(reordered, enqueue("late"))

	jobs := queue()
	if got := ids(jobs); !slices.Equal(got, created) {
		t.Fatalf("queue %v after the changes; want %v", got, created)
	}
	byID := map[string]map[string]any{}
	for _, j := range jobs {
		byID[j["id"].(string)] = j
	}
	if in := byID[reordered[3]]["inputs"].(map[string]any); in["c"] != "changed" {
		t.Fatalf("updated job shows inputs %v", in)
	}
	if byID[reordered[2]]["paused"] != true {
		t.Fatalf("paused job shows %v", byID[reordered[2]])
	}
	if r := byID[reordered[0]]["pending_reason"]; r == nil || r == "" {
		t.Fatalf("the head of the queue has no pending reason: %v", byID[reordered[0]])
	}
}
