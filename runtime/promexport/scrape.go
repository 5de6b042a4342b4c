package promexport

import (
	"slices"
	"sort"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
)

// summaryType marks a summary family; prometheus.ValueType has no value
// for summaries, which are built with NewConstSummary.
const summaryType prometheus.ValueType = -1

// point is one series: a value, or a summary's count, sum and quantiles.
type point struct {
	labels    []string
	value     float64
	count     uint64
	sum       float64
	quantiles map[float64]float64
}

// family is every series of one metric name in one scrape.
type family struct {
	name   string
	typ    prometheus.ValueType
	labels []string
	helps  map[string]string // owner (component type name) -> help
	points []point
}

// scrape gathers the series of one Collect, grouped by name, so that each
// name gets one type, one label set and one HELP however many component
// types share it.
type scrape struct {
	families map[string]*family
	order    []*family
	seen     map[string]bool // name and label values of every series
	skipped  int
}

func newScrape() *scrape {
	return &scrape{families: make(map[string]*family), seen: make(map[string]bool)}
}

// add records one series. A series whose name is taken by another type or
// label set, or whose name and labels are taken, is skipped and counted:
// Prometheus would reject the whole scrape otherwise.
func (s *scrape) add(name string, typ prometheus.ValueType, labels []string, help, owner string, p point) {
	f := s.families[name]
	if f == nil {
		f = &family{name: name, typ: typ, labels: labels, helps: make(map[string]string)}
		s.families[name] = f
		s.order = append(s.order, f)
	} else if f.typ != typ || !slices.Equal(f.labels, labels) {
		s.skipped++
		return
	}
	id := name + "\xff" + strings.Join(p.labels, "\xff")
	if s.seen[id] {
		s.skipped++
		return
	}
	s.seen[id] = true
	if _, ok := f.helps[owner]; !ok {
		f.helps[owner] = help
	}
	f.points = append(f.points, p)
}

// help is the family's HELP: the one text when every owner agrees, else
// each owner's text, labelled and sorted, so that it is stable.
func (f *family) help() string {
	owners := make([]string, 0, len(f.helps))
	for o := range f.helps {
		owners = append(owners, o)
	}
	sort.Strings(owners)
	first := f.helps[owners[0]]
	same := true
	for _, o := range owners[1:] {
		same = same && f.helps[o] == first
	}
	if same {
		return first
	}
	parts := make([]string, len(owners))
	for i, o := range owners {
		parts[i] = o + ": " + f.helps[o]
	}
	return "By component_type. " + strings.Join(parts, " ")
}

// emit sends every series.
func (s *scrape) emit(ch chan<- prometheus.Metric) {
	for _, f := range s.order {
		desc := prometheus.NewDesc(f.name, f.help(), f.labels, nil)
		for _, p := range f.points {
			var (
				m   prometheus.Metric
				err error
			)
			if f.typ == summaryType {
				m, err = prometheus.NewConstSummary(desc, p.count, p.sum, p.quantiles, p.labels...)
			} else {
				m, err = prometheus.NewConstMetric(desc, f.typ, p.value, p.labels...)
			}
			if err != nil {
				m = prometheus.NewInvalidMetric(desc, err)
			}
			ch <- m
		}
	}
}
