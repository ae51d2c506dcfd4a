package wal

import (
	"context"
	"encoding/binary"
	"fmt"
	"time"
)

// Group commit. A caller's records get consecutive indexes as it queues them
// on a channel, so queue order is index order. One writer goroutine takes
// whatever has queued up, encodes and chains it, writes it with one
// WriteBatch and, under SyncAlways, makes it durable with one fsync before
// telling any caller "done". While that fsync runs, new requests queue up
// and form the next batch, so the number of fsyncs follows the disk's speed
// rather than the number of callers. With Options.CommitDelay, a batch
// that follows a shared one waits a little longer for company before its
// fsync.

const (
	requestQueue    = 1024    // queued requests before submitters block
	maxBatchRecords = 8192    // records per group commit, at most
	maxBatchBytes   = 8 << 20 // payload bytes per group commit, at most
)

type requestKind uint8

const (
	appendRequest requestKind = iota
	syncRequest
	compactRequest
)

type request struct {
	kind     requestKind
	payloads [][]byte
	upTo     uint64    // compactRequest
	start    time.Time // when submitted, for OnAppend
	first    uint64    // index given to payloads[0] by submit
	done     func(first uint64, err error)
}

func (r *request) size() (records, bytes int) {
	for _, p := range r.payloads {
		bytes += len(p)
	}
	return len(r.payloads), bytes
}

// Append adds payloads as consecutive records and returns the index of the
// first once all are durable. ctx bounds only the wait: a record already
// queued when ctx ends may still be written, so a caller that gives up must
// treat the outcome as unknown.
func (j *Journal) Append(ctx context.Context, payloads ...[]byte) (uint64, error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("append: %w", err)
	}
	type result struct {
		first uint64
		err   error
	}
	ch := make(chan result, 1)
	j.AppendAsync(payloads, func(first uint64, err error) { ch <- result{first, err} })
	select {
	case r := <-ch:
		return r.first, r.err
	case <-ctx.Done():
		return 0, fmt.Errorf("append: %w", ctx.Err())
	}
}

// AppendAsync gives payloads consecutive indexes at once, queues them and
// returns the first; done is called once they are durable, or with first 0
// and the error once they have failed. Indexes follow call order (calls from one goroutine get increasing
// indexes), and done callbacks run in index order. done runs on the writer
// goroutine: it must not block and must not call back into the journal's
// blocking methods. If the journal is closed or failed, AppendAsync returns
// 0 and runs done at once on the calling goroutine. AppendAsync may block
// while the queue is full. The journal does not keep payloads after done.
func (j *Journal) AppendAsync(payloads [][]byte, done func(first uint64, err error)) uint64 {
	if len(payloads) == 0 {
		done(0, ErrNoPayloads)
		return 0
	}
	return j.submit(&request{kind: appendRequest, payloads: payloads, done: done})
}

// Sync makes every record written so far durable, whatever the SyncMode.
func (j *Journal) Sync() error {
	ch := make(chan error, 1)
	j.submit(&request{kind: syncRequest, done: func(_ uint64, err error) { ch <- err }})
	return <-ch
}

// submit assigns r its indexes and queues it, both under submitMu, so that
// queue order and index order agree.
func (j *Journal) submit(r *request) uint64 {
	if err := j.failure(); err != nil {
		r.done(0, err)
		return 0
	}
	if j.opts.OnAppend != nil {
		r.start = j.opts.Now()
	}
	j.submitMu.Lock()
	defer j.submitMu.Unlock()
	if j.closed.Load() {
		r.done(0, ErrClosed)
		return 0
	}
	r.first = j.next
	j.next += uint64(len(r.payloads))
	j.reqs <- r
	return r.first
}

// run is the writer goroutine. It exits once Close has closed the queue and
// everything queued before that is handled.
func (j *Journal) run() {
	defer close(j.stopped)
	var reqs []*request
	for r := range j.reqs {
		reqs = append(reqs[:0], r)
		if j.opts.Sync == SyncAlways && j.opts.CommitDelay > 0 && j.lastRecords > 1 {
			// Wait for company (Options.CommitDelay).
			timer := time.NewTimer(j.opts.CommitDelay)
			reqs = j.gather(reqs, timer.C)
			timer.Stop()
		}
		reqs = j.gather(reqs, nil)
		j.handle(reqs)
		clear(reqs) // drop payload references until the next batch
	}
}

// gather adds queued requests to reqs within the batch limits: those
// already queued and, with wait non-nil, those arriving until it fires.
func (j *Journal) gather(reqs []*request, wait <-chan time.Time) []*request {
	var records, bytes int
	for _, r := range reqs {
		n, b := r.size()
		records, bytes = records+n, bytes+b
	}
	for records < maxBatchRecords && bytes < maxBatchBytes {
		var r *request
		ok := true
		if wait == nil {
			select {
			case r, ok = <-j.reqs:
			default:
				return reqs
			}
		} else {
			select {
			case r, ok = <-j.reqs:
			case <-wait:
				return reqs
			}
		}
		if !ok {
			return reqs
		}
		reqs = append(reqs, r)
		n, b := r.size()
		records, bytes = records+n, bytes+b
	}
	return reqs
}

// handle processes requests in queue order; a sync or compaction request
// first commits the appends queued before it.
func (j *Journal) handle(reqs []*request) {
	start := 0
	for i, r := range reqs {
		if r.kind == appendRequest {
			continue
		}
		j.commit(reqs[start:i])
		start = i + 1
		switch r.kind {
		case syncRequest:
			r.done(j.durable.Load(), j.syncAll())
		case compactRequest:
			r.done(0, j.compact(r.upTo))
		}
	}
	j.commit(reqs[start:])
}

// commit writes one group of appends and reports each request done.
func (j *Journal) commit(reqs []*request) {
	if len(reqs) == 0 {
		return
	}
	if err := j.failure(); err != nil {
		j.finish(reqs, err)
		return
	}
	last, bytes, newSegment, err := j.encode(reqs)
	if err != nil {
		j.finish(reqs, j.fail(err))
		return
	}
	if err := j.log.WriteBatch(&j.batch); err != nil {
		j.finish(reqs, j.fail(fmt.Errorf("write records %d-%d: %w", reqs[0].first, last, err)))
		return
	}
	j.last.Store(last)
	if j.opts.Sync == SyncAlways {
		if err := j.fsync(); err != nil {
			j.finish(reqs, j.fail(fmt.Errorf("fsync records up to %d: %w", last, err)))
			return
		}
	}
	if newSegment {
		if err := j.syncDir(); err != nil {
			j.finish(reqs, j.fail(err))
			return
		}
	}
	j.durable.Store(last)
	records := int(last - reqs[0].first + 1)
	j.lastRecords = records
	j.records.Add(uint64(records))
	j.bytes.Add(uint64(bytes))
	j.batches.Add(1)
	if j.opts.OnBatch != nil {
		j.opts.OnBatch(records, bytes)
	}
	j.finish(reqs, nil)
}

// encode frames the requests' payloads into j.batch, chaining each record to
// the one before, and advances the segment mirror. It returns the last index,
// the encoded size and whether tidwall/wal will start a new segment file.
func (j *Journal) encode(reqs []*request) (last uint64, bytes int, newSegment bool, err error) {
	j.batch.Clear()
	last = j.last.Load()
	newSegment = j.startBatch(last)
	for _, r := range reqs {
		if r.first != last+1 {
			// submit hands out indexes in queue order; anything else is a
			// bug that would corrupt the log, so stop here.
			return last, bytes, newSegment, fmt.Errorf("request queued with index %d, log is at %d", r.first, last)
		}
		for _, p := range r.payloads {
			last++
			j.buf = appendRecord(j.buf[:0], last, j.lastHash, p)
			j.lastHash = hashRecord(j.buf)
			j.batch.Write(last, j.buf)
			bytes += len(j.buf)
			if j.grow(last, len(j.buf)) {
				newSegment = true
			}
		}
	}
	return last, bytes, newSegment, nil
}

// startBatch and grow mirror tidwall/wal's writeBatch: it starts a new
// segment at the beginning of a batch if the tail is over SegmentSize, and
// right after any entry that brings the tail to SegmentSize or more. The
// journal needs to know, to fsync the directory when a segment file is
// created and to choose segments for compaction without listing the
// directory. TestSegmentMirror checks the mirror against the disk.
func (j *Journal) startBatch(last uint64) bool {
	if j.segs[len(j.segs)-1].size > int64(j.opts.SegmentSize) {
		j.segs = append(j.segs, segmentInfo{first: last + 1})
		j.segments.Store(int64(len(j.segs)))
		return true
	}
	return false
}

func (j *Journal) grow(index uint64, recordSize int) bool {
	tail := &j.segs[len(j.segs)-1]
	n := int64(uvarintLen(recordSize) + recordSize)
	tail.size += n
	j.segmentBytes.Add(n)
	if tail.size >= int64(j.opts.SegmentSize) {
		j.segs = append(j.segs, segmentInfo{first: index + 1})
		j.segments.Store(int64(len(j.segs)))
		return true
	}
	return false
}

func uvarintLen(n int) int {
	var b [binary.MaxVarintLen64]byte
	return binary.PutUvarint(b[:], uint64(n))
}

// finish reports each request's outcome, in queue order.
func (j *Journal) finish(reqs []*request, err error) {
	for _, r := range reqs {
		first := r.first
		if err != nil {
			first = 0
		}
		r.done(first, err)
		if j.opts.OnAppend != nil {
			j.opts.OnAppend(len(r.payloads), j.opts.Now().Sub(r.start))
		}
	}
}

// syncAll serves Sync: an fsync whatever the SyncMode.
func (j *Journal) syncAll() error {
	if err := j.failure(); err != nil {
		return err
	}
	if err := j.fsync(); err != nil {
		return j.fail(fmt.Errorf("fsync: %w", err))
	}
	j.durable.Store(j.last.Load())
	return nil
}

// fsync syncs the tail segment. tidwall/wal syncs a segment itself before it
// starts the next one, so the tail is the only file with unsynced data.
func (j *Journal) fsync() error {
	start := j.opts.Now()
	var err error
	if h := j.opts.hooks.fsync; h != nil {
		err = h(j.log.Sync)
	} else {
		err = j.log.Sync()
	}
	j.fsyncs.Add(1)
	if j.opts.OnFsync != nil {
		j.opts.OnFsync(j.opts.Now().Sub(start))
	}
	return err
}

// syncDir makes segment files created or removed by tidwall/wal durable.
func (j *Journal) syncDir() error {
	sync := func() error { return syncDir(j.dir) }
	if h := j.opts.hooks.syncDir; h != nil {
		return h(sync)
	}
	return sync()
}
