package flowctl

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func TestBackoff(t *testing.T) {
	tests := []struct {
		name         string
		initial, max time.Duration
		jitter       func(n time.Duration) time.Duration
		want         []time.Duration
	}{
		{
			name:    "no jitter: half the exponential delay, capped",
			initial: 100 * time.Millisecond, max: time.Second,
			jitter: func(time.Duration) time.Duration { return 0 },
			want:   []time.Duration{50, 100, 200, 400, 500, 500},
		},
		{
			name:    "full jitter: the exponential delay, capped",
			initial: 100 * time.Millisecond, max: time.Second,
			jitter: func(n time.Duration) time.Duration { return n },
			want:   []time.Duration{100, 200, 400, 800, 1000, 1000},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := newBackoff(tc.initial, tc.max)
			b.jitter = tc.jitter
			for i, want := range tc.want {
				assert.Equal(t, want*time.Millisecond, b.next(), "attempt %d", i)
			}
			b.reset()
			assert.Equal(t, tc.want[0]*time.Millisecond, b.next(), "after reset")
		})
	}
}

func TestBackoffStaysInRangeAndNeverOverflows(t *testing.T) {
	b := newBackoff(time.Millisecond, time.Hour)
	for i := 0; i < 200; i++ {
		d := b.next()
		assert.Positive(t, d, "attempt %d", i)
		assert.LessOrEqual(t, d, time.Hour, "attempt %d", i)
	}
}

func TestIsNotFound(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"NotFound code", status.Error(codes.NotFound, "gone"), true},
		{"flowctl's plain error", status.Error(codes.Unknown, "service cdp-test not found"), true},
		{"other unknown error", status.Error(codes.Unknown, "boom"), false},
		{"unavailable", status.Error(codes.Unavailable, "connection refused"), false},
		{"deadline", status.Error(codes.DeadlineExceeded, "not found in time"), false},
		{"not a status", errors.New("not found"), false},
		{"wrapped NotFound", fmt.Errorf("rpc: %w", status.Error(codes.NotFound, "gone")), true},
		{"nil", nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, isNotFound(tc.err))
		})
	}
}

func TestFormatValue(t *testing.T) {
	tests := []struct {
		v    float64
		want string
	}{
		{0, "0"},
		{math.Copysign(0, -1), "0"},
		{1, "1"},
		{-3, "-3"},
		{58752000, "58752000"},
		{1.796e9, "1796000000"},
		{1e21, "1000000000000000000000"},
		{math.MaxUint64, "18446744073709552000"}, // shortest digits that round-trip, padded
		{0.1, "0.1"},
		{0.25, "0.25"},
		{-0.5, "-0.5"},
		{1.5e-7, "1.5e-07"},
		{1796000000.25, "1.79600000025e+09"},
		{math.Inf(1), "+Inf"},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			got := formatValue(tc.v)
			assert.Equal(t, tc.want, got)
			back, err := strconv.ParseFloat(got, 64)
			require.NoError(t, err)
			assert.Equal(t, tc.v, back, "round-trips")
		})
	}
	assert.Equal(t, map[string]string{"a": "58752000", "b": "0.25"}, formatMetrics(map[string]float64{"a": 58752000, "b": 0.25}))
}

// recorder keeps what a logger wrote: level and message, and the attrs.
type recorder struct{ lines []slog.Record }

func (r *recorder) Enabled(context.Context, slog.Level) bool { return true }
func (r *recorder) Handle(_ context.Context, rec slog.Record) error {
	r.lines = append(r.lines, rec.Clone())
	return nil
}
func (r *recorder) WithAttrs([]slog.Attr) slog.Handler { return r }
func (r *recorder) WithGroup(string) slog.Handler      { return r }

// TestOutageLogDiscipline drives one outage on a fake clock: the first
// failure is a WARN, repeats are DEBUG, a WARN summary comes at most every
// five minutes, and the recovery is one INFO with the outage's length.
func TestOutageLogDiscipline(t *testing.T) {
	type step struct {
		advance time.Duration
		fail    bool     // else succeed
		want    []string // "LEVEL message" of the lines it logs
	}
	boom := errors.New("connection refused")
	steps := []step{
		{0, false, nil}, // no outage: nothing to say
		{time.Second, true, []string{"WARN flowctl: registration failed; retrying"}},
		{time.Minute, true, []string{"DEBUG flowctl: registration failed; retrying"}},
		{3 * time.Minute, true, []string{"DEBUG flowctl: registration failed; retrying"}},
		{59 * time.Second, true, []string{"DEBUG flowctl: registration failed; retrying"}},
		{time.Second, true, []string{ // 5 min after the first failure
			"DEBUG flowctl: registration failed; retrying",
			"WARN flowctl: still unreachable after 5 attempts, last error: connection refused",
		}},
		{4 * time.Minute, true, []string{"DEBUG flowctl: registration failed; retrying"}},
		{time.Minute, true, []string{
			"DEBUG flowctl: registration failed; retrying",
			"WARN flowctl: still unreachable after 7 attempts, last error: connection refused",
		}},
		{30 * time.Second, false, []string{"INFO flowctl: control plane reachable again"}},
		{time.Second, false, nil},
		{time.Second, true, []string{"WARN flowctl: registration failed; retrying"}}, // a new outage
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	rec := &recorder{}
	o := newOutage(slog.New(rec), func() time.Time { return now }, "flowctl: registration failed; retrying", "flowctl: control plane reachable again")
	for i, s := range steps {
		now = now.Add(s.advance)
		rec.lines = nil
		if s.fail {
			o.failed(boom)
		} else {
			o.succeeded(context.Background())
		}
		var got []string
		for _, l := range rec.lines {
			got = append(got, l.Level.String()+" "+l.Message)
		}
		assert.Equal(t, s.want, got, "step %d", i)
		if len(rec.lines) > 0 && rec.lines[0].Level == slog.LevelInfo {
			rec.lines[0].Attrs(func(a slog.Attr) bool {
				if a.Key == "outage" {
					assert.Equal(t, "10m30s", a.Value.String(), "from the first failure to the recovery")
				}
				if a.Key == "failed_attempts" {
					assert.Equal(t, int64(7), a.Value.Int64())
				}
				return true
			})
		}
	}
}
