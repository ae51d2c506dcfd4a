package actors

import (
	"time"

	"github.com/dispatchoor/dispatchoor/github"
)

// Messages between the GitHub actors. Each actor owns its fields; slow work
// runs on worker goroutines that report back with one of these.

// --- poller ---

// pollTickMsg is the poller's interval timer.
type pollTickMsg struct{}

// refreshMsg asks for a poll now; done receives its outcome.
type refreshMsg struct{ done chan<- error }

// pollDoneMsg reports a finished poll.
type pollDoneMsg struct{ res pollResult }

// recheckMsg tells the poller that what the dispatcher knows about busy
// runners changed, so the journaled busy flags may need updating.
type recheckMsg struct{}

// --- dispatcher ---

// wakeMsg asks the dispatcher for a decision now.
type wakeMsg struct{ reason string }

// dispatchTickMsg is the dispatcher's fallback timer.
type dispatchTickMsg struct{}

// viewMsg carries the groups read for a decision.
type viewMsg struct {
	groups []groupView
	err    error
	seq    uint64 // which read this is
}

// runnersMsg carries the runners of a finished poll.
type runnersMsg struct {
	runners []observedRunner
	polled  time.Time
}

// runnerNewsMsg carries what runs told about runners: a job started on one
// (busy) or finished on it (free).
type runnerNewsMsg struct{ news []runnerNews }

// dispatchedMsg reports a finished dispatch worker.
type dispatchedMsg struct {
	jobID   string
	outcome dispatchOutcome
}

// failedMsg reports that an undispatchable job was failed (or could not
// be).
type failedMsg struct{ jobID string }

// --- tracker ---

// trackTickMsg is the tracker's interval timer.
type trackTickMsg struct{}

// passDoneMsg reports a finished tracking pass.
type passDoneMsg struct{ res passResult }

// reconcileMsg hands a dispatching job whose outcome is unknown to the
// tracker, which looks for its run before anything is sent again.
type reconcileMsg struct {
	jobID string
	since time.Time
}

// cancelMsg asks the tracker to cancel a job's run.
type cancelMsg struct{ jobID string }

// cancelDoneMsg reports a finished cancel worker.
type cancelDoneMsg struct{ jobID string }

// webhookMsg is a verified delivery.
type webhookMsg struct {
	ev github.WebhookEvent
	at time.Time
}
