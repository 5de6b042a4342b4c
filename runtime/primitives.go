package runtime

import (
	"math"
	"sync/atomic"
	"time"
)

// Counter is a monotonically increasing count, safe for concurrent use.
// The zero value is ready to use. Recording allocates nothing.
type Counter struct {
	v atomic.Uint64
}

// Inc adds 1.
func (c *Counter) Inc() {
	if Enabled {
		count(opCounterAdd)
		c.v.Add(1)
	}
}

// Add adds n. Adding 0 does nothing, not even an atomic instruction, so
// callers that count per batch need not check for empty batches.
func (c *Counter) Add(n uint64) {
	if Enabled && n != 0 {
		count(opCounterAdd)
		c.v.Add(n)
	}
}

// Load returns the current count.
func (c *Counter) Load() uint64 { return c.v.Load() }

// Gauge is a value that goes up and down, safe for concurrent use.
// The zero value is ready to use.
type Gauge struct {
	v atomic.Int64
}

// Set sets the gauge to v.
func (g *Gauge) Set(v int64) {
	if Enabled {
		count(opGaugeWrite)
		g.v.Store(v)
	}
}

// Add adds delta, which may be negative.
func (g *Gauge) Add(delta int64) {
	if Enabled {
		count(opGaugeWrite)
		g.v.Add(delta)
	}
}

// Load returns the current value.
func (g *Gauge) Load() int64 { return g.v.Load() }

// Timestamp holds the time of the last event, safe for concurrent use.
// It stores unix nanoseconds atomically, so readers never see a torn
// time.Time. The zero value means "never set".
type Timestamp struct {
	ns atomic.Int64
}

// Mark sets the timestamp to now.
func (t *Timestamp) Mark() {
	if Enabled {
		count(opClockRead)
		count(opTimestampWrite)
		t.ns.Store(time.Now().UnixNano())
	}
}

// Set sets the timestamp to at. The zero time.Time clears it.
func (t *Timestamp) Set(at time.Time) {
	if !Enabled {
		return
	}
	count(opTimestampWrite)
	if at.IsZero() {
		t.ns.Store(0)
		return
	}
	t.ns.Store(at.UnixNano())
}

// Load returns the timestamp, or the zero time.Time when it was never set.
func (t *Timestamp) Load() time.Time {
	ns := t.ns.Load()
	if ns == 0 {
		return time.Time{}
	}
	return time.Unix(0, ns)
}

// UnixSeconds returns the timestamp as unix seconds, or 0 when never set.
func (t *Timestamp) UnixSeconds() float64 {
	ns := t.ns.Load()
	return unixSeconds(ns/1e9, ns%1e9)
}

// Ratio returns num/den, or 0 when den is 0. It never returns NaN or ±Inf.
func Ratio(num, den uint64) float64 {
	if den == 0 {
		return 0
	}
	return Finite(float64(num) / float64(den))
}

// Finite returns v, or 0 when v is NaN or ±Inf.
func Finite(v float64) float64 {
	if !isFinite(v) {
		return 0
	}
	return v
}

// isFinite reports whether v is neither NaN nor ±Inf: whether an
// exporter can carry it.
func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
