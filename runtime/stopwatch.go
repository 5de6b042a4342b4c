package runtime

import "time"

// Stopwatch times one operation for a [Histogram]: [Histogram.Start]
// starts it, and Stop records the time elapsed since then. It is a small
// value (the histogram and the start time) that stays on the caller's
// stack, so timing allocates nothing, in either form:
//
//	defer h.Start().Stop()
//
//	sw := h.Start()
//	err := work()
//	sw.Stop()
//
// Each Stop records one observation. The zero Stopwatch records nothing.
// With -tags cdpstats_off, Start does not read the clock and Stop does
// nothing.
type Stopwatch struct {
	h     *Histogram
	start time.Time
}

// Start returns a Stopwatch whose Stop records in h the time elapsed
// since this call.
func (h *Histogram) Start() Stopwatch {
	if !Enabled {
		return Stopwatch{}
	}
	count(opClockRead)
	return Stopwatch{h: h, start: time.Now()}
}

// Stop records the time elapsed since [Histogram.Start] in the
// histogram that started w.
func (w Stopwatch) Stop() {
	if Enabled && w.h != nil {
		w.h.ObserveSince(w.start)
	}
}
