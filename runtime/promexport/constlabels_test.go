package promexport_test

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/runtime"
	"github.com/cdpstats/cdpstats/runtime/promexport"
)

// TestConstLabelsOnEverySeries checks that WithConstLabels labels every
// series: the pipeline's, the described and undescribed components', and
// those of added collectors.
func TestConstLabelsOnEverySeries(t *testing.T) {
	ps := runtime.NewPipelineStats("p")
	ps.Component(byOperationDesc, "payments").Update(runtime.Snapshot{Values: []float64{10, 6, 3, 1}}, time.Now())
	undescribed := runtime.NewComponentDesc("consumer", "Custom", runtime.StatDesc{Name: "rows", Kind: runtime.KindCounter})
	ps.Component(undescribed, "custom").Update(runtime.Snapshot{Values: []float64{4}}, time.Now())
	extra := prometheus.NewGauge(prometheus.GaugeOpts{Name: "extra", Help: "An added collector."})

	families := scrape(t, serve(t, ps, promexport.WithComponents(byOperationDesc),
		promexport.WithCollectors(extra), promexport.WithConstLabels(prometheus.Labels{"shard": "3"})))

	require.NotEmpty(t, families)
	for _, name := range []string{"cdp_pipeline_uptime_seconds", "cdp_processor_payments_found_total", "cdp_consumer_rows_total", "extra"} {
		require.Contains(t, families, name)
	}
	for name, f := range families {
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			assert.Equal(t, "3", labels["shard"], "%s %v", name, labels)
		}
	}
}
