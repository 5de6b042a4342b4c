package runner_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/internal/testfixtures/controlplane"
	"github.com/cdpstats/cdpstats/runtime"
	"github.com/cdpstats/cdpstats/runtime/flowctl"
)

// TestFlowctlZeroConfig runs a pipeline over synthetic ledgers the way
// flowctl starts one, with ENABLE_FLOWCTL and FLOWCTL_ENDPOINT and no
// flowctl config at all, against a control plane that behaves like each
// real flowctl version. The client picks the API the server speaks, the
// operator's view lists every component with its role, and every
// component's own registration receives its stats.
func TestFlowctlZeroConfig(t *testing.T) {
	kinds := func(wantTypes ...string) func(got []string) bool {
		return func(got []string) bool { return assert.ObjectsAreEqual(wantTypes, got) }
	}
	tests := []struct {
		mode controlplane.Mode
		api  controlplane.API
		// shown is what the operator's command shows of the pipeline
		// while it runs, as type names in ID order.
		shown     func(cp *controlplane.Server) []string
		wantShown func(got []string) bool
		// after checks what the control plane holds after the run.
		after func(t *testing.T, cp *controlplane.Server, snap controlplane.Snapshot)
	}{
		{
			mode: controlplane.ModeV005,
			api:  controlplane.Legacy,
			shown: func(cp *controlplane.Server) []string { // flowctl list
				var types []string
				for _, l := range cp.List() {
					types = append(types, l.Type)
				}
				return types
			},
			wantShown: kinds("PIPELINE", "SINK", "PROCESSOR", "PROCESSOR", "SOURCE"),
			after: func(t *testing.T, cp *controlplane.Server, _ controlplane.Snapshot) {
				listed := cp.List()
				require.Len(t, listed, 1+len(e2eComponents), "legacy has no unregister: the services stay, stopped")
				for _, l := range listed {
					assert.Equal(t, 1.0, l.Metrics[flowctl.MetricStopped], l.ID)
					assert.Equal(t, 0.0, l.Metrics[runtime.MetricHealthy], l.ID)
				}
			},
		},
		{
			mode: controlplane.ModeCurrent,
			api:  controlplane.V1,
			shown: func(cp *controlplane.Server) []string { // flowctl status
				st := cp.Status()
				var types []string
				for _, group := range [][]controlplane.Service{st.Sources, st.Processors, st.Consumers} {
					for _, s := range group {
						types = append(types, s.Type)
					}
				}
				return types
			},
			wantShown: kinds("COMPONENT_TYPE_SOURCE", "COMPONENT_TYPE_PROCESSOR", "COMPONENT_TYPE_PROCESSOR", "COMPONENT_TYPE_CONSUMER"),
			after: func(t *testing.T, cp *controlplane.Server, snap controlplane.Snapshot) {
				assert.Empty(t, cp.Services(), "every registration was unregistered")
				assert.Len(t, snap.Unregistrations, 1+len(e2eComponents))
				final := finalHeartbeatOf(t, controlplane.V1, snap, "e2e.source.BufferedStorageSourceAdapter")
				assert.Equal(t, "1002", final.Text["source.BufferedStorageSourceAdapter.last_ledger"], "integers without exponent")
			},
		},
	}
	for _, tc := range tests {
		t.Run(string(tc.mode), func(t *testing.T) {
			cp := startControlPlane(t, controlplane.WithMode(tc.mode))
			ds := newGrowingDatastore(t, 1000)
			ds.add(3)
			out := filepath.Join(t.TempDir(), "out.jsonl")
			cfg := writeConfig(t, fmt.Sprintf(`
pipelines:
  e2e:
    source:
      type: BufferedStorageSourceAdapter
      config: {path: %s, start_ledger: 1000, end_ledger: 0, retry_wait: 20ms}
    processors:
      - type: FilterPayments
      - type: ContractEvent
    consumers:
      - type: SaveToJSONFile
        config: {path: %s}
stats: {interval: 20ms, live: false}
`, q(ds.dir), q(out)))
			r := newRunner(t, cfg)
			r.Env = envOf(map[string]string{"ENABLE_FLOWCTL": "true", "FLOWCTL_ENDPOINT": cp.Addr()})

			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			done := startRun(ctx, r)
			waitUntil(t, "every ledger to be processed", func() bool { return countLines(t, out) == ds.want.lines() })
			var shown []string
			_, err := cp.WaitFor(waitCtx(t), "every component shown", func(controlplane.Snapshot) bool {
				shown = tc.shown(cp)
				return tc.wantShown(shown)
			})
			require.NoError(t, err, "shown: %v", shown)
			cancel()
			require.NoError(t, waitRun(t, done))

			snap := cp.Snapshot()
			for _, reg := range snap.Registrations {
				assert.Equal(t, tc.api, reg.API, "the API the server speaks, chosen without config")
			}
			payments, events := float64(len(ds.want.Payments)), float64(len(ds.want.Events))
			want := map[string]map[string]float64{
				"source.BufferedStorageSourceAdapter": {"ledgers_processed": 3, "last_ledger": 1002, "errors": 0},
				"processor.FilterPayments":            {"payments_found": payments, "payments_emitted": payments},
				"processor.ContractEvent":             {"ledgers_processed": 3, "events_found": events},
				"consumer.SaveToJSONFile":             {"messages_written": payments + events, "bytes_written": fileSize(t, out)},
			}
			for _, c := range e2eComponents {
				prefix := c.kind + "." + c.name + "."
				final := finalHeartbeatOf(t, tc.api, snap, "e2e."+c.kind+"."+c.name)
				keys := componentKeys(t, c)
				for _, k := range keys {
					assert.Contains(t, final.Metrics, prefix+k)
				}
				assert.Len(t, final.Metrics, len(keys)+2, "its own stats, and the stopped marks")
				for stat, v := range want[c.kind+"."+c.name] {
					assert.Equal(t, v, final.Metrics[prefix+stat], prefix+stat)
				}
			}
			pipeline := finalHeartbeat(t, tc.api, snap)
			assertEveryStat(t, pipeline.Metrics, e2eComponents)
			assert.Equal(t, 3.0, pipeline.Metrics[ledgersKey])
			tc.after(t, cp, snap)
		})
	}
}
