package audit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/dispatchoor/dispatchoor/actors"
	"github.com/dispatchoor/dispatchoor/actors/state"
)

// Log is the live journal an Index reads; *wal.Journal provides it.
type Log interface {
	Source
	// FirstIndex is the first record still in the log: compaction moves it.
	FirstIndex() uint64
}

// Errors of the Index.
var (
	// ErrNotReady: the start-up scan of the journal has not finished.
	ErrNotReady = errors.New("the audit index is still being built")
	// ErrBadCursor: a cursor that no page of this API produced.
	ErrBadCursor = errors.New("invalid cursor")
)

// Index answers audit queries from memory: a row per event (time, type,
// actor, IP, group), every job's journal indexes, and the links between
// requeued generations. It is built by one scan of the journal at start-up,
// in the background, and then follows the live system's committed events.
// Only the events a page actually shows are read back from the log, and the
// most recent ones come from a cache the live feed fills.
type Index struct {
	log    Log
	logger *slog.Logger

	// The live feed runs on the journal's writer goroutine, so it only
	// appends to feed under feedMu and never waits for mu.
	feedMu sync.Mutex
	feed   []actors.Committed
	wake   chan struct{}

	mu     sync.RWMutex
	rows   rowTable
	strs   *interner
	jobs   *jobTable
	recent *recentCache
	first  uint64 // the log's first index when last checked

	ready   chan struct{}
	scanErr error // set before ready is closed
	done    chan struct{}
}

// IndexOptions tune an Index.
type IndexOptions struct {
	Logger *slog.Logger
	// Recent is how many of the newest events keep their full form in
	// memory; 0 means 4096.
	Recent int
}

// NewIndex returns an index over log. Call Start to fill it.
func NewIndex(log Log, opts IndexOptions) *Index {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Recent <= 0 {
		opts.Recent = 4096
	}
	return &Index{
		log:    log,
		logger: opts.Logger,
		wake:   make(chan struct{}, 1),
		strs:   newInterner(),
		jobs:   newJobTable(),
		recent: newRecentCache(opts.Recent),
		ready:  make(chan struct{}),
		done:   make(chan struct{}),
	}
}

// Start subscribes to committed events (subscribe is System.Subscribe) and
// scans the journal in the background. Subscribing first means no event
// falls between the scan's end and the feed's start; one seen by both is
// indexed once. The goroutine ends with ctx; Done is closed then.
func (x *Index) Start(ctx context.Context, subscribe func(func([]actors.Committed))) {
	x.first = x.log.FirstIndex()
	x.rows.base = x.first
	subscribe(x.enqueue)
	go x.run(ctx)
}

// Done is closed when the background goroutine has stopped.
func (x *Index) Done() <-chan struct{} { return x.done }

// enqueue receives committed events. It runs on the journal's writer
// goroutine and must not block.
func (x *Index) enqueue(cs []actors.Committed) {
	x.feedMu.Lock()
	x.feed = append(x.feed, cs...)
	x.feedMu.Unlock()
	select {
	case x.wake <- struct{}{}:
	default:
	}
}

func (x *Index) run(ctx context.Context) {
	defer close(x.done)
	err := x.scan(ctx)
	if err != nil && ctx.Err() == nil {
		x.logger.Error("audit index: start-up scan failed; audit queries will fail", "err", err)
	}
	x.scanErr = err
	close(x.ready)
	if err != nil {
		return
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-x.wake:
			x.mu.Lock()
			x.drainLocked()
			x.mu.Unlock()
		}
	}
}

// scan indexes every record in the log.
func (x *Index) scan(ctx context.Context) error {
	n := 0
	err := x.log.Replay(0, func(index uint64, payload []byte) error {
		if n++; n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		h, err := readHeader(payload)
		if err != nil {
			return fmt.Errorf("record %d: %w", index, err)
		}
		x.mu.Lock()
		x.add(index, &h)
		x.mu.Unlock()
		return nil
	})
	if err != nil {
		return fmt.Errorf("scan journal: %w", err)
	}
	x.logger.Info("audit index built", "events", n)
	return nil
}

// drainLocked indexes the events the live feed delivered. Caller holds mu.
func (x *Index) drainLocked() {
	x.feedMu.Lock()
	feed := x.feed
	x.feed = nil
	x.feedMu.Unlock()
	for _, c := range feed {
		h := headerOf(c.Event)
		x.add(c.Index, &h)
		x.recent.put(c.Index, c.Event)
	}
}

// add indexes one event. Caller holds mu.
func (x *Index) add(index uint64, h *header) {
	r := row{
		time:  h.Time.UnixNano(),
		typ:   x.strs.id(h.Type),
		actor: x.strs.id(h.Actor),
		ip:    x.strs.id(h.IP),
		group: x.strs.id(h.GroupID),
	}
	if !x.rows.set(index, r) {
		return
	}
	x.jobs.add(index, h)
}

// sync brings the index up to date before a query: it waits for the
// start-up scan, indexes what the live feed delivered and forgets records
// that compaction removed.
func (x *Index) sync(ctx context.Context) error {
	select {
	case <-x.ready:
	case <-ctx.Done():
		return ErrNotReady
	}
	if x.scanErr != nil {
		return fmt.Errorf("audit index unavailable: %w", x.scanErr)
	}
	first := x.log.FirstIndex()
	x.mu.Lock()
	defer x.mu.Unlock()
	x.drainLocked()
	if first > x.first {
		x.forgetBefore(first)
	}
	return nil
}

// forgetBefore drops what the index holds of records before first.
// Caller holds mu.
func (x *Index) forgetBefore(first uint64) {
	x.rows.trim(first)
	x.jobs.forgetBefore(first)
	x.first = first
}

// errNoJob is the answer for a job without any event in the log. It
// matches state.ErrNotFound and reads as the API's other 404s.
func errNoJob(id string) error { return noJobError(id) }

type noJobError string

func (e noJobError) Error() string        { return "Job not found: " + string(e) }
func (e noJobError) Is(target error) bool { return target == state.ErrNotFound }
