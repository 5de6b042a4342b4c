package runner_test

import (
	"fmt"
	"io"
	"net"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/components/registry"
	"github.com/cdpstats/cdpstats/internal/runner"
	"github.com/cdpstats/cdpstats/internal/testfixtures/controlplane"
	"github.com/cdpstats/cdpstats/internal/testfixtures/ledgers"
	"github.com/cdpstats/cdpstats/runtime"
	"github.com/cdpstats/cdpstats/runtime/flowctl"
)

// startControlPlane starts a loopback flowctl control plane that the test
// stops.
func startControlPlane(t *testing.T, opts ...controlplane.Option) *controlplane.Server {
	t.Helper()
	srv, err := controlplane.Start(opts...)
	require.NoError(t, err)
	t.Cleanup(srv.Stop)
	return srv
}

// component names one component of the e2e pipelines, as its stats are
// keyed.
type component struct{ kind, name string }

// e2eComponents are the components of the pipelines these tests run.
var e2eComponents = []component{
	{"source", "BufferedStorageSourceAdapter"},
	{"processor", "FilterPayments"},
	{"processor", "ContractEvent"},
	{"consumer", "SaveToJSONFile"},
}

// assertEveryStat checks that metrics hold every stat of every component,
// as the registry describes them, with the keys the pipeline adds.
func assertEveryStat(t *testing.T, metrics map[string]float64, components []component) {
	t.Helper()
	for _, c := range components {
		for _, k := range componentKeys(t, c) {
			assert.Contains(t, metrics, c.kind+"."+c.name+"."+k)
		}
	}
	for _, k := range []string{runtime.MetricUptime, runtime.MetricComponentCount, runtime.MetricCollectorErrors,
		runtime.MetricDroppedValues, runtime.MetricHealthy} {
		assert.Contains(t, metrics, k)
	}
}

// componentKeys returns the keys of c's stats, as the registry describes
// them, with the self-time stats the runner adds and the keys the
// pipeline adds: healthy and stats_age_seconds.
func componentKeys(t *testing.T, c component) []string {
	t.Helper()
	entry, err := registry.Lookup(registry.Kind(c.kind), c.name)
	require.NoError(t, err)
	keys := []string{runtime.HealthyKey, runtime.StatsAgeKey}
	for _, s := range slices.Concat(entry.Desc.Stats, runner.SelfTimeStats(c.kind)) {
		keys = append(keys, s.Keys()...)
	}
	return keys
}

// finalHeartbeat returns the heartbeat the pipeline's own registration
// sent last, its final one after the drain, and checks that the heartbeats before it never
// report fewer ledgers.
//
// The control plane may record heartbeats in another order than they were
// sent: a heartbeat in flight when the run ends is cancelled by the
// client, which then sends the final one, and the server can still handle
// the cancelled one after it. So the final heartbeat is found by what it
// carries: a v1 one is the only one with status STOPPING, a legacy one has
// the latest send timestamp.
func finalHeartbeat(t *testing.T, api controlplane.API, snap controlplane.Snapshot) controlplane.Heartbeat {
	t.Helper()
	return finalHeartbeatOf(t, api, snap, "e2e")
}

// finalHeartbeatOf is finalHeartbeat for the registration serviceID.
func finalHeartbeatOf(t *testing.T, api controlplane.API, snap controlplane.Snapshot, serviceID string) controlplane.Heartbeat {
	t.Helper()
	accepted := snap.AcceptedFor(serviceID)
	require.NotEmpty(t, accepted)
	var final controlplane.Heartbeat
	switch api {
	case controlplane.V1:
		var stopping []controlplane.Heartbeat
		for _, hb := range accepted {
			if hb.Status == "HEALTH_STATUS_STOPPING" {
				stopping = append(stopping, hb)
			}
		}
		require.Len(t, stopping, 1, "one final heartbeat")
		final = stopping[0]
	default:
		slices.SortStableFunc(accepted, func(a, b controlplane.Heartbeat) int { return a.Timestamp.Compare(b.Timestamp) })
		final = accepted[len(accepted)-1]
		prev := 0.0
		for _, hb := range accepted {
			assert.GreaterOrEqual(t, hb.Metrics[ledgersKey], prev, "counters never go back")
			prev = hb.Metrics[ledgersKey]
		}
	}
	for _, hb := range accepted {
		assert.LessOrEqual(t, hb.Metrics[ledgersKey], final.Metrics[ledgersKey], "the final heartbeat has the final numbers")
	}
	return final
}

// assertValues checks the given metrics, and only those.
func assertValues(t *testing.T, got, want map[string]float64) {
	t.Helper()
	for k, v := range want {
		if assert.Contains(t, got, k) {
			assert.Equal(t, v, got[k], k)
		}
	}
}

// TestFlowctlHeartbeatsCarryEveryStat runs source → FilterPayments →
// ContractEvent → SaveToJSONFile over each real ledger with flowctl on,
// for both control-plane APIs, and checks what the control plane received
// against what the ledger holds.
func TestFlowctlHeartbeatsCarryEveryStat(t *testing.T) {
	real := realLedgers(t)
	for _, api := range []controlplane.API{controlplane.Legacy, controlplane.V1} {
		for _, ledger := range real {
			t.Run(string(api)+"/"+ledger.name, func(t *testing.T) {
				cp := startControlPlane(t)
				seq := ledger.lcm.LedgerSequence()
				run, err := (&spec{
					Pipelines: []pipelineSpec{{Dir: ledger.dir, Source: fmt.Sprintf("start_ledger: %d, end_ledger: %d", seq, seq)}},
					Flowctl:   cp.Addr(),
					API:       api,
				}).runToEnd(t, nil)
				require.NoError(t, err)
				out := run.Out[0]

				want := expect(t, ledger.lcm, ledgers.PubnetPassphrase)
				require.Equal(t, want.lines(), countLines(t, out), "JSON lines: payments and events")

				snap := cp.Snapshot()
				require.Len(t, snap.Registrations, 1+len(e2eComponents), "the pipeline and each component")
				reg := snap.Registrations[0]
				assert.Equal(t, api, reg.API)
				assert.Equal(t, "e2e", reg.ServiceID, "the pipeline name, with no component_id")
				assert.Equal(t, "e2e", reg.Metadata["pipeline_id"])

				for _, hb := range snap.Accepted() {
					assert.Empty(t, hb.BadMetrics, "every v1 value parses as a number")
				}
				for _, hb := range snap.AcceptedFor("e2e") {
					assert.Contains(t, hb.Metrics, runtime.MetricComponentCount)
				}
				final := finalHeartbeat(t, api, snap)
				assertEveryStat(t, final.Metrics, e2eComponents)
				payments, events := float64(len(want.Payments)), float64(len(want.Events))
				assertValues(t, final.Metrics, map[string]float64{
					"source.BufferedStorageSourceAdapter.ledgers_processed":   1,
					"source.BufferedStorageSourceAdapter.last_ledger":         float64(seq),
					"source.BufferedStorageSourceAdapter.bytes_read":          ledgerFileSize(t, ledger.dir, seq),
					"source.BufferedStorageSourceAdapter.errors":              0,
					"source.BufferedStorageSourceAdapter.fetch_latency_count": 1,
					"processor.FilterPayments.payments_found":                 payments,
					"processor.FilterPayments.payments_emitted":               payments,
					"processor.FilterPayments.payments_filtered":              0,
					"processor.FilterPayments.filter_ratio":                   0,
					"processor.FilterPayments.errors":                         0,
					"processor.FilterPayments.process_latency_count":          1,
					"processor.ContractEvent.ledgers_processed":               1,
					"processor.ContractEvent.events_found":                    events,
					"processor.ContractEvent.events_emitted":                  events,
					"processor.ContractEvent.failed_transactions":             float64(want.FailedTxs),
					"processor.ContractEvent.last_ledger":                     float64(seq),
					"processor.ContractEvent.errors":                          0,
					"consumer.SaveToJSONFile.messages_written":                payments + events,
					"consumer.SaveToJSONFile.bytes_written":                   fileSize(t, out),
					"consumer.SaveToJSONFile.errors":                          0,
					"consumer.SaveToJSONFile.healthy":                         1,
					runtime.MetricComponentCount:                              4,
					runtime.MetricHealthy:                                     0, // the final heartbeat: stopped
					flowctl.MetricStopped:                                     1,
					runtime.MetricCollectorErrors:                             0,
					runtime.MetricDroppedValues:                               0,
				})
				assert.Greater(t, final.Metrics[runtime.MetricUptime], 0.0)
			})
		}
	}
}

// stalledProxy forwards TCP connections to a target, but passes no byte
// until released: a control plane that is slow to answer, as one across a
// network with a TLS handshake is next to a one-ledger pipeline.
type stalledProxy struct {
	ln      net.Listener
	target  string
	release chan struct{}
	wg      sync.WaitGroup
}

func startStalledProxy(t *testing.T, target string) *stalledProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	p := &stalledProxy{ln: ln, target: target, release: make(chan struct{})}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(func() {
		ln.Close()
		p.wg.Wait()
	})
	return p
}

func (p *stalledProxy) accept() {
	defer p.wg.Done()
	for {
		conn, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.wg.Add(1)
		go p.forward(conn)
	}
}

func (p *stalledProxy) forward(conn net.Conn) {
	defer p.wg.Done()
	defer conn.Close()
	<-p.release
	upstream, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	defer upstream.Close()
	done := make(chan struct{}, 2)
	pipe := func(dst, src net.Conn) {
		_, _ = io.Copy(dst, src)
		done <- struct{}{}
	}
	go pipe(upstream, conn)
	go pipe(conn, upstream)
	<-done // one side closed: close both, which ends the other copy
	conn.Close()
	upstream.Close()
	<-done
}

// TestFinalHeartbeatWhenRegistrationIsSlow runs a pipeline that is done
// before the control plane answers its registration: the drain waits for
// the registration (within the RPC timeout), so that the final heartbeat
// still reports the final numbers.
func TestFinalHeartbeatWhenRegistrationIsSlow(t *testing.T) {
	cp := startControlPlane(t)
	proxy := startStalledProxy(t, cp.Addr())
	dir := pubnetDatastore(t)
	lcm := ledgers.MustPubnet(t)
	seq := lcm.LedgerSequence()
	want := expect(t, lcm, ledgers.PubnetPassphrase)
	run := (&spec{
		Pipelines: []pipelineSpec{{Dir: dir, Source: fmt.Sprintf("start_ledger: %d, end_ledger: %d", seq, seq)}},
		Flowctl:   proxy.ln.Addr().String(),
	}).start(t, nil)
	out := run.Out[0]
	// Answer only once every line is written: the pipeline is draining or
	// done, and Run must not have given up on the registration.
	waitUntil(t, "every line to be written", func() bool { return countLines(t, out) == want.lines() })
	close(proxy.release)
	require.NoError(t, run.wait(t))

	snap := cp.Snapshot()
	require.Len(t, snap.Registrations, 1+len(e2eComponents))
	final := finalHeartbeat(t, controlplane.Legacy, snap)
	assertValues(t, final.Metrics, map[string]float64{
		ledgersKey: 1,
		"consumer.SaveToJSONFile.messages_written": float64(want.lines()),
	})
}
