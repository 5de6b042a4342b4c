package promexport

import (
	"fmt"
	"slices"
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cdpstats/cdpstats/runtime"
)

// DefaultNamespace is the prefix of every metric name.
const DefaultNamespace = "cdp"

// Label names of the metrics.
var (
	pipelineLabels  = []string{"pipeline"}
	componentLabels = []string{"pipeline", "type", "id"}
)

// standardKinds are the component kinds whose health families a Collector
// always describes.
var standardKinds = []string{"source", "processor", "consumer"}

// Collector is a prometheus.Collector that reads the latest typed stats of
// one or more [runtime.PipelineStats] at every scrape. It is safe for
// concurrent scrapes.
//
// Describe sends a descriptor for every metric family: the pipeline's,
// the health of each component kind, and every stat of each component
// described with [WithComponents], derived from the component's
// StatsDesc. client_golang's registry then checks them when the collector
// is registered: two components whose stats map to one family with other
// labels, another HELP or another type are reported there. Components
// that were not described are exported by [Collector.Undescribed].
//
// Use one Collector for every pipeline of a process rather than one per
// pipeline: families are shared by the pipelines, told apart by the
// pipeline label.
type Collector struct {
	pipelines []*runtime.PipelineStats
	fams      *families
}

// NewCollector returns a collector of the pipelines' stats. Of the
// options, WithComponents and WithNamespace apply.
func NewCollector(pipelines []*runtime.PipelineStats, opts ...Option) *Collector {
	o := buildOptions(opts)
	fams := newFamilies(o.namespace)
	for _, k := range standardKinds {
		fams.healthOf(k)
	}
	for _, d := range o.components {
		fams.componentOf(d)
	}
	return &Collector{pipelines: slices.Clone(pipelines), fams: fams}
}

// Describe sends the descriptor of every family the collector exports.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range c.fams.described {
		ch <- d
	}
}

// Collect sends the current value of every described metric.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	for _, ps := range c.pipelines {
		c.fams.collect(ch, ps)
	}
}

// Undescribed returns an unchecked collector (its Describe sends nothing)
// of what c leaves out: the stats of components that were not described
// with [WithComponents], such as components with a hand-written GetStats,
// and the health of components of other kinds. The registry checks their
// series as it gathers them. [NewHandler] registers both.
func (c *Collector) Undescribed() prometheus.Collector { return undescribed{c} }

type undescribed struct{ c *Collector }

func (undescribed) Describe(chan<- *prometheus.Desc) {}

func (u undescribed) Collect(ch chan<- prometheus.Metric) {
	// Families built per scrape: components may report with any
	// description at any time.
	fams := newFamilies(u.c.fams.namespace)
	for _, ps := range u.c.pipelines {
		fams.collectUndescribed(ch, ps, u.c.fams)
	}
}

// families are the descriptors of the metric families of a namespace,
// built from component descriptions.
type families struct {
	namespace string
	pipeline  pipelineFamilies
	health    map[string]healthFamilies           // by component kind
	comps     map[*runtime.ComponentDesc][]family // one per stat, by description
	byText    map[string]*prometheus.Desc         // every descriptor, by its String
	described []*prometheus.Desc                  // every descriptor, once, in order
}

// family is the Prometheus form of one stat.
type family struct {
	stat  runtime.StatDesc
	desc  *prometheus.Desc
	max   *prometheus.Desc // the largest observation of a latency
	typ   prometheus.ValueType
	scale float64 // multiply a value by scale to get base units
}

type pipelineFamilies struct {
	uptime, components, collectorErrors, droppedValues, healthy, healthTimeout, stalled *prometheus.Desc
}

type healthFamilies struct {
	healthy, statsAge *prometheus.Desc
}

func newFamilies(namespace string) *families {
	f := &families{
		namespace: namespace,
		health:    make(map[string]healthFamilies),
		comps:     make(map[*runtime.ComponentDesc][]family),
		byText:    make(map[string]*prometheus.Desc),
	}
	p := namespace + "_pipeline_"
	f.pipeline = pipelineFamilies{
		uptime:     f.desc(p+"uptime_seconds", "Seconds since the pipeline's stats were created.", pipelineLabels),
		components: f.desc(p+"components", "Number of components that have reported stats.", pipelineLabels),
		collectorErrors: f.desc(p+"collector_errors_total",
			"GetStats calls that panicked and were recovered by the stats collector.", pipelineLabels),
		droppedValues: f.desc(p+"dropped_values_total",
			"Stat values dropped because they could not convert to a finite number.", pipelineLabels),
		healthy: f.desc(p+"healthy", "1 when at least one component has reported and every component's "+
			"stats are fresher than the health timeout, else 0.", pipelineLabels),
		healthTimeout: f.desc(p+"health_timeout_seconds",
			"How stale a component's stats may be before it counts as unhealthy.", pipelineLabels),
		stalled: f.desc(p+"stalled", "1 when the pipeline's source has waited for one ledger for longer than "+
			"its stall timeout, else 0; /readyz says why.", pipelineLabels),
	}
	return f
}

// desc returns the descriptor of a family, the same one for the same
// name, help and labels.
func (f *families) desc(name, help string, labels []string) *prometheus.Desc {
	d := prometheus.NewDesc(name, help, labels, nil)
	text := d.String()
	if prev, ok := f.byText[text]; ok {
		return prev
	}
	f.byText[text] = d
	f.described = append(f.described, d)
	return d
}

// healthOf returns the health families of a component kind.
func (f *families) healthOf(kind string) healthFamilies {
	if h, ok := f.health[kind]; ok {
		return h
	}
	prefix := f.namespace + "_" + sanitize(kind) + "_"
	h := healthFamilies{
		healthy: f.desc(prefix+runtime.HealthyKey,
			"1 when the component's stats are fresher than the health timeout, else 0.", componentLabels),
		statsAge: f.desc(prefix+runtime.StatsAgeKey,
			"Seconds since the component's stats were last collected.", componentLabels),
	}
	f.health[kind] = h
	return h
}

// componentOf returns the families of every stat of d.
func (f *families) componentOf(d *runtime.ComponentDesc) []family {
	if fams, ok := f.comps[d]; ok {
		return fams
	}
	prefix := f.namespace + "_" + sanitize(d.Kind) + "_"
	fams := make([]family, len(d.Stats))
	for i, s := range d.Stats {
		fams[i] = f.stat(prefix, d.Kind, s)
	}
	f.comps[d] = fams
	return fams
}

// stat returns the family of one stat, named as its kind and unit call
// for (see the package documentation).
func (f *families) stat(prefix, kind string, s runtime.StatDesc) family {
	name := sanitize(s.Name)
	help := statHelp(s, kind)
	u, converts := lookupUnit(s.Unit)
	fam := family{stat: s, typ: prometheus.GaugeValue, scale: 1}
	if converts {
		fam.scale = u.scale
	}
	labels := componentLabels
	switch s.Kind {
	case runtime.KindCounter:
		name = trimSuffixes(name, "_total")
		if converts {
			name = withUnit(name, u)
		}
		name += "_total"
		fam.typ = prometheus.CounterValue
		if s.Label != "" {
			labels = append(slices.Clip(componentLabels), s.Label)
		}
	case runtime.KindGauge:
		if converts {
			name = withUnit(name, u)
		}
	case runtime.KindRatio:
		if !strings.HasSuffix(name, "ratio") {
			name += "_ratio"
		}
		if !converts || u.suffix != "ratio" {
			fam.scale = 1
		}
	case runtime.KindTimestamp:
		name = trimSuffixes(name, "_timestamp_seconds", "_timestamp", "_unix", "_time", "_at", "_ts")
		name += "_timestamp_seconds"
		help += " As unix seconds; 0 when it never happened."
		fam.scale = 1
	case runtime.KindLatency:
		name = trimSuffixes(name, "_seconds", "_ms")
		fam.max = f.desc(prefix+name+"_max_seconds", "Largest observation of: "+help, labels)
		name += "_seconds"
	default:
		fam.typ = prometheus.UntypedValue
		fam.scale = 1
		help = fmt.Sprintf("Stat %q as reported by a hand-written GetStats; no //cdp:stat describes it.", s.Name)
	}
	fam.desc = f.desc(prefix+name, help, labels)
	return fam
}

// collect sends one pipeline's metrics: the pipeline's own and those of
// the components f describes; collectUndescribed sends the rest.
func (f *families) collect(ch chan<- prometheus.Metric, ps *runtime.PipelineStats) {
	pipeline := ps.PipelineID()
	health := ps.HealthDetails()
	p := f.pipeline
	gauge := func(d *prometheus.Desc, v float64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, pipeline)
	}
	counter := func(d *prometheus.Desc, v float64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v, pipeline)
	}
	gauge(p.uptime, ps.Uptime().Seconds())
	gauge(p.components, float64(len(health.Components)))
	counter(p.collectorErrors, float64(ps.CollectorErrors()))
	counter(p.droppedValues, float64(ps.DroppedValues()))
	gauge(p.healthy, boolFloat(health.Healthy))
	gauge(p.healthTimeout, health.Timeout.Seconds())
	gauge(p.stalled, boolFloat(health.Stall != nil))
	for _, comp := range health.Components {
		if h, ok := f.health[comp.Kind]; ok {
			sendHealth(ch, h, pipeline, comp)
		}
	}
	for _, snap := range ps.Components() {
		if fams, ok := f.comps[snap.Desc]; ok {
			sendComponent(ch, fams, pipeline, snap)
		}
	}
}

// collectUndescribed sends what the checked families described leave
// out, building families into f as it goes.
func (f *families) collectUndescribed(ch chan<- prometheus.Metric, ps *runtime.PipelineStats, described *families) {
	pipeline := ps.PipelineID()
	for _, comp := range ps.HealthDetails().Components {
		if _, ok := described.health[comp.Kind]; !ok {
			sendHealth(ch, f.healthOf(comp.Kind), pipeline, comp)
		}
	}
	for _, snap := range ps.Components() {
		if _, ok := described.comps[snap.Desc]; !ok {
			sendComponent(ch, f.componentOf(snap.Desc), pipeline, snap)
		}
	}
}

func sendHealth(ch chan<- prometheus.Metric, h healthFamilies, pipeline string, comp runtime.ComponentHealth) {
	ch <- prometheus.MustNewConstMetric(h.healthy, prometheus.GaugeValue, boolFloat(comp.Healthy), pipeline, comp.Type, comp.ID)
	ch <- prometheus.MustNewConstMetric(h.statsAge, prometheus.GaugeValue, max(comp.Age.Seconds(), 0), pipeline, comp.Type, comp.ID)
}

// sendComponent sends every stat of one component instance from its typed
// snapshot. A series the registry would reject (a bad label, say) is sent
// as an invalid metric, which the registry reports.
func sendComponent(ch chan<- prometheus.Metric, fams []family, pipeline string, snap runtime.ComponentSnapshot) {
	labels := []string{pipeline, snap.Type, snap.ID}
	send := func(m prometheus.Metric, err error, d *prometheus.Desc) {
		if err != nil {
			m = prometheus.NewInvalidMetric(d, err)
		}
		ch <- m
	}
	for _, fam := range fams {
		s := fam.stat
		if s.Kind == runtime.KindLatency {
			l := snap.Stats.Latency(s)
			quantiles := map[float64]float64{0.5: l.P50.Seconds(), 0.9: l.P90.Seconds(), 0.99: l.P99.Seconds(), 0.999: l.P999.Seconds()}
			m, err := prometheus.NewConstSummary(fam.desc, l.Count, l.Sum.Seconds(), quantiles, labels...)
			send(m, err, fam.desc)
			m, err = prometheus.NewConstMetric(fam.max, prometheus.GaugeValue, l.Max.Seconds(), labels...)
			send(m, err, fam.max)
			continue
		}
		for i := range s.Width() {
			v := snap.Stats.Value(s, i)
			if v != v { // NaN: dropped
				continue
			}
			lv := labels
			if s.Label != "" {
				lv = append(slices.Clip(labels), s.Values[i])
			}
			m, err := prometheus.NewConstMetric(fam.desc, fam.typ, v*fam.scale, lv...)
			send(m, err, fam.desc)
		}
	}
}

// statHelp is the stat's help text from its marker, or a description
// built from its name when the marker has none. A unit that is not
// converted to a base unit is kept here, as Prometheus names carry only
// base units.
func statHelp(s runtime.StatDesc, kind string) string {
	h := strings.TrimSpace(s.Help)
	if h == "" {
		h = fmt.Sprintf("The %s %s of a %s.", s.Name, s.Kind, kind)
	} else if !strings.ContainsAny(h[len(h)-1:], ".!?") {
		h += "."
	}
	if s.Unit != "" {
		if _, ok := lookupUnit(s.Unit); !ok {
			h += " Unit: " + s.Unit + "."
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
