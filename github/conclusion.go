package github

// Terminal job statuses returned by MapConclusion. They are the job statuses of
// the dispatchoor queue (spec/behaviour.md §2.3).
const (
	TerminalCompleted = "completed"
	TerminalFailed    = "failed"
	TerminalCancelled = "cancelled"
)

// MapConclusion maps the conclusion of a completed run to the job's terminal
// status and, for failures, an error message. It is total: every non-empty
// conclusion, including ones GitHub adds later, ends the job, because a job
// left waiting on a conclusion it does not understand would never finish.
//
//   - success → completed.
//   - neutral, skipped → completed. Neither is a failure of the run: neutral
//     is an explicit "no verdict", and a run is skipped when every job's if:
//     condition was false, which is the workflow author's choice. Failing the
//     job would make auto-requeue dispatch a workflow that skips on purpose
//     again and again.
//   - cancelled → cancelled (by an operator, by GitHub's 24 h queue limit, or
//     by a newer run in the same concurrency group).
//   - failure, timed_out, startup_failure, action_required, stale → failed
//     with "Workflow <conclusion>".
//   - anything else → failed with "unknown conclusion <X>".
//
// An empty conclusion means the run has not completed: MapConclusion returns
// two empty strings and the job should stay where it is.
func MapConclusion(conclusion string) (status string, errMsg string) {
	switch conclusion {
	case "":
		return "", ""
	case "success", "neutral", "skipped":
		return TerminalCompleted, ""
	case "cancelled":
		return TerminalCancelled, ""
	case "failure", "timed_out", "startup_failure", "action_required", "stale":
		return TerminalFailed, "Workflow " + conclusion
	}
	return TerminalFailed, "unknown conclusion " + conclusion
}
