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
	var built []*statMarker
	for _, m := range ms {
		s := &Stat{
			Name:  m.mk.Name.Text,
			Camel: camelCase(m.mk.Name.Text),
			Field: fieldIdent(m.mk.Name.Text),
			Kind:  m.mk.Kind,
			Help:  m.mk.Help.Text,
			Unit:  m.mk.Unit.Text,
			Keys:  keysOf(m.mk.Name.Text, m.mk.Kind),
			Pos:   m.pos(m.mk.Name.Offset),
		}
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
		clash := false
		for _, k := range s.Keys {
			if prev := byKey[k]; prev != nil && !clash {
				clash = true
				b.diags.Addf(s.Pos, "stat %q produces the key %q, which %s %q on line %d also produces; rename one",
					s.Name, k, prev.Kind, prev.Name, prev.Pos.Line)
			}
		}
		if clash {
			broken[s.Name] = true
			continue
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
			if o.Kind == runtime.KindCounter {
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
	return target
}

// keysOf returns the flat keys a stat named name of kind k produces.
func keysOf(name string, k runtime.StatKind) []string {
	if k != runtime.KindLatency {
		return []string{name}
	}
	keys := make([]string, len(runtime.LatencyKeySuffixes))
	for i, suffix := range runtime.LatencyKeySuffixes {
		keys[i] = name + suffix
	}
	return keys
}
