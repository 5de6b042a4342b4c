package flowctl_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/internal/testfixtures/controlplane"
	"github.com/cdpstats/cdpstats/runtime"
	"github.com/cdpstats/cdpstats/runtime/flowctl"
)

var apis = []struct {
	api         flowctl.API
	fixture     controlplane.API
	serviceType string
}{
	{flowctl.APILegacy, controlplane.Legacy, "SERVICE_TYPE_PIPELINE"},
	{flowctl.APIV1, controlplane.V1, "COMPONENT_TYPE_UNSPECIFIED"},
}

// timeVarying reports the metric keys whose value changes with the clock
// alone, so two reads of unchanged stats can differ in them.
func timeVarying(key string) bool {
	return key == runtime.MetricUptime || strings.HasSuffix(key, "."+runtime.StatsAgeKey)
}

func TestClientReportsPipelineStats(t *testing.T) {
	for _, tc := range apis {
		t.Run(string(tc.api), func(t *testing.T) {
			srv := startControlPlane(t)
			stats := fixedStats()
			client := newClient(t, testConfig(tc.api, srv.Addr()), stats)
			stop := runClient(t, client)

			snap, err := srv.WaitForAccepted(waitCtx(t), 2)
			require.NoError(t, err)
			require.NoError(t, stop())

			require.Len(t, snap.Registrations, 1)
			reg := snap.Registrations[0]
			assert.Equal(t, tc.fixture, reg.API)
			assert.Equal(t, "cdp-test", reg.RequestedID)
			assert.Equal(t, "cdp-test", reg.ComponentID)
			assert.Equal(t, "cdp-test", reg.ServiceID)
			assert.Equal(t, tc.serviceType, reg.ServiceType)
			assert.Equal(t, "http://127.0.0.1:9464/metrics", reg.HealthEndpoint)
			assert.Equal(t, map[string]string{"owner": "tests", "pipeline_id": "test-pipeline"}, reg.Metadata)

			want := stats.GetMetrics()
			for _, hb := range snap.Accepted() {
				assert.Equal(t, "cdp-test", hb.ServiceID)
				assert.Empty(t, hb.BadMetrics)
				require.Len(t, hb.Metrics, len(want), "every key of GetMetrics, no more")
				for k, v := range want {
					require.Contains(t, hb.Metrics, k)
					if !timeVarying(k) {
						assert.Equal(t, v, hb.Metrics[k], k)
					}
				}
				if tc.api == flowctl.APIV1 {
					assert.Equal(t, "HEALTH_STATUS_HEALTHY", hb.Status)
				} else {
					assert.False(t, hb.Timestamp.IsZero(), "legacy heartbeats carry a timestamp")
				}
			}
			// The values a user looks for, spelled out.
			hb := snap.Accepted()[0]
			assert.Equal(t, 42.0, hb.Metrics["source.test-source.processed"])
			assert.Equal(t, 58752000.0, hb.Metrics["source.test-source.last_ledger"])
			assert.Equal(t, 7.0, hb.Metrics["processor.payments.payments_found"])
			assert.Equal(t, 0.25, hb.Metrics["processor.payments.filter_ratio"])
			assert.Equal(t, 1.0, hb.Metrics["processor.payments.healthy"])
			assert.Equal(t, 2.0, hb.Metrics["pipeline.component_count"])
			assert.Equal(t, 1.0, hb.Metrics["pipeline.healthy"])

			// Run sent one last heartbeat after its context ended.
			final := srv.Snapshot()
			last, ok := final.LastAccepted()
			require.True(t, ok)
			if tc.api == flowctl.APIV1 {
				assert.Equal(t, "HEALTH_STATUS_STOPPING", last.Status)
			}
			counters := client.Counters()
			assert.Equal(t, uint64(1), counters.Registrations)
			// A periodic heartbeat in flight when the context ends may reach
			// the server and still count as cancelled on the client.
			accepted := uint64(len(final.Accepted()))
			assert.LessOrEqual(t, counters.HeartbeatsSent, accepted)
			assert.GreaterOrEqual(t, counters.HeartbeatsSent+1, accepted)
			assert.Zero(t, counters.HeartbeatsFailed)
			assert.Equal(t, "cdp-test", client.ServiceID())
		})
	}
}

func TestClientServiceIDDefaultsToPipelineID(t *testing.T) {
	srv := startControlPlane(t)
	cfg := testConfig(flowctl.APILegacy, srv.Addr())
	cfg.ComponentID = ""
	stop := runClient(t, newClient(t, cfg, fixedStats()))
	snap, err := srv.WaitForAccepted(waitCtx(t), 1)
	require.NoError(t, err)
	require.NoError(t, stop())
	assert.Equal(t, "test-pipeline", snap.Registrations[0].RequestedID)
	assert.Empty(t, snap.Registrations[0].ComponentID)
}

func TestClientV1ReportsHealth(t *testing.T) {
	tests := []struct {
		name  string
		stats func() *runtime.PipelineStats
		want  string
	}{
		{"no component yet", func() *runtime.PipelineStats { return runtime.NewPipelineStats("p") }, "HEALTH_STATUS_STARTING"},
		{"all fresh", fixedStats, "HEALTH_STATUS_HEALTHY"},
		{"one stale", func() *runtime.PipelineStats {
			ps := fixedStats()
			ps.UpdateComponentStats(runtime.ComponentStats{
				ComponentType: "consumer", ComponentName: "stuck",
				Stats: map[string]interface{}{"written": 1}, LastUpdated: time.Now().Add(-time.Hour),
			})
			return ps
		}, "HEALTH_STATUS_DEGRADED"},
		{"all stale", func() *runtime.PipelineStats {
			ps := runtime.NewPipelineStats("p")
			ps.UpdateComponentStats(runtime.ComponentStats{
				ComponentType: "consumer", ComponentName: "stuck",
				Stats: map[string]interface{}{"written": 1}, LastUpdated: time.Now().Add(-time.Hour),
			})
			return ps
		}, "HEALTH_STATUS_UNHEALTHY"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := startControlPlane(t)
			stop := runClient(t, newClient(t, testConfig(flowctl.APIV1, srv.Addr()), tc.stats()))
			snap, err := srv.WaitForAccepted(waitCtx(t), 1)
			require.NoError(t, err)
			require.NoError(t, stop())
			assert.Equal(t, tc.want, snap.Accepted()[0].Status)
		})
	}
}

func TestClientReregistersWhenHeartbeatIsNotFound(t *testing.T) {
	styles := []struct {
		name string
		opts []controlplane.Option
	}{
		{"NotFound code", nil},
		// flowctl's own server answers with a plain error instead.
		{"plain not found error", []controlplane.Option{controlplane.WithPlainNotFound()}},
	}
	for _, tc := range apis {
		for _, style := range styles {
			t.Run(string(tc.api)+"/"+style.name, func(t *testing.T) {
				srv := startControlPlane(t, style.opts...)
				client := newClient(t, testConfig(tc.api, srv.Addr()), fixedStats())
				stop := runClient(t, client)
				ctx := waitCtx(t)

				_, err := srv.WaitForAccepted(ctx, 1)
				require.NoError(t, err)
				srv.Forget()

				snap, err := srv.WaitFor(ctx, "a heartbeat accepted after registering again", func(s controlplane.Snapshot) bool {
					if len(s.Registrations) < 2 {
						return false
					}
					second := s.Registrations[1].Received
					for _, hb := range s.Accepted() {
						if hb.Received.After(second) {
							return true
						}
					}
					return false
				})
				require.NoError(t, err)
				require.NoError(t, stop())

				rejected := 0
				for _, hb := range snap.Heartbeats {
					if !hb.Accepted {
						rejected++
					}
				}
				assert.Equal(t, 1, rejected, "one rejected heartbeat triggers one registration")
				counters := client.Counters()
				assert.Equal(t, uint64(2), counters.Registrations)
				assert.Equal(t, uint64(1), counters.Reregistrations)
				assert.Equal(t, uint64(1), counters.HeartbeatsFailed)
			})
		}
	}
}

func TestClientRetriesRegistrationUntilControlPlaneIsUp(t *testing.T) {
	for _, tc := range apis {
		t.Run(string(tc.api), func(t *testing.T) {
			srv := startControlPlane(t)
			srv.Stop() // keep the address, with nothing listening on it
			client := newClient(t, testConfig(tc.api, srv.Addr()), fixedStats())
			stop := runClient(t, client)

			require.Eventually(t, func() bool { return client.Counters().RegistrationFailures >= 3 },
				waitTimeout, time.Millisecond, "registration is retried while the control plane is down")
			assert.Zero(t, client.Counters().Registrations)
			assert.Empty(t, client.ServiceID())

			require.NoError(t, srv.Restart())
			snap, err := srv.WaitForAccepted(waitCtx(t), 1)
			require.NoError(t, err)
			require.NoError(t, stop())
			assert.Len(t, snap.Registrations, 1)
			assert.Equal(t, uint64(1), client.Counters().Registrations)
		})
	}
}

func TestClientStoppedBeforeRegisteringReturns(t *testing.T) {
	srv := startControlPlane(t)
	srv.Stop()
	client := newClient(t, testConfig(flowctl.APILegacy, srv.Addr()), fixedStats())
	stop := runClient(t, client)
	require.Eventually(t, func() bool { return client.Counters().RegistrationFailures >= 1 }, waitTimeout, time.Millisecond)
	require.NoError(t, stop())
	assert.Zero(t, client.Counters().HeartbeatsSent)
}

// TestClientSurvivesControlPlaneRestart stops the control plane mid-run and
// starts it again on the same port: the pipeline goes on collecting
// throughout, the client registers again, and heartbeats resume with
// newer stats.
func TestClientSurvivesControlPlaneRestart(t *testing.T) {
	for _, tc := range apis {
		t.Run(string(tc.api), func(t *testing.T) {
			src := &countingSource{}
			stats := runPipeline(t, src)
			srv := startControlPlane(t)
			client := newClient(t, testConfig(tc.api, srv.Addr()), stats)
			stop := runClient(t, client)
			ctx := waitCtx(t)
			const key = "source.counting-source.processed"

			before, err := srv.WaitFor(ctx, "a heartbeat with the source's stats", func(s controlplane.Snapshot) bool {
				hb, ok := s.LastAccepted()
				return ok && hb.Metrics[key] > 0
			})
			require.NoError(t, err)
			lastBefore, _ := before.LastAccepted()

			srv.Stop()
			collectedAtStop := src.n.Load()
			failedAtStop := client.Counters().HeartbeatsFailed
			require.Eventually(t, func() bool { return client.Counters().HeartbeatsFailed > failedAtStop },
				waitTimeout, time.Millisecond, "heartbeats fail while the control plane is down")
			require.Eventually(t, func() bool { return src.n.Load() > collectedAtStop+3 },
				waitTimeout, time.Millisecond, "the pipeline goes on while the control plane is down")

			require.NoError(t, srv.Restart())
			after, err := srv.WaitFor(ctx, "a heartbeat after registering again", func(s controlplane.Snapshot) bool {
				if len(s.Registrations) < 2 {
					return false
				}
				hb, ok := s.LastAccepted()
				return ok && hb.Received.After(s.Registrations[1].Received)
			})
			require.NoError(t, err)
			require.NoError(t, stop())

			lastAfter, _ := after.LastAccepted()
			assert.Greater(t, lastAfter.Metrics[key], lastBefore.Metrics[key], "heartbeats carry the newer stats")
			assert.Equal(t, 2, len(after.Registrations))
			assert.Equal(t, uint64(2), client.Counters().Registrations)
			assert.Equal(t, uint64(1), client.Counters().Reregistrations)
		})
	}
}

// TestClientSlowControlPlaneDoesNotBlock makes every heartbeat hang until
// the caller gives up. Each heartbeat must end at the RPC timeout, the
// pipeline must go on collecting meanwhile, and Run must still return
// when its context ends.
func TestClientSlowControlPlaneDoesNotBlock(t *testing.T) {
	for _, tc := range apis {
		t.Run(string(tc.api), func(t *testing.T) {
			src := &countingSource{}
			stats := runPipeline(t, src)
			srv := startControlPlane(t)
			hung := make(chan struct{}, 100)
			srv.SetHeartbeatHook(func(ctx context.Context, _ controlplane.API, _ string) error {
				select {
				case hung <- struct{}{}:
				default:
				}
				<-ctx.Done() // hang until the client's deadline cancels the call
				return ctx.Err()
			})
			cfg := testConfig(tc.api, srv.Addr())
			cfg.RPCTimeout = 50 * time.Millisecond
			client := newClient(t, cfg, stats)
			stop := runClient(t, client)

			select {
			case <-hung:
			case <-time.After(waitTimeout):
				t.Fatal("no heartbeat reached the control plane")
			}
			collected := src.n.Load()
			require.Eventually(t, func() bool { return client.Counters().HeartbeatsFailed >= 3 },
				waitTimeout, time.Millisecond, "hung heartbeats time out and the next ones are sent")
			assert.Greater(t, src.n.Load(), collected, "the pipeline collected while heartbeats hung")

			require.NoError(t, stop(), "Run returns although the final heartbeat hangs too")
			counters := client.Counters()
			assert.Zero(t, counters.HeartbeatsSent)
			assert.Equal(t, uint64(1), counters.Registrations)
			assert.Zero(t, counters.Reregistrations, "a time-out is not a lost registration")
			for _, hb := range srv.Snapshot().Heartbeats {
				assert.False(t, hb.Accepted)
			}
		})
	}
}

func TestClientTLS(t *testing.T) {
	pki := newTestPKI(t)
	other := newTestPKI(t)
	tests := []struct {
		name       string
		mutual     bool
		tls        flowctl.TLSConfig
		registered bool
	}{
		{"server TLS", false, flowctl.TLSConfig{Enabled: true, CAFile: pki.caFile}, true},
		{"server TLS with server name", false, flowctl.TLSConfig{Enabled: true, CAFile: pki.caFile, ServerName: "control-plane.test"}, true},
		{"mutual TLS", true, flowctl.TLSConfig{Enabled: true, CAFile: pki.caFile, CertFile: pki.clientCert, KeyFile: pki.clientKey}, true},
		{"untrusted server", false, flowctl.TLSConfig{Enabled: true, CAFile: other.caFile}, false},
		{"wrong server name", false, flowctl.TLSConfig{Enabled: true, CAFile: pki.caFile, ServerName: "elsewhere.test"}, false},
		{"mutual TLS without client certificate", true, flowctl.TLSConfig{Enabled: true, CAFile: pki.caFile}, false},
		{"plaintext to a TLS server", false, flowctl.TLSConfig{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := startControlPlane(t, controlplane.WithTLS(pki.serverTLS(t, tc.mutual)))
			cfg := testConfig(flowctl.APILegacy, srv.Addr())
			cfg.TLS = tc.tls
			client := newClient(t, cfg, fixedStats())
			stop := runClient(t, client)
			if tc.registered {
				_, err := srv.WaitForAccepted(waitCtx(t), 1)
				require.NoError(t, err)
			} else {
				require.Eventually(t, func() bool { return client.Counters().RegistrationFailures >= 2 }, waitTimeout, time.Millisecond)
			}
			require.NoError(t, stop())
			assert.Equal(t, tc.registered, client.Counters().Registrations == 1)
			assert.Equal(t, tc.registered, len(srv.Snapshot().Registrations) == 1)
		})
	}
}

func TestNewRejectsBadInput(t *testing.T) {
	pki := newTestPKI(t)
	tests := []struct {
		name    string
		cfg     flowctl.Config
		nilPS   bool
		wantErr string
	}{
		{"nil stats", flowctl.Config{}, true, "nil PipelineStats"},
		{"bad config", flowctl.Config{API: "v2"}, false, `flowctl.api: unknown API "v2"`},
		{"missing CA file", flowctl.Config{TLS: flowctl.TLSConfig{Enabled: true, CAFile: "/nonexistent/ca.pem"}}, false, "flowctl.tls.ca_file"},
		{"CA file without PEM", flowctl.Config{TLS: flowctl.TLSConfig{Enabled: true, CAFile: pki.serverKey}}, false, "flowctl.tls.ca_file"},
		{"key that does not match", flowctl.Config{TLS: flowctl.TLSConfig{Enabled: true, CertFile: pki.clientCert, KeyFile: pki.serverKey}}, false, "flowctl.tls.cert_file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ps := fixedStats()
			if tc.nilPS {
				ps = nil
			}
			_, err := flowctl.New(tc.cfg, ps)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.wantErr)
		})
	}
}

func TestRunTwiceFails(t *testing.T) {
	srv := startControlPlane(t)
	client := newClient(t, testConfig(flowctl.APILegacy, srv.Addr()), fixedStats())
	stop := runClient(t, client)
	_, err := srv.WaitForAccepted(waitCtx(t), 1)
	require.NoError(t, err)
	err = client.Run(context.Background())
	require.Error(t, err)
	assert.True(t, strings.Contains(err.Error(), "twice"), err)
	require.NoError(t, stop())
	assert.False(t, errors.Is(err, context.Canceled))
}

// TestClientFinalHeartbeatIsLast stops the client while a heartbeat is in
// flight: that heartbeat must finish before the final one is sent, or the
// control plane could record it after the final one and keep stale
// numbers.
func TestClientFinalHeartbeatIsLast(t *testing.T) {
	srv := startControlPlane(t)
	client := newClient(t, testConfig(flowctl.APIV1, srv.Addr()), fixedStats())
	stop := runClient(t, client)
	_, err := srv.WaitForAccepted(waitCtx(t), 1)
	require.NoError(t, err)

	inFlight := make(chan struct{})
	var once sync.Once
	srv.SetHeartbeatHook(func(context.Context, controlplane.API, string) error {
		delayed := false
		once.Do(func() { delayed = true; close(inFlight) })
		if delayed {
			time.Sleep(200 * time.Millisecond) // answered late, whatever the client does
		}
		return nil
	})
	<-inFlight
	require.NoError(t, stop())

	accepted := srv.Snapshot().Accepted()
	require.GreaterOrEqual(t, len(accepted), 3)
	assert.Equal(t, "HEALTH_STATUS_STOPPING", accepted[len(accepted)-1].Status, "the final heartbeat is recorded last")
	assert.NotEqual(t, "HEALTH_STATUS_STOPPING", accepted[len(accepted)-2].Status, "the heartbeat in flight was not cut short")
}

// TestClientRegistersWhenStoppedMidRegistration ends ctx while the first
// registration is in flight: it completes, and the final heartbeat is sent.
func TestClientRegistersWhenStoppedMidRegistration(t *testing.T) {
	srv := startControlPlane(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // ended before Run starts: the first attempt is already "in flight"
	client := newClient(t, testConfig(flowctl.APIV1, srv.Addr()), fixedStats())
	require.NoError(t, client.Run(ctx))

	snap := srv.Snapshot()
	require.Len(t, snap.Registrations, 1)
	accepted := snap.Accepted()
	require.Len(t, accepted, 1, "only the final heartbeat")
	assert.Equal(t, "HEALTH_STATUS_STOPPING", accepted[0].Status)
}
