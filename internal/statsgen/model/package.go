package model

import (
	"go/types"

	"github.com/cdpstats/cdpstats/internal/statsgen/diag"
)

// generatedMethods are the methods statsgen generates on the pointer of
// every component.
var generatedMethods = []string{"StatsDesc", "SnapshotStats", "GetStats"}

// checkPackage checks what spans the components of the package: one
// build constraint for the one output file, unique component names, and
// no hand-written declaration that the generated code would clash with.
func (b *builder) checkPackage() {
	var first *Component
	for _, c := range b.out.Components {
		if first == nil {
			first = c
			b.out.BuildConstraint = b.constraints[c]
			continue
		}
		if got := b.constraints[c]; got != b.out.BuildConstraint {
			b.diags.Addf(c.Pos, "%s is in a file with %s but %s is in a file with %s; statsgen writes one "+
				"file per package, so declare components in files with the same //go:build line",
				c.GoName, describeConstraint(got), first.GoName, describeConstraint(b.out.BuildConstraint))
		}
	}

	seen := map[[2]string]*Component{}
	for _, c := range b.out.Components {
		key := [2]string{c.Kind, c.Name}
		if prev := seen[key]; prev != nil {
			b.diags.Addf(c.Pos, "duplicate component %s %s: %s at %s has the same kind and name; give one a "+
				"distinct name=", c.Kind, c.Name, prev.GoName, diag.Position(prev.Pos, b.pkg.Dir))
			continue
		}
		seen[key] = c
		b.checkClashes(c)
	}
}

// checkClashes reports hand-written declarations with the names of the
// methods and variable that statsgen generates for c.
func (b *builder) checkClashes(c *Component) {
	if b.pkg.Types == nil {
		return
	}
	if obj := b.pkg.Types.Scope().Lookup(c.DescVar); obj != nil {
		b.diags.Addf(b.pkg.Fset.Position(obj.Pos()), "%s is declared here, but statsgen generates it for %s; "+
			"rename it", c.DescVar, c.GoName)
	}
	named := b.componentType(c)
	if named == nil {
		return
	}
	for _, name := range generatedMethods {
		obj, index, _ := types.LookupFieldOrMethod(named, true, b.pkg.Types, name)
		if len(index) != 1 {
			continue // absent, or promoted from an embedded field, which the generated method shadows
		}
		switch obj := obj.(type) {
		case *types.Func:
			b.diags.Addf(b.pkg.Fset.Position(obj.Pos()), "%s already has a method %s, but statsgen generates "+
				"it for //cdp:component: remove this one", c.GoName, name)
		case *types.Var:
			b.diags.Addf(b.pkg.Fset.Position(obj.Pos()), "%s has a field %s, but statsgen generates a method "+
				"of that name for //cdp:component: rename the field", c.GoName, name)
		}
	}
}

func describeConstraint(line string) string {
	if line == "" {
		return "no //go:build line"
	}
	return "\"" + line + "\""
}
