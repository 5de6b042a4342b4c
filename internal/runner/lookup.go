package runner

import "github.com/cdpstats/cdpstats/components/registry"

// lookup finds a component type among the runner's extra types (which
// only tests set, see export_test.go), then in the registry.
func (r *Runner) lookup(kind registry.Kind, typ string) (registry.Entry, error) {
	for _, e := range r.extraTypes {
		if e.Kind == kind && e.Type == typ {
			return e, nil
		}
	}
	return registry.Lookup(kind, typ)
}
