package runner

import (
	"github.com/cdpstats/cdpstats/components/registry"
	"github.com/cdpstats/cdpstats/runtime"
)

// WithTypes adds component types beside the registry's, for tests only:
// test components (a consumer that sleeps, a processor that spins) are
// never registered in the shipped binary.
func (r *Runner) WithTypes(entries ...registry.Entry) {
	r.extraTypes = append(r.extraTypes, entries...)
}

// SelfTimeStats describes the self-time stats the runner adds to every
// component of kind kind, after the component's own.
func SelfTimeStats(kind string) []runtime.StatDesc { return selfTimeStats(kind) }
