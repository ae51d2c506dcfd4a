package actors

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dispatchoor/dispatchoor/actors/state"
)

// hubTestTimeout bounds every wait in the hub tests.
const hubTestTimeout = 10 * time.Second

var hubT0 = time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)

func hubSpecs() []GroupSpec {
	return []GroupSpec{
		{
			Group:     state.Group{ID: "sync", Name: "Sync", RunnerLabels: []string{"self-hosted", "sync"}, Weight: 1},
			Templates: []state.Template{{ID: "geth", Name: "Geth", Owner: "acme", Repo: "tests", WorkflowID: "sync.yml", Ref: "main"}},
		},
		{
			Group:     state.Group{ID: "gpu", Name: "GPU", RunnerLabels: []string{"self-hosted", "gpu"}, Weight: 1},
			Templates: []state.Template{{ID: "bench", Name: "Bench", Owner: "acme", Repo: "gpu", WorkflowID: "bench.yml", Ref: "main"}},
		},
	}
}

// hubEnv is a real System over an in-memory journal with a hub on it.
type hubEnv struct {
	t     *testing.T
	ctx   context.Context
	sys   *System
	hub   *Hub
	specs []GroupSpec
}

func newHubEnv(t *testing.T, opts HubOptions) *hubEnv {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), hubTestTimeout)
	t.Cleanup(cancel)
	env := &hubEnv{t: t, ctx: ctx, specs: hubSpecs()}
	var ids atomic.Int64
	sys, err := Start(ctx, Options{
		Journal: newMemJournal(),
		Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now:     func() time.Time { return hubT0 },
		NewID:   func() string { return fmt.Sprintf("job-%03d", ids.Add(1)) },
		Groups:  env.specs,
		Reload:  func() ([]GroupSpec, error) { return env.specs, nil },
	})
	if err != nil {
		t.Fatalf("start system: %v", err)
	}
	hub, err := NewHub(ctx, sys, opts)
	if err != nil {
		t.Fatalf("new hub: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), hubTestTimeout)
		defer cancel()
		if err := hub.Close(ctx); err != nil {
			t.Errorf("close hub: %v", err)
		}
		if err := sys.Stop(ctx); err != nil {
			t.Errorf("stop system: %v", err)
		}
	})
	env.sys, env.hub = sys, hub
	return env
}

func (e *hubEnv) enqueue(group, template string) JobInfo {
	e.t.Helper()
	ji, err := e.sys.Enqueue(e.ctx, Who{Username: "admin"}, group, state.AddJob{TemplateID: template})
	if err != nil {
		e.t.Fatalf("enqueue into %s: %v", group, err)
	}
	return ji
}

// connect registers a client, checks its hello and subscribes it to groups.
func (e *hubEnv) connect(buffer int, groups ...string) *HubClient {
	e.t.Helper()
	c := NewHubClient("tester", buffer)
	e.hub.Register(c)
	hello := nextFrame(e.t, c)
	if hello.Type != FrameHello {
		e.t.Fatalf("first frame %q; want hello", hello.Type)
	}
	if p := hello.Payload.(HelloPayload); p.User != "tester" || p.Seq != hello.Seq {
		e.t.Fatalf("hello payload %+v (seq %d)", p, hello.Seq)
	}
	for _, g := range groups {
		e.hub.Subscribe(c, g)
		if f := nextFrame(e.t, c); f.Type != FrameSubscribed || f.GroupID != g {
			e.t.Fatalf("got %s %q; want subscribed %q", f.Type, f.GroupID, g)
		}
	}
	return c
}

// settle waits until the hub has fanned out everything journaled so far, so
// every frame of it is in the client buffers.
func (e *hubEnv) settle() {
	e.t.Helper()
	last := e.sys.journal.LastIndex()
	waitUntil(e.t, fmt.Sprintf("hub seq %d", last), func() bool { return e.hub.Seq() >= last })
}

func nextFrame(t *testing.T, c *HubClient) *Frame {
	t.Helper()
	select {
	case f := <-c.Frames():
		return f
	case <-time.After(hubTestTimeout):
		t.Fatal("timed out waiting for a frame")
		return nil
	}
}

// drain returns the frames buffered for c, without waiting.
func drain(c *HubClient) []*Frame {
	var out []*Frame
	for {
		select {
		case f := <-c.Frames():
			out = append(out, f)
		default:
			return out
		}
	}
}

func ofType(frames []*Frame, typ string) []*Frame {
	var out []*Frame
	for _, f := range frames {
		if f.Type == typ {
			out = append(out, f)
		}
	}
	return out
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(hubTestTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestHubFanOutFollowsSubscriptionsInJournalOrder(t *testing.T) {
	e := newHubEnv(t, HubOptions{})
	syncC := e.connect(0, "sync")
	gpuC := e.connect(0, "gpu")
	allC := e.connect(0, AllGroups)
	bothC := e.connect(0, "sync", AllGroups) // must not get duplicates
	noneC := e.connect(0)

	var want []string
	for i := 0; i < 4; i++ {
		want = append(want, e.enqueue("sync", "geth").Job.ID, e.enqueue("gpu", "bench").Job.ID)
	}
	e.settle()

	jobs := func(c *HubClient) (ids []string, groups []string) {
		var last uint64
		frames := drain(c)
		for _, f := range ofType(frames, FrameJobState) {
			if f.Seq <= last {
				t.Fatalf("job_state seq %d after %d: not in journal order", f.Seq, last)
			}
			last = f.Seq
			j := frameJob(f)
			if j.GroupID != f.GroupID {
				t.Fatalf("frame group %q, job group %q", f.GroupID, j.GroupID)
			}
			ids, groups = append(ids, j.ID), append(groups, j.GroupID)
		}
		// Each enqueue changed a counter: every client hears of it.
		if n := len(ofType(frames, FrameGroupState)); n != 8 {
			t.Fatalf("got %d group_state frames; want 8", n)
		}
		return ids, groups
	}
	only := func(ids []string, n int) []string {
		var out []string
		for i := n; i < len(ids); i += 2 {
			out = append(out, ids[i])
		}
		return out
	}
	if ids, _ := jobs(syncC); !slices.Equal(ids, only(want, 0)) {
		t.Fatalf("sync subscriber got %v; want %v", ids, only(want, 0))
	}
	if ids, _ := jobs(gpuC); !slices.Equal(ids, only(want, 1)) {
		t.Fatalf("gpu subscriber got %v; want %v", ids, only(want, 1))
	}
	if ids, _ := jobs(allC); !slices.Equal(ids, want) {
		t.Fatalf("* subscriber got %v; want %v", ids, want)
	}
	if ids, _ := jobs(bothC); !slices.Equal(ids, want) {
		t.Fatalf("sync+* subscriber got %v; want %v (once each)", ids, want)
	}
	if ids, _ := jobs(noneC); len(ids) != 0 {
		t.Fatalf("unsubscribed client got jobs %v", ids)
	}
	if got, want := e.hub.Seq(), e.sys.journal.LastIndex(); got != want {
		t.Fatalf("hub seq %d; want %d", got, want)
	}
}

func TestHubUnsubscribeStopsGroupFrames(t *testing.T) {
	e := newHubEnv(t, HubOptions{})
	c := e.connect(0, "sync")
	e.hub.Unsubscribe(c, "sync")
	if f := nextFrame(t, c); f.Type != FrameUnsubscribed || f.GroupID != "sync" {
		t.Fatalf("got %s %q; want unsubscribed sync", f.Type, f.GroupID)
	}
	e.enqueue("sync", "geth")
	e.settle()
	frames := drain(c)
	if n := len(ofType(frames, FrameJobState)); n != 0 {
		t.Fatalf("got %d job_state frames after unsubscribing", n)
	}
	if n := len(ofType(frames, FrameGroupState)); n != 1 {
		t.Fatalf("got %d group_state frames; want 1 (groups go to everyone)", n)
	}
}

func TestHubMapsEventsToFrames(t *testing.T) {
	e := newHubEnv(t, HubOptions{})
	c := e.connect(0, "sync")
	a := e.enqueue("sync", "geth").Job.ID
	b := e.enqueue("sync", "geth").Job.ID
	gone := e.enqueue("sync", "geth").Job.ID
	e.settle()
	drain(c)

	check := func(what string, do func(), want ...string) []*Frame {
		t.Helper()
		do()
		e.settle()
		frames := drain(c)
		var got []string
		for _, f := range frames {
			got = append(got, f.Type)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("%s: got frames %v; want %v", what, got, want)
		}
		return frames
	}
	who := Who{Username: "admin"}

	f := check("reorder", func() {
		if err := e.sys.Reorder(e.ctx, who, "sync", []string{b, gone, a}); err != nil {
			t.Fatal(err)
		}
	}, FrameQueueReordered)
	if p := f[0].Payload.(QueueReorderedPayload); p.GroupID != "sync" || !slices.Equal(p.JobIDs, []string{b, gone, a}) {
		t.Fatalf("queue_reordered payload %+v", p)
	}

	f = check("remove", func() {
		if err := e.sys.RemoveJob(e.ctx, who, gone); err != nil {
			t.Fatal(err)
		}
	}, FrameJobRemoved, FrameGroupState)
	if p := f[0].Payload.(JobRemovedPayload); p != (JobRemovedPayload{ID: gone, GroupID: "sync"}) {
		t.Fatalf("job_removed payload %+v", p)
	}
	if g := f[1].Payload.(GroupInfo); g.QueuedJobs != 2 {
		t.Fatalf("group_state after remove: queued %d; want 2", g.QueuedJobs)
	}

	// Pausing a job changes no counter: job_state only.
	f = check("pause job", func() {
		if _, err := e.sys.PauseJob(e.ctx, who, a, true); err != nil {
			t.Fatal(err)
		}
	}, FrameJobState)
	if j := frameJob(f[0]); j.ID != a || !j.Paused {
		t.Fatalf("job_state after pause: %+v", j)
	}

	f = check("pause group", func() {
		if _, err := e.sys.PauseGroup(e.ctx, who, "sync", true); err != nil {
			t.Fatal(err)
		}
	}, FrameGroupState)
	if g := f[0].Payload.(GroupInfo); !g.Group.Paused || g.QueuedJobs != 2 {
		t.Fatalf("group_state after pause: %+v", g)
	}

	e.specs[0].Templates = append(e.specs[0].Templates, state.Template{ID: "reth", Name: "Reth", Owner: "acme", Repo: "tests", WorkflowID: "sync.yml"})
	f = check("reload", func() {
		if _, err := e.sys.ReloadTemplates(e.ctx, who); err != nil {
			t.Fatal(err)
		}
	}, FrameGroupState, FrameTemplatesReloaded)
	want := TemplatesReloadedPayload{Groups: []ReloadResult{{GroupID: "sync", Templates: 2}}}
	if p := f[1].Payload.(TemplatesReloadedPayload); fmt.Sprint(p) != fmt.Sprint(want) {
		t.Fatalf("templates_reloaded payload %+v; want %+v", p, want)
	}
	if g := f[0].Payload.(GroupInfo); g.TemplateCount != 2 {
		t.Fatalf("group_state after reload: %d templates; want 2", g.TemplateCount)
	}
}

func TestHubRoutesRunnersByLabels(t *testing.T) {
	e := newHubEnv(t, HubOptions{})
	syncC := e.connect(0, "sync")
	gpuC := e.connect(0, "gpu")
	allC := e.connect(0, AllGroups)
	noneC := e.connect(0)

	runners := []state.Runner{
		{ID: 1, Name: "sync-1", Labels: []string{"self-hosted", "Sync", "linux"}, Status: "online"},
		{ID: 2, Name: "gpu-1", Labels: []string{"self-hosted", "gpu"}, Status: "online", Busy: true},
	}
	if err := e.sys.Observe(e.ctx, Who{Username: state.ActorPoller}, runners, nil); err != nil {
		t.Fatalf("observe: %v", err)
	}
	e.settle()

	statusIDs := func(frames []*Frame) []int64 {
		var ids []int64
		for _, f := range ofType(frames, FrameRunnerStatus) {
			ids = append(ids, f.Payload.(state.Runner).ID)
		}
		slices.Sort(ids)
		return ids
	}
	want := map[*HubClient][]int64{syncC: {1}, gpuC: {2}, allC: {1, 2}, noneC: nil}
	names := map[*HubClient]string{syncC: "sync", gpuC: "gpu", allC: "*", noneC: "none"}
	for c, ids := range want {
		frames := drain(c)
		if got := statusIDs(frames); !slices.Equal(got, ids) {
			t.Fatalf("%s subscriber got runner_status for %v; want %v", names[c], got, ids)
		}
		changed := ofType(frames, FrameRunnersChanged)
		if len(changed) != 1 || len(changed[0].Payload.([]state.Runner)) != 2 {
			t.Fatalf("%s subscriber: runners_changed frames %d; want 1 with both runners", names[c], len(changed))
		}
		counts := map[string][3]int{}
		for _, f := range ofType(frames, FrameGroupState) {
			g := f.Payload.(GroupInfo)
			counts[g.Group.ID] = [3]int{g.IdleRunners, g.BusyRunners, g.TotalRunners}
		}
		wantCounts := map[string][3]int{"sync": {1, 0, 1}, "gpu": {0, 1, 1}}
		if fmt.Sprint(counts) != fmt.Sprint(wantCounts) {
			t.Fatalf("%s subscriber: group runner counts %v; want %v", names[c], counts, wantCounts)
		}
	}
}

func TestHubDropsSlowClientWithoutBlocking(t *testing.T) {
	e := newHubEnv(t, HubOptions{})
	slow := e.connect(4, "sync")
	fast := e.connect(0, "sync")

	// The fast client reads as frames come; the slow one never reads.
	var got []string
	done := make(chan struct{})
	go func() {
		defer close(done)
		for f := range fast.Frames() {
			if f.Type == FrameJobState {
				got = append(got, frameJob(f).ID)
				if len(got) == 40 {
					return
				}
			}
		}
	}()
	var want []string
	for i := 0; i < 40; i++ {
		want = append(want, e.enqueue("sync", "geth").Job.ID)
	}
	select {
	case <-done:
	case <-time.After(hubTestTimeout):
		t.Fatal("fast client did not receive every job")
	}
	if !slices.Equal(got, want) {
		t.Fatalf("fast client got %v; want %v", got, want)
	}
	select {
	case <-slow.Done():
	case <-time.After(hubTestTimeout):
		t.Fatal("slow client was not dropped")
	}
	if !errors.Is(slow.Err(), ErrSlowClient) {
		t.Fatalf("slow client closed with %v; want ErrSlowClient", slow.Err())
	}
	if fast.Err() != nil {
		t.Fatalf("fast client closed: %v", fast.Err())
	}
	waitUntil(t, "slow client removed", func() bool { return e.hub.Clients() == 1 })
	var out bytes.Buffer
	e.hub.Metrics().WritePrometheus(&out)
	if !bytes.Contains(out.Bytes(), []byte("dispatchoor_ws_slow_clients_dropped_total 1\n")) {
		t.Fatalf("metrics do not count the dropped client:\n%s", out.String())
	}
	// Unregistering a client the hub already dropped is harmless.
	e.hub.Unregister(slow)
	e.settle()
}

func TestHubClientClosesOnce(t *testing.T) {
	c := NewHubClient(nil, 1)
	var wg sync.WaitGroup
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.Offer(&Frame{Type: FrameJobState})
			c.Close()
			c.close(ErrSlowClient)
		}()
	}
	wg.Wait()
	select {
	case <-c.Done():
	default:
		t.Fatal("client not closed")
	}
	// The first close wins, whichever it was; later ones change nothing.
	first := c.Err()
	c.close(ErrHubClosed)
	if c.Err() != first {
		t.Fatalf("reason changed from %v to %v", first, c.Err())
	}
	if c.Offer(&Frame{}) {
		t.Fatal("offer to a closed client succeeded")
	}
}

func TestHubCloseClosesClientsAndRefusesNewOnes(t *testing.T) {
	e := newHubEnv(t, HubOptions{})
	c := e.connect(0, "sync")
	if err := e.hub.Close(e.ctx); err != nil {
		t.Fatalf("close: %v", err)
	}
	<-c.Done()
	if !errors.Is(c.Err(), ErrHubClosed) {
		t.Fatalf("client closed with %v; want ErrHubClosed", c.Err())
	}
	late := NewHubClient(nil, 0)
	e.hub.Register(late)
	<-late.Done()
	if !errors.Is(late.Err(), ErrHubClosed) {
		t.Fatalf("late client closed with %v; want ErrHubClosed", late.Err())
	}
	if err := e.hub.Close(e.ctx); err != nil {
		t.Fatalf("second close: %v", err)
	}
	if e.hub.Clients() != 0 {
		t.Fatalf("%d clients after close", e.hub.Clients())
	}
}

func TestHubHelloCarriesSeqForResync(t *testing.T) {
	e := newHubEnv(t, HubOptions{})
	first := e.connect(0, "sync")
	e.enqueue("sync", "geth")
	e.settle()
	seen := ofType(drain(first), FrameJobState)[0].Seq
	first.Close()
	e.hub.Unregister(first)

	missed := e.enqueue("sync", "geth")
	e.settle()
	c := NewHubClient(nil, 0)
	e.hub.Register(c)
	hello := nextFrame(t, c)
	if hello.Seq <= seen {
		t.Fatalf("hello seq %d not past the last seen %d: the missed job %s is undetectable", hello.Seq, seen, missed.Job.ID)
	}
	if hello.Seq != e.hub.Seq() {
		t.Fatalf("hello seq %d; hub seq %d", hello.Seq, e.hub.Seq())
	}
}

func TestHubBacklogOverflowDropsEveryClient(t *testing.T) {
	e := newHubEnv(t, HubOptions{MaxBacklog: 2})
	c := e.connect(0, "sync")

	// Hold messages back as a stuck hub would, and publish directly.
	var held []any
	post := e.hub.post
	e.hub.post = func(m any) { held = append(held, m) }
	info := GroupInfo{Group: state.Group{ID: "sync"}, QueuedJobs: 1}
	for i := uint64(0); i < 5; i++ {
		id := fmt.Sprintf("synthetic-%d", i)
		e.hub.onCommitted([]Committed{{
			Index: 1000 + i,
			Event: &state.Event{Type: state.JobEnqueued, GroupID: "sync", JobID: id},
			Job:   &state.Job{ID: id, GroupID: "sync", Status: state.StatusPending},
			Group: &info,
		}})
	}
	var kinds []string
	for _, m := range held {
		kinds = append(kinds, fmt.Sprintf("%T", m))
	}
	wantKinds := []string{"*actors.hubPublish", "*actors.hubPublish", "*actors.hubOverflow"}
	if !slices.Equal(kinds, wantKinds) {
		t.Fatalf("queued %v; want %v", kinds, wantKinds)
	}

	e.hub.post = post
	for _, m := range held {
		post(m)
	}
	<-c.Done()
	if !errors.Is(c.Err(), ErrHubBehind) {
		t.Fatalf("client closed with %v; want ErrHubBehind", c.Err())
	}
	var jobs []string
	for _, f := range ofType(drain(c), FrameJobState) {
		jobs = append(jobs, frameJob(f).ID)
	}
	if !slices.Equal(jobs, []string{"synthetic-0", "synthetic-1"}) {
		t.Fatalf("frames before the drop: %v", jobs)
	}

	// Once the hub has caught up, it delivers again.
	waitUntil(t, "overflow cleared", func() bool { return !e.hub.overflow.Load() })
	next := e.connect(0, "sync")
	id := e.enqueue("sync", "geth").Job.ID
	for {
		f := nextFrame(t, next)
		if f.Type == FrameJobState {
			if j := frameJob(f); j.ID != id {
				t.Fatalf("after the overflow got job %s; want %s", j.ID, id)
			}
			break
		}
	}
}

// frameJob is the job a job_state frame carries: a JobInfo for events that
// came through a group actor, a bare job for synthetic batches.
func frameJob(f *Frame) *state.Job {
	switch p := f.Payload.(type) {
	case JobInfo:
		return p.Job
	case *state.Job:
		return p
	}
	panic(fmt.Sprintf("frame %s carries %T", f.Type, f.Payload))
}
