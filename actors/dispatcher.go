package actors

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/dispatchoor/dispatchoor/actors/state"
)

// The dispatcher decides which jobs go to GitHub, and when. A decision is
// taken the moment something may have freed capacity or added work (a job
// arriving or being unpaused, a group resuming, a run finishing, a runner
// turning idle in a poll or a webhook); the interval tick is only a safety
// net. One decision fills every idle matching runner at once, across all
// groups, with a bipartite matching (matching.go), and each dispatch
// reserves the runner it was matched to until GitHub shows the run started
// or the reservation expires. So the dispatcher never has more of its own
// runs waiting in GitHub than the idle runners can serve, and one idle
// runner is never promised to two jobs.
//
// The decision itself is pure and quick and runs in the actor. Reading the
// groups, journaling and calling GitHub run on worker goroutines that
// report back.

type dispatcher struct {
	gh   *GitHub
	self *actor.PID

	runners map[int64]observedRunner // the last poll
	polled  bool
	news    map[int64]runnerNews // the latest word from runs, by runner
	// inflight are jobs handed to a dispatch worker, with the runner each
	// reserves. An entry stays after its worker reported, until a decision
	// runs on groups read after that: a read that started earlier may not
	// show the dispatch yet, and the runner would look free.
	inflight map[string]flight
	readSeq  uint64          // reads of the groups started so far
	failing  map[string]bool // undispatchable jobs being failed
	sharer   *sharer

	deciding bool
	dirty    bool
	tick     ClockTimer
	backoff  ClockTimer
	views    []groupView // of the last decision
}

// flight is a job handed to a dispatch worker.
type flight struct {
	JobID      string
	GroupID    string
	Key        string
	RunnerID   int64
	RunnerName string
	// Serial names the workflow and ref when runs of this dispatch can only
	// be found by time window: one such dispatch at a time per workflow and
	// ref.
	Serial string
	// Done is set when the worker reported, with the number of reads
	// started by then: reads numbered higher see its outcome.
	Done    bool
	DoneSeq uint64
}

func newDispatcher(gh *GitHub) *dispatcher {
	return &dispatcher{
		gh: gh, runners: map[int64]observedRunner{}, news: map[int64]runnerNews{},
		inflight: map[string]flight{}, failing: map[string]bool{}, sharer: newSharer(),
	}
}

func (d *dispatcher) Receive(ctx actor.Context) {
	defer d.gh.handled(ctx.Message())
	switch m := ctx.Message().(type) {
	case *actor.Started:
		d.self = ctx.Self()
		d.wake()
	case *actor.Stopping:
		for _, t := range []ClockTimer{d.tick, d.backoff} {
			if t != nil {
				t.Stop()
			}
		}
	case wakeMsg, dispatchTickMsg:
		d.wake()
	case runnersMsg:
		d.runners = make(map[int64]observedRunner, len(m.runners))
		for _, r := range m.runners {
			d.runners[r.ID] = r
		}
		d.polled = true
		d.wake()
	case runnerNewsMsg:
		for _, n := range m.news {
			if old, ok := d.news[n.RunnerID]; !ok || !n.At.Before(old.At) {
				d.news[n.RunnerID] = n
			}
		}
		d.wake()
	case viewMsg:
		d.decide(m)
	case dispatchedMsg:
		if f, ok := d.inflight[m.jobID]; ok {
			f.Done, f.DoneSeq = true, d.readSeq
			d.inflight[m.jobID] = f
		}
		d.wake()
	case failedMsg:
		delete(d.failing, m.jobID)
	}
}

// wake asks for a decision; requests that arrive while one is being
// prepared are folded into one more decision after it.
func (d *dispatcher) wake() {
	if d.deciding {
		d.dirty = true
		return
	}
	d.deciding = true
	d.readSeq++
	seq := d.readSeq
	limit := max(len(d.runners), 1)
	cutoff := d.gh.clock.Now().Add(-d.gh.opts.RunNotFoundTimeout)
	self := d.self
	d.gh.work(func(ctx context.Context) {
		ctx, cancel := context.WithTimeout(ctx, readTimeout)
		defer cancel()
		groups, err := d.gh.readGroups(ctx, limit, cutoff)
		d.gh.send(self, viewMsg{groups: groups, err: err, seq: seq})
	})
}

// readTimeout bounds reading the groups for one decision or pass.
const readTimeout = 10 * time.Second

// decide runs one decision on freshly read groups.
func (d *dispatcher) decide(m viewMsg) {
	d.deciding = false
	defer d.reschedule()
	if m.err != nil {
		d.gh.log.Warn("dispatcher: read groups", "err", m.err)
	}
	d.views = m.groups
	for id, f := range d.inflight {
		if f.Done && m.seq > f.DoneSeq {
			delete(d.inflight, id)
		}
	}
	now := d.gh.clock.Now()
	d.gh.m.cycles.Inc()
	d.gh.m.lastCycle.Set(float64(now.Unix()))
	d.pruneNews(now)
	d.failUndispatchable(m.groups)

	running, res := d.holdings(m.groups, now)
	free, reserved := d.allocate(running, res, now)
	d.publishOurs(running)
	d.gh.allOurs.Store(d.allHeld(running, reserved))
	until, reason := d.gh.opts.Workflows.Backoff()
	d.publishExplain(now, free, reserved, until, reason)
	if !d.polled {
		return
	}
	if until.After(now) {
		d.waitBackoff(until)
		return
	}
	if len(free) == 0 {
		return
	}
	cands, groups := d.candidates(m.groups)
	if len(groups) == 0 {
		return
	}
	assigned := d.sharer.assign(free, groups)
	// Until the server has answered once, one dispatch at a time.
	budget := len(free)
	if d.gh.mode() == runDetailsUnknown {
		budget = 1
	}
	for _, g := range groups {
		for i, rid := range assigned[g.ID] {
			if budget == 0 {
				return
			}
			budget--
			d.launch(cands[g.ID][i], d.runners[rid])
		}
	}
}

// reschedule re-arms the fallback tick and runs a folded-in decision.
func (d *dispatcher) reschedule() {
	if d.tick != nil {
		d.tick.Stop()
	}
	d.tick = d.gh.after(d.gh.opts.DispatchInterval, d.self, dispatchTickMsg{})
	if d.dirty {
		d.dirty = false
		d.wake()
	}
}

// waitBackoff wakes the dispatcher when a rate-limit back-off ends.
func (d *dispatcher) waitBackoff(until time.Time) {
	if d.backoff != nil {
		d.backoff.Stop()
	}
	d.backoff = d.gh.after(until.Sub(d.gh.clock.Now()), d.self, wakeMsg{reason: "rate limit over"})
}

// reservation is a runner held for one of our dispatches whose run has
// not started.
type reservation struct {
	RunnerID int64
	Labels   []string // the group's: what a substitute must match
	At       time.Time
}

// holdings are the runners our own work occupies: running one of our runs
// (running), or reserved for a dispatch whose run has not started. A
// reservation lapses after ReservationTTL: a run GitHub keeps queued for
// that long no longer pins a runner it may never get.
func (d *dispatcher) holdings(groups []groupView, now time.Time) (running map[int64]bool, res []reservation) {
	running = map[int64]bool{}
	labels := map[string][]string{}
	seen := map[string]bool{}
	for _, g := range groups {
		labels[g.Group.ID] = g.Group.RunnerLabels
		for _, j := range g.Active {
			seen[j.ID] = true
			switch {
			case j.RunnerID == 0:
			case j.Status == state.StatusRunning:
				running[j.RunnerID] = true
			case now.Sub(j.DispatchingAt) < d.gh.opts.ReservationTTL:
				res = append(res, reservation{RunnerID: j.RunnerID, Labels: g.Group.RunnerLabels, At: j.DispatchingAt})
			}
		}
	}
	for _, f := range d.inflight {
		if !seen[f.JobID] {
			res = append(res, reservation{RunnerID: f.RunnerID, Labels: labels[f.GroupID], At: now})
		}
	}
	slices.SortFunc(res, func(a, b reservation) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return cmp.Compare(a.RunnerID, b.RunnerID)
	})
	return running, res
}

// allocate works out which runners a dispatch may use now (free) and which
// are reserved. GitHub gives a run any idle runner that matches, not
// necessarily the one we reserved: when another of our runs turned out to
// start on a reserved runner, the reservation moves to a runner that looks
// idle and matches, since that is the one the waiting run will get. A
// reserved runner that merely looks busy keeps its reservation: most
// likely its own run just started there.
func (d *dispatcher) allocate(running map[int64]bool, res []reservation, now time.Time) (free []matchRunner, reserved map[int64]bool) {
	cands := map[int64]bool{}
	for id, r := range d.runners {
		n, ok := d.news[id]
		if runnerFree(r, n, ok, running[id], now) {
			cands[id] = true
		}
	}
	reserved = map[int64]bool{}
	for _, rv := range res {
		if !running[rv.RunnerID] && !reserved[rv.RunnerID] {
			reserved[rv.RunnerID] = true
			delete(cands, rv.RunnerID)
			continue
		}
		if sub, ok := d.substitute(cands, rv.Labels); ok {
			reserved[sub] = true
			delete(cands, sub)
		}
	}
	for _, id := range slices.Sorted(maps.Keys(cands)) {
		free = append(free, matchRunner{ID: id, Labels: d.runners[id].Labels})
	}
	return free, reserved
}

// allHeld reports whether every online runner runs or is reserved for our
// own work (and there is at least one).
func (d *dispatcher) allHeld(running, reserved map[int64]bool) bool {
	online := 0
	for id, r := range d.runners {
		if !r.online() {
			continue
		}
		online++
		if !running[id] && !reserved[id] {
			return false
		}
	}
	return online > 0
}

// substitute picks the lowest-id candidate whose labels match.
func (d *dispatcher) substitute(cands map[int64]bool, labels []string) (int64, bool) {
	best, found := int64(0), false
	for id := range cands {
		if state.Matches(d.runners[id].Labels, labels) && (!found || id < best) {
			best, found = id, true
		}
	}
	return best, found
}

// candidates picks, per group, the jobs that may be dispatched in this
// decision, in queue order.
//
// Two kinds of dispatch are held back. Until the server has answered one
// dispatch, it is not known whether it returns run ids, so one goes out at
// a time. And a dispatch whose run can only be found by time window waits
// while another such dispatch of the same workflow and ref has no run yet:
// two runs of one workflow created moments apart cannot be told apart by
// time, and a job must never take another job's run.
func (d *dispatcher) candidates(groups []groupView) (map[string][]flight, []matchGroup) {
	mode := d.gh.mode()
	if mode == runDetailsUnknown {
		for _, f := range d.inflight {
			if !f.Done {
				return nil, nil
			}
		}
	}
	serialBusy := map[string]bool{}
	for _, f := range d.inflight {
		if f.Serial != "" {
			serialBusy[f.Serial] = true
		}
	}
	for _, g := range groups {
		for _, j := range g.Active {
			if j.RunID == 0 && j.CorrelationInput == "" && (j.Status == state.StatusDispatching || j.Status == state.StatusTriggered) {
				serialBusy[serialKey(j)] = true
			}
		}
	}
	budget := len(d.runners)
	out := map[string][]flight{}
	var mgroups []matchGroup
	for _, g := range groups {
		if g.Halted {
			continue
		}
		var list []flight
		for _, j := range g.Ready {
			if _, busy := d.inflight[j.ID]; busy {
				continue
			}
			f := flight{JobID: j.ID, GroupID: g.Group.ID}
			if mode != runDetailsSupported && j.CorrelationInput == "" {
				f.Serial = serialKey(j)
				if serialBusy[f.Serial] {
					continue
				}
				serialBusy[f.Serial] = true
			}
			list = append(list, f)
		}
		if len(list) > budget {
			list = list[:budget]
		}
		if len(list) == 0 {
			continue
		}
		out[g.Group.ID] = list
		mgroups = append(mgroups, matchGroup{ID: g.Group.ID, Labels: g.Group.RunnerLabels, Weight: g.Group.Weight, Demand: len(list)})
	}
	return out, mgroups
}

// serialKey names a workflow and ref for time-window serialisation.
func serialKey(j jobView) string { return j.workflowKey() + "@" + shortRef(j.Ref) }

// launch hands a job to a dispatch worker, reserving runner r for it.
func (d *dispatcher) launch(f flight, r observedRunner) {
	f.Key = d.gh.opts.NewKey()
	f.RunnerID, f.RunnerName = r.ID, r.Name
	d.inflight[f.JobID] = f
	d.gh.launched.Store(f.JobID, true)
	self := d.self
	d.gh.work(func(ctx context.Context) {
		defer d.gh.launched.Delete(f.JobID)
		out := d.gh.dispatchJob(ctx, f)
		d.gh.send(self, dispatchedMsg{jobID: f.JobID, outcome: out})
	})
}

// failUndispatchable fails pending jobs that can never be dispatched, so
// they stop blocking the jobs behind them.
func (d *dispatcher) failUndispatchable(groups []groupView) {
	for _, g := range groups {
		for id, reason := range g.Undispatchable {
			if d.failing[id] {
				continue
			}
			d.failing[id] = true
			gid, jobID, why := g.Group.ID, id, reason
			self := d.self
			d.gh.work(func(ctx context.Context) {
				d.gh.failUndispatchable(ctx, gid, jobID, why)
				d.gh.send(self, failedMsg{jobID: jobID})
			})
		}
	}
}

func (d *dispatcher) pruneNews(now time.Time) {
	maps.DeleteFunc(d.news, func(_ int64, n runnerNews) bool { return now.Sub(n.At) > newsTTL })
}

// publishOurs tells the poller which runners run our jobs, so it can show
// them busy while GitHub's flag lags; the poller rechecks when that set
// changes.
func (d *dispatcher) publishOurs(running map[int64]bool) {
	if old := d.gh.ourRunners.Load(); old != nil && maps.Equal(*old, running) {
		return
	}
	ours := maps.Clone(running)
	d.gh.ourRunners.Store(&ours)
	p, _, _ := d.gh.pids()
	d.gh.send(p, recheckMsg{})
}

// publishExplain stores what the Explain hook reads.
func (d *dispatcher) publishExplain(now time.Time, free []matchRunner, reserved map[int64]bool, until time.Time, reason string) {
	snap := &explainSnapshot{polled: d.polled, groups: map[string]capacity{}}
	if until.After(now) {
		snap.backoffUntil, snap.backoffReason = until, reason
	}
	available := map[int64]bool{}
	for _, r := range free {
		available[r.ID] = true
	}
	for _, id := range slices.Sorted(maps.Keys(d.runners)) {
		r := d.runners[id]
		snap.runners = append(snap.runners, runnerAvail{
			ID: id, Labels: r.Labels, Online: r.online(), Reserved: reserved[id], Available: available[id],
		})
	}
	for _, g := range d.views {
		snap.groups[g.Group.ID] = countCapacity(snap.runners, g.Group.RunnerLabels)
	}
	d.gh.explainSnap.Store(snap)
}
