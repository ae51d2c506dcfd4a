package audit

import (
	"bytes"
	"testing"
)

// TestScenarioTable replays the scripted scenario and compares the event
// table with the golden file: every event names its actor, the IP of a
// user's request, and the reason where one applies.
func TestScenarioTable(t *testing.T) {
	res := playScenario(t)
	var buf bytes.Buffer
	if err := TableHeader(&buf); err != nil {
		t.Fatal(err)
	}
	err := Scan(openReader(t, res.Dir), Filter{}, func(r Record) error { return TableRow(&buf, r.Entry()) })
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "scenario.txt", buf.Bytes())
}
