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

// byTypeDesc describes a processor with a labelled counter, as statsgen
// generates it for //cdp:stat counter label=type values=..., next to a
// plain counter.
var byTypeDesc = &runtime.ComponentDesc{
	Type: "processor",
	Name: "FilterPayments",
	Stats: []runtime.StatDesc{
		{Name: "messages_processed", Kind: runtime.KindCounter, Keys: []string{"messages_processed"}},
		{
			Name: "payments_by_type", Kind: runtime.KindCounter, Unit: "payments", Help: "Payments examined, by operation type",
			Keys:  []string{"payments_by_type_payment", "payments_by_type_path_payment_strict_send", "payments_by_type_path_payment_strict_receive"},
			Label: "type", Values: []string{"payment", "path_payment_strict_send", "path_payment_strict_receive"},
		},
	},
	Keys: []string{
		"messages_processed",
		"payments_by_type_payment", "payments_by_type_path_payment_strict_send", "payments_by_type_path_payment_strict_receive",
	},
}

func TestLabelledCounterIsOneFamilyWithALabel(t *testing.T) {
	ps := runtime.NewPipelineStats("p")
	ps.Component(byTypeDesc, "payments").Update([]float64{10, 6, 3, 1}, time.Now())
	families := scrape(t, serve(t, ps))

	f := families["cdp_processor_payments_by_type_total"]
	require.NotNil(t, f, "one counter family for the labelled counter")
	assert.Equal(t, dto.MetricType_COUNTER, f.GetType())
	assert.Equal(t, "Payments examined, by operation type. Unit: payments.", f.GetHelp())
	require.Len(t, f.GetMetric(), 3, "one series per value")
	for value, want := range map[string]float64{
		"payment": 6, "path_payment_strict_send": 3, "path_payment_strict_receive": 1,
	} {
		labels := map[string]string{"pipeline": "p", "component_type": "FilterPayments", "component": "payments", "type": value}
		m := series(t, families, "cdp_processor_payments_by_type_total", labels)
		assert.Len(t, m.GetLabel(), len(labels), "labels are exactly %v", labels)
		assert.Equal(t, want, m.GetCounter().GetValue(), value)
	}
	for name := range families {
		assert.NotContains(t, name, "payments_by_type_payment", "no metric per flat key")
	}
	assert.Equal(t, 10.0, series(t, families, "cdp_processor_messages_processed_total", nil).GetCounter().GetValue())
	assert.Zero(t, series(t, families, "cdp_exporter_skipped_series", nil).GetGauge().GetValue())
}

func TestLabelledCounterFromTheCatalog(t *testing.T) {
	ps := runtime.NewPipelineStats("p")
	ps.UpdateComponentStats(runtime.ComponentStats{
		ComponentType: "processor", ComponentName: "FilterPayments", LastUpdated: time.Now(),
		Stats: map[string]interface{}{"payments_by_type_payment": uint64(4), "payments_by_type_path_payment_strict_send": uint64(2)},
	})
	families := scrape(t, serve(t, ps, promexport.WithCatalog(promexport.NewCatalog(byTypeDesc))))
	f := families["cdp_processor_payments_by_type_total"]
	require.NotNil(t, f)
	assert.Len(t, f.GetMetric(), 2, "a value the component did not report has no series")
	assert.Equal(t, 4.0, series(t, families, "cdp_processor_payments_by_type_total",
		map[string]string{"type": "payment"}).GetCounter().GetValue())
}

// TestLabelledCounterWithAnUnusableLabel checks that a hand-written
// description whose label would clash with the component labels, or
// whose values do not match its keys, is exported key by key rather
// than as a broken family.
func TestLabelledCounterWithAnUnusableLabel(t *testing.T) {
	for _, tc := range []struct {
		name   string
		label  string
		values []string
	}{
		{"component label", "component", []string{"a", "b"}},
		{"not a label name", "my-label", []string{"a", "b"}},
		{"values do not match keys", "kind", []string{"a"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			desc := &runtime.ComponentDesc{
				Type: "source", Name: "S",
				Stats: []runtime.StatDesc{{
					Name: "n", Kind: runtime.KindCounter, Keys: []string{"n_a", "n_b"}, Label: tc.label, Values: tc.values,
				}},
				Keys: []string{"n_a", "n_b"},
			}
			ps := runtime.NewPipelineStats("p")
			ps.Component(desc, "").Update([]float64{1, 2}, time.Now())
			families := scrape(t, serve(t, ps))
			assert.NotContains(t, families, "cdp_source_n_total")
			assert.Equal(t, 1.0, series(t, families, "cdp_source_n_a", nil).GetUntyped().GetValue())
			assert.Equal(t, 2.0, series(t, families, "cdp_source_n_b", nil).GetUntyped().GetValue())
		})
	}
}
