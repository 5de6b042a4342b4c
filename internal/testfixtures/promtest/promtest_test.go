package promtest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// metricsHandler serves a fixed exposition.
func metricsHandler(text string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/metrics" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		_, _ = w.Write([]byte(text))
	})
}

func TestServerScrapesAndAnswers(t *testing.T) {
	t.Parallel()
	target := httptest.NewServer(metricsHandler("# TYPE promtest_rows_total counter\npromtest_rows_total{table=\"payments\"} 42\n"))
	defer target.Close()
	address := strings.TrimPrefix(target.URL, "http://")

	s := Start(t, Config{Targets: []Target{{Address: address, Labels: map[string]string{"shard": "1"}}}})

	got := s.WaitFor(t, "promtest_rows_total", func(v Vector) bool { return len(v) == 1 })
	require.Len(t, got, 1)
	assert.Equal(t, 42.0, got[0].Value)
	assert.Equal(t, map[string]string{
		"__name__": "promtest_rows_total",
		"instance": address,
		"job":      Job,
		"shard":    "1",
		"table":    "payments",
	}, got[0].Labels)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sum, err := s.Query(ctx, `sum by (shard) (promtest_rows_total)`)
	require.NoError(t, err)
	assert.Equal(t, Vector{{Labels: map[string]string{"shard": "1"}, Value: 42}}, sum)

	scalar, err := s.Query(ctx, `scalar(sum(promtest_rows_total)) * 2`)
	require.NoError(t, err)
	assert.Equal(t, Vector{{Labels: map[string]string{}, Value: 84}}, scalar)

	at, err := s.QueryAt(ctx, `vector(1)`, time.Now())
	require.NoError(t, err)
	assert.Equal(t, Vector{{Labels: map[string]string{}, Value: 1}}, at)

	_, err = s.Query(ctx, `sum(`)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `query "sum(": bad_data`)

	s.Stop()
	s.Stop() // a second Stop is a no-op
	_, err = s.Query(ctx, "up")
	assert.Error(t, err, "the server is gone after Stop")
}

func TestServerLoadsRules(t *testing.T) {
	t.Parallel()
	target := httptest.NewServer(metricsHandler("promtest_up 1\n"))
	defer target.Close()
	rules := filepath.Join(t.TempDir(), "rules.yml")
	require.NoError(t, os.WriteFile(rules, []byte(`groups:
  - name: promtest
    rules:
      - record: promtest:up:doubled
        expr: promtest_up * 2
`), 0o644))

	s := Start(t, Config{
		Targets:   []Target{{Address: strings.TrimPrefix(target.URL, "http://")}},
		RuleFiles: []string{rules},
	})
	got := s.WaitFor(t, "promtest:up:doubled", func(v Vector) bool { return len(v) == 1 })
	assert.Equal(t, 2.0, got[0].Value)
}

func TestStartReportsABadConfig(t *testing.T) {
	bin := Prometheus(t)
	dir := t.TempDir()
	require.NoError(t, writeConfig(filepath.Join(dir, "prometheus.yml"), Config{
		Targets: []Target{{Address: "127.0.0.1:1", Labels: map[string]string{"not a label": "x"}}},
	}))
	_, err := start(bin, dir)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "prometheus exited before it was ready")
	assert.Contains(t, err.Error(), "not a label")
}

func TestFindBin(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("PROMETHEUS_BIN", dir)
	_, err := findBin("promtool")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "promtool not found in $PROMETHEUS_BIN")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "promtool"), nil, 0o755))
	got, err := findBin("promtool")
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(dir, "promtool"), got)
}

func TestWriteConfigRefusesTakenKeys(t *testing.T) {
	err := writeConfig(filepath.Join(t.TempDir(), "prometheus.yml"), Config{ScrapeConfig: map[string]any{"job_name": "x"}})
	assert.EqualError(t, err, "Config.ScrapeConfig: job_name is set by promtest")
}
