package state

import (
	"encoding/json"
	"flag"
	"fmt"
	"math/rand"
	"slices"
	"testing"
	"time"
)

var (
	propertyN     = flag.Int("property.n", 300, "number of random command sequences TestProperty runs")
	propertySteps = flag.Int("property.steps", 120, "commands per sequence in TestProperty")
	propertySeed  = flag.Int64("property.seed", 0, "run only this seed of TestProperty (0: seeds 1..property.n)")
)

// TestProperty drives the state with random command sequences and checks
// that the three ways of reaching a state agree: applying live, replaying
// the journal (through the codec) from empty, and restoring a snapshot then
// replaying its tail. After every command the derived indexes must equal a
// rebuild from scratch, and no two pending jobs may share a position.
func TestProperty(t *testing.T) {
	first, last := int64(1), int64(*propertyN)
	if *propertySeed != 0 {
		first, last = *propertySeed, *propertySeed
	}
	for seed := first; seed <= last; seed++ {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			runSequence(t, seed, *propertySteps)
		})
	}
}

// sequence is one random run: a fixture plus the generator.
type sequence struct {
	t   testing.TB
	f   *fixture
	rng *rand.Rand
	// revs maps a job id and revision to the job's JSON: one revision must
	// always name one content, or a reader's cache would serve stale jobs.
	revs map[string]string
}

func newSequence(tb testing.TB, seed int64) *sequence {
	return &sequence{t: tb, f: newFixture(tb), rng: rand.New(rand.NewSource(seed)), revs: map[string]string{}}
}

func runSequence(t *testing.T, seed int64, steps int) {
	q := newSequence(t, seed)
	rng := q.rng
	snapAt := rng.Intn(steps + 1)
	var snap []byte
	for step := 0; step <= steps; step++ {
		if step == snapAt {
			snap = q.snapshot()
		}
		if step == steps {
			break
		}
		q.f.advance(time.Duration(rng.Intn(4)) * 30 * time.Second) // 0 often: equal timestamps
		q.step()
		q.checkInvariants(step)
	}
	live := q.f.s.Hash()

	replayed := New()
	q.replay(replayed, 0)
	q.checkRevs(replayed, "replay from empty")
	if got := replayed.Hash(); got != live {
		t.Fatalf("replay from empty: got hash %s; want %s", got, live)
	}
	q.samePending(replayed)

	fromMin, err := Restore(snap)
	if err != nil {
		t.Fatal(err)
	}
	q.replay(fromMin, fromMin.MinIndex())
	q.checkRevs(fromMin, "snapshot plus tail")
	if got := fromMin.Hash(); got != live {
		t.Fatalf("snapshot at step %d plus tail: got hash %s; want %s", snapAt, got, live)
	}
	q.samePending(fromMin)

	// Recovery may also hand every journaled event to the restored state:
	// the partition indexes must skip what the snapshot already holds.
	fromStart, err := Restore(snap)
	if err != nil {
		t.Fatal(err)
	}
	q.replay(fromStart, 0)
	q.checkRevs(fromStart, "snapshot plus the whole journal")
	if got := fromStart.Hash(); got != live {
		t.Fatalf("snapshot at step %d plus the whole journal: got hash %s; want %s", snapAt, got, live)
	}
}

func (q *sequence) snapshot() []byte {
	b, err := q.f.s.Snapshot()
	if err != nil {
		q.t.Fatal(err)
	}
	r, err := Restore(b)
	if err != nil {
		q.t.Fatal(err)
	}
	if r.Hash() != q.f.s.Hash() {
		q.t.Fatalf("restored snapshot differs from the live state")
	}
	return b
}

// replay applies the journal after index from to s, each event through the
// codec as the WAL hands it back.
func (q *sequence) replay(s *State, from uint64) {
	q.t.Helper()
	for _, j := range q.f.log {
		if j.idx <= from {
			continue
		}
		b, err := j.e.Encode()
		if err != nil {
			q.t.Fatal(err)
		}
		e, err := DecodeEvent(b)
		if err != nil {
			q.t.Fatal(err)
		}
		if err := s.Apply(j.idx, e); err != nil {
			q.t.Fatalf("replay %s at %d: %v", e.Type, j.idx, err)
		}
	}
}

func (q *sequence) samePending(s *State) {
	q.t.Helper()
	for id, g := range q.f.s.Groups {
		if got, want := pendingIDs(s.Groups[id]), pendingIDs(g); !slices.Equal(got, want) {
			q.t.Fatalf("group %s: got queue %v; want %v", id, got, want)
		}
	}
}

func (q *sequence) checkInvariants(step int) {
	q.t.Helper()
	for _, id := range sortedKeys(q.f.s.Groups) {
		g := q.f.s.Groups[id]
		assertIndexes(q.t, g)
		assertUniquePositions(q.t, g, 0, step)
		running := 0
		for _, j := range g.Jobs {
			if j.Status.Active() {
				running++
			}
			if j.Position >= g.NextPosition {
				q.t.Fatalf("step %d: job %s at position %d, next position %d", step, j.ID, j.Position, g.NextPosition)
			}
		}
		if c := g.Counts(); c.RunningJobs != running {
			q.t.Fatalf("step %d: got %d running; want %d", step, c.RunningJobs, running)
		}
	}
	q.checkRevs(q.f.s, fmt.Sprintf("step %d", step))
}

// checkRevs checks that every job of s has a revision and that no revision
// seen so far named other content.
func (q *sequence) checkRevs(s *State, where string) {
	q.t.Helper()
	for _, g := range s.Groups {
		for _, j := range g.Jobs {
			if j.Rev() == 0 {
				q.t.Fatalf("%s: job %s has no revision", where, j.ID)
			}
			b, err := json.Marshal(j)
			if err != nil {
				q.t.Fatal(err)
			}
			key := fmt.Sprint(j.ID, "@", j.Rev())
			if prev, ok := q.revs[key]; ok && prev != string(b) {
				q.t.Fatalf("%s: job %s revision %d names two contents:\n%s\n%s", where, j.ID, j.Rev(), prev, b)
			}
			q.revs[key] = string(b)
		}
	}
}

// decided applies the outcome of a decision that may legitimately be
// refused (the generator does not avoid invalid commands): a refusal must
// come with no events.
func (q *sequence) decided(events []Event, err error) {
	q.t.Helper()
	if err != nil {
		if events != nil {
			q.t.Fatalf("refused with %d events: %v", len(events), err)
		}
		return
	}
	q.f.apply(events)
}

func (q *sequence) step() {
	ops := []struct {
		weight int
		run    func()
	}{
		{8, q.enqueue},
		{2, q.update},
		{1, q.remove},
		{2, q.reorder},
		{1, q.pauseJob},
		{1, q.pauseGroup},
		{2, q.requeueSettings},
		{4, q.dispatch},
		{3, q.progress},
		{4, q.finish},
		{1, q.configure},
		{1, q.prune},
		{2, q.auth},
		{1, q.runners},
	}
	total := 0
	for _, op := range ops {
		total += op.weight
	}
	n := q.rng.Intn(total)
	for _, op := range ops {
		if n < op.weight {
			op.run()
			return
		}
		n -= op.weight
	}
}

func (q *sequence) pick(list []string) string {
	if len(list) == 0 {
		return ""
	}
	return list[q.rng.Intn(len(list))]
}

func (q *sequence) group() *GroupState {
	return q.f.s.Groups[q.pick(sortedKeys(q.f.s.Groups))]
}

// jobs lists a group's jobs that satisfy keep, in id order so that the
// sequence depends only on the seed.
func (q *sequence) jobs(g *GroupState, keep func(*Job) bool) []string {
	var ids []string
	for _, id := range sortedKeys(g.Jobs) {
		if keep == nil || keep(g.Jobs[id]) {
			ids = append(ids, id)
		}
	}
	return ids
}

func (q *sequence) inputs() map[string]string {
	n := q.rng.Intn(5)
	if n == 0 && q.rng.Intn(2) == 0 {
		return nil
	}
	in := map[string]string{}
	for range n {
		in[q.pick([]string{"network", "client", "size", "mode", "seed"})] = fmt.Sprint(q.rng.Intn(100))
	}
	return in
}

func (q *sequence) labels() map[string]string {
	if q.rng.Intn(3) != 0 {
		return nil
	}
	return map[string]string{q.pick([]string{"network", "team"}): q.pick([]string{"hoodi", "sepolia", "core"})}
}

func (q *sequence) limit() *int {
	if q.rng.Intn(3) == 0 {
		return nil
	}
	return intPtr(q.rng.Intn(4) - q.rng.Intn(2)) // now and then -1: refused
}

func (q *sequence) enqueue() {
	g := q.group()
	req := AddJob{
		TemplateID: q.pick([]string{"t1", "t2", "t3", "t4", "", "ghost"}), Inputs: q.inputs(),
		AutoRequeue: q.rng.Intn(2) == 0, RequeueLimit: q.limit(), Priority: q.rng.Intn(7) - 3,
		Labels: q.labels(),
	}
	if req.TemplateID == "" {
		req.Owner, req.Repo, req.WorkflowID = "acme", "infra", "ci.yml"
		req.Ref = q.pick([]string{"main", ""}) // empty: refused
	}
	q.decided(g.Enqueue(q.f.meta(), req))
}

func (q *sequence) update() {
	g := q.group()
	req := UpdateJob{}
	if q.rng.Intn(2) == 0 {
		req.Priority = intPtr(q.rng.Intn(7) - 3)
	}
	if q.rng.Intn(2) == 0 {
		req.HasInputs, req.Inputs = true, q.inputs()
	}
	if q.rng.Intn(3) == 0 {
		req.HasLabels, req.Labels = true, q.labels()
	}
	if q.rng.Intn(3) == 0 {
		req.Ref = strPtr(q.pick([]string{"", "dev", "main"}))
	}
	q.decided(g.Update(q.f.meta(), q.pick(q.jobs(g, nil)), req))
}

func (q *sequence) remove() {
	g := q.group()
	q.decided(g.Remove(q.f.meta(), q.pick(q.jobs(g, nil))))
}

func (q *sequence) reorder() {
	g := q.group()
	ids := pendingIDs(g)
	q.rng.Shuffle(len(ids), func(i, k int) { ids[i], ids[k] = ids[k], ids[i] })
	if len(ids) > 0 && q.rng.Intn(2) == 0 {
		ids = ids[:q.rng.Intn(len(ids))+1] // partial
	}
	if q.rng.Intn(8) == 0 {
		ids = append(ids, q.pick(q.jobs(g, nil))) // maybe not pending, maybe twice: refused
	}
	q.decided(g.Reorder(q.f.meta(), ids))
}

func (q *sequence) pauseJob() {
	g := q.group()
	q.decided(g.SetPaused(q.f.meta(), q.pick(q.jobs(g, nil)), q.rng.Intn(2) == 0))
}

func (q *sequence) pauseGroup() {
	g := q.group()
	q.f.apply(g.SetGroupPaused(q.f.meta(), q.rng.Intn(2) == 0))
}

func (q *sequence) requeueSettings() {
	g := q.group()
	id := q.pick(q.jobs(g, nil))
	if q.rng.Intn(3) == 0 {
		q.decided(g.DisableRequeue(q.f.meta(), id))
		return
	}
	q.decided(g.SetAutoRequeue(q.f.meta(), id, q.rng.Intn(4) != 0, q.limit()))
}

// dispatch does what the dispatcher does: journal the intent for a pending
// job, built by hand since the dispatcher has no Decide method here.
func (q *sequence) dispatch() {
	g := q.group()
	id := q.pick(pendingIDs(g))
	if id == "" {
		return
	}
	e := q.f.handEvent(JobDispatching, id)
	e.DispatchKey, e.RunnerID, e.RunnerName = "key-"+id, int64(q.rng.Intn(3)+1), "runner"
	q.f.apply([]Event{e})
}

// progress moves an active job along as the tracker would, or undoes a
// dispatch that GitHub never received.
func (q *sequence) progress() {
	g := q.group()
	id := q.pick(q.jobs(g, func(j *Job) bool { return j.Status.Active() }))
	if id == "" {
		return
	}
	j := g.Jobs[id]
	var e Event
	switch r := q.rng.Intn(10); {
	case j.Status == StatusDispatching && r < 2:
		e = q.f.handEvent(JobDispatchUndone, id)
	case j.Status == StatusDispatching:
		e = q.f.handEvent(JobTriggered, id)
		e.RunID = int64(q.rng.Intn(2) * (q.rng.Intn(1000) + 1)) // 0: not known yet
	case r < 3:
		e = q.f.handEvent(JobRunLinked, id)
		e.RunID, e.RunURL = int64(q.rng.Intn(1000)+1), "https://example.invalid/run"
	case r < 4:
		q.decided(g.RequestCancel(q.f.meta(), id))
		return
	default:
		e = q.f.handEvent(JobRunning, id)
		e.RunnerID, e.RunnerName = int64(q.rng.Intn(3)), q.pick([]string{"", "runner-x"})
	}
	q.f.apply([]Event{e})
}

func (q *sequence) finish() {
	g := q.group()
	id := q.pick(q.jobs(g, func(j *Job) bool { return !j.Status.Terminal() || q.rng.Intn(10) == 0 }))
	fin := Finish{
		Status: q.pick2([]JobStatus{StatusCompleted, StatusFailed, StatusCancelled, StatusCompleted, StatusRunning}),
		NoRun:  q.rng.Intn(4) == 0, Error: q.pick([]string{"", "Workflow failure"}),
	}
	q.decided(g.Finish(q.f.meta(), id, fin))
}

func (q *sequence) pick2(s []JobStatus) JobStatus { return s[q.rng.Intn(len(s))] }

// configure syncs a group (maybe a new one, maybe one that had left) with a
// random subset of template variants, or removes a group from the config.
func (q *sequence) configure() {
	id := q.pick([]string{"g1", "g2", "g3"})
	g := q.f.s.Groups[id]
	if g != nil && q.rng.Intn(5) == 0 {
		q.f.apply(g.Unconfigure(q.f.meta()))
		return
	}
	grp := testGroup(id)
	if q.rng.Intn(3) == 0 {
		grp.RunnerLabels = append(grp.RunnerLabels, "gpu")
	}
	var tmpls []Template
	for i, name := range []string{"t1", "t2", "t3", "t4"} {
		if q.rng.Intn(4) == 0 {
			continue
		}
		tp := Template{ID: name, Name: "Template " + name, Owner: "acme", Repo: "repo", WorkflowID: "wf.yml",
			Ref: q.pick([]string{"", "main"})}
		if q.rng.Intn(2) == 0 {
			tp.DefaultInputs = map[string]string{"network": q.pick([]string{"hoodi", "sepolia"})}
		}
		if i%2 == 0 {
			tp.Labels = map[string]string{"network": q.pick([]string{"hoodi", "sepolia"})}
		}
		tmpls = append(tmpls, tp)
	}
	if g == nil {
		g = NewGroupState(id)
	}
	q.f.apply(g.Configure(q.f.meta(), grp, tmpls))
}

func (q *sequence) prune() {
	g := q.group()
	cutoff := q.f.now.Add(-time.Duration(q.rng.Intn(40)) * 30 * time.Second)
	q.f.apply(g.PruneHistory(q.f.meta(), cutoff))
}

// auth journals what the auth owner would: sessions come and go, GitHub
// users are upserted.
func (q *sequence) auth() {
	user := q.pick([]string{"alice", "bob", "carol"})
	e := Event{Time: q.f.now, Actor: user}
	switch q.rng.Intn(5) {
	case 0, 1:
		e.Type = SessionCreated
		e.Session = session(q.f.newID(), user, q.f.now.Add(time.Duration(q.rng.Intn(20))*time.Minute))
	case 2:
		e.Type, e.TokenHash = SessionRevoked, q.pick(sortedKeys(q.f.s.Auth.Sessions))
	case 3:
		e.Type, e.Username = SessionsRevoked, user
	default:
		if q.rng.Intn(2) == 0 {
			e.Type = SessionsExpired
			break
		}
		e.Type = UserUpserted
		e.User = &User{ID: "u-" + user, Username: user, Role: q.pick([]string{"admin", "readonly"}),
			Provider: "github", GitHubID: user, CreatedAt: q.f.now, UpdatedAt: q.f.now}
	}
	q.f.apply([]Event{e})
}

func (q *sequence) runners() {
	e := Event{Type: RunnersObserved, Time: q.f.now, Actor: ActorPoller}
	for id := int64(1); id <= 3; id++ {
		switch q.rng.Intn(3) {
		case 0:
			e.Runners = append(e.Runners, Runner{ID: id, Name: fmt.Sprint("runner-", id), Labels: []string{"self-hosted", "linux"},
				Status: q.pick([]string{"online", "offline"}), Busy: q.rng.Intn(2) == 0, LastSeenAt: q.f.now})
		case 1:
			e.RunnerIDs = append(e.RunnerIDs, id)
		}
	}
	q.f.apply([]Event{e})
}
