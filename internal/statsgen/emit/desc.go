package emit

import (
	"github.com/dave/jennifer/jen"

	"github.com/cdpstats/cdpstats/internal/statsgen/model"
	"github.com/cdpstats/cdpstats/runtime"
)

// desc writes the component's package-level *runtime.ComponentDesc.
func (g *componentGen) desc() {
	g.doc("%s describes the stats of %s for StatsDesc and the collector.",
		g.c.DescVar, g.c.GoName)
	g.f.Var().Id(g.c.DescVar).Op("=").Add(descCall(g.c))
	g.f.Line()
}

// descCall returns the runtime.NewComponentDesc call that describes c.
func descCall(c *model.Component) *jen.Statement {
	return jen.Qual(RuntimePath, "NewComponentDesc").CallFunc(func(args *jen.Group) {
		args.Line().Lit(c.Kind)
		args.Lit(c.Name)
		for _, s := range c.Stats {
			args.Line().Add(statDescLiteral(s))
		}
		args.Line()
	})
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
	if s.Labelled() {
		values := make([]string, len(s.Values))
		for i, v := range s.Values {
			values[i] = v.Name
		}
		fields = append(fields, jen.Id("Label").Op(":").Lit(s.Label), jen.Id("Values").Op(":").Add(stringSlice(values)))
	}
	return jen.Qual(RuntimePath, "StatDesc").Values(fields...)
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
