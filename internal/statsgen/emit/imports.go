package emit

import (
	"fmt"
	"go/token"
	"go/types"
	"sort"

	"github.com/dave/jennifer/jen"

	"github.com/cdpstats/cdpstats/internal/statsgen/model"
)

func newFileGen(path, name string, pkg *types.Package) *fileGen {
	f := jen.NewFilePathName(path, name)
	// render formats the whole file once, after adding the header and
	// grouping the imports; formatting here too would double the cost.
	f.NoFormat = true
	return &fileGen{
		f:       f,
		pkgPath: path,
		scope:   pkg,
		names:   map[string]bool{},
		imports: map[string]string{},
	}
}

// reserveImports picks the name of every package the file imports before
// any code is written. An import name must not clash with a
// package-level name of the package (a var named time, say), which
// jennifer cannot know about.
func (g *fileGen) reserveImports(p *model.Package) {
	g.importAs(RuntimePath, "runtime")
	g.importAs("time", "time")
	paths := map[string]string{}
	for _, c := range p.Components {
		for _, s := range c.Stats {
			if s.Read != nil {
				collectPackages(s.Read.Type, paths)
			}
		}
	}
	sorted := make([]string, 0, len(paths))
	for path := range paths {
		sorted = append(sorted, path)
	}
	sort.Strings(sorted)
	for _, path := range sorted {
		if path != g.pkgPath {
			g.importAs(path, paths[path])
		}
	}
}

// importAs registers path under name, or under name with a number when
// name is taken.
func (g *fileGen) importAs(path, name string) {
	if _, done := g.imports[path]; done {
		return
	}
	alias := name
	for i := 1; g.taken(alias); i++ {
		alias = fmt.Sprintf("%s%d", name, i)
	}
	g.names[alias] = true
	g.imports[path] = alias
	if alias == name {
		g.f.ImportName(path, name)
	} else {
		g.f.ImportAlias(path, alias)
	}
}

func (g *fileGen) taken(name string) bool {
	if g.names[name] || token.IsKeyword(name) {
		return true
	}
	return g.scope != nil && g.scope.Scope().Lookup(name) != nil
}

// collectPackages adds the path and name of the package of every named
// type in t to paths.
func collectPackages(t types.Type, paths map[string]string) {
	switch t := types.Unalias(t).(type) {
	case *types.Named:
		if pkg := t.Obj().Pkg(); pkg != nil {
			paths[pkg.Path()] = pkg.Name()
		}
	case *types.Signature:
		for i := 0; i < t.Results().Len(); i++ {
			collectPackages(t.Results().At(i).Type(), paths)
		}
	}
}

// typeCode returns t as jennifer code, or nil when the generated file
// cannot name it (an unexported type of another package, a generic type).
func (g *fileGen) typeCode(t types.Type) jen.Code {
	switch t := types.Unalias(t).(type) {
	case *types.Basic:
		return jen.Id(t.Name())
	case *types.Named:
		obj := t.Obj()
		if t.TypeArgs().Len() > 0 {
			return nil
		}
		if obj.Pkg() == nil || obj.Pkg().Path() == g.pkgPath {
			return jen.Id(obj.Name())
		}
		if !obj.Exported() {
			return nil
		}
		return jen.Qual(obj.Pkg().Path(), obj.Name())
	}
	return nil
}
