package runtime

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestComponentMetrics(t *testing.T) {
	ps, clock := newTestPipelineStats(t)
	desc := NewComponentDesc("processor", "FilterPayments",
		StatDesc{Name: "payments_found", Kind: KindCounter}, StatDesc{Name: "filter_ratio", Kind: KindRatio})
	ps.Component(desc, "usdc").Update(Snapshot{Values: []float64{7, 0.25}}, clock.Now())
	ps.UpdateComponentStats(ComponentStats{
		ComponentType: "source", ComponentName: "test-source",
		Stats: map[string]interface{}{"processed": uint64(42)}, LastUpdated: clock.Now().Add(-2 * DefaultHealthTimeout),
	})
	clock.Advance(time.Second)

	tests := []struct {
		name     string
		kind, id string
		want     map[string]float64
		wantOK   bool
	}{
		{"snapshot path, by instance ID", "processor", "usdc", map[string]float64{
			"processor.usdc.payments_found":    7,
			"processor.usdc.filter_ratio":      0.25,
			"processor.usdc.healthy":           1,
			"processor.usdc.stats_age_seconds": 1,
		}, true},
		{"map path, stale", "source", "test-source", map[string]float64{
			"source.test-source.processed":         42,
			"source.test-source.healthy":           0,
			"source.test-source.stats_age_seconds": 121,
		}, true},
		{"kind and id must both match", "consumer", "usdc", nil, false},
		{"not reported yet", "consumer", "SaveToJSONFile", nil, false},
	}
	all := ps.GetMetrics()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := ps.ComponentMetrics(tc.kind, tc.id)
			assert.Equal(t, tc.wantOK, ok)
			assert.Equal(t, tc.want, got)
			for k, v := range got {
				assert.Equal(t, all[k], v, "%s as GetMetrics has it", k)
			}
		})
	}
}
