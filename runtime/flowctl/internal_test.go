package flowctl

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
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

func TestFormatMetricsRoundTrips(t *testing.T) {
	got := formatMetrics(map[string]float64{"a": 0.1, "b": 1e21, "c": 58752000, "d": -0.5})
	assert.Equal(t, map[string]string{"a": "0.1", "b": "1e+21", "c": "5.8752e+07", "d": "-0.5"}, got)
}
