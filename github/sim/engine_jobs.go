package sim

import (
	"sort"
	"strings"
	"time"
)

// enqueueJobLocked puts a job in the queue for runners. The broker may hold
// it back (broker delay, stuck-job faults) even while eligible runners idle.
func (s *Sim) enqueueJobLocked(j *job, at time.Time) {
	t := s.cfg.Timing
	j.status = statusQueued
	j.offerableAt = at
	if s.rng.chance(clampProb(t.BrokerDelayProb)) {
		j.offerableAt = at.Add(t.BrokerDelay.Std())
	}
	if hold := s.faults.jobHold(s, j, at); hold > 0 && at.Add(hold).After(j.offerableAt) {
		j.offerableAt = at.Add(hold)
	}
	s.emitJob(j, "queued", at)
	if t.QueueTimeout > 0 {
		s.schedule(at.Add(t.QueueTimeout.Std()), "queue timeout", func(t time.Time) {
			if j.status == statusQueued && j.runner == nil {
				s.finishJobLocked(j, t, conclusionCancelled)
			}
		})
	}
	s.requestAssign(j.offerableAt)
}

// requestAssign schedules an assignment pass at t.
func (s *Sim) requestAssign(t time.Time) {
	s.schedule(t, "assign", s.assignPassLocked)
}

// assignPassLocked hands idle eligible runners to queued jobs, oldest job
// first (FIFO by created_at, then id). It uses the runners' true state.
func (s *Sim) assignPassLocked(at time.Time) {
	var queued []*job
	for _, r := range s.w.runList {
		if r.status != statusQueued && r.status != statusInProgress {
			continue
		}
		for _, j := range r.jobs {
			if j.status == statusQueued && j.runner == nil && !j.offerableAt.After(at) {
				queued = append(queued, j)
			}
		}
	}
	sort.SliceStable(queued, func(a, b int) bool {
		if !queued[a].createdAt.Equal(queued[b].createdAt) {
			return queued[a].createdAt.Before(queued[b].createdAt)
		}
		return queued[a].id < queued[b].id
	})
	for _, j := range queued {
		rn := s.pickRunner(j)
		if rn == nil {
			continue
		}
		rn.job, j.runner = j, rn
		j.epoch++
		ep := j.epoch
		delay := s.cfg.Timing.AssignDelay.Std()
		if delay <= 0 {
			s.startJobLocked(j, rn, ep, at)
			continue
		}
		s.schedule(at.Add(delay), "job start", func(t time.Time) { s.startJobLocked(j, rn, ep, t) })
	}
}

// pickRunner chooses among eligible runners: repository level first, then
// organisation, then enterprise; ties by lowest runner id (spec §8.6).
func (s *Sim) pickRunner(j *job) *runner {
	var best *runner
	bestRank := 99
	for _, id := range s.w.runnerIDs {
		rn := s.w.runners[id]
		if !s.eligible(rn, j) {
			continue
		}
		if rank := scopeRank(rn.scope); rank < bestRank {
			best, bestRank = rn, rank
		}
	}
	return best
}

// scopeRank orders runner levels as GitHub's routing searches them.
func scopeRank(scope string) int {
	switch scope {
	case scopeRepo:
		return 0
	case scopeOrg:
		return 1
	}
	return 2
}

// eligible: online ∧ idle ∧ labels ⊇ runs-on (case-insensitive) ∧ the
// runner's level and group serve the run's repository and workflow.
func (s *Sim) eligible(rn *runner, j *job) bool {
	if !rn.connected || rn.job != nil || rn.retired || rn.removed {
		return false
	}
	run := j.run
	switch rn.scope {
	case scopeRepo:
		if rn.repo != run.repo {
			return false
		}
	case scopeOrg:
		if !strings.EqualFold(rn.owner, run.repo.owner.login) {
			return false
		}
	}
	if rn.scope != scopeRepo && rn.group != nil {
		if !rn.group.allowsRepo(run.repo) || !rn.group.allowsWorkflow(run.workflow, run.ref) {
			return false
		}
	}
	if j.spec.Group != "" && (rn.group == nil || !strings.EqualFold(rn.group.name, j.spec.Group)) {
		return false
	}
	return hasLabels(rn, j.labels)
}

func hasLabels(rn *runner, want []string) bool {
	for _, w := range want {
		found := false
		for _, l := range rn.labels {
			if strings.EqualFold(l.name, w) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// startJobLocked runs when the assigned runner picks the job up. If the
// runner vanished meanwhile the job goes back to the queue.
func (s *Sim) startJobLocked(j *job, rn *runner, ep uint64, at time.Time) {
	if j.epoch != ep || j.status != statusQueued || rn.job != j {
		return
	}
	if !rn.connected {
		rn.job, j.runner = nil, nil
		s.requestAssign(at)
		return
	}
	j.status, j.startedAt = statusInProgress, at
	j.runnerID, j.runnerName = rn.id, rn.name
	if rn.group != nil {
		j.runnerGroupID, j.runnerGroupName = rn.group.id, rn.group.name
	}
	j.steps = []step{
		{name: "Set up job", number: 1, status: statusCompleted, conclusion: conclusionSuccess, startedAt: at, completedAt: at},
		{name: "Run " + j.name, number: 2, status: statusInProgress, startedAt: at},
		{name: "Complete job", number: 3, status: statusQueued},
	}
	r := j.run
	r.updatedAt = at
	if r.status != statusInProgress {
		r.status = statusInProgress
	}
	if !r.announcedStart {
		r.announcedStart = true
		s.emitRun(r, "in_progress", at)
	}
	s.emitJob(j, "in_progress", at)

	dur := s.drawDuration(j.spec.Duration)
	outcome := s.rng.weighted(j.spec.Outcomes, conclusionSuccess)
	j.epoch++
	done := j.epoch
	s.schedule(at.Add(dur), "job done", func(t time.Time) {
		if j.epoch == done {
			s.finishJobLocked(j, t, outcome)
		}
	})
	s.reportBusyLater(rn, j, at)
	s.faults.onJobStart(s, j, rn, at)
}

// drawDuration samples a job's run time.
func (s *Sim) drawDuration(d DurationDist) time.Duration {
	switch {
	case d.Mean > 0:
		return s.rng.normal(d.Mean.Std(), d.StdDev.Std(), d.Min.Std(), d.Max.Std())
	case d.Max > 0:
		return s.rng.uniform(d.Min.Std(), d.Max.Std())
	default:
		return s.rng.normal(120*time.Second, 30*time.Second, time.Second, 0)
	}
}

// finishJobLocked completes a job with a conclusion, frees its runner and
// lets dependents and the run move on.
func (s *Sim) finishJobLocked(j *job, at time.Time, conclusion string) {
	if j.status == statusCompleted {
		return
	}
	j.epoch++
	wasRunning := j.status == statusInProgress
	j.status, j.conclusion, j.completedAt = statusCompleted, conclusion, at
	if j.startedAt.IsZero() {
		j.startedAt = at
	}
	for i := range j.steps {
		st := &j.steps[i]
		if st.status != statusCompleted {
			st.status, st.conclusion, st.completedAt = statusCompleted, conclusion, at
			if st.startedAt.IsZero() {
				st.startedAt = at
			}
		}
	}
	if rn := j.runner; rn != nil && rn.job == j {
		s.releaseRunnerLocked(rn, j, at, wasRunning)
	}
	j.run.updatedAt = at
	s.emitJob(j, "completed", at)
	s.releaseDependents(j, at)
	s.maybeCompleteRunLocked(j.run, at)
	s.requestAssign(at)
}
