package promexport_test

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/runtime"
	"github.com/cdpstats/cdpstats/runtime/promexport"
)

// filterDesc describes a processor with one stat of every kind and unit
// the exporter converts.
var filterDesc = &runtime.ComponentDesc{
	Type: "processor",
	Name: "FilterPayments",
	Stats: []runtime.StatDesc{
		{Name: "messages_processed", Kind: runtime.KindCounter, Help: "Payments examined", Keys: []string{"messages_processed"}},
		{Name: "errors", Kind: runtime.KindCounter, Keys: []string{"errors"}},
		{Name: "bytes_read", Kind: runtime.KindCounter, Unit: "bytes", Help: "Bytes of XDR read.", Keys: []string{"bytes_read"}},
		{Name: "ledgers", Kind: runtime.KindCounter, Unit: "ledgers", Help: "Ledgers seen", Keys: []string{"ledgers"}},
		{Name: "filter_ratio", Kind: runtime.KindRatio, Help: "Share of payments filtered out", Keys: []string{"filter_ratio"}},
		{Name: "in_flight", Kind: runtime.KindGauge, Help: "Payments being processed", Keys: []string{"in_flight"}},
		{Name: "wait_ms", Kind: runtime.KindGauge, Unit: "ms", Help: "Time waiting for input", Keys: []string{"wait_ms"}},
		{Name: "cpu", Kind: runtime.KindGauge, Unit: "percent", Help: "CPU use", Keys: []string{"cpu"}},
		{Name: "last_processed_at", Kind: runtime.KindTimestamp, Help: "When the last payment was processed", Keys: []string{"last_processed_at"}},
		{Name: "process_latency", Kind: runtime.KindLatency, Help: "Time to process one ledger", Keys: []string{
			"process_latency_count", "process_latency_avg_ms", "process_latency_p50_ms",
			"process_latency_p90_ms", "process_latency_p99_ms", "process_latency_max_ms",
		}},
	},
}

var contractEventDesc = &runtime.ComponentDesc{
	Type: "processor",
	Name: "ContractEvent",
	Stats: []runtime.StatDesc{
		{Name: "errors", Kind: runtime.KindCounter, Help: "Events that failed to decode", Keys: []string{"errors"}},
	},
}

// jsonFileDesc is known only from the catalog: the component reports
// through plain GetStats.
var jsonFileDesc = &runtime.ComponentDesc{
	Type: "consumer",
	Name: "SaveToJSONFile",
	Stats: []runtime.StatDesc{
		{Name: "messages_written", Kind: runtime.KindCounter, Help: "JSON lines written", Keys: []string{"messages_written"}},
	},
}

func init() {
	for _, d := range []*runtime.ComponentDesc{filterDesc, contractEventDesc, jsonFileDesc} {
		for _, s := range d.Stats {
			d.Keys = append(d.Keys, s.Keys...)
		}
	}
}

var lastProcessed = time.Unix(1_700_000_000, 0)

// filterValues are FilterPayments' values in filterDesc.Keys order.
func filterValues(processed float64) []float64 {
	return []float64{
		processed, 2, 4096, 9, 0.25, 3, 250, 50, float64(lastProcessed.Unix()),
		4, 2, 1.5, 3, 4, 5,
	}
}

// testStats is a pipeline with two instances of FilterPayments and a
// ContractEvent on the snapshot path, a source that reports through plain
// GetStats with no description anywhere, and a consumer that reports
// through plain GetStats but is in the catalog.
func testStats() *runtime.PipelineStats {
	ps := runtime.NewPipelineStats("payments-pipeline")
	now := time.Now()
	ps.UpdateComponentStats(runtime.ComponentStats{
		ComponentType: "source", ComponentName: "test-source", LastUpdated: now,
		Stats: map[string]interface{}{"processed": 42, "weird key!": true},
	})
	ps.Component(filterDesc, "payments").Update(filterValues(100), now)
	ps.Component(filterDesc, "payments-usdc").Update(filterValues(7), now)
	ps.Component(contractEventDesc, "").Update([]float64{11}, now)
	ps.UpdateComponentStats(runtime.ComponentStats{
		ComponentType: "consumer", ComponentName: "SaveToJSONFile", InstanceID: "out", LastUpdated: now,
		Stats: map[string]interface{}{"messages_written": uint64(5), "undescribed": 1.5},
	})
	return ps
}

var catalog = promexport.NewCatalog(filterDesc, contractEventDesc, jsonFileDesc)

func TestMetricsEndpoint(t *testing.T) {
	base := serve(t, testStats(), promexport.WithCatalog(catalog))
	families := scrape(t, base)

	payments := map[string]string{"pipeline": "payments-pipeline", "component_type": "FilterPayments", "component": "payments"}
	usdc := map[string]string{"pipeline": "payments-pipeline", "component_type": "FilterPayments", "component": "payments-usdc"}
	contract := map[string]string{"pipeline": "payments-pipeline", "component_type": "ContractEvent", "component": "ContractEvent"}
	source := map[string]string{"pipeline": "payments-pipeline", "component_type": "test-source", "component": "test-source"}
	out := map[string]string{"pipeline": "payments-pipeline", "component_type": "SaveToJSONFile", "component": "out"}
	pipeline := map[string]string{"pipeline": "payments-pipeline"}

	tests := []struct {
		name   string
		typ    dto.MetricType
		help   string
		labels map[string]string
		value  float64
	}{
		{"cdp_processor_messages_processed_total", dto.MetricType_COUNTER, "Payments examined.", payments, 100},
		{"cdp_processor_messages_processed_total", dto.MetricType_COUNTER, "Payments examined.", usdc, 7},
		{"cdp_processor_bytes_read_total", dto.MetricType_COUNTER, "Bytes of XDR read.", payments, 4096},
		{"cdp_processor_ledgers_total", dto.MetricType_COUNTER, "Ledgers seen. Unit: ledgers.", payments, 9},
		{"cdp_processor_filter_ratio", dto.MetricType_GAUGE, "Share of payments filtered out.", payments, 0.25},
		{"cdp_processor_in_flight", dto.MetricType_GAUGE, "Payments being processed.", payments, 3},
		{"cdp_processor_wait_seconds", dto.MetricType_GAUGE, "Time waiting for input.", payments, 0.25},
		{"cdp_processor_cpu_ratio", dto.MetricType_GAUGE, "CPU use.", payments, 0.5},
		{"cdp_processor_last_processed_timestamp_seconds", dto.MetricType_GAUGE,
			"When the last payment was processed. As unix seconds; 0 when it never happened.", payments, 1_700_000_000},
		{"cdp_processor_process_latency_max_seconds", dto.MetricType_GAUGE, "Largest observation of: Time to process one ledger.", payments, 0.005},
		// Two component types share a name: HELP gives each one's text.
		{"cdp_processor_errors_total", dto.MetricType_COUNTER,
			"By component_type. ContractEvent: Events that failed to decode. FilterPayments: The errors counter of FilterPayments.", contract, 11},
		{"cdp_processor_errors_total", dto.MetricType_COUNTER,
			"By component_type. ContractEvent: Events that failed to decode. FilterPayments: The errors counter of FilterPayments.", payments, 2},
		// Plain GetStats, described by the catalog.
		{"cdp_consumer_messages_written_total", dto.MetricType_COUNTER, "JSON lines written.", out, 5},
		// Plain GetStats with no description: untyped, generic HELP.
		{"cdp_consumer_undescribed", dto.MetricType_UNTYPED, `Stat "undescribed" as reported by GetStats; no //cdp:stat description is known for it.`, out, 1.5},
		{"cdp_source_processed", dto.MetricType_UNTYPED, `Stat "processed" as reported by GetStats; no //cdp:stat description is known for it.`, source, 42},
		{"cdp_source_weird_key_", dto.MetricType_UNTYPED, `Stat "weird key!" as reported by GetStats; no //cdp:stat description is known for it.`, source, 1},
		// Health and pipeline metrics.
		{"cdp_processor_healthy", dto.MetricType_GAUGE, "1 when the component's stats are fresher than the health timeout, else 0.", payments, 1},
		{"cdp_source_healthy", dto.MetricType_GAUGE, "1 when the component's stats are fresher than the health timeout, else 0.", source, 1},
		{"cdp_pipeline_components", dto.MetricType_GAUGE, "Number of components that have reported stats.", pipeline, 5},
		{"cdp_pipeline_healthy", dto.MetricType_GAUGE, "1 when at least one component has reported and every component's stats are fresher than the health timeout, else 0.", pipeline, 1},
		{"cdp_pipeline_collector_errors_total", dto.MetricType_COUNTER, "GetStats calls that panicked and were recovered by the stats collector.", pipeline, 0},
		{"cdp_pipeline_dropped_values_total", dto.MetricType_COUNTER, "Stat values dropped because they could not convert to a finite number.", pipeline, 0},
		{"cdp_pipeline_health_timeout_seconds", dto.MetricType_GAUGE, "How stale a component's stats may be before it counts as unhealthy.", pipeline, 60},
	}
	for _, tc := range tests {
		t.Run(tc.name+"/"+tc.labels["component"], func(t *testing.T) {
			f := families[tc.name]
			require.NotNil(t, f, "no family %s", tc.name)
			assert.Equal(t, tc.typ, f.GetType())
			assert.Equal(t, tc.help, f.GetHelp())
			m := series(t, families, tc.name, tc.labels)
			assert.Len(t, m.GetLabel(), len(tc.labels), "labels are exactly %v", tc.labels)
			var got float64
			switch tc.typ {
			case dto.MetricType_COUNTER:
				got = m.GetCounter().GetValue()
			case dto.MetricType_GAUGE:
				got = m.GetGauge().GetValue()
			case dto.MetricType_UNTYPED:
				got = m.GetUntyped().GetValue()
			}
			assert.InDelta(t, tc.value, got, 1e-12)
		})
	}

	t.Run("latency summary", func(t *testing.T) {
		f := families["cdp_processor_process_latency_seconds"]
		require.NotNil(t, f)
		assert.Equal(t, dto.MetricType_SUMMARY, f.GetType())
		assert.Equal(t, "Time to process one ledger.", f.GetHelp())
		s := series(t, families, "cdp_processor_process_latency_seconds", payments).GetSummary()
		assert.Equal(t, uint64(4), s.GetSampleCount())
		assert.InDelta(t, 0.008, s.GetSampleSum(), 1e-12, "sum is avg × count, in seconds")
		quantiles := make(map[float64]float64)
		for _, q := range s.GetQuantile() {
			quantiles[q.GetQuantile()] = q.GetValue()
		}
		assert.InDeltaMapValues(t, map[float64]float64{0.5: 0.0015, 0.9: 0.003, 0.99: 0.004}, quantiles, 1e-12)
	})

	t.Run("uptime and stats age", func(t *testing.T) {
		assert.GreaterOrEqual(t, series(t, families, "cdp_pipeline_uptime_seconds", pipeline).GetGauge().GetValue(), 0.0)
		age := series(t, families, "cdp_processor_stats_age_seconds", payments).GetGauge().GetValue()
		assert.GreaterOrEqual(t, age, 0.0)
		assert.Less(t, age, 60.0)
	})

	t.Run("nothing skipped", func(t *testing.T) {
		f := families["cdp_exporter_skipped_series"]
		require.NotNil(t, f)
		assert.Equal(t, "Series left out of this scrape because a series of another type or label set, or with the same labels, already had the name.", f.GetHelp())
		assert.Zero(t, f.GetMetric()[0].GetGauge().GetValue())
		assert.Empty(t, f.GetMetric()[0].GetLabel())
	})

	t.Run("every series has the component labels or only pipeline", func(t *testing.T) {
		for name, f := range families {
			if name == "cdp_exporter_skipped_series" {
				continue
			}
			for _, m := range f.GetMetric() {
				var names []string
				for _, l := range m.GetLabel() {
					if l.GetName() != "quantile" {
						names = append(names, l.GetName())
					}
				}
				if len(names) != 1 {
					assert.Equal(t, []string{"component", "component_type", "pipeline"}, names, name)
				} else {
					assert.Equal(t, []string{"pipeline"}, names, name)
				}
			}
		}
	})
}

func TestMetricsReadLatestSnapshotWithoutCountingTwice(t *testing.T) {
	stats := testStats()
	base := serve(t, stats)
	payments := map[string]string{"component": "payments"}
	value := func() float64 {
		return series(t, scrape(t, base), "cdp_processor_messages_processed_total", payments).GetCounter().GetValue()
	}
	assert.Equal(t, 100.0, value())
	assert.Equal(t, 100.0, value(), "a second scrape reads the same snapshot, it does not add")
	stats.Component(filterDesc, "payments").Update(filterValues(150), time.Now())
	assert.Equal(t, 150.0, value(), "a scrape reads the latest snapshot")
}

func TestMetricsWithoutCatalogUseGenericHelp(t *testing.T) {
	families := scrape(t, serve(t, testStats()))
	f := families["cdp_consumer_messages_written"]
	require.NotNil(t, f, "without a catalog the consumer's stat is untyped")
	assert.Equal(t, dto.MetricType_UNTYPED, f.GetType())
	assert.NotContains(t, families, "cdp_consumer_messages_written_total")
}

func TestMetricsSkipConflictingSeries(t *testing.T) {
	stats := runtime.NewPipelineStats("p")
	stats.UpdateComponentStats(runtime.ComponentStats{
		ComponentType: "source", ComponentName: "hand-written", LastUpdated: time.Now(),
		// "healthy" is reserved: the real health gauge keeps the name.
		Stats: map[string]interface{}{"healthy": 0, "processed": 1},
	})
	families := scrape(t, serve(t, stats))
	m := series(t, families, "cdp_source_healthy", map[string]string{"component": "hand-written"})
	assert.Equal(t, 1.0, m.GetGauge().GetValue())
	assert.Equal(t, 1.0, series(t, families, "cdp_exporter_skipped_series", nil).GetGauge().GetValue())
	assert.Equal(t, 1.0, series(t, families, "cdp_source_processed", nil).GetUntyped().GetValue())
}

func TestMetricsNamespace(t *testing.T) {
	families := scrape(t, serve(t, testStats(), promexport.WithNamespace("stellar")))
	assert.Contains(t, families, "stellar_processor_messages_processed_total")
	assert.Contains(t, families, "stellar_pipeline_uptime_seconds")
	for name := range families {
		assert.NotRegexp(t, "^cdp_", name)
	}
}

func TestNewHandlerRejectsBadInput(t *testing.T) {
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: "extra_total", Help: "An extra counter."})
	_, err := promexport.NewHandler([]*runtime.PipelineStats{testStats()}, promexport.WithCollectors(c, c))
	require.Error(t, err, "a collector registered twice")
	_, err = promexport.NewHandler([]*runtime.PipelineStats{testStats(), nil})
	require.Error(t, err, "nil stats")
}

func TestExtraCollectorsAreServed(t *testing.T) {
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: "extra_total", Help: "An extra counter."})
	c.Add(3)
	families := scrape(t, serve(t, testStats(), promexport.WithCollectors(c)))
	assert.Equal(t, 3.0, series(t, families, "extra_total", nil).GetCounter().GetValue())
	assert.Contains(t, families, "cdp_pipeline_healthy")
}

func TestMetricsOfSeveralPipelines(t *testing.T) {
	a := runtime.NewPipelineStats("a")
	a.Component(contractEventDesc, "").Update([]float64{1}, time.Now())
	b := runtime.NewPipelineStats("b")
	b.Component(contractEventDesc, "").Update([]float64{2}, time.Now())
	b.Component(filterDesc, "payments").Update(filterValues(3), time.Now())
	families := scrape(t, serveAll(t, []*runtime.PipelineStats{a, b}))

	errorsTotal := func(pipeline string) float64 {
		return series(t, families, "cdp_processor_errors_total",
			map[string]string{"pipeline": pipeline, "component": "ContractEvent"}).GetCounter().GetValue()
	}
	assert.Equal(t, 1.0, errorsTotal("a"))
	assert.Equal(t, 2.0, errorsTotal("b"))
	assert.Equal(t, 1.0, series(t, families, "cdp_pipeline_components", map[string]string{"pipeline": "a"}).GetGauge().GetValue())
	assert.Equal(t, 2.0, series(t, families, "cdp_pipeline_components", map[string]string{"pipeline": "b"}).GetGauge().GetValue())
	assert.Zero(t, series(t, families, "cdp_exporter_skipped_series", nil).GetGauge().GetValue())
}
