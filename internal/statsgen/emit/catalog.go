package emit

import (
	"sort"

	"github.com/dave/jennifer/jen"

	"github.com/cdpstats/cdpstats/internal/statsgen/load"
	"github.com/cdpstats/cdpstats/internal/statsgen/model"
)

// Names of the catalog files statsgen writes into the //cdp:catalog package.
const (
	CatalogGoName = "catalog_generated.go"
	CatalogMDName = "STATS.md"
)

// CatalogEntry is one component in the catalog.
type CatalogEntry struct {
	// Package is the import path of the package that declares it.
	Package string
	// Component is the checked component.
	Component *model.Component
}

// SortCatalog sorts entries by component type, then name, then package.
func SortCatalog(entries []CatalogEntry) {
	sort.Slice(entries, func(i, j int) bool {
		a, b := entries[i], entries[j]
		if a.Component.Type != b.Component.Type {
			return a.Component.Type < b.Component.Type
		}
		if a.Component.Name != b.Component.Name {
			return a.Component.Name < b.Component.Name
		}
		return a.Package < b.Package
	})
}

// CatalogGo returns the Go source of the catalog for the package p, which
// carries //cdp:catalog. entries must be sorted with SortCatalog.
//
// The file is self-contained: it declares the Component type, the data
// and the lookup functions, so that any package can hold the catalog.
func CatalogGo(p *model.Package, entries []CatalogEntry) ([]byte, error) {
	g := newFileGen(p.Path, p.Name, p.Types)
	g.importAs(RuntimePath, "runtime")
	f := g.f

	g.doc("Component is one //cdp:component of the module, for exporters that must describe " +
		"metrics before they see values (a Prometheus HELP line, say).")
	f.Type().Id("Component").Struct(
		jen.Comment("Package is the import path of the package that declares the component."),
		jen.Id("Package").String(),
		jen.Comment("GoType is the name of the component's struct type."),
		jen.Id("GoType").String(),
		jen.Comment("Desc describes the component's stats, as its StatsDesc method returns them."),
		jen.Id("Desc").Op("*").Qual(RuntimePath, "ComponentDesc"),
	)
	f.Line()

	g.doc("components is every component, sorted by type and name.")
	f.Var().Id("components").Op("=").Index().Id("Component").ValuesFunc(func(list *jen.Group) {
		for _, e := range entries {
			list.Line().Values(
				jen.Line().Id("Package").Op(":").Lit(e.Package),
				jen.Line().Id("GoType").Op(":").Lit(e.Component.GoName),
				jen.Line().Id("Desc").Op(":").Op("&").Add(descLiteral(e.Component)),
				jen.Line(),
			)
		}
		if len(entries) > 0 {
			list.Line()
		}
	})
	f.Line()

	g.doc("Components returns every component, sorted by type and name. The result is shared: " +
		"do not modify it.")
	f.Func().Id("Components").Params().Index().Id("Component").Block(jen.Return(jen.Id("components")))
	f.Line()

	g.doc("Lookup returns the component with the given type (\"source\", \"processor\" or " +
		"\"consumer\") and name.")
	f.Func().Id("Lookup").Params(jen.List(jen.Id("typ"), jen.Id("name")).String()).
		Params(jen.Id("Component"), jen.Bool()).Block(
		jen.For(jen.List(jen.Id("_"), jen.Id("c")).Op(":=").Range().Id("components")).Block(
			jen.If(jen.Id("c").Dot("Desc").Dot("Type").Op("==").Id("typ").Op("&&").
				Id("c").Dot("Desc").Dot("Name").Op("==").Id("name")).Block(
				jen.Return(jen.Id("c"), jen.True()),
			),
		),
		jen.Return(jen.Id("Component").Values(), jen.False()),
	)
	f.Line()

	g.doc("Describe returns the stat of the component with the given type and name that produces " +
		"the flat key, such as \"process_latency_p99_ms\".")
	f.Func().Id("Describe").Params(jen.List(jen.Id("typ"), jen.Id("name"), jen.Id("key")).String()).
		Params(jen.Qual(RuntimePath, "StatDesc"), jen.Bool()).Block(
		jen.List(jen.Id("c"), jen.Id("ok")).Op(":=").Id("Lookup").Call(jen.Id("typ"), jen.Id("name")),
		jen.If(jen.Op("!").Id("ok")).Block(jen.Return(jen.Qual(RuntimePath, "StatDesc").Values(), jen.False())),
		jen.Return(jen.Id("c").Dot("Desc").Dot("Key").Call(jen.Id("key"))),
	)
	return g.render(load.CatalogHeader, "")
}
