package sim

import (
	"errors"
	"fmt"
	"time"
)

// Errors of the control methods.
var (
	ErrUnknownRunner   = errors.New("sim: unknown runner")
	ErrUnknownWorkflow = errors.New("sim: unknown workflow")
	ErrUnknownToken    = errors.New("sim: unknown token")
)

// RunnerPatch changes a runner through the control API; nil fields stay.
type RunnerPatch struct {
	// Online connects or disconnects the runner process.
	Online *bool `json:"online"`
	// StuckBusy holds the reported busy=true after jobs (false releases it).
	StuckBusy *bool `json:"stuck_busy"`
}

// AddRunner registers a runner; it is online unless rc.Offline.
func (s *Sim) AddRunner(rc RunnerConfig) (int64, error) {
	now := s.lock()
	defer s.unlock(now)
	r, err := s.w.addRunner(rc)
	if err != nil {
		return 0, fmt.Errorf("add runner %q: %w", rc.Name, err)
	}
	s.requestAssign(now)
	return r.id, nil
}

// SetRunnerOnline connects or disconnects a runner process (spec §8.6:
// reported offline after OfflineDetect; a running job fails after
// LostRunnerFail).
func (s *Sim) SetRunnerOnline(id int64, online bool) error {
	return s.PatchRunner(id, RunnerPatch{Online: &online})
}

// PatchRunner applies a RunnerPatch.
func (s *Sim) PatchRunner(id int64, p RunnerPatch) error {
	now := s.lock()
	defer s.unlock(now)
	rn := s.w.runners[id]
	if rn == nil {
		return fmt.Errorf("patch runner %d: %w", id, ErrUnknownRunner)
	}
	if p.Online != nil {
		s.setConnectedLocked(rn, *p.Online, now)
	}
	if p.StuckBusy != nil {
		rn.stuckBusy = *p.StuckBusy
		if rn.stuckBusy {
			rn.busy = true
		} else if !rn.executing() {
			rn.busy = false
		}
	}
	return nil
}

// RemoveRunner deregisters a runner at once; a job it was running fails
// after LostRunnerFail.
func (s *Sim) RemoveRunner(id int64) error {
	now := s.lock()
	defer s.unlock(now)
	rn := s.w.runners[id]
	if rn == nil {
		return fmt.Errorf("remove runner %d: %w", id, ErrUnknownRunner)
	}
	s.setConnectedLocked(rn, false, now)
	s.removeRunnerLocked(rn)
	return nil
}

// AddRepo declares a repository.
func (s *Sim) AddRepo(rc RepoConfig) error {
	now := s.lock()
	defer s.unlock(now)
	if _, err := s.w.addRepo(rc); err != nil {
		return fmt.Errorf("add repo: %w", err)
	}
	return nil
}

// AddWorkflow declares a workflow and returns its id.
func (s *Sim) AddWorkflow(ws WorkflowSpec) (int64, error) {
	now := s.lock()
	defer s.unlock(now)
	wf, err := s.w.addWorkflow(ws, now)
	if err != nil {
		return 0, fmt.Errorf("add workflow %s: %w", ws.File, err)
	}
	return wf.id, nil
}

// SetWorkflowState sets a workflow's state ("active", "disabled_manually",
// ...); dispatching a workflow that is not active answers 422.
func (s *Sim) SetWorkflowState(repo, workflow, state string) error {
	now := s.lock()
	defer s.unlock(now)
	wf, err := s.w.workflowByRef(repo, workflow)
	if err != nil {
		return fmt.Errorf("set workflow state: %w: %v", ErrUnknownWorkflow, err)
	}
	switch state {
	case "active", "disabled_manually", "disabled_inactivity", "deleted", "disabled_fork":
	default:
		return fmt.Errorf("set workflow state %q: unknown state", state)
	}
	wf.state, wf.updatedAt = state, now
	return nil
}

// AddToken accepts a new credential.
func (s *Sim) AddToken(tc TokenConfig) error {
	now := s.lock()
	defer s.unlock(now)
	if _, err := s.w.addToken(tc); err != nil {
		return fmt.Errorf("add token: %w", err)
	}
	return nil
}

// AddHook adds a webhook target and returns its id.
func (s *Sim) AddHook(hc HookConfig) (int64, error) {
	now := s.lock()
	defer s.unlock(now)
	h, err := s.w.addHook(hc)
	if err != nil {
		return 0, fmt.Errorf("add hook: %w", err)
	}
	return h.id, nil
}

// AddFault arms a fault rule and returns its id.
func (s *Sim) AddFault(f FaultRule) (string, error) {
	if err := f.validate(); err != nil {
		return "", err
	}
	now := s.lock()
	defer s.unlock(now)
	return s.addFaultLocked(f, now), nil
}

// RemoveFault disarms a rule; false if no rule has that id.
func (s *Sim) RemoveFault(id string) bool {
	now := s.lock()
	defer s.unlock(now)
	return s.faults.remove(id)
}

// ClearFaults disarms every rule.
func (s *Sim) ClearFaults() {
	now := s.lock()
	defer s.unlock(now)
	s.faults.rules = nil
}

// ExhaustRateLimit empties a token's primary bucket until reset (zero:
// the end of its current window).
func (s *Sim) ExhaustRateLimit(tok string, reset time.Time) error {
	now := s.lock()
	defer s.unlock(now)
	t := s.w.tokens[tok]
	if t == nil {
		return ErrUnknownToken
	}
	s.rate.bucketFor(t, now).exhaust(reset)
	return nil
}
