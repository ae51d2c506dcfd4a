package audit

import (
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/dispatchoor/dispatchoor/actors/state"
)

// decodeBatch is how many records a decoding goroutine takes at a time.
const decodeBatch = 256

// batchBufs recycles the batches' payload buffers: decoded events copy what
// they keep, so a buffer is free again once its batch is decoded.
var batchBufs = sync.Pool{New: func() any {
	b := make([]byte, 0, decodeBatch*512)
	return &b
}}

func newBatch() *batch {
	buf := batchBufs.Get().(*[]byte)
	return &batch{buf: (*buf)[:0], ends: make([]int, 0, decodeBatch), done: make(chan struct{})}
}

// batch is a run of consecutive records on their way to being applied.
type batch struct {
	first  uint64
	buf    []byte // the payloads, back to back
	ends   []int  // where each payload ends in buf
	events []*state.Event
	err    error
	done   chan struct{} // closed once events (or err) are set
}

func (b *batch) decode() {
	defer close(b.done)
	defer func() {
		buf := b.buf
		batchBufs.Put(&buf)
		b.buf = nil
	}()
	b.events = make([]*state.Event, len(b.ends))
	start := 0
	for i, end := range b.ends {
		e, err := state.DecodeEvent(b.buf[start:end])
		if err != nil {
			b.err = fmt.Errorf("record %d: %w", b.first+uint64(i), err)
			return
		}
		b.events[i], start = e, end
	}
}

// replayDecoded passes every record from index from on to apply, decoded,
// in index order. Decoding is most of the cost of rebuilding a state, so it
// is spread over the machine's cores while apply runs on one goroutine.
func replayDecoded(src Source, from uint64, apply func(index uint64, e *state.Event) error) error {
	workers := max(1, runtime.GOMAXPROCS(0))
	work := make(chan *batch, workers)
	order := make(chan *batch, 2*workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range work {
				b.decode()
			}
		}()
	}
	var stop atomic.Bool
	applied := make(chan error, 1)
	go func() {
		var err error
		for b := range order {
			<-b.done
			if err != nil {
				continue // drain, so the reader never blocks
			}
			if err = b.err; err == nil {
				for i, e := range b.events {
					if err = apply(b.first+uint64(i), e); err != nil {
						break
					}
				}
			}
			if err != nil {
				stop.Store(true)
			}
		}
		applied <- err
	}()
	cur := newBatch()
	send := func() {
		order <- cur // first, so the applier sees batches in index order
		work <- cur
		cur = newBatch()
	}
	rerr := src.Replay(from, func(index uint64, payload []byte) error {
		if stop.Load() {
			return errStopRead
		}
		if len(cur.ends) == 0 {
			cur.first = index
		}
		cur.buf = append(cur.buf, payload...)
		cur.ends = append(cur.ends, len(cur.buf))
		if len(cur.ends) == decodeBatch {
			send()
		}
		return nil
	})
	if len(cur.ends) > 0 {
		send()
	}
	close(work)
	close(order)
	wg.Wait()
	aerr := <-applied
	if rerr != nil && !errors.Is(rerr, errStopRead) {
		return rerr
	}
	return aerr
}
