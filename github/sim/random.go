package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"time"
)

// rng is the simulator's single source of randomness. It is only used with
// the world lock held, in agenda order, so a seed fixes every choice.
type rng struct {
	r *rand.Rand
}

func newRNG(seed int64) *rng {
	s := uint64(seed)
	return &rng{r: rand.New(rand.NewPCG(s, s^0x9e3779b97f4a7c15))}
}

// chance reports true with probability p.
func (g *rng) chance(p float64) bool {
	if p <= 0 {
		return false
	}
	if p >= 1 {
		return true
	}
	return g.r.Float64() < p
}

// uniform returns a duration in [lo, hi].
func (g *rng) uniform(lo, hi time.Duration) time.Duration {
	if hi <= lo {
		return lo
	}
	return lo + time.Duration(g.r.Int64N(int64(hi-lo)+1))
}

// jitter returns base ± j, never negative.
func (g *rng) jitter(base, j time.Duration) time.Duration {
	d := g.uniform(base-j, base+j)
	if d < 0 {
		return 0
	}
	return d
}

// normal returns a normally distributed duration clamped to [lo, hi] (hi <= 0
// means no upper bound) and never negative.
func (g *rng) normal(mean, stddev, lo, hi time.Duration) time.Duration {
	d := mean + time.Duration(g.r.NormFloat64()*float64(stddev))
	if d < lo {
		d = lo
	}
	if hi > 0 && d > hi {
		d = hi
	}
	if d < 0 {
		d = 0
	}
	return d
}

// weighted picks a key of weights with probability proportional to its
// weight. Keys are visited in sorted order so map iteration order cannot
// change the outcome. An empty or all-zero map yields def.
func (g *rng) weighted(weights map[string]float64, def string) string {
	keys := make([]string, 0, len(weights))
	total := 0.0
	for k, w := range weights {
		if w > 0 {
			keys = append(keys, k)
			total += w
		}
	}
	if total == 0 {
		return def
	}
	sort.Strings(keys)
	x := g.r.Float64() * total
	for _, k := range keys {
		x -= weights[k]
		if x < 0 {
			return k
		}
	}
	return keys[len(keys)-1]
}

// uuid returns a version-4 UUID drawn from the seeded PRNG.
func (g *rng) uuid() string {
	var b [16]byte
	hi, lo := g.r.Uint64(), g.r.Uint64()
	for i := 0; i < 8; i++ {
		b[i] = byte(hi >> (56 - 8*i))
		b[8+i] = byte(lo >> (56 - 8*i))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// hex returns n random lowercase hex characters (tokens, OAuth codes).
func (g *rng) hex(n int) string {
	const digits = "0123456789abcdef"
	out := make([]byte, n)
	for i := range out {
		out[i] = digits[g.r.IntN(16)]
	}
	return string(out)
}

// clampProb keeps a configured probability inside [0, 1].
func clampProb(p float64) float64 {
	if math.IsNaN(p) || p < 0 {
		return 0
	}
	return math.Min(p, 1)
}
