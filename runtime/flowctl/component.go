package flowctl

import (
	"maps"
	"slices"

	"github.com/cdpstats/cdpstats/runtime"
)

// The roles of a pipeline's components, as their metric keys begin.
const (
	kindSource    = "source"
	kindProcessor = "processor"
	kindConsumer  = "consumer"
)

// Component is one component of the pipeline. Besides the pipeline's own
// registration, each registers with flowctl as a component of its own,
// typed by its role, and heartbeats its own stats. Pass them with
// [Client.SetComponents].
type Component struct {
	// Kind is the component's role: "source", "processor" or "consumer",
	// as its metric keys begin.
	Kind string
	// Instance is the instance ID its metric keys carry: the config id, or
	// else the type name.
	Instance string
	// TypeName is the component's type as the config names it, such as
	// "FilterPayments".
	TypeName string
	// GoType is the component's Go type, such as
	// "*processor.FilterPayments".
	GoType string
}

// SetComponents makes each of cs register with flowctl as a component of
// its own, with its role as its type, under the service ID
// "<pipeline's service ID>.<kind>.<instance>", and send its own stats in
// its heartbeats. Without it only the pipeline registers. Call it before
// [Client.Run]: the client reads the components when Run starts.
func (c *Client) SetComponents(cs ...Component) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.components = slices.Clone(cs)
}

// Metadata keys the client adds to registrations, unless
// [Config.Metadata] sets them.
const (
	MetaPipelineID = "pipeline_id" // the pipeline's ID
	MetaGoType     = "go_type"     // a component's Go type
	MetaType       = "type"        // a component's config type, such as "FilterPayments"
	MetaInstance   = "instance"    // a component's instance ID
	// MetaName names a component the way current flowctl's legacy
	// Register reads a display name from metadata.
	MetaName = "name"
)

// target is one registration of the client and the keys its heartbeats
// carry: the pipeline's, with every key, or one component's.
type target struct {
	reg  registration
	comp *Component // nil for the pipeline
}

// targets returns the pipeline's registration followed by one per
// component.
func (c *Client) targets() []target {
	pipelineID := c.stats.PipelineID()
	serviceID := c.cfg.ComponentID
	if serviceID == "" {
		serviceID = pipelineID
	}
	// Config.Metadata wins over the keys the client adds.
	withMeta := func(added map[string]string) map[string]string {
		maps.Copy(added, c.cfg.Metadata)
		return added
	}
	md := withMeta(map[string]string{MetaPipelineID: pipelineID})
	c.mu.Lock()
	components := c.components
	c.mu.Unlock()
	out := []target{{reg: registration{
		serviceID:      serviceID,
		componentID:    c.cfg.ComponentID,
		name:           pipelineID,
		healthEndpoint: c.cfg.HealthEndpoint,
		metadata:       md,
	}}}
	for i := range components {
		comp := &components[i]
		id := serviceID + "." + comp.Kind + "." + comp.Instance
		cmd := withMeta(map[string]string{
			MetaPipelineID: pipelineID,
			MetaGoType:     comp.GoType,
			MetaType:       comp.TypeName,
			MetaInstance:   comp.Instance,
			MetaName:       comp.Instance,
		})
		out = append(out, target{comp: comp, reg: registration{
			serviceID: id,
			// v0.0.5 warns about a registration without component_id.
			componentID:    id,
			name:           comp.Instance,
			kind:           comp.Kind,
			healthEndpoint: c.cfg.HealthEndpoint,
			metadata:       cmd,
		}})
	}
	return out
}

// metrics returns what t's heartbeat carries now, and its health.
func (c *Client) metrics(t target) (map[string]float64, health) {
	if t.comp == nil {
		return c.stats.GetMetrics(), c.health()
	}
	m, ok := c.stats.ComponentMetrics(t.comp.Kind, t.comp.Instance)
	if !ok {
		return map[string]float64{}, healthStarting
	}
	// The component's own "<kind>.<id>.healthy" key, which
	// ComponentMetrics always sets, is its freshness at the same moment.
	if m[t.comp.Kind+"."+t.comp.Instance+"."+runtime.HealthyKey] == 0 {
		return m, healthUnhealthy
	}
	return m, healthHealthy
}
