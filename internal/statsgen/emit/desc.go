package emit

import (
	"github.com/dave/jennifer/jen"

	"github.com/cdpstats/cdpstats/internal/statsgen/model"
	"github.com/cdpstats/cdpstats/runtime"
)

// desc writes the component's package-level *runtime.ComponentDesc.
func (g *componentGen) desc() {
	g.doc("%s describes the stats of %s for StatsDesc, the collector and the catalog.",
		g.c.DescVar, g.c.GoName)
	g.f.Var().Id(g.c.DescVar).Op("=").Op("&").Add(descLiteral(g.c))
	g.f.Line()
}

// descLiteral returns the runtime.ComponentDesc of c as a composite literal.
func descLiteral(c *model.Component) *jen.Statement {
	return jen.Qual(RuntimePath, "ComponentDesc").Values(
		jen.Line().Id("Type").Op(":").Lit(c.Type),
		jen.Line().Id("Name").Op(":").Lit(c.Name),
		jen.Line().Id("Stats").Op(":").Index().Qual(RuntimePath, "StatDesc").ValuesFunc(func(stats *jen.Group) {
			for _, s := range c.Stats {
				stats.Line().Add(statDescLiteral(s))
			}
			if len(c.Stats) > 0 {
				stats.Line()
			}
		}),
		jen.Line().Id("Keys").Op(":").Add(stringSlice(c.Keys())),
		jen.Line(),
	)
}

func statDescLiteral(s *model.Stat) jen.Code {
	fields := []jen.Code{
		jen.Id("Name").Op(":").Lit(s.Name),
		jen.Id("Kind").Op(":").Qual(RuntimePath, kindConst(s.Kind)),
	}
	if s.Unit != "" {
		fields = append(fields, jen.Id("Unit").Op(":").Lit(s.Unit))
	}
	if s.Help != "" {
		fields = append(fields, jen.Id("Help").Op(":").Lit(s.Help))
	}
	fields = append(fields, jen.Id("Keys").Op(":").Add(stringSlice(s.Keys)))
	if s.Labelled() {
		values := make([]string, len(s.Values))
		for i, v := range s.Values {
			values[i] = v.Name
		}
		fields = append(fields, jen.Id("Label").Op(":").Lit(s.Label), jen.Id("Values").Op(":").Add(stringSlice(values)))
	}
	return jen.Values(fields...)
}

func stringSlice(ss []string) jen.Code {
	return jen.Index().String().ValuesFunc(func(g *jen.Group) {
		for _, s := range ss {
			g.Lit(s)
		}
	})
}

// kindConst returns the name of the runtime constant for kind k.
func kindConst(k runtime.StatKind) string {
	switch k {
	case runtime.KindCounter:
		return "KindCounter"
	case runtime.KindGauge:
		return "KindGauge"
	case runtime.KindTimestamp:
		return "KindTimestamp"
	case runtime.KindLatency:
		return "KindLatency"
	case runtime.KindRatio:
		return "KindRatio"
	}
	panic("statsgen: unknown stat kind " + k.String())
}
