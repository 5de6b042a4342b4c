package model

import (
	"fmt"
	"strings"

	"github.com/cdpstats/cdpstats/internal/statsgen/markers"
	"github.com/cdpstats/cdpstats/runtime"
)

// statMarker is a //cdp:stat marker that parsed cleanly.
type statMarker struct {
	*marker
	mk *markers.Stat
}

// stats builds and checks the stats of c, in marker order. broken are
// the names of stats whose markers have errors, already reported; a
// reference to one is not reported again.
func (b *builder) stats(c *Component, ms []*statMarker, broken map[string]bool) {
	byName := map[string]*Stat{}
	byCamel := map[string]*Stat{}
	byKey := map[string]*Stat{}
	// byValueCamel maps the name of every labelled counter's per-value
	// helpers (RecordXV, AddXV) without the verb to its stat and value.
	byValueCamel := map[string]statValue{}
	var built []*statMarker
	for _, m := range ms {
		s := &Stat{
			Name:  m.mk.Name.Text,
			Camel: camelCase(m.mk.Name.Text),
			Field: fieldIdent(m.mk.Name.Text),
			Kind:  m.mk.Kind,
			Help:  m.mk.Help.Text,
			Unit:  m.mk.Unit.Text,
			Label: m.mk.Label.Text,
			Pos:   m.pos(m.mk.Name.Offset),
		}
		for _, v := range m.mk.LabelValues {
			s.Values = append(s.Values, &LabelValue{Name: v.Text, Camel: camelCase(v.Text), Pos: m.pos(v.Offset)})
		}
		s.Keys = keysOf(s)
		if prev := byName[s.Name]; prev != nil {
			b.diags.Addf(s.Pos, "duplicate stat name %q in %s; the first is on line %d", s.Name, c.GoName, prev.Pos.Line)
			continue
		}
		byName[s.Name] = s
		if prev := byCamel[s.Camel]; prev != nil {
			b.diags.Addf(s.Pos, "stat %q has the same CamelCase (%s) as stat %q on line %d, so their helpers "+
				"would clash; rename one", s.Name, s.Camel, prev.Name, prev.Pos.Line)
			broken[s.Name] = true
			continue
		}
		byCamel[s.Camel] = s
		if !b.helpersFree(s, byCamel, byValueCamel) {
			broken[s.Name] = true
			continue
		}
		clash := false
		for i, k := range s.Keys {
			pos := s.Pos
			if s.Labelled() {
				pos = s.Values[i].Pos
			}
			if prev := byKey[k]; prev != nil && !clash {
				clash = true
				b.diags.Addf(pos, "stat %q produces the key %q, which %s %q on line %d also produces; rename one",
					s.Name, k, prev.Kind, prev.Name, prev.Pos.Line)
			}
			if (k == runtime.HealthyKey || k == runtime.StatsAgeKey) && !clash {
				clash = true
				b.diags.Addf(pos, "stat %q produces the key %q, which is reserved: the pipeline adds it to "+
					"every component; rename the stat or the value", s.Name, k)
			}
		}
		if clash {
			broken[s.Name] = true
			continue
		}
		for _, v := range s.Values {
			byValueCamel[s.Camel+v.Camel] = statValue{s, v}
		}
		for _, k := range s.Keys {
			byKey[k] = s
		}
		c.Stats = append(c.Stats, s)
		built = append(built, m)
	}

	for i, s := range c.Stats {
		m := built[i]
		switch {
		case s.Kind == runtime.KindRatio:
			s.Num = b.ratioOperand(c, s, "num", m, m.mk.Num, byName, broken)
			s.Den = b.ratioOperand(c, s, "den", m, m.mk.Den, byName, broken)
		case m.mk.Field.Set:
			s.Read = b.fieldRead(c, m, m.mk.Field)
		case m.mk.Func.Set:
			s.Read = b.funcRead(c, m, m.mk.Func)
		}
	}
}

// ratioOperand resolves the num= or den= of ratio s to a counter of c.
func (b *builder) ratioOperand(c *Component, s *Stat, what string, m *statMarker, v markers.Value,
	byName map[string]*Stat, broken map[string]bool) *Stat {
	target := byName[v.Text]
	if target == nil && broken[v.Text] {
		return nil
	}
	if target == nil {
		var counters []string
		for _, o := range c.Stats {
			if o.Kind == runtime.KindCounter && !o.Labelled() {
				counters = append(counters, o.Name)
			}
		}
		msg := fmt.Sprintf("ratio %s: %s %q is not a stat of %s", s.Name, what, v.Text, c.GoName)
		if hint, ok := markers.Suggest(v.Text, counters); ok {
			msg += fmt.Sprintf("; did you mean %q?", hint)
		}
		if len(counters) == 0 {
			msg += "; declare the counters it divides with //cdp:stat counter"
		} else {
			msg += fmt.Sprintf(" (counters: %s)", strings.Join(counters, ", "))
		}
		b.diags.Addf(m.pos(v.Offset), "%s", msg)
		return nil
	}
	if target.Kind != runtime.KindCounter {
		b.diags.Addf(m.pos(v.Offset), "ratio %s: %s %q is a %s; num= and den= must name counters of %s",
			s.Name, what, v.Text, target.Kind, c.GoName)
		return nil
	}
	if target.Labelled() {
		b.diags.Addf(m.pos(v.Offset), "ratio %s: %s %q is a labelled counter, which has one count per value; "+
			"num= and den= must name counters of %s without label=", s.Name, what, v.Text, c.GoName)
		return nil
	}
	return target
}

// helpersFree reports whether the helper names of s are free: a labelled
// counter's per-value helpers (RecordXV, AddXV) must not clash with
// another stat's helpers, nor another stat's per-value helpers with the
// helpers of s, nor two values of s with each other. It reports a clash
// at the offending value or name.
func (b *builder) helpersFree(s *Stat, byCamel map[string]*Stat, byValueCamel map[string]statValue) bool {
	if prev, ok := byValueCamel[s.Camel]; ok {
		b.diags.Addf(s.Pos, "stat %q has the same CamelCase (%s) as value %q of the labelled counter %q on line %d, "+
			"so their helpers would clash; rename one", s.Name, s.Camel, prev.value.Name, prev.stat.Name, prev.stat.Pos.Line)
		return false
	}
	mine := map[string]*LabelValue{}
	for _, v := range s.Values {
		x := s.Camel + v.Camel
		var other string
		switch {
		case mine[x] != nil:
			other = fmt.Sprintf("value %q", mine[x].Name)
		case byCamel[x] != nil:
			other = fmt.Sprintf("stat %q on line %d", byCamel[x].Name, byCamel[x].Pos.Line)
		case byValueCamel[x].stat != nil:
			prev := byValueCamel[x]
			other = fmt.Sprintf("value %q of %q on line %d", prev.value.Name, prev.stat.Name, prev.stat.Pos.Line)
		}
		if other != "" {
			b.diags.Addf(v.Pos, "value %q of %s gives the helpers Record%s and Add%s, which clash with those of %s; "+
				"rename one", v.Name, s.Name, x, x, other)
			return false
		}
		mine[x] = v
	}
	return true
}

// statValue is one value of a labelled counter.
type statValue struct {
	stat  *Stat
	value *LabelValue
}

// keysOf returns the flat keys s produces, as runtime builds them.
func keysOf(s *Stat) []string {
	d := runtime.StatDesc{Name: s.Name, Kind: s.Kind, Label: s.Label}
	for _, v := range s.Values {
		d.Values = append(d.Values, v.Name)
	}
	return d.Keys()
}
