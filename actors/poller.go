package actors

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/dispatchoor/dispatchoor/actors/state"
	"github.com/dispatchoor/dispatchoor/github"
)

// The runner poller is the only caller of the runners API. On every tick
// (or refresh) it lists the runners of each scope the groups need:
// organisation runners for template owners that are organisations,
// repository runners for owners that are users and for the repos a group
// names. The listing runs on a worker goroutine with conditional requests
// (an unchanged list costs no rate limit); the worker journals only what
// changed and the poller hands the result to the dispatcher.
//
// A runner missing from a successful listing is removed at once: it is
// never left looking online and idle. A scope whose listing fails keeps its
// runners for a while (the failure may be a blip), then shows them
// offline: nothing is known about them any more.

type poller struct {
	gh   *GitHub
	self *actor.PID

	scopes map[string]*scopeState // by scope key
	kinds  map[string]ownerKind   // by lower-cased owner
	last   []observedRunner       // the merged set of the last poll

	polling bool
	again   bool
	waiters []chan<- error
	timer   ClockTimer
}

// ownerKind says which runners endpoint serves an owner.
type ownerKind int

const (
	ownerOrg ownerKind = iota + 1
	ownerUser
)

// scopeState is one runner listing: an organisation or a repository.
type scopeState struct {
	Key          string // "org/NAME" or "repo/OWNER/NAME"
	Owner, Repo  string // Repo empty for organisations
	Runners      []github.Runner
	ObservedAt   time.Time // last successful listing
	FailingSince time.Time // first failure since then; zero when healthy
	Err          string
}

func (s *scopeState) clone() *scopeState {
	c := *s
	c.Runners = slices.Clone(s.Runners)
	return &c
}

// pollResult is what a poll worker hands back.
type pollResult struct {
	scopes  map[string]*scopeState
	kinds   map[string]ownerKind
	runners []observedRunner
	at      time.Time
	err     error
}

// Heartbeats and staleness of runner observations.
const (
	// lastSeenHeartbeat refreshes a runner's last_seen_at even when
	// nothing else changed, bounding how stale it can look.
	lastSeenHeartbeat = 10 * time.Minute
	// minStaleAfter is the shortest time a failing scope keeps its runners
	// before showing them offline.
	minStaleAfter = time.Minute
)

func newPoller(gh *GitHub) *poller {
	return &poller{gh: gh, scopes: map[string]*scopeState{}, kinds: map[string]ownerKind{}}
}

func (p *poller) Receive(ctx actor.Context) {
	defer p.gh.handled(ctx.Message())
	switch m := ctx.Message().(type) {
	case *actor.Started:
		p.self = ctx.Self()
		p.seed()
		p.start(nil)
	case *actor.Stopping:
		if p.timer != nil {
			p.timer.Stop()
		}
		for _, w := range p.waiters {
			w <- errors.New("runner poller stopped")
		}
	case pollTickMsg:
		p.start(nil)
	case refreshMsg:
		p.start(m.done)
	case recheckMsg:
		if !p.polling && len(p.last) > 0 {
			runners := slices.Clone(p.last)
			p.gh.work(func(ctx context.Context) {
				if err := p.gh.journalRunners(ctx, runners, p.gh.clock.Now()); err != nil {
					p.gh.log.Warn("journal runner busy flags", "err", err)
				}
			})
		}
	case pollDoneMsg:
		p.done(m.res)
	}
}

// seed rebuilds the scopes from the journaled runners, so that a poll that
// fails right after a restart keeps them instead of dropping them.
func (p *poller) seed() {
	runners, _ := p.gh.sys.Runners(context.Background())
	for _, r := range runners {
		owner, repo, ok := parseScope(r.Scope)
		if !ok {
			continue
		}
		s := p.scopes[r.Scope]
		if s == nil {
			s = &scopeState{Key: r.Scope, Owner: owner, Repo: repo, ObservedAt: r.LastSeenAt}
			p.scopes[r.Scope] = s
		}
		s.Runners = append(s.Runners, github.Runner{ID: r.ID, Name: r.Name, OS: r.OS, Status: r.Status, Busy: r.Busy, Labels: slices.Clone(r.Labels)})
		if r.LastSeenAt.Before(s.ObservedAt) {
			s.ObservedAt = r.LastSeenAt
		}
	}
}

// start begins a poll, or, while one runs, asks for another right after
// it; done (if any) receives the outcome of that poll.
func (p *poller) start(done chan<- error) {
	if done != nil {
		p.waiters = append(p.waiters, done)
	}
	if p.polling {
		p.again = true
		return
	}
	if p.timer != nil {
		p.timer.Stop()
		p.timer = nil
	}
	p.polling = true
	scopes := make(map[string]*scopeState, len(p.scopes))
	for k, s := range p.scopes {
		scopes[k] = s.clone()
	}
	kinds := make(map[string]ownerKind, len(p.kinds))
	for k, v := range p.kinds {
		kinds[k] = v
	}
	self := p.self
	p.gh.work(func(ctx context.Context) {
		res := p.gh.poll(ctx, scopes, kinds)
		p.gh.send(self, pollDoneMsg{res: res})
	})
}

func (p *poller) done(res pollResult) {
	p.polling = false
	p.scopes, p.kinds = res.scopes, res.kinds
	if res.err == nil {
		p.last = res.runners
		_, d, _ := p.gh.pids()
		p.gh.send(d, runnersMsg{runners: res.runners, polled: res.at})
	} else {
		p.gh.log.Warn("runner poll", "err", res.err)
	}
	waiters := p.waiters
	if p.again {
		p.again, p.waiters = false, nil
		// The refresh asked for a poll that starts after its request: the
		// one that just finished may have started before it.
		p.start(nil)
		p.waiters = waiters
		return
	}
	p.waiters = nil
	for _, w := range waiters {
		w <- res.err
	}
	p.timer = p.gh.after(p.gh.pollEvery(), p.self, pollTickMsg{})
}

// pollEvery is the time to the next poll. While webhooks flow they report
// every job starting and finishing on a runner, so the listing only has to
// notice runners coming and going and can run less often. The same holds
// while every online runner runs (or is reserved for) one of our own
// jobs: the tracker, not the listing, sees those end.
func (gh *GitHub) pollEvery() time.Duration {
	every := gh.opts.PollInterval
	if gh.webhooksLive(gh.clock.Now()) {
		every = max(every, webhookPollInterval)
	}
	if gh.allOurs.Load() {
		every = max(every, slowPollFactor*gh.opts.PollInterval)
	}
	return every
}

const (
	// webhookPollInterval is the polling interval while webhooks flow.
	webhookPollInterval = 30 * time.Second
	// slowPollFactor stretches the interval while every runner is ours.
	slowPollFactor = 4
)

// poll lists every scope the groups need and journals what changed. It
// runs on a worker goroutine and works on copies of the poller's state.
func (gh *GitHub) poll(ctx context.Context, scopes map[string]*scopeState, kinds map[string]ownerKind) pollResult {
	res := pollResult{scopes: scopes, kinds: kinds}
	targets, err := gh.pollTargets(ctx)
	if err != nil {
		res.err = fmt.Errorf("read groups: %w", err)
		return res
	}
	wanted := gh.resolveScopes(ctx, targets, kinds, scopes)
	now := gh.clock.Now()
	for key, s := range wanted {
		gh.listScope(ctx, s)
		scopes[key] = s
	}
	for key := range scopes {
		if _, ok := wanted[key]; !ok {
			delete(scopes, key)
		}
	}
	res.at = gh.clock.Now()
	res.runners = mergeScopes(scopes, now, staleAfter(gh.opts.PollInterval))
	if err := gh.journalRunners(ctx, res.runners, res.at); err != nil {
		res.err = err
	}
	return res
}

// listScope lists one scope's runners into s.
func (gh *GitHub) listScope(ctx context.Context, s *scopeState) {
	var list github.RunnerList
	var err error
	if s.Repo == "" {
		list, err = gh.opts.Runners.ListOrgRunners(ctx, s.Owner)
	} else {
		list, err = gh.opts.Runners.ListRepoRunners(ctx, s.Owner, s.Repo)
	}
	now := gh.clock.Now()
	if err != nil {
		// Say it when the scope starts failing or fails differently, not on
		// every poll: the status page and metrics show that it still does.
		if s.FailingSince.IsZero() || s.Err != err.Error() {
			gh.log.Warn("list runners", "scope", s.Key, "err", err)
		}
		if s.FailingSince.IsZero() {
			s.FailingSince = now
		}
		s.Err = err.Error()
		return
	}
	if !s.FailingSince.IsZero() {
		gh.log.Info("list runners works again", "scope", s.Key, "failed_for", now.Sub(s.FailingSince).String())
	}
	s.Runners, s.ObservedAt, s.FailingSince, s.Err = list.Runners, now, time.Time{}, ""
}

func staleAfter(interval time.Duration) time.Duration { return max(3*interval, minStaleAfter) }

// mergeScopes flattens the scopes into one runner set. A scope failing for
// longer than stale shows its runners offline.
func mergeScopes(scopes map[string]*scopeState, now time.Time, stale time.Duration) []observedRunner {
	keys := make([]string, 0, len(scopes))
	for k := range scopes {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	seen := map[int64]bool{}
	var out []observedRunner
	for _, k := range keys {
		s := scopes[k]
		gone := !s.FailingSince.IsZero() && now.Sub(s.FailingSince) >= stale
		for _, r := range s.Runners {
			if seen[r.ID] {
				continue
			}
			seen[r.ID] = true
			o := observedRunner{Runner: r, Scope: s.Key, ObservedAt: s.ObservedAt}
			o.Labels = slices.Clone(r.Labels)
			if gone {
				o.Status, o.Busy = "offline", false
			}
			out = append(out, o)
		}
	}
	return out
}

// journalRunners journals the difference between runners and the runner
// partition. A runner running one of our jobs is journaled busy even while
// GitHub's flag lags, as the reference did.
func (gh *GitHub) journalRunners(ctx context.Context, runners []observedRunner, now time.Time) error {
	prev, err := gh.sys.Runners(ctx)
	if err != nil {
		return err
	}
	ours := map[int64]bool{}
	if p := gh.ourRunners.Load(); p != nil {
		ours = *p
	}
	changed, gone := runnerDiff(prev, runners, ours)
	if err := gh.sys.Observe(ctx, whoPoller, changed, gone); err != nil {
		return fmt.Errorf("journal runners: %w", err)
	}
	return nil
}

// runnerDiff compares the journaled runners with a new observation.
func runnerDiff(prev []state.Runner, now []observedRunner, ours map[int64]bool) (changed []state.Runner, gone []int64) {
	old := make(map[int64]state.Runner, len(prev))
	for _, r := range prev {
		old[r.ID] = r
	}
	present := make(map[int64]bool, len(now))
	for _, o := range now {
		present[o.ID] = true
		status := "offline"
		if o.Status == "online" {
			status = "online"
		}
		n := state.Runner{ID: o.ID, Name: o.Name, OS: o.OS, Labels: o.Labels, Status: status,
			Busy: o.Busy || ours[o.ID], Scope: o.Scope, LastSeenAt: o.ObservedAt.UTC()}
		p, ok := old[o.ID]
		if ok && p.Name == n.Name && p.OS == n.OS && p.Status == n.Status && p.Busy == n.Busy &&
			p.Scope == n.Scope && slices.Equal(p.Labels, n.Labels) && n.LastSeenAt.Sub(p.LastSeenAt) < lastSeenHeartbeat {
			continue
		}
		if ok && n.LastSeenAt.Before(p.LastSeenAt) {
			n.LastSeenAt = p.LastSeenAt
		}
		changed = append(changed, n)
	}
	for _, r := range prev {
		if !present[r.ID] {
			gone = append(gone, r.ID)
		}
	}
	slices.Sort(gone)
	return changed, gone
}

// pollTarget is an owner, and a repository of it, that some group needs.
type pollTarget struct {
	Owner string
	Repo  string
	// Explicit: the group names this repository in repos, so its runners
	// are polled whatever the owner is.
	Explicit bool
}

// pollTargets collects the owners and repositories the groups dispatch to:
// their templates, the coordinates of their queued and active jobs (manual
// jobs included), and the repositories they name.
func (gh *GitHub) pollTargets(ctx context.Context) ([]pollTarget, error) {
	seen := map[pollTarget]bool{}
	var out []pollTarget
	add := func(t pollTarget) {
		if t.Owner == "" || (t.Repo == "" && !t.Explicit) {
			return
		}
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	for _, id := range gh.sys.GroupIDs() {
		v, err := gh.sys.Read(ctx, id, func(g *state.GroupState) (any, error) {
			if !g.Group.InConfig {
				return []pollTarget(nil), nil
			}
			var ts []pollTarget
			for _, t := range g.Templates {
				ts = append(ts, pollTarget{Owner: t.Owner, Repo: t.Repo})
			}
			for _, r := range g.Group.Repos {
				if o, n, ok := strings.Cut(r, "/"); ok {
					ts = append(ts, pollTarget{Owner: o, Repo: n, Explicit: true})
				}
			}
			for _, j := range g.Pending() {
				o, r, _, _ := g.Effective(j)
				ts = append(ts, pollTarget{Owner: o, Repo: r})
			}
			for _, j := range g.Active() {
				o, r, _, _ := g.Effective(j)
				ts = append(ts, pollTarget{Owner: o, Repo: r})
			}
			return ts, nil
		})
		if err != nil {
			return nil, err
		}
		for _, t := range v.([]pollTarget) {
			add(t)
		}
	}
	return out, nil
}

// resolveScopes turns targets into scopes, asking GitHub (once per owner)
// whether an owner is an organisation. An owner whose kind cannot be
// learnt keeps the scopes it had, so a lookup failure does not drop its
// runners.
func (gh *GitHub) resolveScopes(ctx context.Context, targets []pollTarget, kinds map[string]ownerKind, prev map[string]*scopeState) map[string]*scopeState {
	wanted := map[string]*scopeState{}
	want := func(owner, repo string) {
		key := scopeKey(owner, repo)
		if wanted[key] != nil {
			return
		}
		if s := prev[key]; s != nil {
			wanted[key] = s
			return
		}
		wanted[key] = &scopeState{Key: key, Owner: owner, Repo: repo}
	}
	for _, t := range targets {
		if t.Explicit {
			want(t.Owner, t.Repo)
			continue
		}
		kind, err := gh.ownerKind(ctx, t.Owner, kinds)
		switch {
		case err != nil:
			gh.log.Warn("runner poll: owner kind unknown", "owner", t.Owner, "err", err)
			for key, s := range prev {
				if strings.EqualFold(s.Owner, t.Owner) {
					wanted[key] = s
				}
			}
		case kind == ownerOrg:
			want(t.Owner, "")
		default:
			want(t.Owner, t.Repo)
		}
	}
	return wanted
}

// ownerKind asks whether owner is an organisation. GitHub answers for
// organisations and users alike on /users/NAME; when that answers 404
// (some servers only serve /orgs), the organisation runners endpoint
// decides.
func (gh *GitHub) ownerKind(ctx context.Context, owner string, kinds map[string]ownerKind) (ownerKind, error) {
	key := strings.ToLower(owner)
	if k, ok := kinds[key]; ok {
		return k, nil
	}
	isOrg, err := gh.opts.Runners.IsOrg(ctx, owner)
	if errors.Is(err, github.ErrNotFound) {
		_, lerr := gh.opts.Runners.ListOrgRunners(ctx, owner)
		switch {
		case lerr == nil:
			isOrg, err = true, nil
		case errors.Is(lerr, github.ErrNotFound):
			isOrg, err = false, nil
		default:
			err = lerr
		}
	}
	if err != nil {
		return 0, err
	}
	k := ownerUser
	if isOrg {
		k = ownerOrg
	}
	kinds[key] = k
	return k, nil
}

func scopeKey(owner, repo string) string {
	if repo == "" {
		return "org/" + owner
	}
	return "repo/" + owner + "/" + repo
}

// parseScope reverses scopeKey.
func parseScope(key string) (owner, repo string, ok bool) {
	switch {
	case strings.HasPrefix(key, "org/"):
		owner = strings.TrimPrefix(key, "org/")
		return owner, "", owner != ""
	case strings.HasPrefix(key, "repo/"):
		owner, repo, ok = strings.Cut(strings.TrimPrefix(key, "repo/"), "/")
		return owner, repo, ok && owner != "" && repo != ""
	}
	return "", "", false
}
