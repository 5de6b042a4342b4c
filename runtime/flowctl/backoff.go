package flowctl

import (
	"math/rand/v2"
	"time"
)

// backoff yields exponentially growing delays with jitter: attempt n
// waits a random time in [d/2, d] where d = initial·2^n, capped at max.
// The jitter spreads the retries of many pipelines that lost the same
// control plane at once; the floor of d/2 keeps the growth.
type backoff struct {
	initial, max time.Duration
	attempt      int
	// jitter returns a random duration in [0, n]; rand.N by default.
	jitter func(n time.Duration) time.Duration
}

func newBackoff(initial, max time.Duration) *backoff {
	return &backoff{initial: initial, max: max, jitter: func(n time.Duration) time.Duration {
		return rand.N(n + 1)
	}}
}

// next returns the delay before the next attempt and advances.
func (b *backoff) next() time.Duration {
	d := b.max
	// 62 doublings overflow any positive Duration; stop at max well before.
	if b.attempt < 62 {
		if e := b.initial << b.attempt; e > 0 && e < b.max {
			d = e
		}
	}
	b.attempt++
	half := d / 2
	return half + b.jitter(d-half)
}

// reset starts over from the initial delay.
func (b *backoff) reset() { b.attempt = 0 }
