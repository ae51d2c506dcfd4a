package sim

import (
	"time"
)

// backgroundActor dispatches the background load: other people's jobs that
// compete with the orchestrator for the same runners.
var backgroundActor = actor{login: "background-bot", id: 4242}

// startBackgroundLocked schedules every configured background load; the
// first dispatch falls at a random point of the first interval so loads do
// not start in lockstep.
func (s *Sim) startBackgroundLocked(now time.Time) {
	for _, b := range s.cfg.Background {
		wf, err := s.w.workflowByRef(b.Repo, b.Workflow)
		if err != nil {
			continue // Validate already rejected this; keep going for the rest
		}
		b := b
		first := now.Add(s.rng.uniform(0, b.Every.Std()))
		var tick func(at time.Time)
		tick = func(at time.Time) {
			s.dispatchBackgroundLocked(wf, b, at)
			next := s.rng.jitter(b.Every.Std(), b.Jitter.Std())
			if next <= 0 {
				next = b.Every.Std()
			}
			s.schedule(at.Add(next), "background", tick)
		}
		s.schedule(first, "background", tick)
	}
}

func (s *Sim) dispatchBackgroundLocked(wf *workflow, b BackgroundLoad, at time.Time) {
	ref := b.Ref
	if ref == "" {
		ref = wf.repo.defaultBranch
	}
	inputs := map[string]string{}
	for _, in := range wf.spec.Inputs {
		inputs[in.Name] = in.Default
	}
	for k, v := range b.Inputs {
		inputs[k] = v
	}
	s.createRunLocked(at, wf, ref, inputs, backgroundActor, effects{})
}
