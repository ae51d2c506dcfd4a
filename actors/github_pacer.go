package actors

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// GitHub's secondary limits allow about 80 mutating requests a minute and
// advise a second between them. Dispatches come in bursts (every idle
// runner at once) and are rare otherwise, so mutating calls are paced with
// a token bucket: a burst goes out at once, a sustained flood is held to
// one a second.
const (
	mutationBurst = 20
	mutationEvery = time.Second
)

// pacer is a token bucket on the integration's clock.
type pacer struct {
	clock  Clock
	asleep *atomic.Int64
	burst  float64
	every  time.Duration

	mu     sync.Mutex
	tokens float64
	last   time.Time
}

func newPacer(c Clock, asleep *atomic.Int64, burst int, every time.Duration) *pacer {
	return &pacer{clock: c, asleep: asleep, burst: float64(burst), every: every, tokens: float64(burst), last: c.Now()}
}

// wait takes a token, sleeping on the clock until one is there or ctx ends.
func (p *pacer) wait(ctx context.Context) error {
	for {
		d := p.take()
		if d == 0 {
			return nil
		}
		if err := sleep(ctx, p.clock, p.asleep, d); err != nil {
			return err
		}
	}
}

// take takes a token and returns 0, or returns how long until one is due.
func (p *pacer) take() time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.clock.Now()
	if el := now.Sub(p.last); el > 0 {
		p.tokens = min(p.burst, p.tokens+float64(el)/float64(p.every))
	}
	p.last = now
	if p.tokens >= 1 {
		p.tokens--
		return 0
	}
	return time.Duration((1 - p.tokens) * float64(p.every))
}

// sleep waits d on the clock, or until ctx ends, counted in asleep.
func sleep(ctx context.Context, c Clock, asleep *atomic.Int64, d time.Duration) error {
	asleep.Add(1)
	defer asleep.Add(-1)
	fired := make(chan struct{})
	t := c.AfterFunc(d, func() { close(fired) })
	select {
	case <-fired:
		return nil
	case <-ctx.Done():
		t.Stop()
		return ctx.Err()
	}
}
