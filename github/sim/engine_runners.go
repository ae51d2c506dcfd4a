package sim

import (
	"time"
)

// reportBusyLater flips the reported busy flag after the busy-set lag: the
// runner API lags the truth (spec §4, variant A).
func (s *Sim) reportBusyLater(rn *runner, j *job, at time.Time) {
	t := s.cfg.Timing
	rn.gen++
	gen := rn.gen
	lag := s.rng.uniform(t.BusySetLagMin.Std(), t.BusySetLagMax.Std())
	set := func(time.Time) {
		if rn.gen == gen && rn.job == j && rn.executing() {
			rn.busy = true
		}
	}
	if lag <= 0 {
		set(at)
		return
	}
	s.schedule(at.Add(lag), "busy set", set)
}

// releaseRunnerLocked frees a runner whose job ended. The reported busy
// flag clears after BusyClearLag unless the runner is stuck; an ephemeral
// runner takes no further job and deregisters shortly after.
func (s *Sim) releaseRunnerLocked(rn *runner, j *job, at time.Time, ran bool) {
	rn.job = nil
	if !ran {
		return
	}
	rn.gen++
	gen := rn.gen
	if s.faults.holdBusy(s, rn, at) {
		rn.stuckBusy = true
	}
	if rn.stuckBusy {
		rn.busy = true // a wedged worker keeps reporting busy (AR#4418)
	}
	if !rn.stuckBusy {
		clear := func(time.Time) {
			if rn.gen == gen {
				rn.busy = false
			}
		}
		if lag := s.cfg.Timing.BusyClearLag.Std(); lag > 0 {
			s.schedule(at.Add(lag), "busy clear", clear)
		} else {
			clear(at)
		}
	}
	if rn.ephemeral {
		rn.retired = true
		s.schedule(at.Add(s.cfg.Timing.EphemeralDeregister.Std()), "ephemeral deregister", func(time.Time) {
			s.removeRunnerLocked(rn)
		})
	}
}

// setConnectedLocked connects or disconnects a runner process. Going away
// mid-job fails the job after LostRunnerFail; the API keeps saying
// "online" for OfflineDetect.
func (s *Sim) setConnectedLocked(rn *runner, connected bool, at time.Time) {
	if rn.removed || rn.connected == connected {
		return
	}
	rn.connected = connected
	rn.gen++
	gen := rn.gen
	if connected {
		rn.status, rn.busy = "online", false
		s.requestAssign(at)
		return
	}
	if j := rn.job; j != nil {
		rn.job = nil
		if j.status == statusInProgress {
			j.epoch++
			ep := j.epoch
			s.schedule(at.Add(s.cfg.Timing.LostRunnerFail.Std()), "lost runner", func(t time.Time) {
				if j.epoch == ep {
					s.finishJobLocked(j, t, conclusionFailure)
				}
			})
		} else {
			j.runner = nil
			s.requestAssign(at)
		}
	}
	detect := func(time.Time) {
		if rn.gen == gen && !rn.connected {
			rn.status, rn.busy = "offline", false
		}
	}
	if d := s.cfg.Timing.OfflineDetect.Std(); d > 0 {
		s.schedule(at.Add(d), "offline detect", detect)
	} else {
		detect(at)
	}
}

// removeRunnerLocked deregisters a runner: it vanishes from lists and GET
// answers 404, while jobs keep its id and name.
func (s *Sim) removeRunnerLocked(rn *runner) {
	if rn.removed {
		return
	}
	rn.removed = true
	rn.gen++
	if j := rn.job; j != nil && j.status == statusQueued {
		j.runner = nil
	}
	delete(s.w.runners, rn.id)
	for i, id := range s.w.runnerIDs {
		if id == rn.id {
			s.w.runnerIDs = append(s.w.runnerIDs[:i], s.w.runnerIDs[i+1:]...)
			break
		}
	}
}
