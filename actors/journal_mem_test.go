package actors

import (
	"fmt"
	"sync"
)

// memJournal is an in-memory Journal whose durability is acknowledged by a
// separate goroutine, in batches, like the real group commit.
type memJournal struct {
	mu       sync.Mutex
	records  [][]byte // index i+1 at records[i]
	first    uint64
	durable  uint64
	snapIdx  uint64
	snapData []byte
	queue    chan memAppend
	failNext error
	closed   bool
}

type memAppend struct {
	last uint64
	done func(uint64, error)
	err  error
}

func newMemJournal() *memJournal {
	j := &memJournal{first: 1, queue: make(chan memAppend, 1<<16)}
	go j.flusher()
	return j
}

// reopen returns a journal with the same durable records, as after a crash.
func (j *memJournal) reopen() *memJournal {
	j.mu.Lock()
	defer j.mu.Unlock()
	n := newMemJournal()
	n.records = append([][]byte(nil), j.records[:j.durable-j.first+1]...)
	n.first, n.durable = j.first, j.durable
	n.snapIdx, n.snapData = j.snapIdx, j.snapData
	return n
}

func (j *memJournal) flusher() {
	for a := range j.queue {
		batch := []memAppend{a}
	drain:
		for {
			select {
			case b, ok := <-j.queue:
				if !ok {
					break drain
				}
				batch = append(batch, b)
			default:
				break drain
			}
		}
		j.mu.Lock()
		for _, b := range batch {
			if b.err == nil && b.last > j.durable {
				j.durable = b.last
			}
		}
		j.mu.Unlock()
		for _, b := range batch {
			b.done(b.last, b.err)
		}
	}
}

func (j *memJournal) AppendAsync(payloads [][]byte, done func(uint64, error)) uint64 {
	j.mu.Lock()
	first := j.first + uint64(len(j.records))
	for _, p := range payloads {
		j.records = append(j.records, append([]byte(nil), p...))
	}
	err := j.failNext
	j.mu.Unlock()
	j.queue <- memAppend{last: first + uint64(len(payloads)) - 1, done: func(uint64, error) { done(first, err) }, err: err}
	return first
}

func (j *memJournal) Replay(from uint64, fn func(uint64, []byte) error) error {
	j.mu.Lock()
	recs := append([][]byte(nil), j.records...)
	first := j.first
	j.mu.Unlock()
	if from < first {
		return fmt.Errorf("replay from %d: compacted up to %d", from, first-1)
	}
	for i := from - first; i < uint64(len(recs)); i++ {
		if err := fn(first+i, recs[i]); err != nil {
			return err
		}
	}
	return nil
}

func (j *memJournal) SaveSnapshot(index uint64, data []byte) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.snapIdx, j.snapData = index, append([]byte(nil), data...)
	return nil
}

func (j *memJournal) LatestSnapshot() (uint64, []byte, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.snapData == nil {
		return 0, nil, ErrNoSnapshot
	}
	return j.snapIdx, j.snapData, nil
}

func (j *memJournal) Compact(upTo uint64) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if upTo > j.snapIdx {
		return fmt.Errorf("compact beyond snapshot")
	}
	if upTo < j.first {
		return nil
	}
	j.records = j.records[upTo-j.first+1:]
	j.first = upTo + 1
	return nil
}

func (j *memJournal) FirstIndex() uint64 { j.mu.Lock(); defer j.mu.Unlock(); return j.first }
func (j *memJournal) LastIndex() uint64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.first + uint64(len(j.records)) - 1
}
func (j *memJournal) DurableIndex() uint64 { j.mu.Lock(); defer j.mu.Unlock(); return j.durable }
func (j *memJournal) SizeBytes() int64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	var n int64
	for _, r := range j.records {
		n += int64(len(r))
	}
	return n
}
func (j *memJournal) Close() error { return nil }
