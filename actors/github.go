package actors

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/VictoriaMetrics/metrics"
	"github.com/asynkron/protoactor-go/actor"

	"github.com/dispatchoor/dispatchoor/actors/state"
	"github.com/dispatchoor/dispatchoor/github"
)

// GitHubOptions configure the GitHub integration. Only the System is
// required; a nil API leaves its part out (degraded mode: no token).
type GitHubOptions struct {
	// Runners lists runners (the runners token, or the dispatch token). Nil:
	// runners are not polled, so nothing is dispatched either.
	Runners RunnerAPI
	// Workflows dispatches, tracks and cancels runs. Nil: nothing is
	// dispatched or tracked.
	Workflows WorkflowAPI
	// Dispatch switches dispatching and run tracking on (dispatcher.enabled).
	Dispatch bool
	// WebhooksConfigured: a webhook secret is set, so deliveries may arrive
	// and, while they do, polling can slow down.
	WebhooksConfigured bool

	Clock  Clock
	Logger *slog.Logger

	// PollInterval is how often runners are listed (github.poll_interval).
	PollInterval time.Duration
	// DispatchInterval is the dispatcher's fallback tick; decisions are
	// taken on events (dispatcher.interval).
	DispatchInterval time.Duration
	// TrackingInterval is how often runs are reconciled with GitHub
	// (dispatcher.tracking_interval).
	TrackingInterval time.Duration
	// RunNotFoundTimeout is how long a dispatched job may go without its
	// run being found (dispatcher.run_not_found_timeout).
	RunNotFoundTimeout time.Duration
	// ReservationTTL is how long an idle runner stays reserved for a
	// dispatch whose run has not started. Default 3m.
	ReservationTTL time.Duration
	// ClockSkew is the tolerance between this machine's clock and
	// GitHub's when runs are matched by creation time. Default 10s.
	ClockSkew time.Duration
	// ForceCancelAfter is how long a cancelled run may ignore the cancel
	// before it is force-cancelled. Default 1m.
	ForceCancelAfter time.Duration
	// MaxInFlight bounds concurrent dispatch requests. Default 8.
	MaxInFlight int
	// NewKey makes dispatch keys; injectable for tests. Default: 128
	// random bits in hex.
	NewKey func() string
	// Metrics receives the dispatcher's metrics; nil makes a private set.
	Metrics *metrics.Set
}

func (o *GitHubOptions) setDefaults() {
	if o.Clock == nil {
		o.Clock = wallClock{}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	defaults := []struct {
		v *time.Duration
		d time.Duration
	}{
		{&o.PollInterval, 15 * time.Second},
		{&o.DispatchInterval, 30 * time.Second},
		{&o.TrackingInterval, 30 * time.Second},
		{&o.RunNotFoundTimeout, 5 * time.Minute},
		{&o.ReservationTTL, 3 * time.Minute},
		{&o.ClockSkew, 10 * time.Second},
		{&o.ForceCancelAfter, time.Minute},
	}
	for _, x := range defaults {
		if *x.v <= 0 {
			*x.v = x.d
		}
	}
	if o.MaxInFlight <= 0 {
		o.MaxInFlight = 8
	}
	if o.NewKey == nil {
		o.NewKey = randomKey
	}
	if o.Metrics == nil {
		o.Metrics = metrics.NewSet()
	}
}

// GitHub is the integration with GitHub: the runner poller, the dispatcher
// and the run tracker, each a protoactor-go actor, plus the hooks that
// connect them to the API. Only a leader runs it: Start and Stop follow
// leadership, and Stop finishes or abandons in-flight work so that a new
// leader can reconcile whatever was left in the journal.
type GitHub struct {
	sys   *System
	opts  GitHubOptions
	log   *slog.Logger
	clock Clock
	m     *githubMetrics

	actors *actor.ActorSystem

	mu         sync.Mutex
	running    bool
	hooked     bool // Start installed the API hooks
	cancel     context.CancelFunc
	ctx        context.Context
	poller     *actor.PID
	dispatcher *actor.PID
	tracker    *actor.PID

	// workers counts goroutines doing GitHub calls and journaling for the
	// actors; Stop waits for them.
	workers sync.WaitGroup
	// slots bounds concurrent dispatch requests; pace spaces mutating
	// calls (GitHub's secondary limits).
	slots chan struct{}
	pace  *pacer

	// activity counts messages sent to the actors and not yet handled plus
	// workers running; asleep counts workers waiting on the clock. Both
	// feed a gauge, and tests wait for the integration to go quiet.
	activity atomic.Int64
	asleep   atomic.Int64

	// launched holds the jobs a dispatch worker of this process is taking
	// through a dispatch. A job in dispatching that is not here was left by
	// an earlier process (or leader): the tracker reconciles it.
	launched sync.Map

	runDetails  atomic.Int32 // runDetailsMode: what the dispatch server supports
	lastWebhook atomic.Int64 // unix nanos of the last verified delivery
	explainSnap atomic.Pointer[explainSnapshot]
	ourRunners  atomic.Pointer[map[int64]bool] // runners running our jobs, for the poller
	allOurs     atomic.Bool                    // every online runner runs or is reserved for our work
	durations   *durationStats
}

// runDetailsMode is what the dispatch server is known to support.
type runDetailsMode int32

const (
	// runDetailsUnknown: not tried yet; one dispatch goes out at a time
	// until the first answer tells.
	runDetailsUnknown runDetailsMode = iota
	runDetailsSupported
	// runDetailsUnsupported: the server refused or ignored the field; runs
	// are found by correlation.
	runDetailsUnsupported
)

// NewGitHub builds the integration for sys. It subscribes to the system's
// events once; nothing runs until Start.
func NewGitHub(sys *System, opts GitHubOptions) *GitHub {
	opts.setDefaults()
	gh := &GitHub{
		sys:       sys,
		opts:      opts,
		log:       opts.Logger.With("component", "github"),
		clock:     opts.Clock,
		slots:     make(chan struct{}, opts.MaxInFlight),
		durations: newDurationStats(),
	}
	gh.pace = newPacer(opts.Clock, &gh.asleep, mutationBurst, mutationEvery)
	gh.m = newGitHubMetrics(opts.Metrics)
	opts.Metrics.GetOrCreateGauge("dispatchoor_github_work_in_flight", func() float64 {
		return float64(gh.activity.Load() - gh.asleep.Load())
	})
	quiet := slog.New(minLevel{opts.Logger.Handler(), slog.LevelWarn}).With("component", "github-actors")
	gh.actors = actor.NewActorSystem(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger { return quiet }))
	sys.Subscribe(gh.onCommitted)
	return gh
}

// Start spawns the actors and installs the API hooks. A second Start
// without Stop is an error.
func (gh *GitHub) Start(ctx context.Context) error {
	gh.mu.Lock()
	defer gh.mu.Unlock()
	if gh.running {
		return errors.New("github integration already running")
	}
	gh.ctx, gh.cancel = context.WithCancel(context.Background())
	if gh.opts.Runners != nil {
		gh.poller = gh.spawn(func() actor.Actor { return newPoller(gh) })
	}
	if gh.dispatching() {
		gh.dispatcher = gh.spawn(func() actor.Actor { return newDispatcher(gh) })
		gh.tracker = gh.spawn(func() actor.Actor { return newTracker(gh) })
	}
	gh.running = true
	// With nothing to run (no token) the hooks stay as they are: the
	// system's built-in answers are the right ones.
	gh.hooked = gh.poller != nil
	if gh.hooked {
		hooks := Hooks{Explain: gh.explainer, Refresh: gh.refresh}
		if gh.tracker != nil {
			hooks.Cancel = gh.requestCancel
		}
		gh.sys.SetHooks(hooks)
	}
	gh.log.Info("github integration started", "polling", gh.poller != nil, "dispatching", gh.dispatcher != nil,
		"poll_interval", gh.opts.PollInterval, "tracking_interval", gh.opts.TrackingInterval)
	return nil
}

// dispatching reports whether the dispatcher and tracker run.
func (gh *GitHub) dispatching() bool {
	return gh.opts.Workflows != nil && gh.opts.Runners != nil && gh.opts.Dispatch
}

// Stop removes the hooks, stops the actors and waits for in-flight GitHub
// calls to finish and journal their outcome. If ctx ends first their
// context is cancelled: a dispatch whose answer is then lost stays in
// dispatching, and the next Start (here or on a new leader) reconciles it
// before anything is sent again.
func (gh *GitHub) Stop(ctx context.Context) error {
	gh.mu.Lock()
	if !gh.running {
		gh.mu.Unlock()
		return nil
	}
	gh.running = false
	pids := []*actor.PID{gh.poller, gh.dispatcher, gh.tracker}
	gh.poller, gh.dispatcher, gh.tracker = nil, nil, nil
	cancel, hooked := gh.cancel, gh.hooked
	gh.mu.Unlock()

	if hooked {
		gh.sys.SetHooks(Hooks{})
	}
	for _, pid := range pids {
		if pid != nil {
			if _, err := gh.actors.Root.StopFuture(pid).Result(); err != nil {
				gh.log.Warn("stop github actor", "pid", pid.Id, "err", err)
			}
		}
	}
	done := make(chan struct{})
	go func() { gh.workers.Wait(); close(done) }()
	var err error
	select {
	case <-done:
	case <-ctx.Done():
		err = fmt.Errorf("stop github integration: abandoning in-flight calls: %w", ctx.Err())
		cancel()
		<-done
	}
	cancel()
	// Workers are done and the actors gone: messages sent to them while
	// they stopped were counted but will never be handled.
	gh.activity.Store(0)
	gh.log.Info("github integration stopped")
	return err
}

// Close stops the integration and its actor system.
func (gh *GitHub) Close(ctx context.Context) error {
	err := gh.Stop(ctx)
	gh.actors.Shutdown()
	return err
}

// pids returns the actors' addresses; nil ones are not running.
func (gh *GitHub) pids() (poller, dispatcher, tracker *actor.PID) {
	gh.mu.Lock()
	defer gh.mu.Unlock()
	return gh.poller, gh.dispatcher, gh.tracker
}

// send delivers msg to pid, if it runs. It never blocks.
func (gh *GitHub) send(pid *actor.PID, msg any) {
	if pid != nil {
		gh.activity.Add(1)
		gh.actors.Root.Send(pid, msg)
	}
}

// handled marks a message as processed; every actor's Receive defers it.
// Messages sent with send were counted, and so was each actor's start
// (spawn counts one, and a restart one more, for the Started that
// follows); the library's other lifecycle messages were not.
func (gh *GitHub) handled(msg any) {
	switch msg.(type) {
	case *actor.Restarting:
		gh.activity.Add(1)
		return
	case *actor.Stopping, *actor.Stopped:
		return
	}
	gh.activity.Add(-1)
}

// spawn starts an actor, counting its start as activity until it ran.
func (gh *GitHub) spawn(produce func() actor.Actor) *actor.PID {
	gh.activity.Add(1)
	return gh.actors.Root.Spawn(actor.PropsFromProducer(produce))
}

// quiet reports whether no message is waiting and no worker is doing
// anything but waiting on the clock.
func (gh *GitHub) quiet() bool { return gh.activity.Load()-gh.asleep.Load() == 0 }

// after sends msg to pid once d has passed on the integration's clock.
func (gh *GitHub) after(d time.Duration, pid *actor.PID, msg any) ClockTimer {
	return gh.clock.AfterFunc(d, func() { gh.send(pid, msg) })
}

// baseContext is the context of the integration's work, cancelled when
// Stop gives up waiting.
func (gh *GitHub) baseContext() context.Context {
	gh.mu.Lock()
	defer gh.mu.Unlock()
	if gh.ctx == nil {
		return context.Background()
	}
	return gh.ctx
}

// work runs fn on a worker goroutine that Stop waits for, with the
// integration's context.
func (gh *GitHub) work(fn func(ctx context.Context)) {
	ctx := gh.baseContext()
	gh.workers.Add(1)
	gh.activity.Add(1)
	go func() {
		defer gh.workers.Done()
		defer gh.activity.Add(-1)
		fn(ctx)
	}()
}

// onCommitted turns durable events into wake-ups: a job arriving or
// becoming dispatchable again, a group resuming, a run finishing (its runner
// is free) all call for a dispatch decision now. It runs on the journal's
// writer goroutine, so it only sends.
func (gh *GitHub) onCommitted(cs []Committed) {
	_, d, t := gh.pids()
	if d == nil {
		return
	}
	wake := false
	for _, c := range cs {
		switch c.Event.Type {
		case state.JobEnqueued, state.JobUnpaused, state.GroupUnpaused, state.GroupConfigured,
			state.JobsReordered, state.JobUpdated:
			wake = true
		case state.JobFinished, state.JobDispatchUndone, state.JobRunning, state.JobRunLinked:
			// A run finishing frees its runner; a run starting releases
			// its reservation; a run found lets the next time-window
			// dispatch of its workflow go.
			wake = true
			if c.Job != nil {
				gh.send(t, jobChangedMsg{job: c.Job})
			}
		case state.JobTriggered, state.JobCancelRequest:
			if c.Job != nil {
				gh.send(t, jobChangedMsg{job: c.Job})
			}
		}
	}
	if wake {
		gh.send(d, wakeMsg{reason: "event"})
	}
}

// refresh is the Refresh hook: poll the runners now and return once the
// poll is done (POST /runners/refresh).
func (gh *GitHub) refresh(ctx context.Context) error {
	p, _, _ := gh.pids()
	if p == nil {
		return nil
	}
	done := make(chan error, 1)
	gh.send(p, refreshMsg{done: done})
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// requestCancel is the Cancel hook.
func (gh *GitHub) requestCancel(jobID string) {
	_, _, t := gh.pids()
	gh.send(t, cancelMsg{jobID: jobID})
}

// HandleWebhook takes a verified delivery from the webhook endpoint and
// hands it to the tracker. It never blocks and never calls GitHub.
func (gh *GitHub) HandleWebhook(ev github.WebhookEvent) {
	gh.lastWebhook.Store(gh.clock.Now().UnixNano())
	_, _, t := gh.pids()
	gh.send(t, webhookMsg{ev: ev, at: gh.clock.Now()})
}

// webhookWindow is how recently a delivery must have arrived for webhooks
// to count as flowing.
const webhookWindow = 2 * time.Minute

// webhooksLive reports whether deliveries are arriving, so that status
// changes are learnt from them and polling can be the slower safety net.
func (gh *GitHub) webhooksLive(now time.Time) bool {
	if !gh.opts.WebhooksConfigured {
		return false
	}
	last := gh.lastWebhook.Load()
	return last != 0 && now.Sub(time.Unix(0, last)) < webhookWindow
}

func (gh *GitHub) mode() runDetailsMode { return runDetailsMode(gh.runDetails.Load()) }

func (gh *GitHub) setMode(m runDetailsMode) {
	if old := runDetailsMode(gh.runDetails.Swap(int32(m))); old != m {
		gh.log.Info("dispatch server capability learnt", "return_run_details", m == runDetailsSupported)
	}
}

// System actors.
var (
	whoDispatcher = Who{Username: state.ActorDispatcher}
	whoTracker    = Who{Username: state.ActorTracker}
	whoPoller     = Who{Username: state.ActorPoller}
)

// randomKey returns a dispatch key: 128 random bits, so a key never
// appears in a run title by chance.
func randomKey() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err))
	}
	return hex.EncodeToString(b[:])
}

// minLevel drops records below a level: the actor library logs every dead
// letter at info, and messages sent to actors that just stopped are
// expected during Stop.
type minLevel struct {
	slog.Handler
	min slog.Level
}

func (h minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

func (h minLevel) WithAttrs(a []slog.Attr) slog.Handler {
	return minLevel{h.Handler.WithAttrs(a), h.min}
}
func (h minLevel) WithGroup(n string) slog.Handler { return minLevel{h.Handler.WithGroup(n), h.min} }
