package audit

import (
	"fmt"
	"slices"
	"strings"

	"github.com/dispatchoor/dispatchoor/actors/state"
)

// Summarize describes an event in one line of plain words. It names what
// changed, never secrets: a session is described by its user and role, not
// by its token hash.
func Summarize(e *state.Event) string {
	switch e.Type {
	case state.GroupConfigured:
		return summarizeConfigured(e)
	case state.GroupRemoved:
		return "group removed from the config"
	case state.GroupPaused:
		return "group paused"
	case state.GroupUnpaused:
		return "group resumed"
	case state.JobEnqueued:
		return summarizeEnqueued(e.Job)
	case state.JobUpdated:
		return summarizePatch(e.Patch)
	case state.JobRemoved:
		return "job deleted"
	case state.JobsReordered:
		return fmt.Sprintf("queue reordered: %s", positions(e.JobIDs, e.Positions))
	case state.JobPaused:
		return "job paused"
	case state.JobUnpaused:
		return "job resumed"
	case state.JobRequeueSet:
		return summarizeRequeue(e)
	case state.JobDispatching:
		return "dispatching" + onRunner(e.RunnerName, e.RunnerID)
	case state.JobDispatchUndone:
		return "dispatch undone: back to pending"
	case state.JobTriggered:
		return "workflow run triggered" + run(e.RunID, e.RunURL)
	case state.JobRunLinked:
		return "workflow run linked" + run(e.RunID, e.RunURL)
	case state.JobRunning:
		return "running" + onRunner(e.RunnerName, e.RunnerID)
	case state.JobCancelRequest:
		return "cancel requested"
	case state.JobFinished:
		return summarizeFinished(e)
	case state.HistoryPruned:
		return fmt.Sprintf("%s pruned from history", plural(len(e.JobIDs), "finished job", "finished jobs"))
	case state.SessionCreated:
		return summarizeSession(e.Session)
	case state.SessionRevoked:
		return "session revoked (logout)"
	case state.SessionsRevoked:
		return fmt.Sprintf("every session of %s revoked", e.Username)
	case state.SessionsExpired:
		return "expired sessions removed"
	case state.UserUpserted:
		return summarizeUser(e.User)
	case state.RunnersObserved:
		return summarizeRunners(e.Runners, e.RunnerIDs)
	}
	return string(e.Type)
}

func summarizeConfigured(e *state.Event) string {
	name := e.GroupID
	if e.Group != nil && e.Group.Name != "" {
		name = e.Group.Name
	}
	return fmt.Sprintf("group %q configured with %s", name, plural(len(e.Templates), "template", "templates"))
}

func summarizeEnqueued(j *state.Job) string {
	if j == nil {
		return "job enqueued"
	}
	var b strings.Builder
	if j.PreviousJobID != "" {
		fmt.Fprintf(&b, "job requeued (generation %d, after %s)", j.RequeueCount+1, j.PreviousJobID)
	} else {
		b.WriteString("job enqueued")
	}
	if j.TemplateID != "" {
		fmt.Fprintf(&b, " from template %s", j.TemplateID)
	} else {
		fmt.Fprintf(&b, " for %s/%s %s@%s", deref(j.Owner), deref(j.Repo), deref(j.WorkflowID), deref(j.Ref))
	}
	if j.Name != nil {
		fmt.Fprintf(&b, " as %q", *j.Name)
	}
	if j.Priority != 0 {
		fmt.Fprintf(&b, ", priority %d", j.Priority)
	}
	if j.AutoRequeue {
		b.WriteString(", auto-requeue " + limitText(j.RequeueLimit))
	}
	return b.String()
}

func summarizePatch(p *state.JobPatch) string {
	if p == nil {
		return "job updated"
	}
	var fields []string
	if p.Priority != nil {
		fields = append(fields, fmt.Sprintf("priority %d", *p.Priority))
	}
	for _, f := range []struct {
		name string
		v    *string
	}{{"name", p.Name}, {"owner", p.Owner}, {"repo", p.Repo}, {"workflow_id", p.WorkflowID}, {"ref", p.Ref}} {
		if f.v != nil {
			fields = append(fields, fmt.Sprintf("%s %q", f.name, *f.v))
		}
	}
	if p.SetInputs {
		fields = append(fields, "inputs")
	}
	if p.SetLabels {
		fields = append(fields, "labels")
	}
	if len(fields) == 0 {
		return "job updated"
	}
	return "job updated: " + strings.Join(fields, ", ")
}

func summarizeRequeue(e *state.Event) string {
	if e.AutoRequeue != nil && !*e.AutoRequeue {
		return "auto-requeue off"
	}
	return "auto-requeue on, " + limitText(e.RequeueLimit)
}

func summarizeFinished(e *state.Event) string {
	s := "finished: " + string(e.Status)
	if e.Conclusion != "" && e.Conclusion != string(e.Status) {
		s += " (conclusion " + e.Conclusion + ")"
	}
	return s + run(e.RunID, e.RunURL)
}

func summarizeSession(s *state.Session) string {
	if s == nil {
		return "session created"
	}
	return fmt.Sprintf("%s signed in (%s, role %s)", s.Username, s.Provider, s.Role)
}

func summarizeUser(u *state.User) string {
	if u == nil {
		return "user recorded"
	}
	return fmt.Sprintf("GitHub user %s recorded (role %s)", u.Username, u.Role)
}

// summarizeRunners names up to three changed runners; a poll that sees a
// whole fleet change would otherwise make a line of hundreds.
func summarizeRunners(changed []state.Runner, gone []int64) string {
	var parts []string
	if len(changed) > 0 {
		names := make([]string, 0, len(changed))
		for _, r := range changed {
			status := r.Status
			if r.Busy {
				status += ", busy"
			} else if r.Status == "online" {
				status += ", idle"
			}
			names = append(names, fmt.Sprintf("%s (%s)", r.Name, status))
		}
		parts = append(parts, "runners changed: "+firstFew(names))
	}
	if len(gone) > 0 {
		ids := make([]string, 0, len(gone))
		for _, id := range gone {
			ids = append(ids, fmt.Sprintf("#%d", id))
		}
		parts = append(parts, "runners gone: "+firstFew(ids))
	}
	if len(parts) == 0 {
		return "runners observed"
	}
	return strings.Join(parts, "; ")
}

const fewNames = 3

func firstFew(items []string) string {
	if len(items) <= fewNames {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:fewNames], ", "), len(items)-fewNames)
}

// positions lists a reorder as "id→position" pairs in the order given.
func positions(ids []string, pos []int64) string {
	parts := make([]string, 0, len(ids))
	for i, id := range ids {
		if i < len(pos) {
			parts = append(parts, fmt.Sprintf("%s→%d", id, pos[i]))
		}
	}
	return firstFew(parts)
}

// positionOf is where a reorder put one job, for that job's timeline.
func positionOf(e *state.Event, jobID string) (int64, bool) {
	i := slices.Index(e.JobIDs, jobID)
	if i < 0 || i >= len(e.Positions) {
		return 0, false
	}
	return e.Positions[i], true
}

func onRunner(name string, id int64) string {
	switch {
	case name != "" && id != 0:
		return fmt.Sprintf(" on runner %s (#%d)", name, id)
	case name != "":
		return " on runner " + name
	case id != 0:
		return fmt.Sprintf(" on runner #%d", id)
	}
	return ""
}

func run(id int64, url string) string {
	switch {
	case url != "":
		return ", run " + url
	case id != 0:
		return fmt.Sprintf(", run %d", id)
	}
	return ""
}

func limitText(l *int) string {
	if l == nil {
		return "without limit"
	}
	return fmt.Sprintf("limit %d", *l)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
