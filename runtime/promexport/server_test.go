package promexport_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/runtime"
	"github.com/cdpstats/cdpstats/runtime/promexport"
)

// gap is a stall at a missing file.
var gap = runtime.Stall{Ledger: 1002, Reason: "gap", Missing: "FFFFFC15--1002.xdr.zst", Since: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}

func TestHealthEndpoints(t *testing.T) {
	fresh := func(ps *runtime.PipelineStats, name string) {
		ps.UpdateComponentStats(runtime.ComponentStats{
			ComponentType: "processor", ComponentName: name, LastUpdated: time.Now(),
			Stats: map[string]interface{}{"processed": 1},
		})
	}
	stale := func(ps *runtime.PipelineStats, name string) {
		ps.UpdateComponentStats(runtime.ComponentStats{
			ComponentType: "consumer", ComponentName: name, LastUpdated: time.Now().Add(-time.Hour),
			Stats: map[string]interface{}{"written": 1},
		})
	}
	tests := []struct {
		name        string
		setup       func(ps *runtime.PipelineStats)
		healthz     int
		readyz      int
		status      string
		healthyList []bool
	}{
		{"no component yet", func(*runtime.PipelineStats) {}, http.StatusOK, http.StatusServiceUnavailable, promexport.StatusStarting, []bool{}},
		{"all fresh", func(ps *runtime.PipelineStats) { fresh(ps, "a"); fresh(ps, "b") }, http.StatusOK, http.StatusOK, promexport.StatusOK, []bool{true, true}},
		{"one stale", func(ps *runtime.PipelineStats) { fresh(ps, "a"); stale(ps, "b") }, http.StatusServiceUnavailable, http.StatusServiceUnavailable, promexport.StatusStale, []bool{true, false}},
		{"stalled", func(ps *runtime.PipelineStats) { fresh(ps, "a"); ps.SetStall(gap) }, http.StatusOK, http.StatusServiceUnavailable, promexport.StatusStalled, []bool{true}},
		{"stalled and stale", func(ps *runtime.PipelineStats) { stale(ps, "b"); ps.SetStall(gap) }, http.StatusServiceUnavailable, http.StatusServiceUnavailable, promexport.StatusStale, []bool{false}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ps := runtime.NewPipelineStats("health-pipeline")
			tc.setup(ps)
			base := serve(t, ps)
			for _, ep := range []struct {
				path string
				code int
			}{{"/healthz", tc.healthz}, {"/readyz", tc.readyz}} {
				code, body := get(t, base+ep.path)
				assert.Equal(t, ep.code, code, ep.path)
				var resp promexport.HealthResponse
				require.NoError(t, json.Unmarshal(body, &resp), string(body))
				assert.Equal(t, tc.status, resp.Status, ep.path)
				require.Len(t, resp.Pipelines, 1)
				p := resp.Pipelines[0]
				assert.Equal(t, tc.status, p.Status)
				assert.Equal(t, "health-pipeline", p.Pipeline)
				assert.Equal(t, 60.0, p.TimeoutSeconds)
				healthy := []bool{}
				for _, c := range p.Components {
					healthy = append(healthy, c.Healthy)
					assert.NotEmpty(t, c.LastUpdated)
					assert.GreaterOrEqual(t, c.AgeSeconds, 0.0)
				}
				assert.Equal(t, tc.healthyList, healthy, ep.path)
				if _, stalled := ps.Stall(); stalled {
					assert.Equal(t, "waiting for ledger 1002: gap, file FFFFFC15--1002.xdr.zst missing, since 2026-01-02T03:04:05Z", p.Stalled, ep.path)
				} else {
					assert.Empty(t, p.Stalled, ep.path)
				}
			}
		})
	}
}

func TestHealthEndpointsRejectWrites(t *testing.T) {
	base := serve(t, runtime.NewPipelineStats("p"))
	resp, err := http.Post(base+"/healthz", "application/json", strings.NewReader("{}"))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
	assert.Equal(t, "GET, HEAD", resp.Header.Get("Allow"))
}

func TestServerShutsDownWhenContextEnds(t *testing.T) {
	srv, err := promexport.NewServer(promexport.Config{Address: "127.0.0.1:0"}, []*runtime.PipelineStats{runtime.NewPipelineStats("p")})
	require.NoError(t, err)
	assert.Nil(t, srv.Addr(), "no address before Listen")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	require.NoError(t, srv.Listen())
	addr := srv.Addr().String()
	go func() { done <- srv.Serve(ctx) }()

	code, _ := get(t, "http://"+addr+"/metrics")
	assert.Equal(t, http.StatusOK, code)
	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(15 * time.Second):
		t.Fatal("Serve did not return after its context ended")
	}
	_, err = net.Dial("tcp", addr)
	assert.Error(t, err, "the listener is closed")
}

func TestServerListenFailsOnPortInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	srv, err := promexport.NewServer(promexport.Config{Address: ln.Addr().String()}, []*runtime.PipelineStats{runtime.NewPipelineStats("p")})
	require.NoError(t, err)
	err = srv.Listen()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "metrics.address")
	err = srv.Serve(context.Background())
	require.Error(t, err, "Serve reports that it cannot listen")
}

func TestConfig(t *testing.T) {
	assert.Equal(t, "127.0.0.1:9464", promexport.Config{}.WithDefaults().Address, "loopback by default")
	tests := []struct {
		addr    string
		wantErr string
	}{
		{"", ""},
		{":9464", ""},
		{"0.0.0.0:9100", ""},
		{"[::1]:9100", ""},
		{"localhost", `metrics.address: "localhost" is not host:port`},
		{"127.0.0.1:", `metrics.address: "127.0.0.1:" has no port`},
	}
	for _, tc := range tests {
		t.Run(tc.addr, func(t *testing.T) {
			err := promexport.Config{Address: tc.addr}.Validate()
			if tc.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.wantErr)
			_, err = promexport.NewServer(promexport.Config{Address: tc.addr}, []*runtime.PipelineStats{runtime.NewPipelineStats("p")})
			assert.Error(t, err)
		})
	}
	assert.NoError(t, promexport.Config{Linger: time.Second}.Validate())
	assert.EqualError(t, promexport.Config{Linger: -time.Second}.Validate(), "metrics.linger: must not be negative, got -1s")
}

func TestHealthOfSeveralPipelines(t *testing.T) {
	fresh := runtime.NewPipelineStats("fresh")
	fresh.UpdateComponentStats(runtime.ComponentStats{
		ComponentType: "processor", ComponentName: "a", LastUpdated: time.Now(),
		Stats: map[string]interface{}{"processed": 1},
	})
	starting := runtime.NewPipelineStats("starting")
	stale := runtime.NewPipelineStats("stale")
	stale.UpdateComponentStats(runtime.ComponentStats{
		ComponentType: "processor", ComponentName: "b", LastUpdated: time.Now().Add(-time.Hour),
		Stats: map[string]interface{}{"processed": 1},
	})
	tests := []struct {
		name      string
		pipelines []*runtime.PipelineStats
		status    string
		healthz   int
		readyz    int
	}{
		{"no pipeline", nil, promexport.StatusStarting, http.StatusOK, http.StatusServiceUnavailable},
		{"fresh", []*runtime.PipelineStats{fresh}, promexport.StatusOK, http.StatusOK, http.StatusOK},
		{"one starting", []*runtime.PipelineStats{fresh, starting}, promexport.StatusStarting, http.StatusOK, http.StatusServiceUnavailable},
		{"one stale", []*runtime.PipelineStats{fresh, starting, stale}, promexport.StatusStale, http.StatusServiceUnavailable, http.StatusServiceUnavailable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			base := serveAll(t, tc.pipelines)
			for path, want := range map[string]int{"/healthz": tc.healthz, "/readyz": tc.readyz} {
				code, body := get(t, base+path)
				assert.Equal(t, want, code, path)
				var resp promexport.HealthResponse
				require.NoError(t, json.Unmarshal(body, &resp))
				assert.Equal(t, tc.status, resp.Status, path)
				assert.Len(t, resp.Pipelines, len(tc.pipelines))
			}
		})
	}
}
