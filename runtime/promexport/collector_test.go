package promexport_test

import (
	"strings"
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
var filterDesc = runtime.NewComponentDesc("processor", "FilterPayments",
	runtime.StatDesc{Name: "payments_found", Kind: runtime.KindCounter, Help: "Payments examined"},
	runtime.StatDesc{Name: "errors", Kind: runtime.KindCounter},
	runtime.StatDesc{Name: "bytes_read", Kind: runtime.KindCounter, Unit: "bytes", Help: "Bytes of XDR read."},
	runtime.StatDesc{Name: "ledgers", Kind: runtime.KindCounter, Unit: "ledgers", Help: "Ledgers seen"},
	runtime.StatDesc{Name: "filter_ratio", Kind: runtime.KindRatio, Help: "Share of payments filtered out"},
	runtime.StatDesc{Name: "queued", Kind: runtime.KindGauge, Help: "Payments waiting"},
	runtime.StatDesc{Name: "wait_ms", Kind: runtime.KindGauge, Unit: "ms", Help: "Time waiting for input"},
	runtime.StatDesc{Name: "cpu", Kind: runtime.KindGauge, Unit: "percent", Help: "CPU use"},
	runtime.StatDesc{Name: "last_processed_at", Kind: runtime.KindTimestamp, Help: "When the last payment was processed"},
	runtime.StatDesc{Name: "process_latency", Kind: runtime.KindLatency, Help: "Time to process one ledger"},
)

// contractEventDesc shares the errors family with filterDesc, with the
// same (generated) HELP.
var contractEventDesc = runtime.NewComponentDesc("processor", "ContractEvent",
	runtime.StatDesc{Name: "errors", Kind: runtime.KindCounter},
)

var lastProcessed = time.Unix(1_700_000_000, 0)

// filterLatency is the latency every filterSnapshot reports.
var filterLatency = runtime.LatencySummary{
	Count: 4, Sum: 8 * time.Millisecond, Max: 5 * time.Millisecond,
	P50: 1500 * time.Microsecond, P90: 3 * time.Millisecond, P99: 4 * time.Millisecond, P999: 5 * time.Millisecond,
}

// filterSnapshot is a snapshot of filterDesc with found payments.
func filterSnapshot(found float64) runtime.Snapshot {
	return runtime.Snapshot{
		Values:    []float64{found, 2, 4096, 9, 0.25, 3, 250, 50, float64(lastProcessed.Unix())},
		Latencies: []runtime.LatencySummary{filterLatency},
	}
}

func ceSnapshot(errors float64) runtime.Snapshot { return runtime.Snapshot{Values: []float64{errors}} }

// testStats is a pipeline with two instances of FilterPayments and a
// ContractEvent on the snapshot path, and a source and a consumer that
// report through a hand-written GetStats.
func testStats() *runtime.PipelineStats {
	ps := runtime.NewPipelineStats("payments-pipeline")
	now := time.Now()
	ps.UpdateComponentStats(runtime.ComponentStats{
		ComponentType: "source", ComponentName: "test-source", LastUpdated: now,
		Stats: map[string]interface{}{"processed": 42, "weird key!": true},
	})
	ps.Component(filterDesc, "payments").Update(filterSnapshot(100), now)
	ps.Component(filterDesc, "payments-usdc").Update(filterSnapshot(7), now)
	ps.Component(contractEventDesc, "").Update(ceSnapshot(11), now)
	ps.UpdateComponentStats(runtime.ComponentStats{
		ComponentType: "consumer", ComponentName: "SaveToJSONFile", InstanceID: "out", LastUpdated: now,
		Stats: map[string]interface{}{"messages_written": uint64(5)},
	})
	return ps
}

// described describes the snapshot-path components of testStats.
var described = promexport.WithComponents(filterDesc, contractEventDesc)

func TestMetricsEndpoint(t *testing.T) {
	families := scrape(t, serve(t, testStats(), described))

	payments := map[string]string{"pipeline": "payments-pipeline", "type": "FilterPayments", "id": "payments"}
	usdc := map[string]string{"pipeline": "payments-pipeline", "type": "FilterPayments", "id": "payments-usdc"}
	contract := map[string]string{"pipeline": "payments-pipeline", "type": "ContractEvent", "id": "ContractEvent"}
	source := map[string]string{"pipeline": "payments-pipeline", "type": "test-source", "id": "test-source"}
	out := map[string]string{"pipeline": "payments-pipeline", "type": "SaveToJSONFile", "id": "out"}
	pipeline := map[string]string{"pipeline": "payments-pipeline"}
	handWritten := func(key string) string {
		return `Stat "` + key + `" as reported by a hand-written GetStats; no //cdp:stat describes it.`
	}

	tests := []struct {
		name   string
		typ    dto.MetricType
		help   string
		labels map[string]string
		value  float64
	}{
		{"cdp_processor_payments_found_total", dto.MetricType_COUNTER, "Payments examined.", payments, 100},
		{"cdp_processor_payments_found_total", dto.MetricType_COUNTER, "Payments examined.", usdc, 7},
		{"cdp_processor_bytes_read_total", dto.MetricType_COUNTER, "Bytes of XDR read.", payments, 4096},
		{"cdp_processor_ledgers_total", dto.MetricType_COUNTER, "Ledgers seen. Unit: ledgers.", payments, 9},
		{"cdp_processor_filter_ratio", dto.MetricType_GAUGE, "Share of payments filtered out.", payments, 0.25},
		{"cdp_processor_queued", dto.MetricType_GAUGE, "Payments waiting.", payments, 3},
		{"cdp_processor_wait_seconds", dto.MetricType_GAUGE, "Time waiting for input.", payments, 0.25},
		{"cdp_processor_cpu_ratio", dto.MetricType_GAUGE, "CPU use.", payments, 0.5},
		{"cdp_processor_last_processed_timestamp_seconds", dto.MetricType_GAUGE,
			"When the last payment was processed. As unix seconds; 0 when it never happened.", payments, 1_700_000_000},
		{"cdp_processor_process_latency_max_seconds", dto.MetricType_GAUGE, "Largest observation of: Time to process one ledger.", payments, 0.005},
		// Two component types share a family, and its HELP.
		{"cdp_processor_errors_total", dto.MetricType_COUNTER, "The errors counter of a processor.", contract, 11},
		{"cdp_processor_errors_total", dto.MetricType_COUNTER, "The errors counter of a processor.", payments, 2},
		// A hand-written GetStats: untyped, generic HELP.
		{"cdp_consumer_messages_written", dto.MetricType_UNTYPED, handWritten("messages_written"), out, 5},
		{"cdp_source_processed", dto.MetricType_UNTYPED, handWritten("processed"), source, 42},
		{"cdp_source_weird_key_", dto.MetricType_UNTYPED, handWritten("weird key!"), source, 1},
		// Health and pipeline metrics.
		{"cdp_processor_healthy", dto.MetricType_GAUGE, "1 when the component's stats are fresher than the health timeout, else 0.", payments, 1},
		{"cdp_source_healthy", dto.MetricType_GAUGE, "1 when the component's stats are fresher than the health timeout, else 0.", source, 1},
		{"cdp_pipeline_components", dto.MetricType_GAUGE, "Number of components that have reported stats.", pipeline, 5},
		{"cdp_pipeline_healthy", dto.MetricType_GAUGE, "1 when at least one component has reported and every component's stats are fresher than the health timeout, else 0.", pipeline, 1},
		{"cdp_pipeline_collector_errors_total", dto.MetricType_COUNTER, "GetStats calls that panicked and were recovered by the stats collector.", pipeline, 0},
		{"cdp_pipeline_dropped_values_total", dto.MetricType_COUNTER, "Stat values dropped because they could not convert to a finite number.", pipeline, 0},
		{"cdp_pipeline_health_timeout_seconds", dto.MetricType_GAUGE, "How stale a component's stats may be before it counts as unhealthy.", pipeline, 60},
		{"cdp_pipeline_stalled", dto.MetricType_GAUGE, "1 when the pipeline's source has waited for one ledger for longer than its stall timeout, else 0; /readyz says why.", pipeline, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name+"/"+tc.labels["id"], func(t *testing.T) {
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
		assert.Equal(t, 0.008, s.GetSampleSum(), "the exact sum, in seconds")
		quantiles := make(map[float64]float64)
		for _, q := range s.GetQuantile() {
			quantiles[q.GetQuantile()] = q.GetValue()
		}
		assert.InDeltaMapValues(t, map[float64]float64{0.5: 0.0015, 0.9: 0.003, 0.99: 0.004, 0.999: 0.005}, quantiles, 1e-12)
	})

	t.Run("uptime and stats age", func(t *testing.T) {
		assert.GreaterOrEqual(t, series(t, families, "cdp_pipeline_uptime_seconds", pipeline).GetGauge().GetValue(), 0.0)
		age := series(t, families, "cdp_processor_stats_age_seconds", payments).GetGauge().GetValue()
		assert.GreaterOrEqual(t, age, 0.0)
		assert.Less(t, age, 60.0)
	})

	t.Run("every series has the component labels or only pipeline", func(t *testing.T) {
		for name, f := range families {
			for _, m := range f.GetMetric() {
				var names []string
				for _, l := range m.GetLabel() {
					if l.GetName() != "quantile" {
						names = append(names, l.GetName())
					}
				}
				if len(names) != 1 {
					assert.Equal(t, []string{"id", "pipeline", "type"}, names, name)
				} else {
					assert.Equal(t, []string{"pipeline"}, names, name)
				}
			}
		}
	})
}

func TestDescribeSendsEveryFamilyOfTheDescribedComponents(t *testing.T) {
	c := promexport.NewCollector([]*runtime.PipelineStats{testStats()}, described)
	ch := make(chan *prometheus.Desc, 100)
	c.Describe(ch)
	close(ch)
	var descs []string
	for d := range ch {
		descs = append(descs, d.String())
	}
	all := strings.Join(descs, "\n")
	for _, want := range []string{
		"cdp_processor_payments_found_total", "cdp_processor_errors_total", "cdp_processor_process_latency_seconds",
		"cdp_processor_process_latency_max_seconds", "cdp_consumer_healthy", "cdp_pipeline_uptime_seconds",
	} {
		assert.Equal(t, 1, strings.Count(all, `fqName: "`+want+`"`), "%s is described once", want)
	}
}

// TestRegistryReportsAClash checks that client_golang's registry, not
// hand-written code, rejects components whose stats map to one family
// inconsistently.
func TestRegistryReportsAClash(t *testing.T) {
	tests := []struct {
		name string
		desc *runtime.ComponentDesc
		want string
	}{
		{"another HELP", runtime.NewComponentDesc("processor", "Other",
			runtime.StatDesc{Name: "errors", Kind: runtime.KindCounter, Help: "Other errors"}), "cdp_processor_errors_total"},
		{"a label that is a component label", runtime.NewComponentDesc("processor", "Other",
			runtime.StatDesc{Name: "n", Kind: runtime.KindCounter, Label: "id", Values: []string{"a"}}), "cdp_processor_n_total"},
		{"another kind", runtime.NewComponentDesc("processor", "Other",
			runtime.StatDesc{Name: "errors_total", Kind: runtime.KindGauge}), "cdp_processor_errors_total"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := promexport.NewHandler([]*runtime.PipelineStats{testStats()},
				promexport.WithComponents(filterDesc, tc.desc))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestMetricsReadLatestSnapshotWithoutCountingTwice(t *testing.T) {
	stats := testStats()
	base := serve(t, stats, described)
	payments := map[string]string{"id": "payments"}
	value := func() float64 {
		return series(t, scrape(t, base), "cdp_processor_payments_found_total", payments).GetCounter().GetValue()
	}
	assert.Equal(t, 100.0, value())
	assert.Equal(t, 100.0, value(), "a second scrape reads the same snapshot, it does not add")
	stats.Component(filterDesc, "payments").Update(filterSnapshot(150), time.Now())
	assert.Equal(t, 150.0, value(), "a scrape reads the latest snapshot")
}

func TestUndescribedComponentsAreStillExported(t *testing.T) {
	families := scrape(t, serve(t, testStats()))
	assert.Equal(t, 100.0, series(t, families, "cdp_processor_payments_found_total",
		map[string]string{"id": "payments"}).GetCounter().GetValue())
	assert.Equal(t, dto.MetricType_SUMMARY, families["cdp_processor_process_latency_seconds"].GetType())
}

func TestStalledGauge(t *testing.T) {
	stats := runtime.NewPipelineStats("p")
	base := serve(t, stats)
	stalled := func() float64 {
		return series(t, scrape(t, base), "cdp_pipeline_stalled", map[string]string{"pipeline": "p"}).GetGauge().GetValue()
	}
	assert.Equal(t, 0.0, stalled(), "progressing")
	stats.SetStall(gap)
	assert.Equal(t, 1.0, stalled(), "stalled")
	stats.ClearStall()
	assert.Equal(t, 0.0, stalled(), "progressing again")
}

func TestReservedKeysOfAHandWrittenGetStatsAreDropped(t *testing.T) {
	stats := runtime.NewPipelineStats("p")
	stats.UpdateComponentStats(runtime.ComponentStats{
		ComponentType: "source", ComponentName: "hand-written", LastUpdated: time.Now(),
		Stats: map[string]interface{}{"healthy": 0, "processed": 1},
	})
	families := scrape(t, serve(t, stats))
	m := series(t, families, "cdp_source_healthy", map[string]string{"id": "hand-written"})
	assert.Equal(t, 1.0, m.GetGauge().GetValue(), "the real health gauge keeps the name")
	assert.Equal(t, 1.0, series(t, families, "cdp_pipeline_dropped_values_total", nil).GetCounter().GetValue())
	assert.Equal(t, 1.0, series(t, families, "cdp_source_processed", nil).GetUntyped().GetValue())
}

func TestMetricsNamespace(t *testing.T) {
	families := scrape(t, serve(t, testStats(), promexport.WithNamespace("stellar"), described))
	assert.Contains(t, families, "stellar_processor_payments_found_total")
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
	a.Component(contractEventDesc, "").Update(ceSnapshot(1), time.Now())
	b := runtime.NewPipelineStats("b")
	b.Component(contractEventDesc, "").Update(ceSnapshot(2), time.Now())
	b.Component(filterDesc, "payments").Update(filterSnapshot(3), time.Now())
	families := scrape(t, serveAll(t, []*runtime.PipelineStats{a, b}, described))

	errorsTotal := func(pipeline string) float64 {
		return series(t, families, "cdp_processor_errors_total",
			map[string]string{"pipeline": pipeline, "id": "ContractEvent"}).GetCounter().GetValue()
	}
	assert.Equal(t, 1.0, errorsTotal("a"))
	assert.Equal(t, 2.0, errorsTotal("b"))
	assert.Equal(t, 1.0, series(t, families, "cdp_pipeline_components", map[string]string{"pipeline": "a"}).GetGauge().GetValue())
	assert.Equal(t, 2.0, series(t, families, "cdp_pipeline_components", map[string]string{"pipeline": "b"}).GetGauge().GetValue())
}
