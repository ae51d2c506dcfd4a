package audittest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/dispatchoor/dispatchoor/actors"
	"github.com/dispatchoor/dispatchoor/actors/state"
)

// script drives the live system step by step. Every step first moves the
// clock, so each event has its own time and a moment captured between
// steps falls strictly between two events.
type script struct {
	tb    testing.TB
	ctx   context.Context
	sys   *actors.System
	clock *Clock
	res   *Result
}

var (
	dispatcher = actors.Who{Username: state.ActorDispatcher}
	tracker    = actors.Who{Username: state.ActorTracker}
	poller     = actors.Who{Username: state.ActorPoller}
)

func (s *script) play(opts Options) {
	s.res.Secret = "session-token-alice-7f3c"
	s.step(func() error {
		return s.sys.CreateSession(s.ctx, Alice, state.Session{
			TokenHash: TokenHash(s.res.Secret), Username: "alice", Role: "admin", Provider: "basic",
			ExpiresAt: s.clock.Now().Add(24 * time.Hour),
		})
	})
	s.enqueue("geth", Alice, "sync", state.AddJob{TemplateID: "geth"})
	s.enqueue("nethermind", Alice, "sync", state.AddJob{TemplateID: "nethermind", Inputs: map[string]string{"network": "hoodi"}})
	s.enqueue("manual", Alice, "sync", state.AddJob{Owner: "acme", Repo: "tools", WorkflowID: "lint.yml", Ref: "main", Name: "lint"})
	limit := 1
	s.enqueue("build", Bob, "builds", state.AddJob{TemplateID: "docker", AutoRequeue: true, RequeueLimit: &limit})
	s.capture("enqueued")

	geth, neth, manual, build := s.res.Jobs["geth"], s.res.Jobs["nethermind"], s.res.Jobs["manual"], s.res.Jobs["build"]
	s.step(func() error { return s.sys.Reorder(s.ctx, Alice, "sync", []string{manual, geth, neth}) })
	s.step(func() error { _, err := s.sys.PauseJob(s.ctx, Alice, neth, true); return err })
	prio := 5
	s.step(func() error {
		_, err := s.sys.UpdateJob(s.ctx, Alice, geth, state.UpdateJob{Priority: &prio})
		return err
	})
	s.step(func() error { _, err := s.sys.PauseGroup(s.ctx, Bob, "builds", true); return err })
	s.capture("reordered and paused")
	s.step(func() error { _, err := s.sys.PauseGroup(s.ctx, Bob, "builds", false); return err })

	s.step(func() error { return s.sys.Observe(s.ctx, poller, runners(s.clock.Now()), nil) })
	s.dispatch("sync", geth, "runner-sync-1", 1)
	s.decide("sync", dispatcher, func(g *state.GroupState, m state.Meta) ([]state.Event, error) {
		return g.Finish(m, geth, state.Finish{
			Status: state.StatusFailed, NoRun: true, Reason: "dispatch refused by GitHub",
			Error: "HTTP 422: Workflow does not have 'workflow_dispatch' trigger",
		})
	})
	s.dispatch("sync", manual, "runner-sync-1", 1)
	s.trigger("sync", manual, 9001)
	s.running("sync", manual, "runner-sync-1", 1)
	s.dispatch("builds", build, "runner-build-1", 2)
	s.trigger("builds", build, 9002)
	s.running("builds", build, "runner-build-1", 2)
	s.capture("running")

	s.decide("builds", tracker, func(g *state.GroupState, m state.Meta) ([]state.Event, error) {
		return g.Finish(m, build, state.Finish{Status: state.StatusCompleted, Conclusion: "success", Reason: "run 9002 concluded"})
	})
	s.res.Jobs["build-requeued"] = s.lastJob("builds")
	s.step(func() error { _, err := s.sys.CancelJob(s.ctx, Alice, manual); return err })
	s.step(func() error { _, err := s.sys.SetAutoRequeue(s.ctx, Alice, neth, true, nil); return err })
	s.step(func() error { _, err := s.sys.PauseJob(s.ctx, Alice, neth, false); return err })
	s.step(func() error { _, err := s.sys.ReloadTemplates(s.ctx, Bob); return err })
	s.capture("reloaded")

	s.clock.Advance(31 * 24 * time.Hour)
	s.step(func() error { return s.sys.Cleanup(s.ctx) })
	s.capture("after retention")
	if opts.Compact {
		s.compact()
	}
}

// compact takes a snapshot, lets a retention period pass, and takes
// another: the second removes the segments the first covers.
func (s *script) compact() {
	s.step(func() error { return s.sys.Snapshot(s.ctx) })
	s.clock.Advance(31 * 24 * time.Hour)
	s.enqueue("late", Bob, "builds", state.AddJob{TemplateID: "docker"})
	s.step(func() error { return s.sys.Snapshot(s.ctx) })
	s.capture("compacted")
}

func (s *script) step(fn func() error) {
	s.tb.Helper()
	s.clock.Advance(time.Second)
	if err := fn(); err != nil {
		s.tb.Fatalf("scenario step at %s: %v", s.clock.Now().Format(time.RFC3339), err)
	}
}

func (s *script) enqueue(name string, who actors.Who, group string, req state.AddJob) {
	s.tb.Helper()
	s.step(func() error {
		ji, err := s.sys.Enqueue(s.ctx, who, group, req)
		s.res.Jobs[name] = ji.Job.ID
		return err
	})
}

// decide commits events the way the dispatcher and tracker do.
func (s *script) decide(group string, who actors.Who, fn func(*state.GroupState, state.Meta) ([]state.Event, error)) {
	s.tb.Helper()
	s.step(func() error {
		_, err := s.sys.Decide(s.ctx, group, who, fn)
		return err
	})
}

// dispatch, trigger and running take a job through the dispatcher's and
// tracker's decisions, as the GitHub actors commit them.
func (s *script) dispatch(group, job, runner string, runnerID int64) {
	s.tb.Helper()
	s.decide(group, dispatcher, func(g *state.GroupState, m state.Meta) ([]state.Event, error) {
		return g.MarkDispatching(m, job, "dk-"+job[len(job)-4:], runnerID, runner)
	})
}

func (s *script) trigger(group, job string, run int64) {
	s.tb.Helper()
	s.decide(group, dispatcher, func(g *state.GroupState, m state.Meta) ([]state.Event, error) {
		return g.MarkTriggered(m, job, run, fmt.Sprintf("https://github.com/acme/clients/actions/runs/%d", run))
	})
}

func (s *script) running(group, job, runner string, runnerID int64) {
	s.tb.Helper()
	s.decide(group, tracker, func(g *state.GroupState, m state.Meta) ([]state.Event, error) {
		return g.MarkRunning(m, job, runnerID, runner)
	})
}

// lastJob is the id of the newest pending job of a group.
func (s *script) lastJob(group string) string {
	s.tb.Helper()
	q, err := s.sys.Queue(s.ctx, group)
	if err != nil || len(q) == 0 {
		s.tb.Fatalf("queue of %s: %v (%d jobs)", group, err, len(q))
	}
	return q[len(q)-1].Job.ID
}

// capture records what the live system reports now.
func (s *script) capture(name string) {
	s.tb.Helper()
	m := Moment{Name: name, Time: s.clock.Now(), Groups: map[string]Group{}}
	for _, id := range s.sys.GroupIDs() {
		info, err := s.sys.Group(s.ctx, id)
		if err != nil {
			s.tb.Fatalf("group %s: %v", id, err)
		}
		q, err := s.sys.Queue(s.ctx, id)
		if err != nil {
			s.tb.Fatalf("queue %s: %v", id, err)
		}
		m.Groups[id] = Group{Info: info, Queue: q}
	}
	s.res.Moments = append(s.res.Moments, m)
}

func runners(now time.Time) []state.Runner {
	return []state.Runner{
		{ID: 1, Name: "runner-sync-1", OS: "linux", Labels: []string{"self-hosted", "sync"}, Status: "online", LastSeenAt: now},
		{ID: 2, Name: "runner-build-1", OS: "linux", Labels: []string{"self-hosted", "build"}, Status: "online", LastSeenAt: now},
	}
}
