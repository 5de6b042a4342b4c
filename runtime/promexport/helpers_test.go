package promexport_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/runtime"
	"github.com/cdpstats/cdpstats/runtime/promexport"
)

// serve runs a promexport server for one pipeline; see serveAll.
func serve(t *testing.T, stats *runtime.PipelineStats, opts ...promexport.Option) string {
	t.Helper()
	return serveAll(t, []*runtime.PipelineStats{stats}, opts...)
}

// serveAll runs a promexport server for pipelines on a free loopback port
// until the test ends, and returns its base URL.
func serveAll(t *testing.T, pipelines []*runtime.PipelineStats, opts ...promexport.Option) string {
	t.Helper()
	srv, err := promexport.NewServer(promexport.Config{Address: "127.0.0.1:0"}, pipelines, opts...)
	require.NoError(t, err)
	require.NoError(t, srv.Listen())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			require.NoError(t, err)
		case <-time.After(15 * time.Second):
			t.Fatal("Serve did not return after its context ended")
		}
	})
	return "http://" + srv.Addr().String()
}

// get fetches url and returns the status code and body.
func get(t *testing.T, url string) (int, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, body
}

// scrape fetches /metrics in the text format and parses it the way
// Prometheus does.
func scrape(t *testing.T, base string) map[string]*dto.MetricFamily {
	t.Helper()
	code, body := get(t, base+"/metrics")
	require.Equal(t, http.StatusOK, code, string(body))
	parser := expfmt.NewTextParser(model.LegacyValidation)
	families, err := parser.TextToMetricFamilies(bytes.NewReader(body))
	require.NoError(t, err, string(body))
	return families
}

// series finds the series of family name whose labels include want.
func series(t *testing.T, families map[string]*dto.MetricFamily, name string, want map[string]string) *dto.Metric {
	t.Helper()
	f, ok := families[name]
	require.True(t, ok, "no metric family %s", name)
next:
	for _, m := range f.GetMetric() {
		have := make(map[string]string)
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if have[k] != v {
				continue next
			}
		}
		return m
	}
	require.Failf(t, "no series", "%s has no series with labels %v", name, want)
	return nil
}
