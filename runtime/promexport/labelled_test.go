package promexport_test

import (
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/runtime"
	"github.com/cdpstats/cdpstats/runtime/promexport"
)

// byOperationDesc describes a processor with a labelled counter, as
// statsgen generates it for //cdp:stat counter label=operation values=...,
// next to a plain counter.
var byOperationDesc = runtime.NewComponentDesc("processor", "FilterPayments",
	runtime.StatDesc{Name: "payments_found", Kind: runtime.KindCounter},
	runtime.StatDesc{
		Name: "payments_by_operation", Kind: runtime.KindCounter, Unit: "payments", Help: "Payments found, by operation",
		Label: "operation", Values: []string{"payment", "path_payment_strict_send", "path_payment_strict_receive"},
	},
)

func TestLabelledCounterIsOneFamilyWithALabel(t *testing.T) {
	ps := runtime.NewPipelineStats("p")
	ps.Component(byOperationDesc, "payments").Update(runtime.Snapshot{Values: []float64{10, 6, 3, 1}}, time.Now())
	families := scrape(t, serve(t, ps, promexport.WithComponents(byOperationDesc)))

	f := families["cdp_processor_payments_by_operation_total"]
	require.NotNil(t, f, "one counter family for the labelled counter")
	assert.Equal(t, dto.MetricType_COUNTER, f.GetType())
	assert.Equal(t, "Payments found, by operation. Unit: payments.", f.GetHelp())
	require.Len(t, f.GetMetric(), 3, "one series per value")
	for value, want := range map[string]float64{
		"payment": 6, "path_payment_strict_send": 3, "path_payment_strict_receive": 1,
	} {
		labels := map[string]string{"pipeline": "p", "type": "FilterPayments", "id": "payments", "operation": value}
		m := series(t, families, "cdp_processor_payments_by_operation_total", labels)
		assert.Len(t, m.GetLabel(), len(labels), "labels are exactly %v", labels)
		assert.Equal(t, want, m.GetCounter().GetValue(), value)
	}
	for name := range families {
		assert.NotContains(t, name, "payments_by_operation_payment", "no metric per flat key")
	}
	assert.Equal(t, 10.0, series(t, families, "cdp_processor_payments_found_total", nil).GetCounter().GetValue())
}
