package runtime

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStallReachesMetricsAndHealth(t *testing.T) {
	since := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name    string
		stall   *Stall
		stalled float64
		reason  string
	}{
		{name: "progressing", stalled: 0},
		{
			name:    "gap",
			stall:   &Stall{Ledger: 1002, Reason: "gap", Missing: "FFFFFC15--1002.xdr.zst", Since: since},
			stalled: 1,
			reason:  "waiting for ledger 1002: gap, file FFFFFC15--1002.xdr.zst missing, since 2026-01-02T03:04:05Z",
		},
		{
			name:    "not yet closed",
			stall:   &Stall{Ledger: 7, Reason: "not yet closed", Since: since},
			stalled: 1,
			reason:  "waiting for ledger 7: not yet closed, since 2026-01-02T03:04:05Z",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps := NewPipelineStats("p")
			if tt.stall != nil {
				ps.SetStall(*tt.stall)
			}
			assert.Equal(t, tt.stalled, ps.GetMetrics()[MetricStalled])
			got, ok := ps.Stall()
			require.Equal(t, tt.stall != nil, ok)
			r := ps.HealthDetails()
			if tt.stall == nil {
				assert.Nil(t, r.Stall)
				return
			}
			assert.Equal(t, tt.reason, got.String())
			require.NotNil(t, r.Stall)
			assert.Equal(t, *tt.stall, *r.Stall)

			ps.ClearStall()
			assert.Equal(t, 0.0, ps.GetMetrics()[MetricStalled], "cleared")
			assert.Nil(t, ps.HealthDetails().Stall)
		})
	}
}
