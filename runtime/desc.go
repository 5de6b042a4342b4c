package runtime

// StatKind is the kind of a stat, as written in a //cdp:stat marker.
type StatKind uint8

// The stat kinds statsgen understands.
const (
	KindCounter   StatKind = iota + 1 // monotonically increasing uint64
	KindGauge                         // int64 that goes up and down, or a value read at snapshot time
	KindTimestamp                     // time of the last event, exported as unix seconds
	KindLatency                       // latency histogram, exported as count, average, quantiles and max
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

// Suffixes of the flat keys a latency stat produces, in the order
// [Histogram.WriteSummary] writes them.
var LatencyKeySuffixes = []string{"_count", "_avg_ms", "_p50_ms", "_p90_ms", "_p99_ms", "_max_ms"}

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
	// Keys are the flat keys the stat produces in GetStats, in order: the
	// name itself, for a latency the name with each of
	// [LatencyKeySuffixes], or for a labelled counter "<name>_<value>"
	// for each of Values.
	Keys []string
	// Label is the label name of a labelled counter (//cdp:stat counter
	// label=... values=...), such as "type"; empty for every other stat.
	// Exporters that support labels export the counter as one metric
	// with this label rather than one metric per key.
	Label string
	// Values are the fixed values of Label, in marker order: Keys[i] is
	// the flat key of Values[i]. Nil unless Label is set.
	Values []string
}

// ComponentDesc describes the stats of one component type. statsgen emits
// one per //cdp:component, and the generated/ catalog lists them all.
type ComponentDesc struct {
	// Type is "source", "processor" or "consumer".
	Type string
	// Name is the component's name.
	Name string
	// Stats lists the stats in marker order.
	Stats []StatDesc
	// Keys is every stat's keys, flattened in order: the layout of the
	// buffer that [SnapshotProvider.SnapshotStats] fills.
	Keys []string
}

// Key returns the stat that produces the flat key k, or false.
func (d *ComponentDesc) Key(k string) (StatDesc, bool) {
	for _, s := range d.Stats {
		for _, sk := range s.Keys {
			if sk == k {
				return s, true
			}
		}
	}
	return StatDesc{}, false
}
