package runtime

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestRecordingWorkArithmetic(t *testing.T) {
	w := RecordingWork{CounterAdds: 5, GaugeWrites: 3, TimestampWrites: 2, HistogramRecords: 4, ClockReads: 9}
	before := RecordingWork{CounterAdds: 1, GaugeWrites: 1, TimestampWrites: 1, HistogramRecords: 1, ClockReads: 1}
	assert.Equal(t, RecordingWork{CounterAdds: 4, GaugeWrites: 2, TimestampWrites: 1, HistogramRecords: 3, ClockReads: 8}, w.Sub(before))
	assert.Equal(t, uint64(5+3+2+2*4), w.Atomics(), "a histogram record is two atomic writes")
	assert.Equal(t, uint64(8*(5+3+2+2*4)), w.Bytes())
	assert.Zero(t, RecordingWork{ClockReads: 7}.Bytes(), "reading the clock writes nothing")
}

// TestRecordedWork checks what each recording operation counts: its
// kind once, in a build with -tags cdpstats_count, and nothing in any
// other build or with recording compiled out.
func TestRecordedWork(t *testing.T) {
	var (
		c  Counter
		g  Gauge
		ts Timestamp
		h  Histogram
	)
	tests := []struct {
		name string
		op   func()
		want RecordingWork
	}{
		{"Counter.Inc", c.Inc, RecordingWork{CounterAdds: 1}},
		{"Counter.Add", func() { c.Add(7) }, RecordingWork{CounterAdds: 1}},
		{"Counter.Add of 0", func() { c.Add(0) }, RecordingWork{}},
		{"Gauge.Set", func() { g.Set(7) }, RecordingWork{GaugeWrites: 1}},
		{"Gauge.Add", func() { g.Add(-7) }, RecordingWork{GaugeWrites: 1}},
		{"Timestamp.Mark", ts.Mark, RecordingWork{TimestampWrites: 1, ClockReads: 1}},
		{"Timestamp.Set", func() { ts.Set(time.Time{}) }, RecordingWork{TimestampWrites: 1}},
		{"Histogram.Record", func() { h.Record(7) }, RecordingWork{HistogramRecords: 1}},
		{"Histogram.Observe", func() { h.Observe(time.Millisecond) }, RecordingWork{HistogramRecords: 1}},
		{"Histogram.ObserveSince", func() { h.ObserveSince(time.Now()) }, RecordingWork{HistogramRecords: 1, ClockReads: 1}},
		{"Histogram.Start", func() { _ = h.Start() }, RecordingWork{ClockReads: 1}},
		{"Histogram.Start and Stopwatch.Stop", func() { timed(&h) }, RecordingWork{HistogramRecords: 1, ClockReads: 2}},
		{"reads", func() {
			_, _, _, _ = c.Load(), g.Load(), ts.Load(), h.Summary()
		}, RecordingWork{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !Counting || !Enabled {
				tt.want = RecordingWork{}
			}
			before := RecordedWork()
			tt.op()
			assert.Equal(t, tt.want, RecordedWork().Sub(before))
		})
	}
}
