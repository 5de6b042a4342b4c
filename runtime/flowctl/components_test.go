package flowctl_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/internal/testfixtures/controlplane"
	"github.com/cdpstats/cdpstats/runtime"
	"github.com/cdpstats/cdpstats/runtime/flowctl"
)

// TestClientTypedRegistration registers the pipeline and each component
// with its role as its type, and checks that each component's heartbeats
// carry its own stats, under the pipeline's keys, and the pipeline's
// every key.
func TestClientTypedRegistration(t *testing.T) {
	tests := []struct {
		api     flowctl.API
		fixture controlplane.API
		types   map[string]string // service ID → type
	}{
		{flowctl.APILegacy, controlplane.Legacy, map[string]string{
			"cdp-test":                    "SERVICE_TYPE_PIPELINE",
			"cdp-test.source.test-source": "SERVICE_TYPE_SOURCE",
			"cdp-test.processor.payments": "SERVICE_TYPE_PROCESSOR",
			"cdp-test.consumer.out":       "SERVICE_TYPE_SINK",
		}},
		{flowctl.APIV1, controlplane.V1, map[string]string{
			"cdp-test":                    "COMPONENT_TYPE_UNSPECIFIED",
			"cdp-test.source.test-source": "COMPONENT_TYPE_SOURCE",
			"cdp-test.processor.payments": "COMPONENT_TYPE_PROCESSOR",
			"cdp-test.consumer.out":       "COMPONENT_TYPE_CONSUMER",
		}},
	}
	for _, tc := range tests {
		t.Run(string(tc.api), func(t *testing.T) {
			srv := startControlPlane(t)
			stats := fixedStats()
			client, _ := newRecordedClient(t, testConfig(tc.api, srv.Addr()), stats)
			client.SetComponents(testComponents...)
			stop := runClient(t, client)
			snap, err := srv.WaitFor(waitCtx(t), "a heartbeat of every registration", func(s controlplane.Snapshot) bool {
				for id := range tc.types {
					if len(s.AcceptedFor(id)) == 0 {
						return false
					}
				}
				return true
			})
			require.NoError(t, err)
			require.NoError(t, stop())

			types := map[string]string{}
			regs := map[string]controlplane.Registration{}
			for _, r := range snap.Registrations {
				assert.Equal(t, tc.fixture, r.API)
				types[r.ServiceID] = r.ServiceType
				regs[r.ServiceID] = r
			}
			assert.Equal(t, tc.types, types)
			assert.Equal(t, map[string]string{
				"owner": "tests", "pipeline_id": "test-pipeline",
				"go_type": "*processor.FilterPayments", "type": "FilterPayments", "instance": "payments", "name": "payments",
			}, regs["cdp-test.processor.payments"].Metadata)
			assert.Equal(t, "cdp-test.processor.payments", regs["cdp-test.processor.payments"].ComponentID)
			assert.Equal(t, "cdp-test", regs["cdp-test"].ComponentID)

			keys := func(hb controlplane.Heartbeat) []string {
				var out []string
				for k := range hb.Metrics {
					out = append(out, k)
				}
				return out
			}
			pipeline := snap.AcceptedFor("cdp-test")[0]
			assert.Len(t, pipeline.Metrics, len(stats.GetMetrics()), "the pipeline's registration carries every key")
			assert.ElementsMatch(t, []string{
				"processor.payments.payments_found", "processor.payments.filter_ratio",
				"processor.payments.healthy", "processor.payments.stats_age_seconds",
			}, keys(snap.AcceptedFor("cdp-test.processor.payments")[0]))
			source := snap.AcceptedFor("cdp-test.source.test-source")[0]
			assert.Equal(t, 42.0, source.Metrics["source.test-source.processed"])
			assert.Equal(t, 58752000.0, source.Metrics["source.test-source.last_ledger"])
			assert.Len(t, source.Metrics, 4)
			consumer := snap.AcceptedFor("cdp-test.consumer.out")[0]
			assert.Empty(t, consumer.Metrics, "a component that has not reported has no stats yet")
			if tc.api == flowctl.APIV1 {
				assert.Equal(t, "HEALTH_STATUS_STARTING", consumer.Status)
				assert.Equal(t, "HEALTH_STATUS_HEALTHY", source.Status)
				assert.Equal(t, "58752000", source.Text["source.test-source.last_ledger"], "integers without exponent")
			}
		})
	}
}

// TestClientV1ComponentStatus checks each component's own status under
// v1: unhealthy when its stats are stale, while the others stay healthy.
func TestClientV1ComponentStatus(t *testing.T) {
	srv := startControlPlane(t)
	stats := fixedStats()
	stats.Component(filterDesc, "payments").Update(runtime.Snapshot{Values: []float64{7, 0.25}}, time.Now().Add(-time.Hour))
	client, _ := newRecordedClient(t, testConfig(flowctl.APIV1, srv.Addr()), stats)
	client.SetComponents(testComponents[:2]...)
	stop := runClient(t, client)
	snap, err := srv.WaitFor(waitCtx(t), "a heartbeat of each component", func(s controlplane.Snapshot) bool {
		return len(s.AcceptedFor("cdp-test.source.test-source")) > 0 && len(s.AcceptedFor("cdp-test.processor.payments")) > 0
	})
	require.NoError(t, err)
	require.NoError(t, stop())
	assert.Equal(t, "HEALTH_STATUS_HEALTHY", snap.AcceptedFor("cdp-test.source.test-source")[0].Status)
	stale := snap.AcceptedFor("cdp-test.processor.payments")[0]
	assert.Equal(t, "HEALTH_STATUS_UNHEALTHY", stale.Status)
	assert.Equal(t, 0.0, stale.Metrics["processor.payments.healthy"])
}

// TestClientAutoChoosesAPI runs with the default api against each real
// flowctl version, and checks the choice, logged once at INFO with its
// reason, also across a re-registration.
func TestClientAutoChoosesAPI(t *testing.T) {
	tests := []struct {
		mode   controlplane.Mode
		want   flowctl.API
		reason string
	}{
		{controlplane.ModeV005, flowctl.APILegacy, "auto: the control plane does not serve v1 (rpc error: code = Unimplemented desc = unknown service flowctl.v1.ControlPlaneService)"},
		{controlplane.ModeCurrent, flowctl.APIV1, "auto: the control plane serves flowctl.v1.ControlPlaneService"},
	}
	for _, tc := range tests {
		t.Run(string(tc.mode), func(t *testing.T) {
			srv := startControlPlane(t, controlplane.WithMode(tc.mode))
			cfg := testConfig("", srv.Addr())
			client, logs := newRecordedClient(t, cfg, fixedStats())
			client.SetComponents(testComponents...)
			stop := runClient(t, client)
			ctx := waitCtx(t)
			_, err := srv.WaitForAccepted(ctx, 4)
			require.NoError(t, err)
			srv.Forget()
			_, err = srv.WaitFor(ctx, "a second registration round", func(s controlplane.Snapshot) bool { return len(s.Registrations) >= 8 })
			require.NoError(t, err)
			require.NoError(t, stop())

			assert.Equal(t, tc.want, client.API())
			for _, r := range srv.Snapshot().Registrations {
				assert.Equal(t, controlplane.API(tc.want), r.API)
			}
			choices := logs.withMsg("flowctl: using API")
			require.Len(t, choices, 1, "the choice is logged once")
			assert.Equal(t, "INFO", choices[0].level.String())
			assert.Equal(t, "flowctl: using API "+string(tc.want), choices[0].msg)
			assert.Equal(t, tc.reason, choices[0].attrs["reason"])
		})
	}
}

// TestClientReprobesAfterUpgrade replaces a v0.0.5 control plane by a
// current one on the same address: the client, which chose legacy, probes
// again when it registers again, and moves to v1.
func TestClientReprobesAfterUpgrade(t *testing.T) {
	srv := startControlPlane(t, controlplane.WithMode(controlplane.ModeV005))
	client, logs := newRecordedClient(t, testConfig(flowctl.APIAuto, srv.Addr()), fixedStats())
	stop := runClient(t, client)
	ctx := waitCtx(t)
	_, err := srv.WaitForAccepted(ctx, 1)
	require.NoError(t, err)
	assert.Equal(t, flowctl.APILegacy, client.API())

	srv.Stop()
	require.NoError(t, srv.Restart(controlplane.WithMode(controlplane.ModeCurrent)))
	_, err = srv.WaitFor(ctx, "a v1 heartbeat", func(s controlplane.Snapshot) bool {
		hb, ok := s.LastAccepted()
		return ok && hb.API == controlplane.V1
	})
	require.NoError(t, err)
	require.NoError(t, stop())
	assert.Equal(t, flowctl.APIV1, client.API())
	var msgs []string
	for _, l := range logs.withMsg("flowctl: using API") {
		msgs = append(msgs, l.msg)
	}
	assert.Equal(t, []string{"flowctl: using API legacy", "flowctl: using API v1"}, msgs)
}

// TestClientShutdown checks what the control plane holds after the client
// stops: with legacy, every registration's last heartbeat marks the
// pipeline stopped; with v1, every registration said STOPPING and was
// unregistered.
func TestClientShutdown(t *testing.T) {
	ids := []string{"cdp-test", "cdp-test.consumer.out", "cdp-test.processor.payments", "cdp-test.source.test-source"}
	tests := []struct {
		mode  controlplane.Mode
		check func(t *testing.T, srv *controlplane.Server)
	}{
		{controlplane.ModeV005, func(t *testing.T, srv *controlplane.Server) {
			services := srv.Services()
			require.Len(t, services, len(ids), "legacy cannot unregister")
			for _, s := range services {
				assert.Equal(t, 1.0, s.Metrics[flowctl.MetricStopped], s.ID)
				assert.Equal(t, 0.0, s.Metrics[runtime.MetricHealthy], s.ID)
			}
			assert.Empty(t, srv.Snapshot().Unregistrations)
		}},
		{controlplane.ModeCurrent, func(t *testing.T, srv *controlplane.Server) {
			snap := srv.Snapshot()
			var unregistered []string
			for _, u := range snap.Unregistrations {
				assert.True(t, u.Known)
				unregistered = append(unregistered, u.ServiceID)
			}
			assert.ElementsMatch(t, ids, unregistered)
			assert.Empty(t, srv.Services(), "nothing is left to look healthy")
			for _, id := range ids {
				hbs := snap.AcceptedFor(id)
				require.NotEmpty(t, hbs, id)
				final := hbs[len(hbs)-1]
				assert.Equal(t, "HEALTH_STATUS_STOPPING", final.Status, id)
				assert.Equal(t, "1", final.Text[flowctl.MetricStopped], id)
				assert.True(t, final.Received.Before(snap.Unregistrations[0].Received) || final.Received.Equal(snap.Unregistrations[0].Received),
					"unregistered after the final heartbeat")
			}
		}},
	}
	for _, tc := range tests {
		t.Run(string(tc.mode), func(t *testing.T) {
			srv := startControlPlane(t, controlplane.WithMode(tc.mode))
			client, logs := newRecordedClient(t, testConfig(flowctl.APIAuto, srv.Addr()), fixedStats())
			client.SetComponents(testComponents...)
			stop := runClient(t, client)
			_, err := srv.WaitForAccepted(waitCtx(t), len(ids))
			require.NoError(t, err)
			require.NoError(t, stop())
			tc.check(t, srv)
			assert.Len(t, logs.withMsg("flowctl: sent final heartbeat"), 1)
		})
	}
}

// TestClientLogsAnOutageOnce keeps the control plane down for many
// registration attempts: one WARN, the rest at DEBUG, and one INFO when
// it comes back, with how long the outage lasted.
func TestClientLogsAnOutageOnce(t *testing.T) {
	srv := startControlPlane(t)
	srv.Stop()
	client, logs := newRecordedClient(t, testConfig(flowctl.APILegacy, srv.Addr()), fixedStats())
	stop := runClient(t, client)
	require.Eventually(t, func() bool { return client.Counters().RegistrationFailures >= 5 },
		waitTimeout, time.Millisecond)
	require.NoError(t, srv.Restart())
	_, err := srv.WaitForAccepted(waitCtx(t), 1)
	require.NoError(t, err)
	require.NoError(t, stop())

	failures := logs.withMsg("flowctl: registration failed")
	require.GreaterOrEqual(t, len(failures), 5)
	assert.Equal(t, "WARN", failures[0].level.String())
	for _, l := range failures[1:] {
		assert.Equal(t, "DEBUG", l.level.String())
	}
	recovered := logs.withMsg("flowctl: control plane reachable again")
	require.Len(t, recovered, 1)
	assert.Equal(t, "INFO", recovered[0].level.String())
	assert.NotEmpty(t, recovered[0].attrs["outage"])
	assert.Equal(t, failures[len(failures)-1].attrs["attempt"], recovered[0].attrs["failed_attempts"])
}

// TestClientLogsHeartbeatOutageOnce stops the control plane after the
// client registered and starts it again: one WARN for the failed
// heartbeats, DEBUG for the repeats, and one INFO once heartbeats resume
// after the client registered again, with the outage's length.
func TestClientLogsHeartbeatOutageOnce(t *testing.T) {
	srv := startControlPlane(t)
	client, logs := newRecordedClient(t, testConfig(flowctl.APILegacy, srv.Addr()), fixedStats())
	stop := runClient(t, client)
	_, err := srv.WaitForAccepted(waitCtx(t), 1)
	require.NoError(t, err)

	srv.Stop()
	require.Eventually(t, func() bool { return client.Counters().HeartbeatsFailed >= 3 },
		waitTimeout, time.Millisecond)
	require.NoError(t, srv.Restart())
	require.Eventually(t, func() bool { return len(logs.withMsg("flowctl: heartbeats resumed")) > 0 },
		waitTimeout, time.Millisecond, "heartbeats resume after the client registered again")
	require.NoError(t, stop())

	failures := logs.withMsg("flowctl: heartbeat failed")
	require.GreaterOrEqual(t, len(failures), 3)
	assert.Equal(t, "WARN", failures[0].level.String())
	for _, l := range failures[1:] {
		assert.Equal(t, "DEBUG", l.level.String())
	}
	resumed := logs.withMsg("flowctl: heartbeats resumed")
	require.Len(t, resumed, 1)
	assert.Equal(t, "INFO", resumed[0].level.String())
	assert.NotEmpty(t, resumed[0].attrs["outage"])
}
