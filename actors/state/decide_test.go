package state

import (
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"
)

// decision is a command about to be decided against a prepared state.
type decision func() ([]Event, error)

// refusal is a command that must be refused: prepare sets up the state and
// returns the decision to check against it.
type refusal struct {
	name    string
	prepare func(f *fixture) decision
	kind    error
	msg     string
}

func runRefusals(t *testing.T, cases []refusal) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			wantErr(t, f, tc.prepare(f), tc.kind, tc.msg)
		})
	}
}

func manyEntries(n int) map[string]string {
	m := make(map[string]string, n)
	for i := range n {
		m[fmt.Sprintf("k%02d", i)] = "v"
	}
	return m
}

func TestEnqueueRefusals(t *testing.T) {
	long := strings.Repeat("x", MaxFieldLen+1)
	manual := func(mod func(*AddJob)) func(f *fixture) decision {
		return func(f *fixture) decision {
			req := AddJob{Owner: "acme", Repo: "infra", WorkflowID: "ci.yml", Ref: "main"}
			mod(&req)
			return func() ([]Event, error) { return f.g().Enqueue(f.meta(), req) }
		}
	}
	tmpl := func(mod func(*AddJob)) func(f *fixture) decision {
		return func(f *fixture) decision {
			req := AddJob{TemplateID: "t1"}
			mod(&req)
			return func() ([]Event, error) { return f.g().Enqueue(f.meta(), req) }
		}
	}
	runRefusals(t, []refusal{
		{"group not in config", func(f *fixture) decision {
			f.apply(f.g().Unconfigure(f.meta()))
			return func() ([]Event, error) { return f.g().Enqueue(f.meta(), AddJob{TemplateID: "t1"}) }
		}, ErrInvalid, "group g1 is no longer in the config"},
		{"negative requeue limit", tmpl(func(r *AddJob) { r.RequeueLimit = intPtr(-1) }),
			ErrInvalid, "requeue_limit must be between 0 and 1000000, or null for unlimited"},
		{"requeue limit too high", tmpl(func(r *AddJob) { r.RequeueLimit = intPtr(MaxRequeueLimit + 1) }),
			ErrInvalid, "requeue_limit must be between 0 and 1000000, or null for unlimited"},
		{"priority too high", tmpl(func(r *AddJob) { r.Priority = MaxPriority + 1 }),
			ErrInvalid, "priority must be between -1000 and 1000"},
		{"priority too low", tmpl(func(r *AddJob) { r.Priority = MinPriority - 1 }),
			ErrInvalid, "priority must be between -1000 and 1000"},
		{"name too long", tmpl(func(r *AddJob) { r.Name = long }), ErrInvalid, "name is longer than 512 bytes"},
		{"owner not UTF-8", tmpl(func(r *AddJob) { r.Owner = "ac\xffme" }), ErrInvalid, "owner is not valid UTF-8"},
		{"ref too long", tmpl(func(r *AddJob) { r.Ref = long }), ErrInvalid, "ref is longer than 512 bytes"},
		{"too many labels", tmpl(func(r *AddJob) { r.Labels = manyEntries(MaxLabels + 1) }),
			ErrInvalid, "labels: at most 50 entries, got 51"},
		{"empty label key", tmpl(func(r *AddJob) { r.Labels = map[string]string{"": "x"} }),
			ErrInvalid, "labels: empty key"},
		{"label value too long", tmpl(func(r *AddJob) { r.Labels = map[string]string{"k": long} }),
			ErrInvalid, `labels: key or value of "k" longer than 512 bytes`},
		{"manual without owner", manual(func(r *AddJob) { r.Owner = "" }),
			ErrInvalid, "Manual jobs require owner, repo, workflow_id, and ref"},
		{"manual without repo", manual(func(r *AddJob) { r.Repo = "" }),
			ErrInvalid, "Manual jobs require owner, repo, workflow_id, and ref"},
		{"manual without workflow", manual(func(r *AddJob) { r.WorkflowID = "" }),
			ErrInvalid, "Manual jobs require owner, repo, workflow_id, and ref"},
		{"manual without ref", manual(func(r *AddJob) { r.Ref = "" }),
			ErrInvalid, "Manual jobs require owner, repo, workflow_id, and ref"},
		{"manual with too many inputs", manual(func(r *AddJob) { r.Inputs = manyEntries(MaxInputs + 1) }),
			ErrInvalid, "inputs: GitHub accepts at most 25 inputs, got 26"},
		{"unknown template", tmpl(func(r *AddJob) { r.TemplateID = "nope" }), ErrNotFound, "template not found: nope"},
		{"template of another group", func(f *fixture) decision {
			f.configure(testGroup("g2"), []Template{{ID: "t9", Owner: "acme", Repo: "x", WorkflowID: "w.yml"}})
			return func() ([]Event, error) { return f.g().Enqueue(f.meta(), AddJob{TemplateID: "t9"}) }
		}, ErrNotFound, "template not found: t9"},
		{"template removed from config but kept for its jobs", func(f *fixture) decision {
			f.enqueue(AddJob{TemplateID: "t2"})
			f.configure(testGroup("g1"), testTemplates()[:1])
			return func() ([]Event, error) { return f.g().Enqueue(f.meta(), AddJob{TemplateID: "t2"}) }
		}, ErrInvalid, "template t2 is no longer in the config"},
		{"template removed from config without jobs", func(f *fixture) decision {
			f.configure(testGroup("g1"), testTemplates()[:1])
			return func() ([]Event, error) { return f.g().Enqueue(f.meta(), AddJob{TemplateID: "t2"}) }
		}, ErrNotFound, "template not found: t2"},
		{"defaults count towards the input limit", tmpl(func(r *AddJob) { r.Inputs = manyEntries(MaxInputs - 1) }),
			ErrInvalid, "inputs: GitHub accepts at most 25 inputs, got 26"},
		{"empty input name", tmpl(func(r *AddJob) { r.Inputs = map[string]string{"": "x"} }),
			ErrInvalid, "inputs: empty input name"},
		{"input name too long", tmpl(func(r *AddJob) { r.Inputs = map[string]string{strings.Repeat("n", MaxInputKeyLen+1): "x"} }),
			ErrInvalid, `inputs: name "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn..." is longer than 256 bytes`},
		{"input value not UTF-8", tmpl(func(r *AddJob) { r.Inputs = map[string]string{"client": "\xfe"} }),
			ErrInvalid, `inputs: "client" is not valid UTF-8`},
		{"inputs too large", tmpl(func(r *AddJob) { r.Inputs = map[string]string{"blob": strings.Repeat("b", MaxInputsBytes)} }),
			ErrInvalid, "inputs: 65561 bytes in total, GitHub accepts at most 65535"},
	})
}

func TestEnqueueTemplateJob(t *testing.T) {
	f := newFixture(t)
	f.actor = "bob"
	first := f.enqueueT1()
	f.advance(time.Second)
	j := f.enqueue(AddJob{
		TemplateID: "t1", Inputs: map[string]string{"client": "besu", "extra": "1"},
		AutoRequeue: true, RequeueLimit: intPtr(2), Priority: 3, Name: "nightly",
		Labels: map[string]string{"team": "core"},
	})
	wantInputs := map[string]string{"network": "hoodi", "client": "besu", "extra": "1"}
	if !maps.Equal(j.Inputs, wantInputs) {
		t.Fatalf("got inputs %v; want defaults overlaid with the request %v", j.Inputs, wantInputs)
	}
	if j.Position != first.Position+1 {
		t.Fatalf("got position %d; want %d (behind the first job)", j.Position, first.Position+1)
	}
	if j.Status != StatusPending || j.CreatedBy != "bob" || !j.CreatedAt.Equal(t0.Add(time.Second)) {
		t.Fatalf("got status %s, creator %s, created %v; want pending, bob, %v", j.Status, j.CreatedBy, j.CreatedAt, t0.Add(time.Second))
	}
	if !j.AutoRequeue || j.RequeueLimit == nil || *j.RequeueLimit != 2 || j.Priority != 3 {
		t.Fatalf("got auto_requeue %v limit %v priority %d; want true 2 3", j.AutoRequeue, j.RequeueLimit, j.Priority)
	}
	if j.Name == nil || *j.Name != "nightly" || j.Owner != nil || j.Ref != nil {
		t.Fatalf("got overrides name=%v owner=%v ref=%v; want only name set", j.Name, j.Owner, j.Ref)
	}
	if j.Labels["team"] != "core" {
		t.Fatalf("got labels %v; want team=core", j.Labels)
	}
	if f.g().Templates["t1"].DefaultInputs["client"] != "geth" {
		t.Fatalf("enqueue changed the template's defaults")
	}
}

func TestEnqueueManualJob(t *testing.T) {
	f := newFixture(t)
	in := map[string]string{"a": "1"}
	j := f.enqueue(AddJob{Owner: "acme", Repo: "infra", WorkflowID: "ci.yml", Ref: "v2", Inputs: in})
	in["a"] = "changed"
	if j.TemplateID != "" || j.Inputs["a"] != "1" || len(j.Inputs) != 1 {
		t.Fatalf("got template %q inputs %v; want a manual job with exactly the inputs given", j.TemplateID, j.Inputs)
	}
	owner, repo, wf, ref := f.g().Effective(j)
	if owner != "acme" || repo != "infra" || wf != "ci.yml" || ref != "v2" {
		t.Fatalf("got %s/%s %s@%s; want acme/infra ci.yml@v2", owner, repo, wf, ref)
	}
}

func TestUpdateRefusals(t *testing.T) {
	long := strings.Repeat("x", MaxFieldLen+1)
	onPending := func(req UpdateJob) func(f *fixture) decision {
		return func(f *fixture) decision {
			id := f.enqueueT1().ID
			return func() ([]Event, error) { return f.g().Update(f.meta(), id, req) }
		}
	}
	onManual := func(req UpdateJob) func(f *fixture) decision {
		return func(f *fixture) decision {
			j := f.enqueue(AddJob{Owner: "acme", Repo: "infra", WorkflowID: "ci.yml", Ref: "main"})
			return func() ([]Event, error) { return f.g().Update(f.meta(), j.ID, req) }
		}
	}
	empty := ""
	runRefusals(t, []refusal{
		{"unknown job", func(f *fixture) decision {
			return func() ([]Event, error) { return f.g().Update(f.meta(), "nope", UpdateJob{}) }
		}, ErrNotFound, "job not found: nope"},
		{"job of another group", func(f *fixture) decision {
			f.configure(testGroup("g2"), testTemplates())
			id := f.enqueueT1().ID
			return func() ([]Event, error) { return f.group("g2").Update(f.meta(), id, UpdateJob{}) }
		}, ErrNotFound, "job not found: id-00001"},
		{"dispatching job", func(f *fixture) decision {
			j := f.enqueueT1()
			f.dispatch(j.ID)
			return func() ([]Event, error) { return f.g().Update(f.meta(), j.ID, UpdateJob{Priority: intPtr(1)}) }
		}, ErrInvalid, "cannot update job with status dispatching"},
		{"finished job", func(f *fixture) decision {
			j := f.enqueueT1()
			f.complete(j.ID, StatusCompleted)
			return func() ([]Event, error) { return f.g().Update(f.meta(), j.ID, UpdateJob{}) }
		}, ErrInvalid, "cannot update job with status completed"},
		{"field too long", onPending(UpdateJob{Repo: &long}), ErrInvalid, "repo is longer than 512 bytes"},
		{"manual job owner cleared", onManual(UpdateJob{Owner: &empty}), ErrInvalid, "manual job: owner cannot be empty"},
		{"manual job ref cleared", onManual(UpdateJob{Ref: &empty}), ErrInvalid, "manual job: ref cannot be empty"},
		{"priority too high", onPending(UpdateJob{Priority: intPtr(MaxPriority + 1)}),
			ErrInvalid, "priority must be between -1000 and 1000"},
		{"too many inputs", onPending(UpdateJob{HasInputs: true, Inputs: manyEntries(MaxInputs + 1)}),
			ErrInvalid, "inputs: GitHub accepts at most 25 inputs, got 26"},
		{"too many labels", onPending(UpdateJob{HasLabels: true, Labels: manyEntries(MaxLabels + 1)}),
			ErrInvalid, "labels: at most 50 entries, got 51"},
	})
}

func TestUpdatePatch(t *testing.T) {
	f := newFixture(t)
	owner := "fork"
	j := f.enqueue(AddJob{TemplateID: "t1", Owner: "other", Labels: map[string]string{"a": "b"}})
	f.must(f.g().Update(f.meta(), j.ID, UpdateJob{Owner: &owner, HasInputs: true, Inputs: map[string]string{"only": "x"}}))
	j = f.job(j.ID)
	if got, _, _, _ := f.g().Effective(j); got != "fork" {
		t.Fatalf("got owner %s; want the override fork", got)
	}
	if !maps.Equal(j.Inputs, map[string]string{"only": "x"}) {
		t.Fatalf("got inputs %v; want the whole map replaced", j.Inputs)
	}
	if j.Labels["a"] != "b" {
		t.Fatalf("labels absent from the request changed: %v", j.Labels)
	}

	empty := ""
	f.must(f.g().Update(f.meta(), j.ID, UpdateJob{Owner: &empty, HasLabels: true, Labels: map[string]string{}}))
	j = f.job(j.ID)
	if got, _, _, _ := f.g().Effective(j); got != "acme" {
		t.Fatalf("got owner %s; want the template's acme after clearing the override", got)
	}
	if len(j.Labels) != 0 {
		t.Fatalf("got labels %v; want them set empty", j.Labels)
	}
}

func TestRemoveRefusals(t *testing.T) {
	inStatus := func(status JobStatus) func(f *fixture) decision {
		return func(f *fixture) decision {
			j := f.enqueueT1()
			f.dispatch(j.ID)
			if status == StatusTriggered {
				f.trigger(j.ID, 1)
			} else if status.Terminal() {
				f.finish(j.ID, Finish{Status: status})
			}
			return func() ([]Event, error) { return f.g().Remove(f.meta(), j.ID) }
		}
	}
	runRefusals(t, []refusal{
		{"unknown job", func(f *fixture) decision {
			return func() ([]Event, error) { return f.g().Remove(f.meta(), "nope") }
		},
			ErrNotFound, "job not found: nope"},
		{"dispatching", inStatus(StatusDispatching), ErrInvalid, "cannot remove job with status dispatching"},
		{"triggered", inStatus(StatusTriggered), ErrInvalid, "cannot remove job with status triggered"},
		{"completed", inStatus(StatusCompleted), ErrInvalid, "cannot remove job with status completed"},
		{"cancelled", inStatus(StatusCancelled), ErrInvalid, "cannot remove job with status cancelled"},
	})
}

func TestRemovePendingAndFailed(t *testing.T) {
	f := newFixture(t)
	pending, failed := f.enqueueT1(), f.enqueueT1()
	f.complete(failed.ID, StatusFailed)
	for _, id := range []string{pending.ID, failed.ID} {
		f.must(f.g().Remove(f.meta(), id))
		if f.g().Jobs[id] != nil {
			t.Fatalf("job %s still exists after removal", id)
		}
	}
	if len(f.g().Pending()) != 0 || len(f.g().History()) != 0 {
		t.Fatalf("got %d pending, %d history; want removed jobs gone from the indexes", len(f.g().Pending()), len(f.g().History()))
	}
}

func TestReorderRefusals(t *testing.T) {
	runRefusals(t, []refusal{
		{"empty list", func(f *fixture) decision {
			return func() ([]Event, error) { return f.g().Reorder(f.meta(), nil) }
		},
			ErrInvalid, "job_ids is required"},
		{"listed twice", func(f *fixture) decision {
			j := f.enqueueT1()
			return func() ([]Event, error) { return f.g().Reorder(f.meta(), []string{j.ID, j.ID}) }
		}, ErrInvalid, "job id-00001 is listed twice"},
		{"unknown job", func(f *fixture) decision {
			j := f.enqueueT1()
			return func() ([]Event, error) { return f.g().Reorder(f.meta(), []string{j.ID, "nope"}) }
		}, ErrNotFound, "job not found: nope"},
		{"job of another group", func(f *fixture) decision {
			f.configure(testGroup("g2"), testTemplates())
			j := f.enqueueT1()
			return func() ([]Event, error) { return f.group("g2").Reorder(f.meta(), []string{j.ID}) }
		}, ErrNotFound, "job not found: id-00001"},
		{"not pending", func(f *fixture) decision {
			a, b := f.enqueueT1(), f.enqueueT1()
			f.dispatch(b.ID)
			return func() ([]Event, error) { return f.g().Reorder(f.meta(), []string{b.ID, a.ID}) }
		}, ErrInvalid, "cannot reorder job id-00002 with status dispatching"},
	})
}

func TestPauseRefusals(t *testing.T) {
	runRefusals(t, []refusal{
		{"unknown job", func(f *fixture) decision {
			return func() ([]Event, error) { return f.g().SetPaused(f.meta(), "nope", true) }
		},
			ErrNotFound, "job not found: nope"},
		{"pause dispatching", func(f *fixture) decision {
			j := f.enqueueT1()
			f.dispatch(j.ID)
			return func() ([]Event, error) { return f.g().SetPaused(f.meta(), j.ID, true) }
		}, ErrInvalid, "cannot pause job with status dispatching"},
		{"unpause completed", func(f *fixture) decision {
			j := f.enqueueT1()
			f.complete(j.ID, StatusCompleted)
			return func() ([]Event, error) { return f.g().SetPaused(f.meta(), j.ID, false) }
		}, ErrInvalid, "cannot unpause job with status completed"},
	})
}

func TestRequeueSettingRefusals(t *testing.T) {
	runRefusals(t, []refusal{
		{"unknown job", func(f *fixture) decision {
			return func() ([]Event, error) { return f.g().SetAutoRequeue(f.meta(), "nope", true, nil) }
		},
			ErrNotFound, "job not found: nope"},
		{"finished job", func(f *fixture) decision {
			j := f.enqueueT1()
			f.complete(j.ID, StatusFailed)
			return func() ([]Event, error) { return f.g().SetAutoRequeue(f.meta(), j.ID, true, nil) }
		}, ErrInvalid, "can only update auto-requeue for pending, triggered, or running jobs, current status: failed"},
		{"negative limit", func(f *fixture) decision {
			id := f.enqueueT1().ID
			return func() ([]Event, error) { return f.g().SetAutoRequeue(f.meta(), id, true, intPtr(-2)) }
		}, ErrInvalid, "requeue_limit must be between 0 and 1000000, or null for unlimited"},
		{"disable unknown job", func(f *fixture) decision {
			return func() ([]Event, error) { return f.g().DisableRequeue(f.meta(), "nope") }
		},
			ErrNotFound, "job not found: nope"},
	})
}

func TestFinishRefusals(t *testing.T) {
	runRefusals(t, []refusal{
		{"unknown job", func(f *fixture) decision {
			return func() ([]Event, error) { return f.g().Finish(f.meta(), "nope", Finish{Status: StatusCompleted}) }
		}, ErrNotFound, "job not found: nope"},
		{"status not terminal", func(f *fixture) decision {
			j := f.enqueueT1()
			f.dispatch(j.ID)
			return func() ([]Event, error) { return f.g().Finish(f.meta(), j.ID, Finish{Status: StatusRunning}) }
		}, ErrInvalid, "status running is not terminal"},
		{"already finished", func(f *fixture) decision {
			j := f.enqueueT1()
			f.complete(j.ID, StatusCompleted)
			return func() ([]Event, error) { return f.g().Finish(f.meta(), j.ID, Finish{Status: StatusCancelled}) }
		}, ErrInvalid, "job id-00001 already finished with status completed"},
	})
}

func TestRequestCancelRefusals(t *testing.T) {
	const msg = "Job can only be cancelled when dispatching, triggered or running"
	runRefusals(t, []refusal{
		{"unknown job", func(f *fixture) decision {
			return func() ([]Event, error) { return f.g().RequestCancel(f.meta(), "nope") }
		}, ErrNotFound, "job not found: nope"},
		{"pending job", func(f *fixture) decision {
			id := f.enqueueT1().ID
			return func() ([]Event, error) { return f.g().RequestCancel(f.meta(), id) }
		}, ErrInvalid, msg},
		{"finished job", func(f *fixture) decision {
			j := f.enqueueT1()
			f.complete(j.ID, StatusCancelled)
			return func() ([]Event, error) { return f.g().RequestCancel(f.meta(), j.ID) }
		}, ErrInvalid, msg},
	})
}

func TestRequestCancel(t *testing.T) {
	f := newFixture(t)
	j := f.enqueueT1()
	f.dispatch(j.ID)
	f.must(f.g().RequestCancel(f.meta(), j.ID))
	j = f.job(j.ID)
	if !j.CancelRequested || j.Status != StatusDispatching {
		t.Fatalf("got cancel_requested %v status %s; want the request recorded, status unchanged", j.CancelRequested, j.Status)
	}
	if events, err := f.g().RequestCancel(f.meta(), j.ID); err != nil || events != nil {
		t.Fatalf("got %d events, error %v asking twice; want none", len(events), err)
	}
}

// TestNoOpDecisions: commands that would change nothing journal nothing.
func TestNoOpDecisions(t *testing.T) {
	f := newFixture(t)
	j := f.enqueueT1()
	checks := []struct {
		name   string
		decide func() ([]Event, error)
	}{
		{"unpause a job that is not paused", func() ([]Event, error) { return f.g().SetPaused(f.meta(), j.ID, false) }},
		{"disable requeue that is off", func() ([]Event, error) { return f.g().DisableRequeue(f.meta(), j.ID) }},
		{"unpause an unpaused group", func() ([]Event, error) { return f.g().SetGroupPaused(f.meta(), false), nil }},
		{"configure unchanged", func() ([]Event, error) {
			return f.g().Configure(f.meta(), testGroup("g1"), testTemplates()), nil
		}},
		{"prune with nothing old enough", func() ([]Event, error) { return f.g().PruneHistory(f.meta(), t0), nil }},
	}
	for _, c := range checks {
		events, err := c.decide()
		if err != nil || events != nil {
			t.Fatalf("%s: got %d events, error %v; want none", c.name, len(events), err)
		}
	}
}

func TestPauseAndRequeueSettings(t *testing.T) {
	f := newFixture(t)
	j := f.enqueueT1()
	f.must(f.g().SetPaused(f.meta(), j.ID, true))
	if j = f.job(j.ID); !j.Paused {
		t.Fatalf("job not paused")
	}
	f.must(f.g().SetPaused(f.meta(), j.ID, false))
	if j = f.job(j.ID); j.Paused {
		t.Fatalf("job still paused")
	}
	f.must(f.g().SetAutoRequeue(f.meta(), j.ID, true, intPtr(4)))
	if j = f.job(j.ID); !j.AutoRequeue || *j.RequeueLimit != 4 {
		t.Fatalf("got auto_requeue %v limit %v; want true 4", j.AutoRequeue, j.RequeueLimit)
	}
	f.must(f.g().DisableRequeue(f.meta(), j.ID))
	if j = f.job(j.ID); j.AutoRequeue || j.RequeueLimit == nil || *j.RequeueLimit != 4 {
		t.Fatalf("got auto_requeue %v limit %v; want false with the limit kept", j.AutoRequeue, j.RequeueLimit)
	}
	f.must(f.g().SetAutoRequeue(f.meta(), j.ID, true, nil))
	if j = f.job(j.ID); j.RequeueLimit != nil {
		t.Fatalf("got limit %d; want null (unlimited)", *j.RequeueLimit)
	}

	f.apply(f.g().SetGroupPaused(f.meta(), true))
	if !f.g().Group.Paused {
		t.Fatalf("group not paused")
	}
}
