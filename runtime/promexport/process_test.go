package promexport_test

import (
	"bytes"
	"net/http"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/runtime"
	"github.com/cdpstats/cdpstats/runtime/promexport"
)

func TestProcessCollectorsAreServed(t *testing.T) {
	ps := runtime.NewPipelineStats("resources")
	ps.UpdateComponentStats(runtime.ComponentStats{
		ComponentType: "processor", ComponentName: "FilterPayments", LastUpdated: time.Now(),
		Stats: map[string]interface{}{"messages_processed": 3},
	})
	families := scrape(t, serve(t, ps, promexport.WithProcessCollectors()))
	for _, name := range []string{
		"go_goroutines",
		"go_memstats_heap_inuse_bytes",
		"go_cpu_classes_gc_total_cpu_seconds_total",
		"go_cpu_classes_total_cpu_seconds_total",
		"go_sched_pauses_total_gc_seconds",
		"process_cpu_seconds_total",
		"process_resident_memory_bytes",
	} {
		assert.Contains(t, families, name)
	}
}

// TestPromtoolCheckMetrics lints a real scrape, pipeline stats and the Go
// and process collectors together, with Prometheus's own promtool
// (Debian's prometheus package). Without promtool it skips, except under
// CI=true, where it fails.
func TestPromtoolCheckMetrics(t *testing.T) {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("promtool is required under CI=true (apt-get install prometheus): %v", err)
		}
		t.Skipf("promtool not installed (apt-get install prometheus): %v", err)
	}
	ps := runtime.NewPipelineStats("lint")
	ps.UpdateComponentStats(runtime.ComponentStats{
		ComponentType: "source", ComponentName: "BufferedStorageSourceAdapter", LastUpdated: time.Now(),
		Stats: map[string]interface{}{"ledgers_processed": 7, "bytes_read": 4096},
	})
	ps.AddMetricsSource(runtime.NewProcessSampler())
	code, body := get(t, serve(t, ps, promexport.WithProcessCollectors())+"/metrics")
	require.Equal(t, http.StatusOK, code, string(body))

	cmd := exec.CommandContext(t.Context(), promtool, "check", "metrics")
	cmd.Stdin = bytes.NewReader(body)
	out, err := cmd.CombinedOutput()
	assert.NoError(t, err, "promtool check metrics:\n%s\nscrape:\n%s", out, body)
}
