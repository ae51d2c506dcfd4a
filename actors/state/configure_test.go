package state

import (
	"testing"
	"time"
)

func TestConfigureNewGroup(t *testing.T) {
	f := newFixture(t)
	g := f.g()
	if !g.Group.InConfig || !g.Group.Enabled || !g.Group.CreatedAt.Equal(t0) || g.Group.Name != "Group g1" {
		t.Fatalf("got %+v; want an enabled group in config created at t0", g.Group)
	}
	for _, id := range []string{"t1", "t2"} {
		tp := g.Templates[id]
		if tp == nil || tp.GroupID != "g1" || !tp.InConfig || !tp.CreatedAt.Equal(t0) {
			t.Fatalf("template %s: got %+v; want it in config, in g1, created at t0", id, tp)
		}
	}
	if r := f.log[0].e.Reason; r != "group added with 2 templates" {
		t.Fatalf("got reason %q", r)
	}
}

func TestConfigureChanges(t *testing.T) {
	f := newFixture(t)
	f.apply(f.g().SetGroupPaused(f.meta(), true))
	f.advance(time.Hour)

	tmpls := testTemplates()
	tmpls[0].DefaultInputs = map[string]string{"network": "sepolia"}
	grp := testGroup("g1")
	grp.RunnerLabels = []string{"self-hosted", "arm64"}
	events := f.configure(grp, tmpls)
	if len(events) != 1 {
		t.Fatalf("got %d events; want one for a changed config", len(events))
	}
	if want := "group settings changed; templates changed: t1"; events[0].Reason != want {
		t.Fatalf("got reason %q; want %q", events[0].Reason, want)
	}
	g := f.g()
	if !g.Group.Paused {
		t.Fatalf("a config reload resumed a paused group")
	}
	if !g.Group.CreatedAt.Equal(t0) || !g.Group.UpdatedAt.Equal(f.now) {
		t.Fatalf("got created %v updated %v; want t0 and %v", g.Group.CreatedAt, g.Group.UpdatedAt, f.now)
	}
	t1 := g.Templates["t1"]
	if t1.DefaultInputs["network"] != "sepolia" || !t1.CreatedAt.Equal(t0) || !t1.UpdatedAt.Equal(f.now) {
		t.Fatalf("got %+v; want the new defaults, created kept, updated now", t1)
	}

	// The state does not share maps or slices with the caller's config.
	tmpls[0].DefaultInputs["network"] = "mutated"
	grp.RunnerLabels[1] = "mutated"
	if t1.DefaultInputs["network"] != "sepolia" || g.Group.RunnerLabels[1] != "arm64" {
		t.Fatalf("changing the config after the sync changed the state")
	}

	// The same config again, in fresh memory, is no change.
	same := testTemplates()
	same[0].DefaultInputs = map[string]string{"network": "sepolia"}
	grp.RunnerLabels = []string{"self-hosted", "arm64"}
	if again := f.configure(grp, same); again != nil {
		t.Fatalf("got %d events for an unchanged config; want none", len(again))
	}
}

// TestConfigureRemovedTemplates: a template that left the config stays (out
// of config) while jobs reference it, so their history keeps its name and
// labels; one without jobs is deleted.
func TestConfigureRemovedTemplates(t *testing.T) {
	f := newFixture(t)
	j := f.enqueue(AddJob{TemplateID: "t2"})
	f.configure(testGroup("g1"), nil)
	g := f.g()
	if g.Templates["t1"] != nil {
		t.Fatalf("template t1 without jobs was kept")
	}
	t2 := g.Templates["t2"]
	if t2 == nil || t2.InConfig {
		t.Fatalf("got %+v; want t2 kept out of config", t2)
	}
	if got := g.Counts().TemplateCount; got != 1 {
		t.Fatalf("got template count %d; want 1 (not-in-config templates count)", got)
	}

	// Once its last job is gone, the next sync that changes anything drops it.
	f.must(g.Remove(f.meta(), j.ID))
	f.configure(testGroup("g1"), testTemplates()[:1])
	if g.Templates["t2"] != nil {
		t.Fatalf("orphaned template t2 survived a sync")
	}
	if !g.Templates["t1"].InConfig {
		t.Fatalf("template t1 was not added back")
	}
}

func TestUnconfigure(t *testing.T) {
	f := newFixture(t)
	j := f.enqueue(AddJob{TemplateID: "t1"})
	events := f.g().Unconfigure(f.meta())
	f.apply(events)
	g := f.g()
	if g.Group.InConfig || g.Group.Enabled {
		t.Fatalf("got in_config %v enabled %v; want both false", g.Group.InConfig, g.Group.Enabled)
	}
	if g.Templates["t1"] == nil || g.Templates["t1"].InConfig || g.Templates["t2"] != nil {
		t.Fatalf("got templates %v; want t1 kept out of config for its job, t2 dropped", g.Templates)
	}
	if g.Jobs[j.ID] == nil {
		t.Fatalf("unconfiguring a group deleted its jobs")
	}
	if again := g.Unconfigure(f.meta()); again != nil {
		t.Fatalf("got %d events unconfiguring twice; want none", len(again))
	}

	// Coming back into config is a change even with identical settings.
	if back := f.configure(testGroup("g1"), testTemplates()); len(back) != 1 {
		t.Fatalf("got %d events re-adding the group; want 1", len(back))
	}
	if !g.Group.InConfig || !g.Group.Enabled || !g.Templates["t1"].InConfig {
		t.Fatalf("group or template not back in config")
	}
}
