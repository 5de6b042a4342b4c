package runner

import (
	"fmt"

	"github.com/cdpstats/cdpstats/components/registry"
	"github.com/cdpstats/cdpstats/runtime"
	"github.com/cdpstats/cdpstats/runtime/promexport"
)

// listenMetrics binds the Prometheus endpoint when the config enables it,
// so that a busy port fails the run before any component is built. The
// caller serves it. It returns nil when metrics are off.
func (r *Runner) listenMetrics(stats []*runtime.PipelineStats) (*promexport.Server, error) {
	if !r.Config.Metrics.Enabled {
		return nil, nil
	}
	srv, err := promexport.NewServer(r.Config.Metrics, stats,
		promexport.WithComponents(componentDescs()...),
		promexport.WithLogger(r.logger()))
	if err != nil {
		return nil, err
	}
	if err := srv.Listen(); err != nil {
		return nil, fmt.Errorf("%s: %w", r.Config.File, err) // names metrics.address
	}
	if r.MetricsListening != nil {
		r.MetricsListening(srv.Addr())
	}
	return srv, nil
}

// componentDescs returns the stats description of every registered
// component type, from which the exporter describes every family before it
// has seen a value.
func componentDescs() []*runtime.ComponentDesc {
	entries := registry.Entries()
	descs := make([]*runtime.ComponentDesc, len(entries))
	for i, e := range entries {
		descs[i] = e.Desc
	}
	return descs
}
