package runner

import (
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cdpstats/cdpstats/internal/shard"
	"github.com/cdpstats/cdpstats/runtime"
	"github.com/cdpstats/cdpstats/runtime/promexport"
)

// runMetrics are the runner's own series on /metrics, beside the
// components': whether each pipeline is done and how many shards its range
// is split into, so that an alert can tell a backfill that finished from
// one whose processes died (examples/prometheus/rules.yml). It also tells
// the runner when /metrics is scraped, so that the final numbers are
// scraped once before the process exits (metrics.linger).
type runMetrics struct {
	stats      []*runtime.PipelineStats
	shards     float64
	done       *prometheus.Desc
	shardCount *prometheus.Desc
	pipelines  atomic.Pointer[[]*pipeline] // set once the pipelines are built

	mu      sync.Mutex
	scraped chan struct{} // closed by the next scrape
}

func newRunMetrics(stats []*runtime.PipelineStats, s shard.Shard) *runMetrics {
	labels := []string{"pipeline"}
	ns := promexport.DefaultNamespace + "_pipeline_"
	return &runMetrics{
		stats:  stats,
		shards: float64(max(s.Count, 1)),
		done: prometheus.NewDesc(ns+"done", "1 once the pipeline has read its whole range (its shard's part, "+
			"when sharded) and its consumers closed without error; 0 before, and when it stopped early or failed.", labels, nil),
		shardCount: prometheus.NewDesc(ns+"shards", "Number of shards the pipeline's range is split into, "+
			"N of -shard I/N; 1 when the process runs the whole range.", labels, nil),
		scraped: make(chan struct{}),
	}
}

// Describe sends the descriptors of the runner's series.
func (m *runMetrics) Describe(ch chan<- *prometheus.Desc) {
	ch <- m.done
	ch <- m.shardCount
}

// Collect sends the runner's series and wakes whoever waits for a scrape.
func (m *runMetrics) Collect(ch chan<- prometheus.Metric) {
	var pipelines []*pipeline
	if p := m.pipelines.Load(); p != nil {
		pipelines = *p
	}
	for i, ps := range m.stats {
		done := 0.0
		if i < len(pipelines) && pipelines[i].done.Load() {
			done = 1
		}
		ch <- prometheus.MustNewConstMetric(m.done, prometheus.GaugeValue, done, ps.PipelineID())
		ch <- prometheus.MustNewConstMetric(m.shardCount, prometheus.GaugeValue, m.shards, ps.PipelineID())
	}
	m.mu.Lock()
	close(m.scraped)
	m.scraped = make(chan struct{})
	m.mu.Unlock()
}

// setPipelines makes Collect report the pipelines' completion; they are
// in the order of the stats.
func (m *runMetrics) setPipelines(pipelines []*pipeline) { m.pipelines.Store(&pipelines) }

// nextScrape returns a channel that is closed when /metrics is next
// scraped: the scrape that starts after the call.
func (m *runMetrics) nextScrape() <-chan struct{} {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.scraped
}

// inFlight is how long after the run ended a scrape still counts as
// possibly begun before: its other collectors may have read the numbers
// before the final collection.
const inFlight = 100 * time.Millisecond

// awaitScrape waits until /metrics has been scraped once after the final
// collection, or linger has passed, so that Prometheus gets the final
// numbers before the endpoint goes away with the process.
func (m *runMetrics) awaitScrape(log *slog.Logger, linger time.Duration) {
	if m == nil || linger <= 0 {
		return
	}
	asked := time.Now()
	t := time.NewTimer(linger)
	defer t.Stop()
	for {
		select {
		case <-m.nextScrape():
			if time.Since(asked) < inFlight {
				continue
			}
			log.Debug("metrics: the final numbers were scraped")
			return
		case <-t.C:
			log.Warn("metrics: not scraped within metrics.linger after the run; Prometheus may miss the final numbers", "linger", linger)
			return
		}
	}
}
