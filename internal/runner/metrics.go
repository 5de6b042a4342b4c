package runner

import (
	"fmt"
	"slices"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cdpstats/cdpstats/components/registry"
	"github.com/cdpstats/cdpstats/runtime"
	"github.com/cdpstats/cdpstats/runtime/promexport"
)

// listenMetrics binds the Prometheus endpoint when the config enables it,
// so that a busy port fails the run before any component is built. The
// caller serves it. It returns nil when metrics are off.
//
// Every series carries the label shard, the shard's index, when the run
// is sharded; and the runner adds its own series (runMetrics), returned
// too.
func (r *Runner) listenMetrics(stats []*runtime.PipelineStats) (*promexport.Server, *runMetrics, error) {
	if !r.Config.Metrics.Enabled {
		return nil, nil, nil
	}
	own := newRunMetrics(stats, r.Shard)
	opts := []promexport.Option{
		promexport.WithComponents(r.componentDescs()...),
		promexport.WithCollectors(own),
		promexport.WithLogger(r.logger()),
		promexport.WithProcessCollectors(),
	}
	if !r.Shard.IsZero() {
		opts = append(opts, promexport.WithConstLabels(prometheus.Labels{shardLabel: r.Shard.Label()}))
	}
	srv, err := promexport.NewServer(r.Config.Metrics, stats, opts...)
	if err != nil {
		return nil, nil, err
	}
	if err := srv.Listen(); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", r.Config.File, err) // names metrics.address
	}
	if r.MetricsListening != nil {
		r.MetricsListening(srv.Addr())
	}
	return srv, own, nil
}

// shardLabel is the label that carries the shard's index on every series
// of a sharded process, the label examples/kubernetes/prometheus.yml sets
// from the pod's completion index.
const shardLabel = "shard"

// componentDescs returns the description every component type the runner
// knows reports with: its own stats followed by the self-time stats the
// runner adds (selftime.go). From them the exporter describes every family
// before it has seen a value.
func (r *Runner) componentDescs() []*runtime.ComponentDesc {
	entries := slices.Concat(registry.Entries(), r.extraTypes)
	descs := make([]*runtime.ComponentDesc, len(entries))
	for i, e := range entries {
		descs[i] = r.selfTimeDescs.of(string(e.Kind), e.Type, e.Desc)
	}
	return descs
}
