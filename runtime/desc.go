package runtime

import "fmt"

// StatKind is the kind of a stat, as written in a //cdp:stat marker.
type StatKind uint8

// The stat kinds statsgen understands. The zero StatKind describes a
// value of a hand-written GetStats, whose kind nothing declares.
const (
	KindCounter   StatKind = iota + 1 // monotonically increasing uint64
	KindGauge                         // int64 that goes up and down, or a value read at snapshot time
	KindTimestamp                     // time of the last event, as unix seconds
	KindLatency                       // latency histogram, as a LatencySummary
	KindRatio                         // num/den of two counters, 0 when den is 0
)

var kindNames = [...]string{
	KindCounter:   "counter",
	KindGauge:     "gauge",
	KindTimestamp: "timestamp",
	KindLatency:   "latency",
	KindRatio:     "ratio",
}

// String returns the marker spelling of the kind, such as "counter".
func (k StatKind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return "unknown"
}

// StatDesc describes one annotated stat.
type StatDesc struct {
	// Name is the stat's snake_case name from the marker.
	Name string
	// Kind is the stat's kind.
	Kind StatKind
	// Unit is the free-text unit from the marker, such as "bytes"; may be empty.
	Unit string
	// Help is the free-text description from the marker; may be empty.
	Help string
	// Label is the label name of a labelled counter (//cdp:stat counter
	// label=... values=...), such as "type"; empty for every other stat.
	Label string
	// Values are the fixed values of Label, in marker order. Nil unless
	// Label is set.
	Values []string
	// Index is where the stat's values sit in a [Snapshot]: Latencies[Index]
	// for a latency, else Values[Index:Index+Width()]. [NewComponentDesc]
	// sets it.
	Index int
}

// Width is how many elements of [Snapshot.Values] the stat takes: one
// per label value for a labelled counter, none for a latency (which takes
// one element of [Snapshot.Latencies]), one otherwise.
func (s StatDesc) Width() int {
	switch {
	case s.Kind == KindLatency:
		return 0
	case s.Label != "":
		return len(s.Values)
	}
	return 1
}

// ComponentDesc describes the stats of one component type. statsgen emits
// one per //cdp:component; build others with [NewComponentDesc].
type ComponentDesc struct {
	// Kind is the component's role in a pipeline: "source", "processor"
	// or "consumer".
	Kind string
	// Type is the component's type name, such as "FilterPayments".
	Type string
	// Stats lists the stats in marker order.
	Stats []StatDesc

	values, latencies int      // the lengths of a Snapshot's slices
	keys              []string // the flat keys of StatsOf, built once
}

// NewComponentDesc returns the description of a component type's stats:
// it lays the stats out in a [Snapshot], setting every StatDesc.Index.
func NewComponentDesc(kind, typ string, stats ...StatDesc) *ComponentDesc {
	d := &ComponentDesc{Kind: kind, Type: typ, Stats: stats}
	for i := range d.Stats {
		s := &d.Stats[i]
		if s.Kind == KindLatency {
			s.Index = d.latencies
			d.latencies++
			continue
		}
		s.Index = d.values
		d.values += s.Width()
	}
	d.keys = d.flatKeys("")
	return d
}

// NewSnapshot returns a zero snapshot laid out for d, for
// [SnapshotProvider.SnapshotStats] to fill. It panics when d was not built
// with [NewComponentDesc], which lays the stats out.
func (d *ComponentDesc) NewSnapshot() Snapshot {
	if d.keys == nil && len(d.Stats) > 0 {
		panic(fmt.Sprintf("runtime: the ComponentDesc of %s %s is a literal; build it with NewComponentDesc", d.Kind, d.Type))
	}
	return Snapshot{Values: make([]float64, d.values), Latencies: make([]LatencySummary, d.latencies)}
}

// Stat returns the stat called name, or false.
func (d *ComponentDesc) Stat(name string) (StatDesc, bool) {
	for _, s := range d.Stats {
		if s.Name == name {
			return s, true
		}
	}
	return StatDesc{}, false
}

// Snapshot is one component's stats at one moment, as typed values laid
// out as its [ComponentDesc] says: counters, gauges, ratios and
// timestamps (as unix seconds) in Values, latencies as summaries in
// nanoseconds in Latencies.
type Snapshot struct {
	Values    []float64
	Latencies []LatencySummary
}

// fits reports whether snap is laid out for d.
func (snap Snapshot) fits(d *ComponentDesc) bool {
	return len(snap.Values) == d.values && len(snap.Latencies) == d.latencies
}

// copyFrom copies src into snap, which has the same layout.
func (snap Snapshot) copyFrom(src Snapshot) {
	copy(snap.Values, src.Values)
	copy(snap.Latencies, src.Latencies)
}

// clone returns a copy of snap that shares no memory with it.
func (snap Snapshot) clone() Snapshot {
	return Snapshot{Values: append([]float64(nil), snap.Values...), Latencies: append([]LatencySummary(nil), snap.Latencies...)}
}

// Value returns the value of the stat s: a counter, gauge, ratio or
// timestamp, or the i-th value of a labelled counter.
func (snap Snapshot) Value(s StatDesc, i int) float64 {
	return snap.Values[s.Index+i]
}

// Latency returns the summary of the latency stat s.
func (snap Snapshot) Latency(s StatDesc) LatencySummary {
	if s.Kind != KindLatency {
		panic(fmt.Sprintf("runtime: stat %q is a %s, not a latency", s.Name, s.Kind))
	}
	return snap.Latencies[s.Index]
}
