package runner

import "github.com/cdpstats/cdpstats/components/registry"

// WithTypes adds component types beside the registry's, for tests only:
// test components (a consumer that sleeps, a processor that spins) are
// never registered in the shipped binary.
func (r *Runner) WithTypes(entries ...registry.Entry) {
	r.extraTypes = append(r.extraTypes, entries...)
}
