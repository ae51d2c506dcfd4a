package sim

import (
	"testing"
	"time"
)

func TestParseCreated(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatalf("bad test time %q", s)
		}
		return v
	}
	f := func(filter, instant string, want bool) {
		t.Helper()
		r, err := parseCreated(filter)
		if err != nil {
			t.Fatalf("parse %q: %v", filter, err)
		}
		if got := r.contains(at(instant)); got != want {
			t.Fatalf("%q contains %s: got %v; want %v", filter, instant, got, want)
		}
	}
	f(">=2026-03-01T12:00:00Z", "2026-03-01T12:00:00Z", true)
	f(">=2026-03-01T12:00:00Z", "2026-03-01T11:59:59Z", false)
	f(">2026-03-01T12:00:00Z", "2026-03-01T12:00:00Z", false)
	f(">2026-03-01T12:00:00Z", "2026-03-01T12:00:01Z", true)
	f("<=2026-03-01", "2026-03-01T23:59:59Z", true)
	f("<=2026-03-01", "2026-03-02T00:00:00Z", false)
	f("<2026-03-01", "2026-02-28T23:59:59Z", true)
	f("<2026-03-01", "2026-03-01T00:00:00Z", false)
	f(">2026-03-01", "2026-03-01T23:00:00Z", false)
	f(">2026-03-01", "2026-03-02T00:00:00Z", true)
	f("2026-03-01..2026-03-02", "2026-03-02T18:00:00Z", true)
	f("2026-03-01..2026-03-02", "2026-03-03T00:00:00Z", false)
	f("2026-03-01T12:00:00Z..*", "2030-01-01T00:00:00Z", true)
	f("*..2026-03-01", "2026-03-02T00:00:00Z", false)
	f("2026-03-01", "2026-03-01T08:00:00Z", true)
	f(">=2026-03-01T13:00:00+01:00", "2026-03-01T12:00:00Z", true)
	if _, err := parseCreated(">=yesterday"); err == nil {
		t.Fatalf("parsed a bad date")
	}
}

func TestRenderTemplate(t *testing.T) {
	ctx := templateContext{inputs: map[string]string{"id": "q-7", "client": "geth"}, refName: "main", actor: "alice",
		repo: "acme/x", wfName: "Sync"}
	f := func(tmpl, want string) {
		t.Helper()
		if got := renderTemplate(tmpl, ctx); got != want {
			t.Fatalf("render %q: got %q; want %q", tmpl, got, want)
		}
	}
	f("sync [${{ inputs.id }}]", "sync [q-7]")
	f("${{inputs.client}}/${{ github.event.inputs.id }}", "geth/q-7")
	f("${{ github.ref_name }} by ${{ github.actor }} in ${{ github.repository }} (${{ github.workflow }})", "main by alice in acme/x (Sync)")
	f("${{ inputs.missing }}|${{ secrets.X }}", "|")
	f("unterminated ${{ inputs.id", "unterminated ${{ inputs.id")
	f("no expressions", "no expressions")
}

func TestSignatureVector(t *testing.T) {
	// The test vector of GitHub's documentation (spec §6.3).
	s256, _ := signatures("It's a Secret to Everybody", []byte("Hello, World!"))
	want := "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
	if s256 != want {
		t.Fatalf("got %s; want %s", s256, want)
	}
}

func TestWeightedChoiceIgnoresMapOrder(t *testing.T) {
	w := map[string]float64{"success": 0.5, "failure": 0.3, "cancelled": 0.2, "never": 0}
	a, b := newRNG(3), newRNG(3)
	counts := map[string]int{}
	for i := 0; i < 2000; i++ {
		x, y := a.weighted(w, "def"), b.weighted(w, "def")
		if x != y {
			t.Fatalf("draw %d: %s vs %s from the same seed", i, x, y)
		}
		counts[x]++
	}
	if counts["never"] != 0 || counts["success"] < 850 || counts["success"] > 1150 || counts["cancelled"] < 250 {
		t.Fatalf("counts %v do not follow the weights", counts)
	}
	if got := a.weighted(nil, "def"); got != "def" {
		t.Fatalf("empty weights: %q", got)
	}
	if u := a.uuid(); len(u) != 36 || u[14] != '4' {
		t.Fatalf("uuid %q not a v4 UUID", u)
	}
}
