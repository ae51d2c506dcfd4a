package github

import "testing"

func TestMapConclusion(t *testing.T) {
	f := func(conclusion, wantStatus, wantMsg string) {
		t.Helper()
		status, msg := MapConclusion(conclusion)
		if status != wantStatus || msg != wantMsg {
			t.Errorf("MapConclusion(%q) = %q, %q; want %q, %q", conclusion, status, msg, wantStatus, wantMsg)
		}
	}
	f("success", TerminalCompleted, "")
	f("neutral", TerminalCompleted, "")
	f("skipped", TerminalCompleted, "")
	f("cancelled", TerminalCancelled, "")
	f("failure", TerminalFailed, "Workflow failure")
	f("timed_out", TerminalFailed, "Workflow timed_out")
	f("startup_failure", TerminalFailed, "Workflow startup_failure")
	f("action_required", TerminalFailed, "Workflow action_required")
	f("stale", TerminalFailed, "Workflow stale")
	f("something_new", TerminalFailed, "unknown conclusion something_new")
	f("", "", "")
}
