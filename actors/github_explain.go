package actors

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/dispatchoor/dispatchoor/actors/state"
)

// explainSnapshot is what the dispatcher last knew about runners and
// limits, published for the Explain hook. It is immutable once stored, so
// the hook reads it on a group actor's goroutine without waiting.
type explainSnapshot struct {
	polled        bool
	backoffUntil  time.Time
	backoffReason string
	runners       []runnerAvail
	groups        map[string]capacity // by group id, for the groups of the last decision
}

// runnerAvail is one runner as the dispatcher judged it.
type runnerAvail struct {
	ID        int64
	Labels    []string
	Online    bool
	Available bool // idle and not reserved: a dispatch could use it now
	Reserved  bool // held for a dispatch whose run has not started
}

// capacity counts the runners that match a group's labels.
type capacity struct {
	online, available, reserved int
}

func (s *explainSnapshot) capacity(groupID string, labels []string) capacity {
	if c, ok := s.groups[groupID]; ok {
		return c
	}
	return countCapacity(s.runners, labels)
}

func countCapacity(runners []runnerAvail, labels []string) capacity {
	var c capacity
	for _, r := range runners {
		if !r.Online || !state.Matches(r.Labels, labels) {
			continue
		}
		c.online++
		if r.Available {
			c.available++
		}
		if r.Reserved {
			c.reserved++
		}
	}
	return c
}

// explainer is the Explain hook: it returns the function that says why a
// pending job of g waits and when it should start (ahead counts the
// unpaused pending jobs before it), or nil before the dispatcher published
// anything. What all jobs of the group share (the snapshot, the clock, the
// capacity, the run-time averages) is read once per call, since a whole
// queue is explained in one pass.
func (gh *GitHub) explainer(g *state.GroupState) func(j *state.Job, ahead int) (string, time.Time, bool) {
	snap := gh.explainSnap.Load()
	if snap == nil {
		return nil
	}
	now := gh.clock.Now()
	var (
		c       capacity
		busy    string // runnersBusy(c)
		counted bool
		avgs    map[string]time.Duration // by template id; absent: not looked up yet
	)
	return func(j *state.Job, ahead int) (string, time.Time, bool) {
		switch {
		case !g.Group.InConfig:
			return "group no longer in config", time.Time{}, true
		case g.Group.Paused:
			return "group paused", time.Time{}, true
		case j.Paused:
			return "job paused", time.Time{}, true
		}
		if p := g.DispatchProblem(j); p != "" {
			return p, time.Time{}, true
		}
		if snap.backoffUntil.After(now) {
			return "GitHub rate-limited until " + snap.backoffUntil.UTC().Format("15:04:05Z"), snap.backoffUntil, true
		}
		if !snap.polled {
			return "waiting for the first runner poll", time.Time{}, true
		}
		if !counted {
			c, counted = snap.capacity(g.Group.ID, g.Group.RunnerLabels), true
			busy = runnersBusy(c)
		}
		if c.online == 0 {
			return "no matching runner online", time.Time{}, true
		}
		if c.available > ahead {
			return waitReason(c, ahead, busy), now, true
		}
		avg, ok := avgs[j.TemplateID]
		if !ok {
			if avgs == nil {
				avgs = map[string]time.Duration{}
			}
			avg, _ = gh.durations.estimate(g.Group.ID, j.TemplateID)
			avgs[j.TemplateID] = avg
		}
		return waitReason(c, ahead, busy), etaAfter(c, ahead, avg, now), true
	}
}

// waitReason says what a dispatchable job waits for; busy is runnersBusy(c),
// which a pass over a whole queue computes once.
func waitReason(c capacity, ahead int, busy string) string {
	switch {
	case c.available > ahead:
		return "waiting for dispatch"
	case ahead == 0:
		return busy
	case busy == "":
		return plural(ahead, "job", "jobs") + " ahead"
	}
	return plural(ahead, "job", "jobs") + " ahead, " + busy
}

// runnersBusy says why no matching runner is free: busy, or reserved for
// dispatches whose runs have not started.
func runnersBusy(c capacity) string {
	var parts []string
	if busy := c.online - c.available - c.reserved; busy > 0 {
		parts = append(parts, plural(busy, "matching runner", "matching runners")+" busy")
	}
	if c.reserved > 0 {
		parts = append(parts, plural(c.reserved, "matching runner", "matching runners")+" reserved for dispatches in flight")
	}
	return strings.Join(parts, ", ")
}

// etaAfter estimates when a job starts that has to wait for a runner:
// after the waves of runs ahead of it, each taking the template's average
// run time (zero: none observed yet, so no estimate).
func etaAfter(c capacity, ahead int, avg time.Duration, now time.Time) time.Time {
	if avg <= 0 || c.online == 0 {
		return time.Time{}
	}
	waves := (ahead-c.available)/c.online + 1
	return now.Add(time.Duration(waves) * avg)
}

// durationStats keeps a moving average of run times per template (and per
// group, for templates not seen yet), from completed runs.
type durationStats struct {
	mu         sync.Mutex
	byTemplate map[string]time.Duration
	byGroup    map[string]time.Duration
}

// durationWeight is the weight of the newest run in the moving average.
const durationWeight = 0.3

func newDurationStats() *durationStats {
	return &durationStats{byTemplate: map[string]time.Duration{}, byGroup: map[string]time.Duration{}}
}

func (d *durationStats) observe(groupID, templateID string, took time.Duration) {
	if took <= 0 {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.byTemplate[templateKey(groupID, templateID)] = ewma(d.byTemplate[templateKey(groupID, templateID)], took)
	d.byGroup[groupID] = ewma(d.byGroup[groupID], took)
}

// seed fills in averages from history for templates not seen yet, so ETAs
// are there right after a restart.
func (d *durationStats) seed(views []groupView) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, v := range views {
		for tid, samples := range v.Durations {
			key := templateKey(v.Group.ID, tid)
			if _, ok := d.byTemplate[key]; ok || len(samples) == 0 {
				continue
			}
			// Samples come newest first; fold oldest first.
			var avg time.Duration
			for i := len(samples) - 1; i >= 0; i-- {
				avg = ewma(avg, samples[i])
			}
			d.byTemplate[key] = avg
			if _, ok := d.byGroup[v.Group.ID]; !ok {
				d.byGroup[v.Group.ID] = avg
			}
		}
	}
}

func (d *durationStats) estimate(groupID, templateID string) (time.Duration, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if v, ok := d.byTemplate[templateKey(groupID, templateID)]; ok {
		return v, true
	}
	v, ok := d.byGroup[groupID]
	return v, ok
}

func templateKey(groupID, templateID string) string { return groupID + "\x00" + templateID }

func ewma(avg, sample time.Duration) time.Duration {
	if avg == 0 {
		return sample
	}
	return time.Duration(durationWeight*float64(sample) + (1-durationWeight)*float64(avg))
}

// formatUntil renders a back-off deadline for logs and reasons.
func formatUntil(t time.Time) string { return fmt.Sprintf("until %s", t.UTC().Format(time.RFC3339)) }
