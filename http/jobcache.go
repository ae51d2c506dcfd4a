package httpd

import (
	"sync"

	"github.com/dispatchoor/dispatchoor/actors"
)

// jobCache keeps the JSON of the jobs of each group's queue, per job
// revision. A dashboard reads a whole queue on every refresh while only a
// few of its jobs changed since the last read, so the answer is mostly a
// copy of cached bytes: encoding ten thousand jobs afresh costs several
// times more and leaves megabytes of garbage per read.
//
// A job's revision is the journal index of its last change, so (id,
// revision) always names the same content, even across a group actor
// rebuilding its partition. Jobs without a revision are never cached.
//
// Memory is bounded by the queues themselves: after each read the group's
// entries are pruned to the jobs of that read once they exceed it by a
// quarter, so a cache never holds much more than the last answer of each
// group.
type jobCache struct {
	mu     sync.RWMutex
	groups map[string]map[string]cachedJob

	// bufs holds the slices queue reads are answered in, so a read of
	// ten thousand jobs allocates nothing the collector must chase.
	bufs sync.Pool
}

// cachedJob is a job's JSON without its pending reason and ETA: enc[:split]
// is the head and enc[split:] the tail (see appendJobHead).
type cachedJob struct {
	rev   uint64
	split int
	enc   []byte
}

func newJobCache() *jobCache {
	return &jobCache{groups: map[string]map[string]cachedJob{}}
}

// missedJob is a job encoded during a read, to be stored after it.
type missedJob struct {
	id string
	cachedJob
}

// appendQueue appends the JSON array of jobs, the queue of group.
func (c *jobCache) appendQueue(b []byte, group string, jobs []actors.JobInfo) []byte {
	var missed []missedJob
	b = append(b, '[')
	c.mu.RLock()
	m := c.groups[group]
	for i := range jobs {
		if i > 0 {
			b = append(b, ',')
		}
		info := &jobs[i]
		rev := info.Job.Rev()
		if e, ok := m[info.Job.ID]; ok && rev != 0 && e.rev == rev {
			b = append(b, e.enc[:e.split]...)
			b = appendJobWait(b, info.PendingReason, info.ETA)
			b = append(b, e.enc[e.split:]...)
			b = append(b, '}')
			continue
		}
		v := jobFields(info.Job)
		head := len(b)
		b = appendJobHead(b, &v)
		split := len(b) - head
		b = appendJobWait(b, info.PendingReason, info.ETA)
		tail := len(b)
		b = appendJobTail(b, &v)
		if rev != 0 {
			enc := make([]byte, 0, split+len(b)-tail)
			enc = append(append(enc, b[head:head+split]...), b[tail:]...)
			missed = append(missed, missedJob{info.Job.ID, cachedJob{rev: rev, split: split, enc: enc}})
		}
		b = append(b, '}')
	}
	stale := len(m) > len(jobs)+len(jobs)/4+64
	c.mu.RUnlock()
	if len(missed) > 0 || stale {
		c.store(group, jobs, missed)
	}
	return append(b, ']')
}

// store adds what a read encoded and prunes the group's entries to the jobs
// of that read when they outgrew it.
func (c *jobCache) store(group string, jobs []actors.JobInfo, missed []missedJob) {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := c.groups[group]
	if m == nil || len(m)+len(missed) > len(jobs)+len(jobs)/4+64 {
		keep := make(map[string]cachedJob, len(jobs))
		for i := range jobs {
			if e, ok := m[jobs[i].Job.ID]; ok {
				keep[jobs[i].Job.ID] = e
			}
		}
		m = keep
		c.groups[group] = m
	}
	for _, e := range missed {
		// A concurrent read may have stored a newer revision already.
		if old, ok := m[e.id]; !ok || old.rev < e.rev {
			m[e.id] = e.cachedJob
		}
	}
}

// buffer returns a slice to read a queue into.
func (c *jobCache) buffer() []actors.JobInfo {
	if p, ok := c.bufs.Get().(*[]actors.JobInfo); ok {
		return *p
	}
	return nil
}

// release takes back a slice from buffer once its jobs are written.
func (c *jobCache) release(buf []actors.JobInfo) {
	clear(buf[:cap(buf)]) // do not keep old jobs alive
	buf = buf[:0]
	c.bufs.Put(&buf)
}

// cachedQueue is a group's queue answered through the cache. Its jobs slice
// came from jobCache.buffer and goes back once encoded, so it is encoded
// once.
type cachedQueue struct {
	cache *jobCache
	group string
	jobs  []actors.JobInfo
}

func (q cachedQueue) appendJSON(b []byte) []byte {
	b = q.cache.appendQueue(b, q.group, q.jobs)
	q.cache.release(q.jobs)
	return b
}

// MarshalJSON lets encoding/json (tests, other writers) encode the queue.
func (q cachedQueue) MarshalJSON() ([]byte, error) { return q.appendJSON(nil), nil }
