package runner_test

import (
	"bytes"
	"fmt"
	"regexp"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/internal/runner"
	"github.com/cdpstats/cdpstats/internal/testfixtures/controlplane"
	"github.com/cdpstats/cdpstats/internal/testfixtures/ledgers"
)

// TestInstanceIDsReportSeparately runs two FilterPayments with different
// ids and filters in one pipeline, and checks that each reports under its
// own id: in the flowctl heartbeats (processor.<id>.*), on /metrics (the
// component label) and in the summary.
func TestInstanceIDsReportSeparately(t *testing.T) {
	dir := pubnetDatastore(t)
	lcm := ledgers.MustPubnet(t)
	seq := lcm.LedgerSequence()
	want := expect(t, lcm, ledgers.PubnetPassphrase)
	payments := len(want.Payments)
	native := want.count(func(p ledgers.ExpectedPayment) bool { return p.Asset == "native" })
	large := want.count(func(p ledgers.ExpectedPayment) bool { return p.Stroops >= 1000*10_000_000 })
	require.NotZero(t, native)
	require.NotZero(t, large)
	require.NotEqual(t, native, large, "the filters must tell the instances apart")

	cp := startControlPlane(t)
	var status bytes.Buffer
	run := (&spec{
		Pipelines: []pipelineSpec{{Dir: dir, Source: fmt.Sprintf("start_ledger: %d, retry_wait: 20ms", seq), Processors: []string{
			"{type: FilterPayments, id: native, config: {asset: native}}",
			`{type: FilterPayments, id: large, config: {min_amount: "1000"}}`,
		}}},
		Stats:   "interval: 20ms, live: true",
		Metrics: true,
		Flowctl: cp.Addr(),
	}).start(t, func(r *runner.Runner) { r.Status = &status })
	out, addr := run.Out[0], run.Addr

	// The second instance passes the first one's payments through and
	// emits its own, so the consumer gets both.
	lines := native + large
	waitUntil(t, "every line to be written", func() bool { return countLines(t, out) == lines })
	// The file is written before the next collection; wait for it too.
	var families map[string]*dto.MetricFamily
	waitUntil(t, "the consumer's count on /metrics", func() bool {
		families = scrape(t, addr)
		m := series(families, "cdp_consumer_messages_written_total", "e2e", "SaveToJSONFile", "SaveToJSONFile")
		return m != nil && m.GetCounter().GetValue() == float64(lines)
	})
	for id, passed := range map[string]int{"native": native, "large": large} {
		m := series(families, "cdp_processor_payments_emitted_total", "e2e", "FilterPayments", id)
		if assert.NotNil(t, m, "no series for instance %s", id) {
			assert.Equal(t, float64(passed), m.GetCounter().GetValue(), id)
		}
	}
	assert.Nil(t, series(families, "cdp_processor_payments_emitted_total", "e2e", "FilterPayments", "FilterPayments"),
		"no instance reports under the type name")

	require.NoError(t, run.stop(t))

	final := finalHeartbeat(t, controlplane.Legacy, cp.Snapshot())
	assertValues(t, final.Metrics, map[string]float64{
		"processor.native.payments_found":          float64(payments),
		"processor.native.payments_emitted":        float64(native),
		"processor.native.payments_filtered":       float64(payments - native),
		"processor.large.payments_found":           float64(payments),
		"processor.large.payments_emitted":         float64(large),
		"processor.large.payments_filtered":        float64(payments - large),
		"consumer.SaveToJSONFile.messages_written": float64(lines),
	})
	assert.NotContains(t, final.Metrics, "processor.FilterPayments.payments_found")

	// The summary has a row per instance: in is the ledger (and, for the
	// second, the first one's payments); out adds the ledger.
	summary := status.String()
	assert.Regexp(t, regexp.MustCompile(fmt.Sprintf(`(?m)^e2e\s+native\s+processor\s+1\s+%d\s+0\s`, native+1)), summary)
	assert.Regexp(t, regexp.MustCompile(fmt.Sprintf(`(?m)^e2e\s+large\s+processor\s+%d\s+%d\s+0\s`, native+1, native+large+1)), summary)
	assert.Contains(t, summary, "| native 1→")
}
