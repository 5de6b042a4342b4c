package runner_test

import (
	"fmt"
	"net/http"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/components/registry"
	"github.com/cdpstats/cdpstats/internal/testfixtures/ledgers"
)

// scrape fetches /metrics and parses it as Prometheus does.
func scrape(t *testing.T, addr string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	require.NoError(t, err)
	return families
}

// series returns the series of family name whose labels are pipeline,
// type and id as given, or nil.
func series(families map[string]*dto.MetricFamily, name, pipeline, typ, id string) *dto.Metric {
	f := families[name]
	if f == nil {
		return nil
	}
	for _, m := range f.GetMetric() {
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		if labels["pipeline"] == pipeline && labels["type"] == typ && labels["id"] == id {
			return m
		}
	}
	return nil
}

// statusOf returns the status code of a GET of path.
func statusOf(t *testing.T, addr, path string) int {
	t.Helper()
	resp, err := http.Get("http://" + addr + path)
	require.NoError(t, err)
	resp.Body.Close()
	return resp.StatusCode
}

// markerHelp returns the help text of a stat's //cdp:stat marker, from
// the registered component's description.
func markerHelp(t *testing.T, kind, typ, stat string) string {
	t.Helper()
	e, err := registry.Lookup(registry.Kind(kind), typ)
	require.NoError(t, err)
	s, ok := e.Desc.Stat(stat)
	require.True(t, ok, "%s %s has no stat %s", kind, typ, stat)
	return s.Help
}

// TestPrometheusThroughRunner serves /metrics from a running pipeline on a
// port the system picks, scrapes it while the pipeline runs, and checks
// names, types, labels, HELP and values, and the health endpoints.
func TestPrometheusThroughRunner(t *testing.T) {
	dir := pubnetDatastore(t)
	lcm := ledgers.MustPubnet(t)
	seq := lcm.LedgerSequence()
	want := expect(t, lcm, ledgers.PubnetPassphrase)

	tests := []struct {
		name          string
		healthTimeout string
		healthz       int
		readyz        int
		healthy       float64
	}{
		{"fresh stats", "60s", http.StatusOK, http.StatusOK, 1},
		{"stale stats", "1ns", http.StatusServiceUnavailable, http.StatusServiceUnavailable, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// end_ledger 0: the pipeline reads the ledger, then waits for
			// the next one until cancelled, so /metrics is scraped while it
			// runs.
			run := (&spec{
				Pipelines: []pipelineSpec{{Dir: dir, Source: fmt.Sprintf("start_ledger: %d, retry_wait: 20ms", seq)}},
				Stats:     "interval: 20ms, health_timeout: " + tt.healthTimeout + ", live: false",
				Metrics:   true,
			}).start(t, nil)
			out, addr := run.Out[0], run.Addr

			const pipeline = "e2e"
			var families map[string]*dto.MetricFamily
			// The consumer counts a ledger's lines as it buffers them, and
			// writes the buffer within its flush_interval.
			waitUntil(t, "the consumer's count to reach every line, and the file to hold them", func() bool {
				families = scrape(t, addr)
				m := series(families, "cdp_consumer_messages_written_total", pipeline, "SaveToJSONFile", "SaveToJSONFile")
				return m != nil && m.GetCounter().GetValue() == float64(want.lines()) && fileSize(t, out) > 0
			})

			type check struct {
				family    string
				typ       dto.MetricType
				kind      string
				component string
				stat      string  // the stat whose marker gives the HELP
				value     float64 // counters and gauges; a summary's sample count
			}
			payments, events := float64(len(want.Payments)), float64(len(want.Events))
			checks := []check{
				{"cdp_source_ledgers_processed_total", dto.MetricType_COUNTER, "source", "BufferedStorageSourceAdapter", "ledgers_processed", 1},
				{"cdp_source_bytes_read_total", dto.MetricType_COUNTER, "source", "BufferedStorageSourceAdapter", "bytes_read", ledgerFileSize(t, dir, seq)},
				{"cdp_source_last_ledger", dto.MetricType_GAUGE, "source", "BufferedStorageSourceAdapter", "last_ledger", float64(seq)},
				{"cdp_source_fetch_latency_seconds", dto.MetricType_SUMMARY, "source", "BufferedStorageSourceAdapter", "fetch_latency", 1},
				{"cdp_processor_payments_found_total", dto.MetricType_COUNTER, "processor", "FilterPayments", "payments_found", payments},
				{"cdp_processor_payments_emitted_total", dto.MetricType_COUNTER, "processor", "FilterPayments", "payments_emitted", payments},
				{"cdp_processor_filter_ratio", dto.MetricType_GAUGE, "processor", "FilterPayments", "filter_ratio", 0},
				{"cdp_processor_process_latency_seconds", dto.MetricType_SUMMARY, "processor", "FilterPayments", "process_latency", 1},
				{"cdp_processor_events_found_total", dto.MetricType_COUNTER, "processor", "ContractEvent", "events_found", events},
				{"cdp_processor_process_latency_seconds", dto.MetricType_SUMMARY, "processor", "ContractEvent", "process_latency", 1},
				{"cdp_consumer_messages_written_total", dto.MetricType_COUNTER, "consumer", "SaveToJSONFile", "messages_written", payments + events},
				{"cdp_consumer_bytes_written_total", dto.MetricType_COUNTER, "consumer", "SaveToJSONFile", "bytes_written", fileSize(t, out)},
			}
			for _, c := range checks {
				t.Run(c.family+"/"+c.component, func(t *testing.T) {
					f := families[c.family]
					require.NotNil(t, f, "no family %s", c.family)
					assert.Equal(t, c.typ, f.GetType())
					assert.Contains(t, f.GetHelp(), markerHelp(t, c.kind, c.component, c.stat))
					m := series(families, c.family, pipeline, c.component, c.component)
					require.NotNil(t, m, "no series with the pipeline, type and id labels")
					switch c.typ {
					case dto.MetricType_COUNTER:
						assert.Equal(t, c.value, m.GetCounter().GetValue())
					case dto.MetricType_GAUGE:
						assert.Equal(t, c.value, m.GetGauge().GetValue())
					case dto.MetricType_SUMMARY:
						s := m.GetSummary()
						assert.Equal(t, uint64(c.value), s.GetSampleCount())
						var quantiles []float64
						for _, q := range s.GetQuantile() {
							quantiles = append(quantiles, q.GetQuantile())
							assert.GreaterOrEqual(t, q.GetValue(), 0.0)
						}
						assert.Equal(t, []float64{0.5, 0.9, 0.99, 0.999}, quantiles)
					}
				})
			}

			healthy := families["cdp_pipeline_healthy"]
			require.NotNil(t, healthy)
			require.Len(t, healthy.GetMetric(), 1)
			assert.Equal(t, tt.healthy, healthy.GetMetric()[0].GetGauge().GetValue())
			assert.Equal(t, tt.healthz, statusOf(t, addr, "/healthz"))
			assert.Equal(t, tt.readyz, statusOf(t, addr, "/readyz"))

			require.NoError(t, run.stop(t))
			_, err := http.Get("http://" + addr + "/metrics")
			assert.Error(t, err, "the endpoint is shut down when Run returns")
		})
	}
}
