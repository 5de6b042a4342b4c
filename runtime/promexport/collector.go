package promexport

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cdpstats/cdpstats/runtime"
)

// DefaultNamespace is the prefix of every metric name.
const DefaultNamespace = "cdp"

// Collector is a prometheus.Collector that reads the latest stats of one
// or more [runtime.PipelineStats] at every scrape. It is unchecked
// (Describe sends nothing) because the set of metrics is known only once
// components have reported. It is safe for concurrent scrapes.
//
// Use one Collector for every pipeline of a process rather than one per
// pipeline: a metric name shared by several pipelines then gets one HELP.
type Collector struct {
	pipelines []*runtime.PipelineStats
	catalog   Catalog
	namespace string
}

// NewCollector returns a collector of the pipelines' stats, told apart by
// the pipeline label. Of the options, WithCatalog and WithNamespace apply.
func NewCollector(pipelines []*runtime.PipelineStats, opts ...Option) *Collector {
	o := buildOptions(opts)
	return &Collector{pipelines: slices.Clone(pipelines), catalog: o.catalog, namespace: o.namespace}
}

// Describe sends nothing, which makes the collector unchecked.
func (c *Collector) Describe(chan<- *prometheus.Desc) {}

// Label names of the metrics.
var (
	pipelineLabels  = []string{"pipeline"}
	componentLabels = []string{"pipeline", "component_type", "component"}
)

// Collect sends the current value of every metric.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	s := newScrape()
	for _, ps := range c.pipelines {
		c.collect(s, ps)
	}
	s.add(c.namespace+"_exporter_skipped_series", prometheus.GaugeValue, nil,
		"Series left out of this scrape because a series of another type or label set, or with the same labels, already had the name.", "",
		point{value: float64(s.skipped)})
	s.emit(ch)
}

// collect adds one pipeline's metrics to s.
func (c *Collector) collect(s *scrape, ps *runtime.PipelineStats) {
	pipeline := ps.PipelineID()
	health := ps.HealthDetails()
	c.collectPipeline(s, ps, health)
	// Health first: a hand-written GetStats that reports a reserved key
	// such as "healthy" must not take the name from the real thing.
	for _, comp := range health.Components {
		labels := []string{pipeline, comp.ComponentName, comp.InstanceID}
		prefix := c.namespace + "_" + sanitize(comp.ComponentType) + "_"
		s.add(prefix+runtime.HealthyKey, prometheus.GaugeValue, componentLabels,
			"1 when the component's stats are fresher than the health timeout, else 0.", "",
			point{labels: labels, value: boolFloat(comp.Healthy)})
		s.add(prefix+runtime.StatsAgeKey, prometheus.GaugeValue, componentLabels,
			"Seconds since the component's stats were last collected.", "",
			point{labels: labels, value: max(comp.Age.Seconds(), 0)})
	}
	for _, snap := range ps.Components() {
		c.collectComponent(s, pipeline, snap)
	}
}

func (c *Collector) collectPipeline(s *scrape, ps *runtime.PipelineStats, health runtime.HealthReport) {
	labels := []string{ps.PipelineID()}
	p := c.namespace + "_pipeline_"
	metrics := ps.GetMetrics()
	s.add(p+"uptime_seconds", prometheus.GaugeValue, pipelineLabels,
		"Seconds since the pipeline's stats were created.", "",
		point{labels: labels, value: metrics[runtime.MetricUptime]})
	s.add(p+"components", prometheus.GaugeValue, pipelineLabels,
		"Number of components that have reported stats.", "",
		point{labels: labels, value: float64(len(health.Components))})
	s.add(p+"collector_errors_total", prometheus.CounterValue, pipelineLabels,
		"GetStats calls that panicked and were recovered by the stats collector.", "",
		point{labels: labels, value: float64(ps.CollectorErrors())})
	s.add(p+"dropped_values_total", prometheus.CounterValue, pipelineLabels,
		"Stat values dropped because they could not convert to a finite number.", "",
		point{labels: labels, value: float64(ps.DroppedValues())})
	s.add(p+"healthy", prometheus.GaugeValue, pipelineLabels,
		"1 when at least one component has reported and every component's stats are fresher than the health timeout, else 0.", "",
		point{labels: labels, value: boolFloat(health.Healthy)})
	s.add(p+"health_timeout_seconds", prometheus.GaugeValue, pipelineLabels,
		"How stale a component's stats may be before it counts as unhealthy.", "",
		point{labels: labels, value: health.Timeout.Seconds()})
}

func (c *Collector) collectComponent(s *scrape, pipeline string, snap runtime.ComponentSnapshot) {
	desc := snap.Desc
	if desc == nil && c.catalog != nil {
		desc = c.catalog.Lookup(snap.ComponentType, snap.ComponentName)
	}
	values := make(map[string]float64, len(snap.Keys))
	for i, k := range snap.Keys {
		if i < len(snap.Values) && !math.IsNaN(snap.Values[i]) {
			values[k] = snap.Values[i]
		}
	}
	st := statTarget{
		s:      s,
		prefix: c.namespace + "_" + sanitize(snap.ComponentType) + "_",
		owner:  snap.ComponentName,
		labels: []string{pipeline, snap.ComponentName, snap.InstanceID},
		values: values,
	}
	covered := make(map[string]bool)
	if desc != nil {
		for _, sd := range desc.Stats {
			for _, k := range sd.Keys {
				covered[k] = true
			}
			st.addStat(sd)
		}
	}
	for _, k := range snap.Keys {
		if v, ok := values[k]; ok && !covered[k] {
			st.addUntyped(k, v)
		}
	}
}

// statTarget adds one component's stats to a scrape.
type statTarget struct {
	s      *scrape
	prefix string
	owner  string // the component type name, for HELP of shared names
	labels []string
	values map[string]float64
}

func (t statTarget) add(name string, vt prometheus.ValueType, help string, v float64) {
	t.s.add(t.prefix+name, vt, componentLabels, help, t.owner, point{labels: t.labels, value: v})
}

// addUntyped exports a key that no description covers.
func (t statTarget) addUntyped(key string, v float64) {
	t.s.add(t.prefix+sanitize(key), prometheus.UntypedValue, componentLabels,
		fmt.Sprintf("Stat %q as reported by GetStats; no //cdp:stat description is known for it.", key), "",
		point{labels: t.labels, value: v})
}

// addStat exports one described stat under the name its kind calls for.
func (t statTarget) addStat(sd runtime.StatDesc) {
	name := sanitize(sd.Name)
	key := sd.Name
	if len(sd.Keys) > 0 {
		key = sd.Keys[0]
	}
	u, converts := lookupUnit(sd.Unit)
	scale := 1.0
	if converts {
		scale = u.scale
	}
	help := statHelp(sd, t.owner)
	switch {
	case sd.Kind == runtime.KindCounter && sd.Label != "":
		t.addLabelledCounter(sd, name, help, u, converts)
		return
	}
	switch sd.Kind {
	case runtime.KindCounter:
		v, ok := t.values[key]
		if !ok {
			return
		}
		name = trimSuffixes(name, "_total")
		if converts {
			name = withUnit(name, u)
		}
		t.add(name+"_total", prometheus.CounterValue, help, v*scale)
	case runtime.KindGauge:
		v, ok := t.values[key]
		if !ok {
			return
		}
		if converts {
			name = withUnit(name, u)
		}
		t.add(name, prometheus.GaugeValue, help, v*scale)
	case runtime.KindRatio:
		v, ok := t.values[key]
		if !ok {
			return
		}
		if !strings.HasSuffix(name, "ratio") {
			name += "_ratio"
		}
		if converts && u.suffix == "ratio" {
			v *= u.scale
		}
		t.add(name, prometheus.GaugeValue, help, v)
	case runtime.KindTimestamp:
		v, ok := t.values[key]
		if !ok {
			return
		}
		name = trimSuffixes(name, "_timestamp_seconds", "_timestamp", "_unix", "_time", "_at", "_ts")
		t.add(name+"_timestamp_seconds", prometheus.GaugeValue, help+" As unix seconds; 0 when it never happened.", v)
	case runtime.KindLatency:
		t.addLatency(sd, name, help)
	default:
		for _, k := range sd.Keys {
			if v, ok := t.values[k]; ok {
				t.addUntyped(k, v)
			}
		}
	}
}

// addLabelledCounter exports a labelled counter as one counter family
// with the stat's label next to the component labels, one series per
// value. A description whose label clashes with the component labels or
// is not a valid label name, or whose values do not match its keys, is
// exported key by key, untyped, as if it were not described.
func (t statTarget) addLabelledCounter(sd runtime.StatDesc, name, help string, u unit, converts bool) {
	if !validLabel(sd.Label) || len(sd.Values) != len(sd.Keys) {
		for _, k := range sd.Keys {
			if v, ok := t.values[k]; ok {
				t.addUntyped(k, v)
			}
		}
		return
	}
	scale := 1.0
	name = trimSuffixes(name, "_total")
	if converts {
		name = withUnit(name, u)
		scale = u.scale
	}
	labels := append(slices.Clip(componentLabels), sd.Label)
	for i, k := range sd.Keys {
		v, ok := t.values[k]
		if !ok {
			continue
		}
		t.s.add(t.prefix+name+"_total", prometheus.CounterValue, labels, help, t.owner,
			point{labels: append(slices.Clip(t.labels), sd.Values[i]), value: v * scale})
	}
}

// validLabel reports whether name can label a component metric: a
// Prometheus label name that is none of the component labels and not
// reserved.
func validLabel(name string) bool {
	if name == "" || strings.HasPrefix(name, "__") || name == "le" || name == "quantile" ||
		slices.Contains(componentLabels, name) {
		return false
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; !isNameByte(c) || i == 0 && '0' <= c && c <= '9' {
			return false
		}
	}
	return true
}

// addLatency exports a latency stat's flat keys (see
// runtime.LatencyKeySuffixes) as a summary in seconds and a gauge of the
// largest observation.
func (t statTarget) addLatency(sd runtime.StatDesc, name, help string) {
	get := func(suffix string) (float64, bool) {
		v, ok := t.values[sd.Name+suffix]
		return v, ok
	}
	base := trimSuffixes(name, "_seconds", "_ms")
	count, ok := get("_count")
	if ok && count >= 0 {
		avg, _ := get("_avg_ms")
		n := uint64(math.Round(count))
		quantiles := make(map[float64]float64, 3)
		for _, q := range []struct {
			suffix string
			q      float64
		}{{"_p50_ms", 0.5}, {"_p90_ms", 0.9}, {"_p99_ms", 0.99}} {
			if v, ok := get(q.suffix); ok {
				quantiles[q.q] = v / 1e3
			}
		}
		t.s.add(t.prefix+base+"_seconds", summaryType, componentLabels, help, t.owner, point{
			labels: t.labels, count: n, sum: avg * float64(n) / 1e3, quantiles: quantiles,
		})
	}
	if v, ok := get("_max_ms"); ok {
		t.add(base+"_max_seconds", prometheus.GaugeValue, "Largest observation of: "+help, v/1e3)
	}
}

// statHelp is the stat's help text from its marker, or a description
// built from its name when the marker has none. A unit that is not
// converted to a base unit is kept here, as Prometheus names carry only
// base units.
func statHelp(sd runtime.StatDesc, owner string) string {
	h := strings.TrimSpace(sd.Help)
	if h == "" {
		h = fmt.Sprintf("The %s %s of %s.", sd.Name, sd.Kind, owner)
	} else if !strings.ContainsAny(h[len(h)-1:], ".!?") {
		h += "."
	}
	if sd.Unit != "" {
		if _, ok := lookupUnit(sd.Unit); !ok {
			h += " Unit: " + sd.Unit + "."
		}
	}
	return h
}

func boolFloat(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
