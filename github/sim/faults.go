package sim

import (
	"fmt"
	"net/http"
	"path"
	"strings"
	"time"
)

// Fault kinds (spec §8.10).
const (
	// Request faults: matched by Method, Path, Token.
	// FaultLatency holds the whole response, headers included, for Delay ±
	// Jitter of virtual time: to a client with a header timeout this is a
	// slow-loris server.
	FaultLatency        = "latency"
	FaultError          = "error"           // answer Status (500/502/503/504) instead
	FaultReset          = "reset"           // drop the connection
	FaultLost           = "lost"            // apply the call, answer Status (default 502)
	FaultPrimaryExhaust = "primary_exhaust" // empty the token's bucket until Reset
	FaultSecondary      = "secondary"       // secondary limit, Retry-After = RetryAfter
	FaultListLag        = "list_lag"        // runs dispatched now stay unlisted for Delay
	FaultGetLag         = "get_lag"         // runs dispatched now 404 on GET for Delay
	FaultStaleList      = "stale_list"      // run lists omit runs created after the rule began
	FaultCancelIgnored  = "cancel_ignored"  // cancel answers 202 and does nothing
	FaultRerunRefused   = "rerun_refused"   // rerun answers 403
	FaultRunDetailsOff  = "run_details_unsupported"
	FaultRunDetailsIgn  = "run_details_ignored"

	// Runner faults: matched by RunnerID and/or Labels.
	FaultRunnerOffline = "runner_offline" // offline at From (or Delay after a job starts, MidJob), for For
	FaultBusyStale     = "busy_stale"     // reported busy=false Delay after a job starts
	FaultBusyStuck     = "busy_stuck"     // reported busy stays true after the job
	FaultJobStuck      = "job_stuck"      // jobs queued now are not offered for Delay

	// Webhook faults: matched by Event and Action.
	FaultWebhookDrop         = "webhook_drop"
	FaultWebhookDuplicate    = "webhook_duplicate"
	FaultWebhookDelay        = "webhook_delay"   // extra Delay
	FaultWebhookReorder      = "webhook_reorder" // extra uniform delay in [0, Delay]
	FaultWebhookBadSignature = "webhook_bad_signature"
)

var faultKinds = map[string]bool{
	FaultLatency: true, FaultError: true, FaultReset: true, FaultLost: true, FaultPrimaryExhaust: true,
	FaultSecondary: true, FaultListLag: true, FaultGetLag: true, FaultStaleList: true,
	FaultCancelIgnored: true, FaultRerunRefused: true, FaultRunDetailsOff: true, FaultRunDetailsIgn: true,
	FaultRunnerOffline: true, FaultBusyStale: true, FaultBusyStuck: true, FaultJobStuck: true,
	FaultWebhookDrop: true, FaultWebhookDuplicate: true, FaultWebhookDelay: true,
	FaultWebhookReorder: true, FaultWebhookBadSignature: true,
}

// FaultRule scripts one fault: what it matches, when (virtual From..Until),
// how often (Probability, Count) and its parameters.
type FaultRule struct {
	// ID is assigned when empty; RemoveFault takes it.
	ID   string `toml:"id" json:"id"`
	Kind string `toml:"kind" json:"kind"`

	// Request matching. Path is a path.Match pattern over the API path
	// without /api/v3, e.g. "/repos/*/*/actions/workflows/*/dispatches".
	Method string `toml:"method" json:"method"`
	Path   string `toml:"path" json:"path"`
	Token  string `toml:"token" json:"token"`

	// Window in virtual time; zero bounds are open.
	From  time.Time `toml:"from" json:"from"`
	Until time.Time `toml:"until" json:"until"`
	// Probability of firing on a match; 0 means always.
	Probability float64 `toml:"probability" json:"probability"`
	// Count caps how often the rule fires; 0 means no cap.
	Count int `toml:"count" json:"count"`

	Status       int       `toml:"status" json:"status"`
	Delay        Duration  `toml:"delay" json:"delay"`
	Jitter       Duration  `toml:"jitter" json:"jitter"`
	RetryAfter   Duration  `toml:"retry_after" json:"retry_after"`
	NoRetryAfter bool      `toml:"no_retry_after" json:"no_retry_after"`
	Reset        time.Time `toml:"reset" json:"reset"`

	// Runner matching; both empty matches every runner.
	RunnerID int64    `toml:"runner_id" json:"runner_id"`
	Labels   []string `toml:"labels" json:"labels"`
	MidJob   bool     `toml:"mid_job" json:"mid_job"`
	// For is how long a runner stays offline / busy stays stuck (0: until
	// changed through the control API).
	For Duration `toml:"for" json:"for"`

	// Webhook matching; empty matches all.
	Event  string `toml:"event" json:"event"`
	Action string `toml:"action" json:"action"`
}

func (f FaultRule) validate() error {
	if !faultKinds[f.Kind] {
		return fmt.Errorf("fault kind %q unknown", f.Kind)
	}
	if f.Path != "" {
		if _, err := path.Match(f.Path, "/"); err != nil {
			return fmt.Errorf("fault path %q: %w", f.Path, err)
		}
	}
	if f.Probability < 0 || f.Probability > 1 {
		return fmt.Errorf("fault probability %v: want 0..1", f.Probability)
	}
	if f.Kind == FaultError && f.Status != 0 && (f.Status < 500 || f.Status > 599) {
		return fmt.Errorf("fault status %d: want a 5xx", f.Status)
	}
	return nil
}

// fault is an armed rule.
type fault struct {
	FaultRule
	fired int
	armed time.Time // when it was added; stale_list's cut-off if From is zero
}

type faultSet struct {
	rules []*fault
	next  int
}

func newFaultSet() *faultSet { return &faultSet{} }

// effects is what the request faults decided for one request.
type effects struct {
	delay         time.Duration
	reset         bool
	response      *response
	lost          bool
	lostStatus    int
	listLag       *time.Duration
	getLag        *time.Duration
	staleAfter    time.Time
	cancelIgnored bool
	rerunRefused  bool
	runDetails    string
}

// active reports whether the rule's window contains now and it may fire
// again.
func (f *fault) active(now time.Time) bool {
	if !f.From.IsZero() && now.Before(f.From) {
		return false
	}
	if !f.Until.IsZero() && !now.Before(f.Until) {
		return false
	}
	return f.Count == 0 || f.fired < f.Count
}

// fire rolls the rule's probability and counts a firing.
func (f *fault) fire(s *Sim) bool {
	p := f.Probability
	if p == 0 {
		p = 1
	}
	if !s.rng.chance(p) {
		return false
	}
	f.fired++
	return true
}

func (f *fault) matchesRequest(q *request) bool {
	if f.Method != "" && !strings.EqualFold(f.Method, q.r.Method) {
		return false
	}
	if f.Token != "" && f.Token != bearer(q.r) {
		return false
	}
	if f.Path != "" {
		if ok, _ := path.Match(f.Path, q.path); !ok {
			return false
		}
	}
	return true
}

var requestKinds = map[string]bool{
	FaultLatency: true, FaultError: true, FaultReset: true, FaultLost: true, FaultPrimaryExhaust: true,
	FaultSecondary: true, FaultListLag: true, FaultGetLag: true, FaultStaleList: true,
	FaultCancelIgnored: true, FaultRerunRefused: true, FaultRunDetailsOff: true, FaultRunDetailsIgn: true,
}

// forRequest evaluates the request faults in the order they were added.
func (fs *faultSet) forRequest(s *Sim, q *request) effects {
	var eff effects
	for _, f := range fs.rules {
		if !requestKinds[f.Kind] || !f.active(q.now) || !f.matchesRequest(q) || !f.fire(s) {
			continue
		}
		switch f.Kind {
		case FaultLatency:
			eff.delay += s.rng.jitter(f.Delay.Std(), f.Jitter.Std())
		case FaultError:
			if eff.response == nil {
				eff.response = serverError(orDefault(f.Status, http.StatusInternalServerError))
			}
		case FaultReset:
			eff.reset = true
		case FaultLost:
			eff.lost, eff.lostStatus = true, orDefault(f.Status, http.StatusBadGateway)
		case FaultPrimaryExhaust:
			if tok := s.w.tokens[bearer(q.r)]; tok != nil && s.rate.enabled {
				s.rate.bucketFor(tok, q.now).exhaust(f.Reset)
			}
		case FaultSecondary:
			if eff.response == nil {
				retry := f.RetryAfter.Std()
				if retry <= 0 {
					retry = time.Minute
				}
				eff.response = secondaryLimited(s.rate.status, retry, f.NoRetryAfter)
			}
		case FaultListLag:
			d := f.Delay.Std()
			eff.listLag = &d
		case FaultGetLag:
			d := f.Delay.Std()
			eff.getLag = &d
		case FaultStaleList:
			cut := f.From
			if cut.IsZero() {
				cut = f.armed
			}
			eff.staleAfter = cut
		case FaultCancelIgnored:
			eff.cancelIgnored = true
		case FaultRerunRefused:
			eff.rerunRefused = true
		case FaultRunDetailsOff:
			eff.runDetails = RunDetailsUnsupported
		case FaultRunDetailsIgn:
			eff.runDetails = RunDetailsIgnored
		}
	}
	return eff
}

func orDefault(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

func (f *fault) matchesRunner(rn *runner) bool {
	if f.RunnerID != 0 && f.RunnerID != rn.id {
		return false
	}
	return hasLabels(rn, f.Labels)
}

// onJobStart arms runner faults that trigger on a job starting: a runner
// that dies mid-job and a busy flag that goes stale-false (variant B).
func (fs *faultSet) onJobStart(s *Sim, j *job, rn *runner, at time.Time) {
	for _, f := range fs.rules {
		if !f.active(at) || !f.matchesRunner(rn) {
			continue
		}
		switch {
		case f.Kind == FaultRunnerOffline && f.MidJob:
			if !f.fire(s) {
				continue
			}
			f := f
			s.schedule(at.Add(f.Delay.Std()), "fault runner offline", func(t time.Time) {
				if rn.job == j {
					s.runnerOfflineFor(rn, f.For.Std(), t)
				}
			})
		case f.Kind == FaultBusyStale:
			if !f.fire(s) {
				continue
			}
			gen := rn.gen
			s.schedule(at.Add(f.Delay.Std()), "fault busy stale", func(time.Time) {
				if rn.job == j {
					rn.busy = false
					// Later busy-set events of this job must not repair it.
					if rn.gen == gen {
						rn.gen++
					}
				}
			})
		}
	}
}

// holdBusy reports whether a finished job leaves its runner stuck busy.
func (fs *faultSet) holdBusy(s *Sim, rn *runner, at time.Time) bool {
	for _, f := range fs.rules {
		if f.Kind != FaultBusyStuck || !f.active(at) || !f.matchesRunner(rn) || !f.fire(s) {
			continue
		}
		if d := f.For.Std(); d > 0 {
			s.schedule(at.Add(d), "fault busy unstuck", func(time.Time) {
				if rn.stuckBusy {
					rn.stuckBusy = false
					if rn.job == nil {
						rn.busy = false
					}
				}
			})
		}
		return true
	}
	return false
}

// jobHold is how long a job queued now is withheld from runners.
func (fs *faultSet) jobHold(s *Sim, j *job, at time.Time) time.Duration {
	var hold time.Duration
	for _, f := range fs.rules {
		if f.Kind != FaultJobStuck || !f.active(at) || !hasAllLabels(j.labels, f.Labels) || !f.fire(s) {
			continue
		}
		hold = max(hold, f.Delay.Std())
	}
	return hold
}

// hasAllLabels reports whether a job's runs-on includes every label of want.
func hasAllLabels(have, want []string) bool {
	for _, w := range want {
		found := false
		for _, h := range have {
			if strings.EqualFold(h, w) {
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

// webhookEffects is what webhook faults decided for one delivery.
type webhookEffects struct {
	drop         bool
	duplicates   int
	delay        time.Duration
	badSignature bool
}

func (fs *faultSet) forWebhook(s *Sim, h *hook, event, action string, at time.Time) webhookEffects {
	var fx webhookEffects
	for _, f := range fs.rules {
		if !strings.HasPrefix(f.Kind, "webhook_") || !f.active(at) {
			continue
		}
		if (f.Event != "" && f.Event != event) || (f.Action != "" && f.Action != action) || !f.fire(s) {
			continue
		}
		switch f.Kind {
		case FaultWebhookDrop:
			fx.drop = true
		case FaultWebhookDuplicate:
			fx.duplicates++
		case FaultWebhookDelay:
			fx.delay += s.rng.jitter(f.Delay.Std(), f.Jitter.Std())
		case FaultWebhookReorder:
			fx.delay += s.rng.uniform(0, f.Delay.Std())
		case FaultWebhookBadSignature:
			fx.badSignature = true
		}
	}
	return fx
}

// addFaultLocked arms a rule. Time-triggered runner_offline rules schedule
// their own start and end.
func (s *Sim) addFaultLocked(r FaultRule, now time.Time) string {
	fs := s.faults
	if r.ID == "" {
		fs.next++
		r.ID = fmt.Sprintf("fault-%d", fs.next)
	}
	f := &fault{FaultRule: r, armed: now}
	fs.rules = append(fs.rules, f)
	if r.Kind == FaultRunnerOffline && !r.MidJob {
		start := r.From
		if start.Before(now) {
			start = now
		}
		s.schedule(start, "fault runner offline", func(t time.Time) {
			for _, id := range append([]int64(nil), s.w.runnerIDs...) {
				rn := s.w.runners[id]
				if f.active(t) && f.matchesRunner(rn) && f.fire(s) {
					s.runnerOfflineFor(rn, f.For.Std(), t)
				}
			}
		})
	}
	return r.ID
}

// runnerOfflineFor disconnects a runner and, if d > 0, reconnects it later.
func (s *Sim) runnerOfflineFor(rn *runner, d time.Duration, at time.Time) {
	s.setConnectedLocked(rn, false, at)
	if d > 0 {
		s.schedule(at.Add(d), "fault runner back", func(t time.Time) { s.setConnectedLocked(rn, true, t) })
	}
}

func (fs *faultSet) remove(id string) bool {
	for i, f := range fs.rules {
		if f.ID == id {
			fs.rules = append(fs.rules[:i], fs.rules[i+1:]...)
			return true
		}
	}
	return false
}
