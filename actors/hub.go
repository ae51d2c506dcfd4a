package actors

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/VictoriaMetrics/metrics"
	"github.com/asynkron/protoactor-go/actor"

	"github.com/dispatchoor/dispatchoor/actors/state"
)

// The hub turns committed events into live messages for dashboard
// connections. One actor owns every client and subscription, so routing
// needs no lock; it never blocks: each client has a bounded buffer, and a
// client that cannot keep up is dropped (it reconnects and refetches over
// REST) instead of slowing anyone else down.

// Frame types: the reference's message names plus those the dashboard needs
// to stay live without polling.
const (
	FrameHello             = "hello"
	FrameSubscribed        = "subscribed"
	FrameUnsubscribed      = "unsubscribed"
	FrameSystemStatus      = "system_status"
	FrameError             = "error"
	FrameJobState          = "job_state"
	FrameJobRemoved        = "job_removed"
	FrameQueueReordered    = "queue_reordered"
	FrameGroupState        = "group_state"
	FrameTemplatesReloaded = "templates_reloaded"
	FrameRunnerStatus      = "runner_status"
	FrameRunnersChanged    = "runners_changed"
)

// AllGroups is the subscription to every group.
const AllGroups = "*"

// Hub defaults.
const (
	// DefaultClientBuffer is a client's send buffer, in frames.
	DefaultClientBuffer = 256
	// DefaultMaxBacklog bounds the committed batches waiting for the hub.
	DefaultMaxBacklog = 10_000
	// maxSubscriptions caps the groups one client follows, so a client
	// cannot grow the hub's tables without bound.
	maxSubscriptions = 1024
)

// Why the hub closed a client (HubClient.Err).
var (
	// ErrSlowClient: the client's send buffer was full.
	ErrSlowClient = errors.New("client too slow: send buffer full")
	// ErrHubBehind: the hub lost events (its backlog overflowed or it was
	// restarted after a failure); every client must refetch.
	ErrHubBehind = errors.New("live updates interrupted")
	// ErrHubClosed: the hub is shutting down.
	ErrHubClosed = errors.New("hub closed")
)

// Frame is one message for live clients before encoding. The hub decides who
// receives it; the HTTP layer decides how it looks on the wire. A frame is
// shared by all its recipients and never changed after it is sent.
//
// Payload by type: hello HelloPayload; job_state *state.Job; job_removed
// JobRemovedPayload; queue_reordered QueueReorderedPayload; group_state
// GroupInfo; templates_reloaded TemplatesReloadedPayload; runner_status
// state.Runner; runners_changed []state.Runner; error ErrorPayload.
type Frame struct {
	Type    string
	GroupID string
	// Seq is the journal index of the event behind the frame; for control
	// frames (hello, subscribed, ...) the index the hub had reached.
	Seq     uint64
	Payload any

	encodeOnce sync.Once
	encoded    []byte
	encodeErr  error
}

// Encoded returns the frame as encode renders it. The first caller encodes,
// every later caller (the other recipients) gets the same bytes, so a frame
// sent to 500 clients is encoded once. All callers must pass the same
// encoder.
func (f *Frame) Encoded(encode func(*Frame) ([]byte, error)) ([]byte, error) {
	f.encodeOnce.Do(func() { f.encoded, f.encodeErr = encode(f) })
	return f.encoded, f.encodeErr
}

// HelloPayload greets a new client: Seq is the journal index the hub had
// reached, so a reconnecting client can tell whether it missed events.
type HelloPayload struct {
	Seq  uint64 `json:"seq"`
	User any    `json:"user"`
}

// JobRemovedPayload names a job that left its group (deleted or pruned).
type JobRemovedPayload struct {
	ID      string `json:"id"`
	GroupID string `json:"group_id"`
}

// QueueReorderedPayload lists pending jobs in their new order.
type QueueReorderedPayload struct {
	GroupID string   `json:"group_id"`
	JobIDs  []string `json:"job_ids"`
}

// TemplatesReloadedPayload reports groups whose configuration changed.
type TemplatesReloadedPayload struct {
	Groups []ReloadResult `json:"groups"`
}

// ErrorPayload reports a refused client request.
type ErrorPayload struct {
	Error string `json:"error"`
}

// HubClient is one live connection as the hub sees it. The hub (and the
// connection itself, for its own replies) put frames into its bounded
// buffer; the connection's writer drains Frames until Done.
//
// The buffer channel is never closed: closing is signalled on Done, once,
// so no send can hit a closed channel and no close can happen twice (both
// crashed the reference).
type HubClient struct {
	user any
	out  chan *Frame
	done chan struct{}
	once sync.Once
	err  error // why it was closed; written before done is closed
}

// NewHubClient makes a client with a send buffer of buffer frames
// (DefaultClientBuffer when buffer <= 0). user is sent in its hello frame.
func NewHubClient(user any, buffer int) *HubClient {
	if buffer <= 0 {
		buffer = DefaultClientBuffer
	}
	return &HubClient{user: user, out: make(chan *Frame, buffer), done: make(chan struct{})}
}

// Frames is the client's send buffer.
func (c *HubClient) Frames() <-chan *Frame { return c.out }

// Done is closed when the client is closed, by the hub or by Close.
func (c *HubClient) Done() <-chan struct{} { return c.done }

// Err says why the client was closed: ErrSlowClient, ErrHubBehind,
// ErrHubClosed, or nil when it was closed by Close or is still open.
func (c *HubClient) Err() error {
	select {
	case <-c.done:
		return c.err
	default:
		return nil
	}
}

// Close closes the client (the connection ended). Safe to call any number
// of times, concurrently with the hub.
func (c *HubClient) Close() { c.close(nil) }

func (c *HubClient) close(err error) {
	c.once.Do(func() {
		c.err = err
		close(c.done)
	})
}

// Offer queues f without blocking. A full buffer closes the client with
// ErrSlowClient; Offer reports whether f was queued.
func (c *HubClient) Offer(f *Frame) bool {
	select {
	case <-c.done:
		return false
	default:
	}
	select {
	case c.out <- f:
		return true
	default:
		c.close(ErrSlowClient)
		return false
	}
}

// HubOptions configure a Hub.
type HubOptions struct {
	Logger *slog.Logger
	// MaxBacklog is the number of committed batches that may wait for the
	// hub (DefaultMaxBacklog when <= 0). Past it the hub stops queueing
	// and drops every client once it catches up, rather than grow without
	// bound or lose events silently.
	MaxBacklog int
}

// Hub fans committed events out to live clients.
type Hub struct {
	sys        *System
	log        *slog.Logger
	pid        *actor.PID
	maxBacklog int64
	// post hands a message to the hub actor without blocking (the mailbox
	// is unbounded; MaxBacklog bounds what the journal callback adds).
	// Tests swap it to hold messages back, as a stuck hub would.
	post func(msg any)

	seq      atomic.Uint64 // highest journal index fanned out
	clients  atomic.Int64
	backlog  atomic.Int64 // publish messages not yet handled
	overflow atomic.Bool  // events were skipped; an overflow message is queued
	closed   atomic.Bool

	metrics *metrics.Set
	dropped *metrics.Counter
	frames  *metrics.Counter
}

// NewHub starts the hub actor, subscribes it to sys's committed events and
// loads the current groups (their labels route runner messages, their
// counters are the baseline for group_state). ctx bounds that load.
func NewHub(ctx context.Context, sys *System, opts HubOptions) (*Hub, error) {
	if opts.Logger == nil {
		opts.Logger = sys.log
	}
	if opts.MaxBacklog <= 0 {
		opts.MaxBacklog = DefaultMaxBacklog
	}
	h := &Hub{
		sys:        sys,
		log:        opts.Logger.With("component", "hub"),
		maxBacklog: int64(opts.MaxBacklog),
		metrics:    metrics.NewSet(),
	}
	h.dropped = h.metrics.NewCounter("dispatchoor_ws_slow_clients_dropped_total")
	h.frames = h.metrics.NewCounter("dispatchoor_ws_frames_total")
	h.metrics.NewGauge("dispatchoor_ws_clients", func() float64 { return float64(h.clients.Load()) })

	st := newHubState(h)
	props := actor.PropsFromProducer(func() actor.Actor { return &hubActor{st: st} },
		actor.WithGuardian(supervisor()))
	root := sys.actors.Root
	h.pid = root.SpawnPrefix(props, "hub/")
	h.post = func(msg any) { root.Send(h.pid, msg) }

	// Subscribe before loading the groups: an event committed in between
	// reaches the hub either way, and the load only fills groups the hub
	// has not heard of (see hubState.seed).
	sys.Subscribe(h.onCommitted)
	groups, err := sys.Groups(ctx)
	if err != nil {
		h.closed.Store(true) // the subscription stays; make it inert
		return nil, fmt.Errorf("load groups for the hub: %w", err)
	}
	h.post(&hubSeed{groups: groups})
	return h, nil
}

// onCommitted runs on the journal's writer goroutine (or a committing
// actor's): it only queues the batch for the hub actor.
func (h *Hub) onCommitted(batch []Committed) {
	if h.closed.Load() {
		return
	}
	if h.backlog.Add(1) > h.maxBacklog {
		h.backlog.Add(-1)
		if h.overflow.CompareAndSwap(false, true) {
			h.log.Warn("live update backlog full: dropping every client so they resync", "max_backlog", h.maxBacklog)
			h.post(&hubOverflow{})
		}
		return
	}
	h.post(&hubPublish{batch: batch})
}

// Register adds a client; its first frame is hello. After Close the client
// is closed at once with ErrHubClosed.
func (h *Hub) Register(c *HubClient) {
	if h.closed.Load() {
		c.close(ErrHubClosed)
		return
	}
	h.post(&hubRegister{c: c})
}

// Unregister removes a client (its connection ended). It does not close it.
func (h *Hub) Unregister(c *HubClient) { h.post(&hubUnregister{c: c}) }

// Subscribe makes c follow a group (AllGroups for every group). The client
// receives a subscribed frame, and every event of the group after it.
func (h *Hub) Subscribe(c *HubClient, groupID string) {
	h.post(&hubSubscribe{c: c, group: groupID, on: true})
}

// Unsubscribe stops c following a group; an unsubscribed frame confirms.
func (h *Hub) Unsubscribe(c *HubClient, groupID string) {
	h.post(&hubSubscribe{c: c, group: groupID})
}

// Seq is the highest journal index the hub has fanned out: the frames of
// that event, and of every event handled before it, are already in their
// clients' buffers. Within a group, events arrive in journal order; groups
// commit independently, so an event of one group can reach the hub just
// after a later-indexed event of another.
func (h *Hub) Seq() uint64 { return h.seq.Load() }

// Clients is the number of registered clients.
func (h *Hub) Clients() int { return int(h.clients.Load()) }

// Metrics is the hub's metric set: connected clients, clients dropped for
// being slow, frames queued. The caller registers it with
// metrics.RegisterSet to expose it.
func (h *Hub) Metrics() *metrics.Set { return h.metrics }

// Close closes every client with ErrHubClosed and stops fanning out. It is
// safe to call more than once.
func (h *Hub) Close(ctx context.Context) error {
	if !h.closed.CompareAndSwap(false, true) {
		return nil
	}
	timeout := h.sys.opts.RequestTimeout
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < timeout {
		timeout = time.Until(dl)
	}
	if timeout <= 0 {
		return fmt.Errorf("close hub: %w", context.DeadlineExceeded)
	}
	if _, err := h.sys.actors.Root.RequestFuture(h.pid, &hubClose{}, timeout).Result(); err != nil {
		return fmt.Errorf("close hub: %w", err)
	}
	return nil
}

// Messages of the hub actor.
type (
	hubPublish    struct{ batch []Committed }
	hubRegister   struct{ c *HubClient }
	hubUnregister struct{ c *HubClient }
	hubSubscribe  struct {
		c     *HubClient
		group string
		on    bool
	}
	hubSeed     struct{ groups []GroupInfo }
	hubOverflow struct{}
	hubClose    struct{}
)

// hubActor is the mailbox in front of hubState. The state lives outside the
// actor instance so that a restart (after a panic) can drop the clients the
// failed instance held instead of silently forgetting them.
type hubActor struct{ st *hubState }

func (a *hubActor) Receive(ctx actor.Context) {
	s := a.st
	switch m := ctx.Message().(type) {
	case *hubPublish:
		s.h.backlog.Add(-1)
		s.publish(m.batch)
	case *hubRegister:
		s.register(m.c)
	case *hubUnregister:
		s.remove(m.c)
	case *hubSubscribe:
		s.subscribe(m.c, m.group, m.on)
	case *hubSeed:
		s.seed(m.groups)
	case *hubOverflow:
		s.dropAll(ErrHubBehind)
		s.h.overflow.Store(false)
	case *hubClose:
		s.closed = true
		s.dropAll(ErrHubClosed)
		ctx.Respond(struct{}{})
	case *actor.Restarting:
		s.h.log.Error("hub restarting after a failure: dropping every client so they resync")
		s.dropAll(ErrHubBehind)
	}
}

// hubState is owned by the hub actor's goroutine.
type hubState struct {
	h       *Hub
	clients map[*HubClient]*clientSubs
	byGroup map[string]map[*HubClient]struct{}
	all     map[*HubClient]struct{} // AllGroups subscribers
	groups  map[string]GroupInfo    // last known, by id
	seq     uint64
	closed  bool
	dead    []*HubClient // closed during a fan-out, removed after it
}

type clientSubs struct {
	groups map[string]struct{}
	all    bool
}

func newHubState(h *Hub) *hubState {
	return &hubState{
		h:       h,
		clients: map[*HubClient]*clientSubs{},
		byGroup: map[string]map[*HubClient]struct{}{},
		all:     map[*HubClient]struct{}{},
		groups:  map[string]GroupInfo{},
	}
}

// --- clients and subscriptions ---

func (s *hubState) register(c *HubClient) {
	if s.closed {
		c.close(ErrHubClosed)
		return
	}
	if _, ok := s.clients[c]; ok {
		return
	}
	s.clients[c] = &clientSubs{groups: map[string]struct{}{}}
	s.h.clients.Add(1)
	s.deliver(c, &Frame{Type: FrameHello, Seq: s.seq, Payload: HelloPayload{Seq: s.seq, User: c.user}})
	s.reap()
}

func (s *hubState) remove(c *HubClient) {
	subs, ok := s.clients[c]
	if !ok {
		return
	}
	delete(s.clients, c)
	delete(s.all, c)
	for g := range subs.groups {
		delete(s.byGroup[g], c)
		if len(s.byGroup[g]) == 0 {
			delete(s.byGroup, g)
		}
	}
	s.h.clients.Add(-1)
	if errors.Is(c.Err(), ErrSlowClient) {
		s.h.dropped.Inc()
	}
}

func (s *hubState) dropAll(reason error) {
	for c := range s.clients {
		c.close(reason)
		s.remove(c)
	}
}

func (s *hubState) subscribe(c *HubClient, group string, on bool) {
	subs := s.clients[c]
	if subs == nil || group == "" {
		return
	}
	ack := FrameUnsubscribed
	switch {
	case group == AllGroups:
		subs.all = on
		if on {
			s.all[c] = struct{}{}
		} else {
			delete(s.all, c)
		}
	case on:
		if _, ok := subs.groups[group]; !ok && len(subs.groups) >= maxSubscriptions {
			s.deliver(c, &Frame{Type: FrameError, GroupID: group, Seq: s.seq,
				Payload: ErrorPayload{Error: "too many subscriptions"}})
			s.reap()
			return
		}
		subs.groups[group] = struct{}{}
		if s.byGroup[group] == nil {
			s.byGroup[group] = map[*HubClient]struct{}{}
		}
		s.byGroup[group][c] = struct{}{}
	default:
		delete(subs.groups, group)
		delete(s.byGroup[group], c)
		if len(s.byGroup[group]) == 0 {
			delete(s.byGroup, group)
		}
	}
	if on {
		ack = FrameSubscribed
	}
	s.deliver(c, &Frame{Type: ack, GroupID: group, Seq: s.seq})
	s.reap()
}

// seed records groups loaded at start-up. A group the hub already heard of
// through an event is left alone: that event is at least as recent.
func (s *hubState) seed(groups []GroupInfo) {
	for _, g := range groups {
		if _, known := s.groups[g.Group.ID]; !known {
			s.groups[g.Group.ID] = g
		}
	}
}

// --- delivery ---

// deliver queues f for c; a client that is closed or whose buffer is full
// is removed after the current fan-out.
func (s *hubState) deliver(c *HubClient, f *Frame) {
	if c.Offer(f) {
		s.h.frames.Inc()
		return
	}
	s.dead = append(s.dead, c)
}

func (s *hubState) reap() {
	for _, c := range s.dead {
		s.remove(c)
	}
	s.dead = s.dead[:0]
}

// toGroup sends f to the group's subscribers and to AllGroups subscribers,
// once each.
func (s *hubState) toGroup(group string, f *Frame) {
	members := s.byGroup[group]
	for c := range members {
		s.deliver(c, f)
	}
	for c := range s.all {
		if _, dup := members[c]; !dup {
			s.deliver(c, f)
		}
	}
	s.reap()
}

func (s *hubState) toAll(f *Frame) {
	for c := range s.clients {
		s.deliver(c, f)
	}
	s.reap()
}

// --- routing committed events ---

func (s *hubState) publish(batch []Committed) {
	for i := range batch {
		c := &batch[i]
		s.route(c)
		// Seq moves only after the event's frames are queued: a reader of
		// Hub.Seq may rely on them being ahead of anything it queues.
		if c.Index > s.seq {
			s.seq = c.Index
			s.h.seq.Store(c.Index)
		}
	}
}

func (s *hubState) route(c *Committed) {
	if c.Event == nil {
		return
	}
	switch {
	case c.Event.Type == state.RunnersObserved:
		s.runnersObserved(c)
	case c.Event.GroupID != "":
		s.groupEvent(c)
	}
	// Auth events have no live message; they only advance Seq.
}

func (s *hubState) groupEvent(c *Committed) {
	e, gid := c.Event, c.Event.GroupID
	switch e.Type {
	case state.GroupConfigured, state.GroupRemoved, state.GroupPaused, state.GroupUnpaused:
		s.groupChanged(c, true)
		if e.Type == state.GroupConfigured {
			s.toAll(&Frame{Type: FrameTemplatesReloaded, Seq: c.Index, Payload: TemplatesReloadedPayload{
				Groups: []ReloadResult{{GroupID: gid, Templates: len(e.Templates)}},
			}})
		}
		return
	case state.JobRemoved:
		s.jobRemoved(c.Index, gid, e.JobID)
	case state.HistoryPruned:
		for _, id := range e.JobIDs {
			s.jobRemoved(c.Index, gid, id)
		}
	case state.JobsReordered:
		s.toGroup(gid, &Frame{Type: FrameQueueReordered, GroupID: gid, Seq: c.Index,
			Payload: QueueReorderedPayload{GroupID: gid, JobIDs: e.JobIDs}})
	default:
		// Every other group event changes one job, which Committed carries
		// as it is after the change (nil if a later event of the same batch
		// removed it).
		switch {
		case c.JobInfo != nil:
			s.toGroup(gid, &Frame{Type: FrameJobState, GroupID: gid, Seq: c.Index, Payload: *c.JobInfo})
		case c.Job != nil:
			s.toGroup(gid, &Frame{Type: FrameJobState, GroupID: gid, Seq: c.Index, Payload: c.Job})
		}
	}
	s.groupChanged(c, false)
}

func (s *hubState) jobRemoved(seq uint64, group, jobID string) {
	s.toGroup(group, &Frame{Type: FrameJobRemoved, GroupID: group, Seq: seq,
		Payload: JobRemovedPayload{ID: jobID, GroupID: group}})
}

// groupChanged records the group's counters after c and tells every client
// (the sidebar shows all groups) when the group itself changed (force) or
// its counters moved.
func (s *hubState) groupChanged(c *Committed, force bool) {
	if c.Group == nil {
		return
	}
	gid := c.Event.GroupID
	old, known := s.groups[gid]
	gi := *c.Group
	s.groups[gid] = gi
	if force || !known || !sameCounts(old, gi) {
		s.toAll(&Frame{Type: FrameGroupState, GroupID: gid, Seq: c.Index, Payload: gi})
	}
}

func sameCounts(a, b GroupInfo) bool {
	return a.QueuedJobs == b.QueuedJobs && a.RunningJobs == b.RunningJobs && a.TemplateCount == b.TemplateCount &&
		a.IdleRunners == b.IdleRunners && a.BusyRunners == b.BusyRunners && a.TotalRunners == b.TotalRunners
}

// runnersObserved sends each changed runner to the clients following a
// group it can serve, the full list to everyone, and group_state for groups
// whose runner counts moved.
//
// Runners are read from the runner owner's current view, the same one REST
// and the group counters read: the event only lists what changed, without
// the timestamps the owner adds.
func (s *hubState) runnersObserved(c *Committed) {
	list := *s.h.sys.runners.view.Load()
	for _, obs := range c.Event.Runners {
		i := slices.IndexFunc(list, func(r state.Runner) bool { return r.ID == obs.ID })
		if i < 0 {
			continue // gone again since
		}
		s.toRunnerAudience(&Frame{Type: FrameRunnerStatus, Seq: c.Index, Payload: list[i]})
	}
	s.toAll(&Frame{Type: FrameRunnersChanged, Seq: c.Index, Payload: list})

	ids := make([]string, 0, len(s.groups))
	for id := range s.groups {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		gi := s.groups[id]
		r := s.h.sys.runnerSummary(gi.Group.RunnerLabels)
		if r.idle == gi.IdleRunners && r.busy == gi.BusyRunners && r.total == gi.TotalRunners {
			continue
		}
		gi.IdleRunners, gi.BusyRunners, gi.TotalRunners = r.idle, r.busy, r.total
		s.groups[id] = gi
		s.toAll(&Frame{Type: FrameGroupState, GroupID: id, Seq: c.Index, Payload: gi})
	}
}

// toRunnerAudience sends a runner frame to AllGroups subscribers and to the
// subscribers of every group whose labels the runner satisfies, once each.
func (s *hubState) toRunnerAudience(f *Frame) {
	r := f.Payload.(state.Runner)
	sent := map[*HubClient]bool{}
	send := func(c *HubClient) {
		if !sent[c] {
			sent[c] = true
			s.deliver(c, f)
		}
	}
	for c := range s.all {
		send(c)
	}
	for id, members := range s.byGroup {
		g, ok := s.groups[id]
		if !ok || !state.Matches(r.Labels, g.Group.RunnerLabels) {
			continue
		}
		for c := range members {
			send(c)
		}
	}
	s.reap()
}
