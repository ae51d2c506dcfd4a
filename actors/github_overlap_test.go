package actors

import (
	"slices"
	"testing"
	"time"

	"github.com/dispatchoor/dispatchoor/actors/state"
	"github.com/dispatchoor/dispatchoor/github/sim"
)

// TestGitHubOverlappingLabelsShareByWeight runs two groups whose labels
// match the same four runners, with weights 3 and 1. At every step no
// runner is promised to two jobs and our unfinished runs never outnumber
// the runners; while both groups have work, dispatches follow the weights.
func TestGitHubOverlappingLabelsShareByWeight(t *testing.T) {
	pool := []string{"self-hosted", "linux", "pool"}
	spec := func(file string) sim.WorkflowSpec {
		d := sim.Duration(10 * time.Second)
		return sim.WorkflowSpec{Repo: "acme/tests", File: file, Name: file,
			Jobs: []sim.JobSpec{{Name: "run", RunsOn: pool, Duration: sim.DurationDist{Min: d, Max: d}}}}
	}
	group := func(id, file string, weight int) GroupSpec {
		return GroupSpec{
			Group:     state.Group{ID: id, Name: id, RunnerLabels: pool, Weight: weight},
			Templates: []state.Template{{ID: id + "-t", Owner: "acme", Repo: "tests", WorkflowID: file, Ref: "main"}},
		}
	}
	var runners []sim.RunnerConfig
	for _, n := range []string{"p1", "p2", "p3", "p4"} {
		runners = append(runners, sim.RunnerConfig{Name: n, Owner: "acme", Labels: pool})
	}
	for _, webhooks := range []bool{false, true} {
		t.Run(map[bool]string{false: "polling", true: "webhooks"}[webhooks], func(t *testing.T) {
			e := newGHEnv(t, envOptions{
				webhooks: webhooks, runners: runners,
				groups:    []GroupSpec{group("heavy", "a.yml", 3), group("light", "b.yml", 1)},
				workflows: []sim.WorkflowSpec{spec("a.yml"), spec("b.yml")},
			})
			e.waitRunners(4)
			if _, err := e.sys.PauseGroup(e.ctx(), admin(), "heavy", true); err != nil {
				t.Fatal(err)
			}
			if _, err := e.sys.PauseGroup(e.ctx(), admin(), "light", true); err != nil {
				t.Fatal(err)
			}
			const perGroup = 24
			for range perGroup {
				e.enqueue("heavy", "heavy-t", nil)
				e.enqueue("light", "light-t", nil)
			}
			for _, g := range []string{"heavy", "light"} {
				if _, err := e.sys.PauseGroup(e.ctx(), admin(), g, false); err != nil {
					t.Fatal(err)
				}
			}
			e.until(10*time.Minute, "every job finished", func() bool {
				e.checkNoDoubleBooking(4)
				return e.finished("heavy") == perGroup && e.finished("light") == perGroup
			})
			if n := len(e.simRuns()); n != 2*perGroup {
				t.Fatalf("simulator has %d runs for %d jobs", n, 2*perGroup)
			}
			// The first 16 dispatches happen while both groups still have
			// plenty queued: 3 to 1.
			jobs := append(e.history("heavy"), e.history("light")...)
			slices.SortFunc(jobs, func(a, b *state.Job) int { return a.DispatchingAt.Compare(b.DispatchingAt) })
			heavy := 0
			for _, j := range jobs[:16] {
				if j.GroupID == "heavy" {
					heavy++
				}
			}
			if heavy < 11 || heavy > 13 {
				t.Fatalf("heavy got %d of the first 16 dispatches; want 12 (weights 3:1)", heavy)
			}
		})
	}
}

// checkNoDoubleBooking fails if two of our dispatches reserved the same
// runner, or if more of our runs are unfinished on GitHub than there are
// runners (one would be waiting for a runner another run holds).
func (e *ghEnv) checkNoDoubleBooking(runners int) {
	e.t.Helper()
	holders := map[int64]string{}
	for _, gid := range e.sys.GroupIDs() {
		q, err := e.sys.Queue(e.ctx(), gid)
		if err != nil {
			e.t.Fatal(err)
		}
		for _, ji := range q {
			j := ji.Job
			if (j.Status != state.StatusDispatching && j.Status != state.StatusTriggered) || j.RunnerID == 0 {
				continue
			}
			if other, ok := holders[j.RunnerID]; ok {
				o, _ := e.sys.Job(e.ctx(), other)
				e.t.Fatalf("runner %d reserved by jobs %s and %s:\n%+v\n%+v\nnow %v", j.RunnerID, other, j.ID, *o.Job, *j, e.clock.Now())
			}
			holders[j.RunnerID] = j.ID
		}
	}
	open := 0
	for _, r := range e.simRuns() {
		if r.Status != "completed" {
			open++
		}
	}
	if open > runners {
		e.t.Fatalf("%d of our runs unfinished on GitHub for %d runners: some wait for a runner", open, runners)
	}
}

func (e *ghEnv) history(group string) []*state.Job {
	e.t.Helper()
	p, err := e.sys.History(e.ctx(), group, state.HistoryQuery{Limit: 100})
	if err != nil {
		e.t.Fatal(err)
	}
	return p.Jobs
}

func (e *ghEnv) finished(group string) int { return len(e.history(group)) }
