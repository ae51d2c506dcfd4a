package actors

import (
	"strconv"
	"time"

	"github.com/dispatchoor/dispatchoor/actors/state"
)

// explain says why a pending job is waiting and when it should start,
// given how many dispatchable jobs are ahead of it. The dispatcher, once
// installed, refines it (rate limits, reserved runners); without one the
// answer is built from the queue and the runners alone.
func (s *System) explain(g *state.GroupState, j *state.Job, ahead int) (string, time.Time) {
	return s.explainer(g)(j, ahead)
}

// explainer returns explain for the jobs of one group, with what every job
// shares (the hook, the matching runners) looked up once: a queue of ten
// thousand jobs is explained in one pass on the group's actor.
func (s *System) explainer(g *state.GroupState) func(j *state.Job, ahead int) (string, time.Time) {
	s.mu.Lock()
	factory := s.explainHook
	s.mu.Unlock()
	var hook func(j *state.Job, ahead int) (string, time.Time, bool)
	if factory != nil {
		hook = factory(g)
	}
	var c runnerCounts
	counted := false
	return func(j *state.Job, ahead int) (string, time.Time) {
		if hook != nil {
			if reason, eta, ok := hook(j, ahead); ok {
				return reason, eta
			}
		}
		switch {
		case !g.Group.InConfig:
			return "group no longer in config", time.Time{}
		case g.Group.Paused:
			return "group paused", time.Time{}
		case j.Paused:
			return "job paused", time.Time{}
		}
		if !counted {
			c, counted = s.runnerSummary(g.Group.RunnerLabels), true
		}
		switch {
		case c.idle+c.busy == 0:
			return "no matching runner online", time.Time{}
		case ahead > 0:
			return plural(ahead, "job", "jobs") + " ahead", time.Time{}
		case c.idle == 0:
			return plural(c.busy, "matching runner", "matching runners") + " busy", time.Time{}
		}
		return "waiting for dispatch", time.Time{}
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
