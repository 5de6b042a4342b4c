package runner

import (
	"fmt"

	"github.com/cdpstats/cdpstats/generated"
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
		promexport.WithCatalog(catalog{}),
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

// catalog gives the exporter the stat descriptions of every annotated
// component from the generated/ catalog, for HELP text, before it has
// seen their values.
type catalog struct{}

func (catalog) Lookup(componentType, componentName string) *runtime.ComponentDesc {
	if c, ok := generated.Lookup(componentType, componentName); ok {
		return c.Desc
	}
	return nil
}
