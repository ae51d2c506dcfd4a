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

// explain is the Explain hook: why a pending job waits and when it should
// start. ahead counts the unpaused pending jobs before it.
func (gh *GitHub) explain(g *state.GroupState, j *state.Job, ahead int) (string, time.Time, bool) {
	snap := gh.explainSnap.Load()
	if snap == nil {
		return "", time.Time{}, false
	}
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
	now := gh.clock.Now()
	if snap.backoffUntil.After(now) {
		return "GitHub rate-limited until " + snap.backoffUntil.UTC().Format("15:04:05Z"), snap.backoffUntil, true
	}
	if !snap.polled {
		return "waiting for the first runner poll", time.Time{}, true
	}
	c := snap.capacity(g.Group.ID, g.Group.RunnerLabels)
	if c.online == 0 {
		return "no matching runner online", time.Time{}, true
	}
	return waitReason(c, ahead), gh.eta(g.Group.ID, j.TemplateID, c, ahead, now), true
}

// waitReason says what a dispatchable job waits for.
func waitReason(c capacity, ahead int) string {
	if c.available > ahead {
		return "waiting for dispatch"
	}
	var parts []string
	if ahead > 0 {
		parts = append(parts, plural(ahead, "job", "jobs")+" ahead")
	}
	busy := c.online - c.available - c.reserved
	if busy > 0 {
		parts = append(parts, plural(busy, "matching runner", "matching runners")+" busy")
	}
	if c.reserved > 0 {
		parts = append(parts, plural(c.reserved, "matching runner", "matching runners")+" reserved for dispatches in flight")
	}
	return strings.Join(parts, ", ")
}

// eta estimates when a job starts: at once when a runner is free for it,
// else after the waves of runs ahead of it, each taking the template's
// average run time. Zero when no run time has been observed yet.
func (gh *GitHub) eta(groupID, templateID string, c capacity, ahead int, now time.Time) time.Time {
	if c.available > ahead {
		return now
	}
	avg, ok := gh.durations.estimate(groupID, templateID)
	if !ok || c.online == 0 {
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
