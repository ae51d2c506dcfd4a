package audit

import (
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dispatchoor/dispatchoor/actors/state"
)

// TestTypesCoverEvents reads actors/state/events.go and checks that every
// event type declared there is in Types, so a new event cannot be left out
// of the filters and summaries.
func TestTypesCoverEvents(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "../actors/state/events.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var declared []state.Type
	ast.Inspect(f, func(n ast.Node) bool {
		vs, ok := n.(*ast.ValueSpec)
		if !ok || vs.Type == nil || types(vs.Type) != "Type" {
			return true
		}
		for _, v := range vs.Values {
			if lit, ok := v.(*ast.BasicLit); ok {
				s, _ := strconv.Unquote(lit.Value)
				declared = append(declared, state.Type(s))
			}
		}
		return true
	})
	if len(declared) < 20 {
		t.Fatalf("found only %d event types in events.go; the parse is wrong", len(declared))
	}
	for _, d := range declared {
		if !slices.Contains(Types, d) {
			t.Errorf("event type %q is declared in events.go but missing from audit.Types", d)
		}
		if s := Summarize(&state.Event{Type: d}); s == string(d) || s == "" {
			t.Errorf("event type %q has no summary", d)
		}
	}
	if len(declared) != len(Types) {
		t.Errorf("events.go declares %d types; audit.Types lists %d", len(declared), len(Types))
	}
}

func types(e ast.Expr) string {
	if id, ok := e.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

func TestParseTypes(t *testing.T) {
	got, err := ParseTypes("job_enqueued, job_finished", "job_enqueued", "", "group_paused")
	if err != nil {
		t.Fatal(err)
	}
	want := []state.Type{state.JobEnqueued, state.JobFinished, state.GroupPaused}
	if !slices.Equal(got, want) {
		t.Fatalf("got %v; want %v", got, want)
	}
	if _, err := ParseTypes("job_enqueued,job_exploded"); err == nil || !strings.Contains(err.Error(), `"job_exploded"`) {
		t.Fatalf("unknown type: %v; want an error naming it", err)
	}
}

func TestParseTime(t *testing.T) {
	now := time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC)
	f := func(in string, want time.Time) {
		t.Helper()
		got, err := ParseTime(in, now)
		if err != nil || !got.Equal(want) {
			t.Errorf("ParseTime(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	f("2026-03-14T09:30:00Z", time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC))
	f("2026-03-14T09:30:00.5+02:00", time.Date(2026, 3, 14, 7, 30, 0, 5e8, time.UTC))
	f("2026-03-01", time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	f("2h", now.Add(-2*time.Hour))
	f("90m", now.Add(-90*time.Minute))
	f("7d", now.Add(-7*24*time.Hour))
	f("1d12h", now.Add(-36*time.Hour))
	for _, bad := range []string{"", "yesterday", "-2h", "d", "xd", "2026-13-01", "1d-2h"} {
		if _, err := ParseTime(bad, now); err == nil {
			t.Errorf("ParseTime(%q) succeeded; want an error", bad)
		}
	}
}

func TestFilterFields(t *testing.T) {
	at := time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC)
	f := func(flt Filter, actor string, want bool) {
		t.Helper()
		h := header{Time: at, Type: []byte(state.JobEnqueued), Actor: []byte(actor), GroupID: []byte("g1")}
		if got := flt.matchHeader(&h); got != want {
			t.Errorf("%+v matches actor %q: %v; want %v", flt, actor, got, want)
		}
	}
	f(Filter{}, "alice", true)
	f(Filter{Actors: []string{"system"}}, state.ActorDispatcher, true)
	f(Filter{Actors: []string{"system"}}, state.ActorSystem, true)
	f(Filter{Actors: []string{"system"}}, "systematic", false)
	f(Filter{Actors: []string{"system:dispatcher"}}, state.ActorTracker, false)
	f(Filter{Actors: []string{"bob", "alice"}}, "alice", true)
	f(Filter{Since: at, Until: at}, "alice", true)
	f(Filter{Since: at.Add(time.Nanosecond)}, "alice", false)
	f(Filter{Until: at.Add(-time.Nanosecond)}, "alice", false)
	f(Filter{Groups: []string{"g2"}}, "alice", false)
	f(Filter{Types: []state.Type{state.JobRemoved}}, "alice", false)
}
