package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dispatchoor/dispatchoor/actors"
	"github.com/dispatchoor/dispatchoor/actors/state"
)

// watching is a `ctl watch` running in the background.
type watching struct {
	w    *ctlWorld
	out  *ctlBuffer
	done chan ctlResult
}

func (w *ctlWorld) startWatch(args ...string) *watching {
	w.t.Helper()
	v := &watching{w: w, out: &ctlBuffer{}, done: make(chan ctlResult, 1)}
	ctx, cancel := context.WithTimeout(context.Background(), envTimeout)
	w.t.Cleanup(cancel)
	go func() {
		var errOut ctlBuffer
		err := runCtl(ctx, append([]string{"watch"}, args...), ctlEnv{stdin: strings.NewReader(""), stdout: v.out,
			stderr: &errOut, getenv: func(k string) string {
				if k == "DISPATCHOOR_TOKEN" {
					return w.token["viewer"]
				}
				return w.env[k]
			}, transport: w.check})
		r := ctlResult{stdout: v.out.String(), stderr: errOut.String(), code: ctlExitCode(err)}
		if err != nil {
			r.err = err.Error()
		}
		v.done <- r
	}()
	return v
}

// until waits for a line containing s.
func (v *watching) until(s string) {
	v.w.t.Helper()
	v.w.waitFor("watch prints "+s, func() bool { return strings.Contains(v.out.String(), s) })
}

func (v *watching) result() ctlResult {
	v.w.t.Helper()
	select {
	case r := <-v.done:
		return r
	case <-time.After(envTimeout):
		v.w.t.Fatal("watch did not end")
		return ctlResult{}
	}
}

// decide moves a job as the dispatcher and tracker would.
func (w *ctlWorld) decide(fn func(g *state.GroupState, m state.Meta) ([]state.Event, error)) {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), envTimeout)
	defer cancel()
	if _, err := w.app.sys.Decide(ctx, "ci", actors.Who{Username: state.ActorDispatcher}, fn); err != nil {
		w.t.Fatal(err)
	}
}

// TestCtlWatchFollowsAJobToItsEnd: watch prints each change as it happens
// over the WebSocket and exits 0 when the job completes.
func TestCtlWatchFollowsAJobToItsEnd(t *testing.T) {
	w := newCtlWorld(t)
	w.observeRunners()
	id := w.add("ci", "--template", "unit")
	v := w.startWatch(id)
	v.until("pending")
	w.decide(func(g *state.GroupState, m state.Meta) ([]state.Event, error) {
		return g.MarkDispatching(m, id, "key-1", 1, "ci-1")
	})
	v.until("dispatching to ci-1")
	w.decide(func(g *state.GroupState, m state.Meta) ([]state.Event, error) {
		return g.MarkTriggered(m, id, 99, "https://github.com/acme/tests/actions/runs/99")
	})
	v.until("triggered")
	w.decide(func(g *state.GroupState, m state.Meta) ([]state.Event, error) { return g.MarkRunning(m, id, 1, "ci-1") })
	v.until("running on ci-1")
	w.decide(func(g *state.GroupState, m state.Meta) ([]state.Event, error) {
		return g.Finish(m, id, state.Finish{Status: state.StatusCompleted, Conclusion: "success"})
	})
	r := v.result()
	if r.code != 0 {
		t.Fatalf("watch exit %d (%s)", r.code, r.err)
	}
	want := "job-1 pending: waiting for dispatch\njob-1 dispatching to ci-1\n" +
		"job-1 triggered: https://github.com/acme/tests/actions/runs/99\njob-1 running on ci-1\njob-1 completed (success)\n"
	if got := strings.ReplaceAll(r.stdout, id, "job-1"); got != want {
		t.Errorf("watch printed\n%s\nwant\n%s", got, want)
	}
}

// TestCtlWatchExitCodes: a failed job exits 10, a cancelled or removed one
// 11, a job already finished at once; --json prints one object per change.
func TestCtlWatchExitCodes(t *testing.T) {
	w := newCtlWorld(t)
	w.observeRunners()

	failed := w.add("ci", "--template", "unit")
	v := w.startWatch("--json", failed)
	v.until(`"status":"pending"`)
	w.decide(func(g *state.GroupState, m state.Meta) ([]state.Event, error) {
		return g.Finish(m, failed, state.Finish{Status: state.StatusFailed, Error: "workflow not found", NoRun: true})
	})
	if r := v.result(); r.code != exitJobFailed || strings.Count(r.stdout, "\n") != 2 || !strings.Contains(r.stdout, `"status":"failed"`) {
		t.Errorf("failed job: exit %d, output %q", r.code, r.stdout)
	}
	if r := w.ctl("watch", failed); r.code != exitJobFailed {
		t.Errorf("watching a job that already failed: exit %d", r.code)
	}

	removed := w.add("ci", "--template", "unit")
	v = w.startWatch(removed)
	v.until("pending")
	w.ok("pause", "--job", removed) // a change, so we know the subscription is live
	v.until("paused")
	w.call("DELETE", "/api/v1/jobs/"+removed, w.token["admin"], "", 204, nil)
	if r := v.result(); r.code != exitJobCancelled || !strings.Contains(r.stdout, "removed") {
		t.Errorf("removed job: exit %d, output %q", r.code, r.stdout)
	}

	cancelled := w.add("ci", "--template", "unit")
	w.decide(func(g *state.GroupState, m state.Meta) ([]state.Event, error) {
		return g.MarkDispatching(m, cancelled, "key-2", 1, "ci-1")
	})
	v = w.startWatch(cancelled)
	v.until("dispatching")
	w.ok("cancel", cancelled)
	if r := v.result(); r.code != exitJobCancelled {
		t.Errorf("cancelled job: exit %d, output %q", r.code, r.stdout)
	}
	if r := w.ctl("watch", "nope"); r.code != exitNotFound {
		t.Errorf("unknown job: exit %d", r.code)
	}
}
