package httpd

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"testing"
	"time"

	"github.com/dispatchoor/dispatchoor/actors"
	"github.com/dispatchoor/dispatchoor/actors/state"
)

var trickyStrings = []string{
	"", "plain", `quote " and \ backslash`, "<script>&amp;</script>", "tab\tnew\nline\r", "\b\f\x00\x01\x1f\x7f",
	"ünïcødé ✓ 日本", "bad utf8 \xff\xfe end", "line sep \u2028 para sep \u2029", "emoji 🚀",
}

func randomJobView(rng *rand.Rand) jobView {
	str := func() string { return trickyStrings[rng.Intn(len(trickyStrings))] }
	strp := func() *string {
		if rng.Intn(2) == 0 {
			return nil
		}
		s := str()
		return &s
	}
	m := func() map[string]string {
		switch rng.Intn(3) {
		case 0:
			return nil
		case 1:
			return map[string]string{}
		}
		out := map[string]string{}
		for i := rng.Intn(5); i >= 0; i-- {
			out[str()+string(rune('a'+rng.Intn(26)))] = str()
		}
		return out
	}
	at := time.Date(2026, 1, 2, 3, 4, 5, rng.Intn(1e9), time.FixedZone("x", 3600*(rng.Intn(5)-2)))
	j := &state.Job{
		ID: str(), GroupID: str(), TemplateID: str(), Priority: rng.Intn(2001) - 1000, Position: rng.Int63n(1 << 40),
		Status: state.StatusPending, Paused: rng.Intn(2) == 0, AutoRequeue: rng.Intn(2) == 0, RequeueCount: rng.Intn(9),
		Inputs: m(), CreatedBy: str(), CreatedAt: at, UpdatedAt: at.Add(time.Second),
		Name: strp(), Owner: strp(), Repo: strp(), WorkflowID: strp(), Ref: strp(), Labels: m(),
		DispatchKey: str(), Conclusion: str(), CancelRequested: rng.Intn(2) == 0, PreviousJobID: str(),
		RunURL: str(), RunnerName: str(), ErrorMessage: str(),
	}
	if rng.Intn(2) == 0 {
		l := rng.Intn(10)
		j.RequeueLimit = &l
	}
	if rng.Intn(2) == 0 {
		j.TriggeredAt, j.RunID, j.RunnerID = at, rng.Int63(), rng.Int63n(100)
	}
	if rng.Intn(2) == 0 {
		j.CompletedAt, j.StartedAt, j.DispatchingAt = at.Add(time.Hour), at.Add(time.Minute), at
	}
	info := actors.JobInfo{Job: j, PendingReason: str()}
	if rng.Intn(2) == 0 {
		info.ETA = at.Add(5 * time.Minute)
	}
	return newJobView(info)
}

func TestJobJSONMatchesEncodingJSON(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	views := make([]jobView, 500)
	for i := range views {
		views[i] = randomJobView(rng)
		want, err := json.Marshal(views[i])
		if err != nil {
			t.Fatal(err)
		}
		if got := appendJobView(nil, &views[i]); string(got) != string(want) {
			t.Fatalf("job %d:\n got %s\nwant %s", i, got, want)
		}
	}
	infos := make(jobInfoList, 50)
	for i := range infos {
		infos[i] = actors.JobInfo{Job: &state.Job{ID: fmt.Sprint("j", i), Inputs: map[string]string{"a": "<b>"}}, PendingReason: "1 job ahead"}
	}
	want, _ := json.Marshal(jobViews(infos))
	if got := infos.appendJSON(nil); string(got) != string(want) {
		t.Fatalf("job info list differs from encoding/json of its views:\n got %s\nwant %s", got, want)
	}
	if got := (jobInfoList{}).appendJSON(nil); string(got) != "[]" {
		t.Fatalf("empty list: %s", got)
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range trickyStrings {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := appendString(nil, s); string(got) != string(want) {
			t.Fatalf("appendString(%q) = %s, want %s", s, got, want)
		}
	})
}

func BenchmarkJobJSON10k(b *testing.B) {
	rng := rand.New(rand.NewSource(1))
	views := make([]jobView, 10000)
	for i := range views {
		views[i] = randomJobView(rng)
	}
	b.Run("hand", func(b *testing.B) {
		var buf []byte
		for i := 0; i < b.N; i++ {
			buf = buf[:0]
			for k := range views {
				buf = appendJobView(buf, &views[k])
			}
		}
	})
	b.Run("encoding/json", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			_, _ = json.Marshal(views)
		}
	})
}

// jobViews is the reflection-encoded reference for the hand-written encoder.
func jobViews(infos []actors.JobInfo) []jobView {
	out := make([]jobView, 0, len(infos))
	for _, info := range infos {
		out = append(out, newJobView(info))
	}
	return out
}
