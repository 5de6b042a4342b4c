package runner

import (
	"fmt"
	"slices"

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
		promexport.WithComponents(r.componentDescs()...),
		promexport.WithLogger(r.logger()),
		promexport.WithProcessCollectors())
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
