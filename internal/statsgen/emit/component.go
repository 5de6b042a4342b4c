package emit

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/dave/jennifer/jen"

	"github.com/cdpstats/cdpstats/internal/statsgen/model"
	"github.com/cdpstats/cdpstats/runtime"
)

// componentGen writes the code of one component.
type componentGen struct {
	*fileGen
	c *model.Component
	// recv is the receiver name of the component's methods.
	recv string
}

// statsRecv is the receiver name of the stats type's helpers.
const statsRecv = "s"

func (g *componentGen) emit() {
	g.recv = receiverName(g.c.GoName)
	if g.c.StatsType != "" {
		g.statsType()
		for _, s := range g.c.Stats {
			g.helpers(s)
		}
	}
	g.desc()
	g.methods()
	g.guard()
}

// receiverName returns the conventional receiver name of a type: its
// first letter, lower-cased.
func receiverName(typeName string) string {
	r, _ := utf8.DecodeRuneInString(typeName)
	if !unicode.IsLetter(r) {
		return "c"
	}
	return string(unicode.ToLower(r))
}

// statsType writes the struct that holds the component's stats.
func (g *componentGen) statsType() {
	c := g.c
	stored := false
	for _, s := range c.Stats {
		stored = stored || s.Stored()
	}
	if stored {
		g.doc("%s holds the stats of %s, as its //cdp:stat markers declare them. Its methods "+
			"record them; they are safe for concurrent use and allocate nothing.", c.StatsType, c.GoName)
	} else {
		g.doc("%s carries the //cdp:stat markers of %s. It holds nothing: every one of those "+
			"stats is read from the component when stats are collected.", c.StatsType, c.GoName)
	}
	g.f.Type().Id(c.StatsType).StructFunc(func(fields *jen.Group) {
		for _, s := range c.Stats {
			switch {
			case s.Labelled():
				fields.Id(s.Field).Index(jen.Lit(len(s.Values))).Qual(RuntimePath, primitive(s.Kind))
			case s.Stored():
				fields.Id(s.Field).Qual(RuntimePath, primitive(s.Kind))
			}
		}
	})
	g.f.Line()
}

// primitive returns the runtime type that stores a stat of kind k.
func primitive(k runtime.StatKind) string {
	switch k {
	case runtime.KindCounter:
		return "Counter"
	case runtime.KindGauge:
		return "Gauge"
	case runtime.KindTimestamp:
		return "Timestamp"
	case runtime.KindLatency:
		return "Histogram"
	}
	panic(fmt.Sprintf("statsgen: no primitive stores a %s", k))
}

// helpers writes the recording methods of one stat on the stats type.
func (g *componentGen) helpers(s *model.Stat) {
	if !s.Stored() {
		return
	}
	field := jen.Id(statsRecv).Dot(s.Field)
	help := ""
	if s.Help != "" {
		help = "\n\n" + strings.TrimSuffix(s.Help, ".") + "."
	}
	method := func(doc, name string, params []jen.Code, results []jen.Code, body ...jen.Code) {
		g.doc("%s", fmt.Sprintf(doc, name, s.Name)+help)
		g.f.Func().Params(jen.Id(statsRecv).Op("*").Id(g.c.StatsType)).Id(name).
			Params(params...).Params(results...).Block(body...)
		g.f.Line()
	}
	if s.Labelled() {
		g.labelledHelpers(s, help)
		return
	}
	switch s.Kind {
	case runtime.KindCounter:
		method("%s adds 1 to the counter %s.", "Record"+s.Camel, nil, nil, field.Clone().Dot("Inc").Call())
		method("%s adds n to the counter %s.", "Add"+s.Camel,
			[]jen.Code{jen.Id("n").Uint64()}, nil, field.Clone().Dot("Add").Call(jen.Id("n")))
	case runtime.KindGauge:
		method("%s sets the gauge %s to v.", "Set"+s.Camel,
			[]jen.Code{jen.Id("v").Int64()}, nil, field.Clone().Dot("Set").Call(jen.Id("v")))
		method("%s adds delta, which may be negative, to the gauge %s.", "Add"+s.Camel,
			[]jen.Code{jen.Id("delta").Int64()}, nil, field.Clone().Dot("Add").Call(jen.Id("delta")))
	case runtime.KindTimestamp:
		method("%s sets the timestamp %s to now.", "Mark"+s.Camel, nil, nil, field.Clone().Dot("Mark").Call())
		method("%s sets the timestamp %s to t; the zero time.Time clears it.", "Set"+s.Camel,
			[]jen.Code{jen.Id("t").Qual("time", "Time")}, nil, field.Clone().Dot("Set").Call(jen.Id("t")))
	case runtime.KindLatency:
		method("%s records one latency of d in %s.", "Observe"+s.Camel,
			[]jen.Code{jen.Id("d").Qual("time", "Duration")}, nil, field.Clone().Dot("Observe").Call(jen.Id("d")))
		start := "Start" + s.Camel
		method("%s starts timing one operation for %s: call Stop on the Stopwatch it returns when "+
			"the operation ends, as in defer "+g.recv+"."+g.c.StatsField+".%[1]s().Stop(). Neither call "+
			"allocates.", start,
			nil, []jen.Code{jen.Qual(RuntimePath, "Stopwatch")}, jen.Return(field.Clone().Dot("Start").Call()))
		g.deprecatedTime(s, start, help)
	}
}

// deprecatedTime writes TimeX, the closure form of StartX that statsgen
// generated before StartX, kept for one release so that code calling it
// still builds after regenerating.
func (g *componentGen) deprecatedTime(s *model.Stat, start, help string) {
	name := "Time" + s.Camel
	g.doc("%s", fmt.Sprintf("%s starts timing one operation for %s: call the func it returns when the "+
		"operation ends.", name, s.Name)+help+fmt.Sprintf("\n\nDeprecated: use %s().Stop(), which allocates "+
		"nothing; the func %s returns allocates. %s will be removed in the next release.", start, name, name))
	g.f.Func().Params(jen.Id(statsRecv).Op("*").Id(g.c.StatsType)).Id(name).Params().Func().Params().Block(
		jen.If(jen.Op("!").Qual(RuntimePath, "Enabled")).Block(jen.Return(jen.Func().Params().Block())),
		jen.Return(jen.Id(statsRecv).Dot(s.Field).Dot("Start").Call().Dot("Stop")),
	)
	g.f.Line()
}

// labelledHelpers writes the helpers of a labelled counter: RecordXV and
// AddXV for each value V, and RecordX and AddX, which take the value as
// a string and report whether it is one of the counter's values.
func (g *componentGen) labelledHelpers(s *model.Stat, help string) {
	recv := jen.Id(statsRecv).Op("*").Id(g.c.StatsType)
	counter := func(i int) *jen.Statement { return jen.Id(statsRecv).Dot(s.Field).Index(jen.Lit(i)) }
	for i, v := range s.Values {
		g.doc("%s", fmt.Sprintf("Record%s%s adds 1 to the counter %s for %s=%q.", s.Camel, v.Camel, s.Name, s.Label, v.Name)+help)
		g.f.Func().Params(recv.Clone()).Id("Record" + s.Camel + v.Camel).Params().
			Block(counter(i).Dot("Inc").Call())
		g.f.Line()
		g.doc("%s", fmt.Sprintf("Add%s%s adds n to the counter %s for %s=%q.", s.Camel, v.Camel, s.Name, s.Label, v.Name)+help)
		g.f.Func().Params(recv.Clone()).Id("Add" + s.Camel + v.Camel).Params(jen.Id("n").Uint64()).
			Block(counter(i).Dot("Add").Call(jen.Id("n")))
		g.f.Line()
	}
	names := make([]string, len(s.Values))
	for i, v := range s.Values {
		names[i] = fmt.Sprintf("%q", v.Name)
	}
	oneOf := names[0]
	if len(names) > 1 {
		oneOf = "one of " + strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
	}
	g.doc("%s", fmt.Sprintf("Record%s adds 1 to the counter %s for the %s value, %s. It reports false, "+
		"and counts nothing, for any other value.", s.Camel, s.Name, s.Label, oneOf)+help)
	g.f.Func().Params(recv.Clone()).Id("Record" + s.Camel).Params(jen.Id("value").String()).Bool().
		Block(jen.Return(jen.Id(statsRecv).Dot("Add"+s.Camel).Call(jen.Id("value"), jen.Lit(1))))
	g.f.Line()
	g.doc("%s", fmt.Sprintf("Add%s adds n to the counter %s for the %s value, %s. It reports false, "+
		"and counts nothing, for any other value.", s.Camel, s.Name, s.Label, oneOf)+help)
	g.f.Func().Params(recv.Clone()).Id("Add"+s.Camel).Params(jen.Id("value").String(), jen.Id("n").Uint64()).Bool().
		Block(
			jen.Switch(jen.Id("value")).BlockFunc(func(cases *jen.Group) {
				for i, v := range s.Values {
					cases.Case(jen.Lit(v.Name)).Block(counter(i).Dot("Add").Call(jen.Id("n")))
				}
				cases.Default().Block(jen.Return(jen.False()))
			}),
			jen.Return(jen.True()),
		)
	g.f.Line()
}

// statsField returns the expression of the component's stats field.
func (g *componentGen) statsField() *jen.Statement {
	return jen.Id(g.recv).Dot(g.c.StatsField)
}

// read returns the expression that reads a gauge's field or calls its
// method.
func (g *componentGen) read(r *model.Read) *jen.Statement {
	expr := jen.Id(g.recv)
	for _, part := range strings.Split(r.Path, ".") {
		expr = expr.Dot(part)
	}
	if r.IsFunc {
		expr = expr.Call()
	}
	return expr
}

// methods writes StatsDesc, SnapshotStats and GetStats on the component.
func (g *componentGen) methods() {
	c := g.c
	recv := jen.Id(g.recv).Op("*").Id(c.GoName)
	g.doc("Compile-time check that the component feeds the collector's allocation-free path.")
	g.f.Var().Id("_").Qual(RuntimePath, "SnapshotProvider").Op("=").Parens(jen.Op("*").Id(c.GoName)).Parens(jen.Nil())
	g.f.Line()

	g.doc("StatsDesc describes the stats of %s. It implements runtime.SnapshotProvider; "+
		"the description never changes.", c.GoName)
	g.f.Func().Params(recv.Clone()).Id("StatsDesc").Params().Op("*").Qual(RuntimePath, "ComponentDesc").
		Block(jen.Return(jen.Id(c.DescVar)))
	g.f.Line()

	g.doc("SnapshotStats writes the current value of every stat of StatsDesc() into dst, " +
		"without allocating. It implements runtime.SnapshotProvider.")
	g.f.Func().Params(recv.Clone()).Id("SnapshotStats").Params(jen.Id("dst").Qual(RuntimePath, "Snapshot")).
		BlockFunc(g.snapshotBody)
	g.f.Line()

	g.doc("GetStats returns the stats of %s in the map form of runtime.StatsProvider.", c.GoName)
	g.f.Func().Params(recv.Clone()).Id("GetStats").Params().Qual(RuntimePath, "ComponentStats").
		Block(jen.Return(jen.Qual(RuntimePath, "StatsOf").Call(jen.Id(g.recv))))
	g.f.Line()
}

// snapshotBody writes the stats in the layout of runtime.NewComponentDesc:
// every stat but a latency takes the next Values (one per label value for
// a labelled counter), every latency the next Latencies.
func (g *componentGen) snapshotBody(body *jen.Group) {
	values, latencies := 0, 0
	for _, s := range g.c.Stats {
		switch {
		case s.Kind == runtime.KindLatency:
			latencies++
		case s.Labelled():
			values += len(s.Values)
		default:
			values++
		}
	}
	v := func(i int) *jen.Statement { return jen.Id("dst").Dot("Values").Index(jen.Lit(i)) }
	l := func(i int) *jen.Statement { return jen.Id("dst").Dot("Latencies").Index(jen.Lit(i)) }
	if values > 0 {
		body.Id("_").Op("=").Add(v(values - 1)).Comment("one bounds check for all writes")
	}
	if latencies > 0 {
		body.Id("_").Op("=").Add(l(latencies - 1))
	}
	values, latencies = 0, 0
	for _, s := range g.c.Stats {
		switch {
		case s.Kind == runtime.KindLatency:
			body.Add(l(latencies)).Op("=").Add(g.statsField().Dot(s.Field).Dot("Summary").Call())
			latencies++
		case s.Labelled():
			for j := range s.Values {
				body.Add(v(values)).Op("=").
					Float64().Parens(g.statsField().Dot(s.Field).Index(jen.Lit(j)).Dot("Load").Call())
				values++
			}
		default:
			body.Add(v(values)).Op("=").Add(g.snapshotValue(s))
			values++
		}
	}
}

// snapshotValue returns the float64 value of a stat with one key.
func (g *componentGen) snapshotValue(s *model.Stat) jen.Code {
	switch {
	case s.Kind == runtime.KindRatio:
		return g.ratio(s)
	case s.Kind == runtime.KindTimestamp:
		return g.statsField().Dot(s.Field).Dot("UnixSeconds").Call()
	case s.Read != nil && s.Read.Conv == model.ToFloat64:
		return jen.Qual(RuntimePath, "Finite").Call(jen.Float64().Parens(g.read(s.Read)))
	case s.Read != nil:
		return jen.Float64().Parens(g.read(s.Read))
	default:
		return jen.Float64().Parens(g.statsField().Dot(s.Field).Dot("Load").Call())
	}
}

func (g *componentGen) ratio(s *model.Stat) jen.Code {
	return jen.Qual(RuntimePath, "Ratio").Call(
		g.statsField().Dot(s.Num.Field).Dot("Load").Call(),
		g.statsField().Dot(s.Den.Field).Dot("Load").Call(),
	)
}

// guard writes a function that refers to every field and method that the
// component's gauges read, with their types, so renaming or retyping one
// breaks the build instead of the numbers.
func (g *componentGen) guard() {
	var reads []*model.Read
	for _, s := range g.c.Stats {
		if s.Read != nil {
			reads = append(reads, s.Read)
		}
	}
	if len(reads) == 0 {
		return
	}
	g.doc("_ breaks the build when a field or method that a //cdp:stat marker of %s reads is "+
		"renamed or retyped. Fix the marker, then run go generate again.", g.c.GoName)
	g.f.Func().Id("_").Params(jen.Id(g.recv).Op("*").Id(g.c.GoName)).BlockFunc(func(body *jen.Group) {
		for _, r := range reads {
			typ := g.typeCode(r.Type)
			ref := g.read(r)
			if r.IsFunc {
				ref = jen.Id(g.recv)
				for _, part := range strings.Split(r.Path, ".") {
					ref = ref.Dot(part)
				}
				if typ != nil {
					typ = jen.Func().Params().Add(typ)
				}
			}
			if typ == nil {
				body.Id("_").Op("=").Add(ref)
				continue
			}
			body.Var().Id("_").Add(typ).Op("=").Add(ref)
		}
	})
	g.f.Line()
}
