package sim

import (
	"sort"
	"time"
)

// createRunLocked creates a workflow_dispatch run at now and starts its
// lifecycle: requested → (queued | pending) → in_progress → completed.
func (s *Sim) createRunLocked(now time.Time, wf *workflow, ref string, inputs map[string]string, who actor, eff effects) *run {
	w := s.w
	r := &run{id: nextID(&w.ids.run), workflow: wf, repo: wf.repo, number: wf.nextNumber, attempt: 1,
		event: "workflow_dispatch", ref: ref, headSHA: fakeSHA(wf.repo.fullName(), ref), inputs: inputs,
		actor: who, triggering: who, checkSuiteID: nextID(&w.ids.checkSuite),
		status: statusRequested, createdAt: now, updatedAt: now, startedAt: now}
	wf.nextNumber++
	ctx := templateContext{inputs: inputs, refName: ref, actor: who.login, repo: wf.repo.fullName(), wfName: wf.name}
	r.displayTitle = wf.name
	if wf.spec.RunName != "" {
		r.displayTitle = renderTemplate(wf.spec.RunName, ctx)
	}
	if wf.spec.Concurrency != "" {
		r.concurrency = renderTemplate(wf.spec.Concurrency, ctx)
	}
	t := s.cfg.Timing
	listLag := s.rng.jitter(t.ListVisibilityLag.Std(), t.ListVisibilityJitter.Std())
	if eff.listLag != nil {
		listLag = *eff.listLag
	}
	getLag := t.GetVisibilityLag.Std()
	if eff.getLag != nil {
		getLag = *eff.getLag
	}
	r.listVisibleAt = now.Add(listLag)
	r.getVisibleAt = now.Add(getLag)
	w.runs[r.id] = r
	w.runList = append(w.runList, r)

	s.emitDispatch(r, now)
	s.emitRun(r, "requested", now)
	if t.RequestedPhase <= 0 {
		s.startAttemptLocked(r, now)
	} else {
		s.schedule(now.Add(t.RequestedPhase.Std()), "run queued", func(at time.Time) { s.startAttemptLocked(r, at) })
	}
	return r
}

// startAttemptLocked moves a requested run on: an immediate run-level
// conclusion (startup_failure, ...), a concurrency hold, or queued jobs.
func (s *Sim) startAttemptLocked(r *run, at time.Time) {
	if r.status != statusRequested {
		return // cancelled while requested
	}
	if c := s.drawRunFailure(r.workflow); c != "" {
		s.completeRunLocked(r, at, c)
		return
	}
	if r.concurrency != "" && s.holdForConcurrency(r, at) {
		return
	}
	s.queueRunLocked(r, at, nil)
}

// drawRunFailure decides whether the attempt ends at once without jobs.
func (s *Sim) drawRunFailure(wf *workflow) string {
	keys := make([]string, 0, len(wf.spec.RunFailures))
	for k := range wf.spec.RunFailures {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if s.rng.chance(wf.spec.RunFailures[k]) {
			return k
		}
	}
	return ""
}

// holdForConcurrency applies "one running + one pending" per concurrency
// group (spec §3.2): a newer pending run cancels the older pending one.
func (s *Sim) holdForConcurrency(r *run, at time.Time) bool {
	active := false
	for _, other := range s.w.runList {
		if other == r || other.repo != r.repo || other.concurrency != r.concurrency || other.status == statusCompleted {
			continue
		}
		switch other.status {
		case statusPending:
			other.cancelRequested = true
			s.completeRunLocked(other, at, conclusionCancelled)
		case statusRequested:
		default:
			active = true
		}
	}
	if !active {
		return false
	}
	r.status = statusPending
	r.updatedAt = at
	return true
}

// promotePendingLocked queues the pending run of a concurrency group once
// the group's active run has completed.
func (s *Sim) promotePendingLocked(done *run, at time.Time) {
	if done.concurrency == "" {
		return
	}
	for _, other := range s.w.runList {
		if other.repo == done.repo && other.concurrency == done.concurrency && other.status == statusPending {
			s.queueRunLocked(other, at, nil)
			return
		}
	}
}

// queueRunLocked creates the attempt's jobs. keep holds jobs of the previous
// attempt that a "re-run failed jobs" carries over unchanged.
func (s *Sim) queueRunLocked(r *run, at time.Time, keep map[string]*job) {
	r.status = statusQueued
	r.updatedAt = at
	byName := map[string]*job{}
	r.jobs = nil
	for _, spec := range r.workflow.spec.Jobs {
		j := &job{id: nextID(&s.w.ids.job), run: r, attempt: r.attempt, spec: spec, name: spec.Name,
			labels: append([]string{}, spec.RunsOn...), createdAt: at}
		if old := keep[spec.Name]; old != nil {
			j.status, j.conclusion = statusCompleted, old.conclusion
			j.startedAt, j.completedAt, j.steps = old.startedAt, old.completedAt, old.steps
			j.runnerID, j.runnerName, j.runnerGroupID, j.runnerGroupName = old.runnerID, old.runnerName, old.runnerGroupID, old.runnerGroupName
		}
		for _, n := range spec.Needs {
			j.needs = append(j.needs, byName[n])
		}
		byName[spec.Name] = j
		r.jobs = append(r.jobs, j)
		s.w.jobs[j.id] = j
	}
	for _, j := range r.jobs {
		if j.status == statusCompleted {
			continue
		}
		s.releaseIfReady(j, at)
	}
	s.maybeCompleteRunLocked(r, at)
}

// releaseIfReady queues a job whose needs are met, skips it if a need
// failed, and otherwise leaves it pending.
func (s *Sim) releaseIfReady(j *job, at time.Time) {
	for _, n := range j.needs {
		if n.status != statusCompleted {
			j.status = statusPending
			return
		}
	}
	// Like Actions without if: always(): a need that did not succeed
	// (failed, cancelled, itself skipped) skips the dependent.
	for _, n := range j.needs {
		if n.conclusion != conclusionSuccess && n.conclusion != conclusionNeutral {
			s.skipJobLocked(j, at)
			return
		}
	}
	s.enqueueJobLocked(j, at)
}

func (s *Sim) skipJobLocked(j *job, at time.Time) {
	j.status, j.conclusion, j.completedAt = statusCompleted, conclusionSkipped, at
	j.startedAt = at
	s.emitJob(j, "completed", at)
	s.releaseDependents(j, at)
}

// releaseDependents re-evaluates jobs waiting on j.
func (s *Sim) releaseDependents(j *job, at time.Time) {
	for _, other := range j.run.jobs {
		if other.status != statusPending {
			continue
		}
		for _, n := range other.needs {
			if n == j {
				s.releaseIfReady(other, at)
				break
			}
		}
	}
}

// maybeCompleteRunLocked completes the run once every job has.
func (s *Sim) maybeCompleteRunLocked(r *run, at time.Time) {
	if r.status == statusCompleted || r.status == statusPending || r.status == statusRequested {
		return
	}
	for _, j := range r.jobs {
		if j.status != statusCompleted {
			return
		}
	}
	s.completeRunLocked(r, at, runConclusion(r))
}

// runConclusion derives the run's conclusion from its jobs (spec §3.3).
func runConclusion(r *run) string {
	if r.cancelRequested {
		return conclusionCancelled
	}
	seen := map[string]bool{}
	for _, j := range r.jobs {
		seen[j.conclusion] = true
	}
	for _, c := range []string{conclusionFailure, conclusionTimedOut, conclusionCancelled, conclusionActionRequired} {
		if seen[c] {
			return c
		}
	}
	if len(seen) == 1 && seen[conclusionSkipped] {
		return conclusionSkipped
	}
	return conclusionSuccess
}

func (s *Sim) completeRunLocked(r *run, at time.Time, conclusion string) {
	for _, j := range r.jobs {
		if j.status != statusCompleted {
			s.finishJobLocked(j, at, conclusionCancelled)
		}
	}
	if r.status == statusCompleted {
		return // finishing the last job above already completed it
	}
	r.status, r.conclusion, r.updatedAt = statusCompleted, conclusion, at
	s.emitRun(r, "completed", at)
	s.promotePendingLocked(r, at)
}

// cancelRunLocked implements cancel and force-cancel (spec §2.7): queued and
// pending work stops at once, running jobs after CancelLatency, and a normal
// cancel leaves if: always() jobs running.
func (s *Sim) cancelRunLocked(r *run, at time.Time, force bool) {
	r.cancelRequested = true
	r.updatedAt = at
	if r.status == statusRequested || r.status == statusPending {
		s.completeRunLocked(r, at, conclusionCancelled)
		return
	}
	latency := s.cfg.Timing.CancelLatency.Std()
	for _, j := range r.jobs {
		switch {
		case j.status == statusCompleted:
		case j.status == statusInProgress:
			if j.spec.Always && !force {
				continue
			}
			j.epoch++
			ep := j.epoch
			s.schedule(at.Add(latency), "job cancelled", func(t time.Time) {
				if j.epoch == ep {
					s.finishJobLocked(j, t, conclusionCancelled)
				}
			})
		default:
			s.finishJobLocked(j, at, conclusionCancelled)
		}
	}
	s.maybeCompleteRunLocked(r, at)
}

// rerunLocked starts a new attempt of a completed run with the same id
// (spec §2.8). failedOnly carries successful jobs over.
func (s *Sim) rerunLocked(r *run, at time.Time, failedOnly bool) {
	frozen := *r
	frozen.attempts = nil
	frozen.jobs = append([]*job(nil), r.jobs...)
	r.attempts = append(r.attempts, &frozen)
	var keep map[string]*job
	if failedOnly {
		keep = map[string]*job{}
		for _, j := range r.jobs {
			if j.conclusion == conclusionSuccess {
				keep[j.name] = j
			}
		}
	}
	r.attempt++
	r.status, r.conclusion = statusRequested, ""
	r.cancelRequested, r.announcedStart = false, false
	r.startedAt, r.updatedAt = at, at
	s.emitRun(r, "requested", at)
	if r.concurrency != "" && s.holdForConcurrency(r, at) {
		return
	}
	s.queueRunLocked(r, at, keep)
}

// attemptView returns the run as it was at attempt n.
func (r *run) attemptView(n int) *run {
	if n == r.attempt {
		return r
	}
	if n >= 1 && n <= len(r.attempts) {
		return r.attempts[n-1]
	}
	return nil
}
