package runtime

import "time"

// StatsProvider is implemented by every component that reports stats.
// statsgen generates it for each //cdp:component struct.
type StatsProvider interface {
	GetStats() ComponentStats
}

// ComponentStats is one component's stats at one moment, in the map form
// that CDP pipelines have always exchanged.
type ComponentStats struct {
	// ComponentType is the component's kind: "source", "processor" or
	// "consumer". (The seed names it; elsewhere this is the kind.)
	ComponentType string
	// ComponentName is the component's type name, such as "FilterPayments".
	ComponentName string
	// Stats maps a flat stat key (such as "payments_found") to its value.
	// Values may be any Go numeric type, bool or time.Time; see
	// [PipelineStats.GetMetrics] for how they convert.
	Stats map[string]interface{}
	// LastUpdated is when the stats were read.
	LastUpdated time.Time
	// InstanceID tells two instances of one component type apart in one
	// pipeline (the runner's config "id"). Empty means ComponentName.
	InstanceID string
}

// instanceKey is the middle part of a metric key: the instance ID when set,
// the component name otherwise.
func (s ComponentStats) instanceKey() string {
	if s.InstanceID != "" {
		return s.InstanceID
	}
	return s.ComponentName
}

// SnapshotProvider is the typed, allocation-free form of [StatsProvider].
// statsgen generates it next to GetStats.
//
// StatsDesc returns a description that never changes for the life of the
// component. SnapshotStats writes the current value of every stat of that
// description into dst, laid out as [ComponentDesc.NewSnapshot] makes it.
// It must not allocate or retain dst.
type SnapshotProvider interface {
	StatsProvider
	StatsDesc() *ComponentDesc
	SnapshotStats(dst Snapshot)
}

// InstanceProvider wraps a provider with an instance ID, so that two
// instances of one component type report under different keys. It keeps
// the fast path when p has one.
func InstanceProvider(p StatsProvider, instanceID string) StatsProvider {
	if sp, ok := p.(SnapshotProvider); ok {
		return &instanceSnapshotProvider{instanceProvider{p: p, id: instanceID}, sp}
	}
	return &instanceProvider{p: p, id: instanceID}
}

// instanceIDer is implemented by providers that carry an instance ID.
type instanceIDer interface {
	InstanceID() string
}

type instanceProvider struct {
	p  StatsProvider
	id string
}

func (w *instanceProvider) GetStats() ComponentStats {
	s := w.p.GetStats()
	s.InstanceID = w.id
	return s
}

func (w *instanceProvider) InstanceID() string { return w.id }

// Unwrap returns the wrapped provider.
func (w *instanceProvider) Unwrap() StatsProvider { return w.p }

type instanceSnapshotProvider struct {
	instanceProvider
	sp SnapshotProvider
}

func (w *instanceSnapshotProvider) StatsDesc() *ComponentDesc  { return w.sp.StatsDesc() }
func (w *instanceSnapshotProvider) SnapshotStats(dst Snapshot) { w.sp.SnapshotStats(dst) }
