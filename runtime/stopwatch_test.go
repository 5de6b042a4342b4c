package runtime

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// timed stands for an operation timed with the deferred form.
func timed(h *Histogram) {
	defer h.Start().Stop()
}

func TestStopwatch(t *testing.T) {
	recorded := uint64(0)
	if Enabled {
		recorded = 1
	}
	tests := []struct {
		name string
		time func(h *Histogram)
		want uint64 // observations recorded
	}{
		{"deferred", timed, recorded},
		{"stopped by hand", func(h *Histogram) {
			sw := h.Start()
			sw.Stop()
		}, recorded},
		{"stopped twice", func(h *Histogram) {
			sw := h.Start()
			sw.Stop()
			sw.Stop()
		}, 2 * recorded},
		{"never stopped", func(h *Histogram) { _ = h.Start() }, 0},
		{"the zero Stopwatch", func(*Histogram) { Stopwatch{}.Stop() }, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h Histogram
			tt.time(&h)
			assert.Equal(t, tt.want, h.Summary().Count)
		})
	}
}

func TestStopwatchOffReadsNoClock(t *testing.T) {
	if Enabled {
		t.Skip("only a build with -tags cdpstats_off compiles recording out")
	}
	var h Histogram
	assert.Equal(t, Stopwatch{}, h.Start(), "Start leaves the Stopwatch empty, without reading the clock")
}

func TestStopwatchRecordsTheElapsedTime(t *testing.T) {
	requireRecording(t)
	var h Histogram
	before := time.Now()
	sw := h.Start()
	sw.Stop()
	elapsed := time.Since(before)
	s := h.Summary()
	assert.Equal(t, uint64(1), s.Count)
	// The recorded time lies within the time measured around it, give or
	// take the histogram's 0.39% bucket width.
	assert.LessOrEqual(t, s.Max, elapsed+elapsed/200+1)
}
