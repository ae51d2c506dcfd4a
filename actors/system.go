package actors

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/dispatchoor/dispatchoor/actors/state"
)

// GroupSpec is a group as configured: the group and its templates.
type GroupSpec struct {
	Group     state.Group
	Templates []state.Template
}

// Options configure a System.
type Options struct {
	Journal Journal
	Logger  *slog.Logger
	// Now and NewID are injectable for deterministic tests.
	Now   func() time.Time
	NewID func() string
	// Groups is the configuration to sync at start-up.
	Groups []GroupSpec
	// Reload re-reads the configuration for POST /templates/reload.
	Reload func() ([]GroupSpec, error)
	// BasicUsers are the usernames configured for basic auth; sessions of
	// basic users no longer listed are revoked at start-up.
	BasicUsers []string
	// RequestTimeout bounds how long a caller waits for an actor.
	RequestTimeout time.Duration
	// SnapshotEvery is the number of events between snapshots (0: 10,000).
	SnapshotEvery int
	// RetentionDays: finished jobs older than this are pruned; 0 means 30,
	// negative disables pruning. CleanupInterval defaults to 1h.
	RetentionDays   int
	CleanupInterval time.Duration
	// OnSnapshot, if set, is told how long each snapshot took from the
	// first partition capture to the file on disk, and whether it failed.
	OnSnapshot func(d time.Duration, err error)
}

// System is the live state: the actors that own it and the journal behind
// them.
type System struct {
	opts    Options
	log     *slog.Logger
	journal Journal
	actors  *actor.ActorSystem
	started time.Time

	mu          sync.Mutex
	groups      map[string]*groupEntry // by group id
	takeovers   map[string]bool        // group ids whose state a previous actor instance held
	auth        *authOwner
	runners     *runnerOwner
	jobGroups   sync.Map // job id -> group id
	subscribers []func([]Committed)
	snapshot    SnapshotInfo
	checkpoints []SnapshotInfo // snapshots taken, oldest first: compaction horizon

	// Hooks installed by the GitHub integration (leader-only actors).
	cancelHook  func(jobID string)
	refreshHook func(ctx context.Context) error
	explainHook func(g *state.GroupState) func(j *state.Job, ahead int) (string, time.Time, bool)

	appended     atomic.Uint64 // events appended since start
	snapshotMu   sync.Mutex    // one snapshot at a time
	lastSnapshot atomic.Uint64 // appended count at the last snapshot

	failOnce sync.Once
	failed   chan struct{}
	failErr  error

	stop chan struct{}
	wg   sync.WaitGroup
}

type groupEntry struct {
	pid   *actor.PID
	state *state.GroupState // handed to the actor at start; nil while it owns it
}

// Start recovers the state from the journal (latest snapshot plus the
// records after it), spawns one actor per group, syncs the configuration
// and starts the background work (snapshots, retention, session expiry).
func Start(ctx context.Context, opts Options) (*System, error) {
	if opts.Journal == nil {
		return nil, errors.New("actors: no journal")
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.NewID == nil {
		opts.NewID = NewUUID
	}
	if opts.RequestTimeout <= 0 {
		opts.RequestTimeout = 10 * time.Second
	}
	if opts.SnapshotEvery <= 0 {
		opts.SnapshotEvery = 10_000
	}
	if opts.CleanupInterval <= 0 {
		opts.CleanupInterval = time.Hour
	}
	if opts.RetentionDays == 0 {
		opts.RetentionDays = 30
	}
	s := &System{
		opts:      opts,
		log:       opts.Logger,
		journal:   opts.Journal,
		started:   opts.Now(),
		groups:    map[string]*groupEntry{},
		takeovers: map[string]bool{},
		failed:    make(chan struct{}),
		stop:      make(chan struct{}),
	}
	st, snap, err := recoverState(opts.Journal, opts.Logger)
	if err != nil {
		return nil, err
	}
	s.snapshot = snap
	if snap.Index > 0 {
		s.checkpoints = []SnapshotInfo{snap}
	}
	logger := opts.Logger.With("component", "actors")
	s.actors = actor.NewActorSystem(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger { return logger }))

	s.auth = newAuthOwner(s, st.Auth)
	s.runners = newRunnerOwner(s, st.Runners)
	for id, g := range st.Groups {
		for jid := range g.Jobs {
			s.jobGroups.Store(jid, id)
		}
		if err := s.spawnGroup(id, g); err != nil {
			return nil, err
		}
	}
	if err := s.syncConfig(ctx, Who{Username: state.ActorConfig}, opts.Groups); err != nil {
		s.actors.Shutdown()
		return nil, fmt.Errorf("sync config: %w", err)
	}
	if err := s.auth.revokeRemovedUsers(ctx, opts.BasicUsers); err != nil {
		s.actors.Shutdown()
		return nil, fmt.Errorf("revoke sessions of removed users: %w", err)
	}
	s.wg.Add(1)
	go s.background()
	return s, nil
}

// recoverState loads the latest snapshot and replays the records after it.
func recoverState(j Journal, log *slog.Logger) (*state.State, SnapshotInfo, error) {
	st := state.New()
	var info SnapshotInfo
	idx, data, err := j.LatestSnapshot()
	switch {
	case errors.Is(err, ErrNoSnapshot):
	case err != nil:
		return nil, info, fmt.Errorf("load snapshot: %w", err)
	default:
		if st, err = state.Restore(data); err != nil {
			return nil, info, fmt.Errorf("restore snapshot %d: %w", idx, err)
		}
		info.Index, info.Time = idx, time.Now()
	}
	from := st.MinIndex() + 1
	if first := j.FirstIndex(); first > from {
		from = first
	}
	n := 0
	err = j.Replay(from, func(index uint64, payload []byte) error {
		e, err := state.DecodeEvent(payload)
		if err != nil {
			// A record that passed the journal's checksum but does not
			// decode is a bug or an incompatible version: stop rather than
			// serve a state that silently differs from the log.
			return fmt.Errorf("record %d: %w", index, err)
		}
		if err := st.Apply(index, e); err != nil {
			log.Warn("replay: event does not apply", "index", index, "type", e.Type, "err", err)
		}
		n++
		return nil
	})
	if err != nil {
		return nil, info, fmt.Errorf("replay journal: %w", err)
	}
	log.Info("state recovered", "snapshot_index", info.Index, "replayed", n, "groups", len(st.Groups))
	return st, info, nil
}

func (s *System) spawnGroup(id string, g *state.GroupState) error {
	s.mu.Lock()
	s.groups[id] = &groupEntry{state: g}
	s.mu.Unlock()
	props := actor.PropsFromProducer(newGroupActor(s, id), actor.WithGuardian(supervisor()))
	pid, err := s.actors.Root.SpawnNamed(props, "group/"+id)
	if err != nil {
		return fmt.Errorf("spawn group actor %s: %w", id, err)
	}
	s.mu.Lock()
	s.groups[id].pid = pid
	s.mu.Unlock()
	return nil
}

// supervisor restarts a failed actor; the new instance rebuilds its
// partition. Ten failures a minute mean something is deeply wrong: the
// actor then stops and its requests time out, instead of spinning.
func supervisor() actor.SupervisorStrategy {
	return actor.NewOneForOneStrategy(10, time.Minute, func(reason any) actor.Directive {
		return actor.RestartDirective
	})
}

// takeGroup hands a group's partition to a (re)starting actor. restarted
// is true when an earlier instance already held it.
func (s *System) takeGroup(id string) (*state.GroupState, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.groups[id]
	if s.takeovers[id] {
		return nil, true
	}
	s.takeovers[id] = true
	g := e.state
	e.state = nil
	return g, false
}

func (s *System) putGroup(string, *state.GroupState) {}

// rebuildGroup rebuilds one group partition from the journal: the latest
// snapshot's copy of it plus every later event of the group. It first waits
// until every record handed to the journal is durable, so the replay sees
// all of this partition's events.
func (s *System) rebuildGroup(id string) (*state.GroupState, error) {
	last := s.journal.LastIndex()
	deadline := time.Now().Add(s.opts.RequestTimeout)
	for s.journal.DurableIndex() < last {
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("journal not durable up to %d", last)
		}
		time.Sleep(time.Millisecond)
	}
	st := state.New()
	if _, data, err := s.journal.LatestSnapshot(); err == nil {
		if st, err = state.Restore(data); err != nil {
			return nil, err
		}
	} else if !errors.Is(err, ErrNoSnapshot) {
		return nil, err
	}
	g := st.Groups[id]
	if g == nil {
		g = state.NewGroupState(id)
	}
	from := g.Index + 1
	if first := s.journal.FirstIndex(); first > from {
		from = first
	}
	err := s.journal.Replay(from, func(index uint64, payload []byte) error {
		e, err := state.DecodeEvent(payload)
		if err != nil {
			return fmt.Errorf("record %d: %w", index, err)
		}
		if e.GroupID == id {
			if err := g.Apply(index, e); err != nil {
				s.log.Warn("rebuild: event does not apply", "index", index, "type", e.Type, "err", err)
			}
		}
		return nil
	})
	return g, err
}

// indexJob keeps the job → group routing table current.
func (s *System) indexJob(e *state.Event) {
	switch e.Type {
	case state.JobEnqueued:
		s.jobGroups.Store(e.Job.ID, e.GroupID)
	case state.JobRemoved:
		s.jobGroups.Delete(e.JobID)
	case state.HistoryPruned:
		for _, id := range e.JobIDs {
			s.jobGroups.Delete(id)
		}
	}
}

// Subscribe registers fn to receive committed events. fn runs on the
// journal's writer goroutine: it must hand the work off and return at once.
func (s *System) Subscribe(fn func([]Committed)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.subscribers = append(s.subscribers, fn)
}

func (s *System) publish(cs []Committed) {
	if len(cs) == 0 {
		return
	}
	s.mu.Lock()
	subs := s.subscribers
	s.mu.Unlock()
	for _, fn := range subs {
		fn(cs)
	}
}

// fail records a fatal error (the journal failed, so memory may be ahead
// of the disk) and signals Failed.
func (s *System) fail(err error) {
	s.failOnce.Do(func() {
		s.failErr = err
		s.log.Error("fatal: state can no longer be made durable; stopping", "err", err)
		close(s.failed)
	})
}

// Failed is closed when the system hit an unrecoverable error; Err says
// which. The process should exit and restart from the journal.
func (s *System) Failed() <-chan struct{} { return s.failed }

// Err returns the fatal error, if any.
func (s *System) Err() error {
	select {
	case <-s.failed:
		return s.failErr
	default:
		return nil
	}
}

// Stop takes a final snapshot and stops the actors. The journal is the
// caller's to close.
func (s *System) Stop(ctx context.Context) error {
	close(s.stop)
	s.wg.Wait()
	var err error
	if s.Err() == nil {
		if serr := s.Snapshot(ctx); serr != nil {
			err = fmt.Errorf("final snapshot: %w", serr)
		}
	}
	s.actors.Shutdown()
	return err
}
