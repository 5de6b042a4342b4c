package model

import (
	"go/ast"
	"go/build/constraint"
	"go/token"
	"go/types"
	"sort"

	"github.com/cdpstats/cdpstats/internal/statsgen/diag"
	"github.com/cdpstats/cdpstats/internal/statsgen/load"
	"github.com/cdpstats/cdpstats/internal/statsgen/markers"
)

// Build finds and checks the markers of pkg. It returns nil when the
// package has no markers. Every problem is added to diags; the result is
// only meant to be generated from when none was.
func Build(pkg *load.Package, diags *diag.List) *Package {
	b := &builder{
		pkg:   pkg,
		diags: diags,
		out: &Package{
			Path:  pkg.Path,
			Name:  pkg.Name,
			Dir:   pkg.Dir,
			Types: pkg.Types,
		},
	}
	found := false
	for _, f := range pkg.Files {
		found = b.file(f) || found
	}
	if !found {
		return nil
	}
	b.checkPackage()
	sort.Slice(b.out.Components, func(i, j int) bool {
		return b.out.Components[i].GoName < b.out.Components[j].GoName
	})
	return b.out
}

// builder holds the state of building one package.
type builder struct {
	pkg   *load.Package
	diags *diag.List
	out   *Package
	// constraints maps each component to the //go:build line of its file.
	constraints map[*Component]string
	// statsTypePos records where each generated stats type is named.
	statsTypePos map[string]token.Position
}

// marker is one //cdp: comment and what parsing it gave.
type marker struct {
	c    *ast.Comment
	m    markers.Marker
	ok   bool // parsed without errors
	used bool // found in a valid place
	fset *token.FileSet
}

// pos returns the position of byte offset off of the comment.
func (m *marker) pos(off int) token.Position {
	return m.fset.Position(m.c.Slash + token.Pos(off))
}

// verbPos returns the position of the marker's verb.
func (m *marker) verbPos() token.Position { return m.pos(len(markers.Prefix)) }

// file builds the components of one file and reports whether it has any
// marker at all.
func (b *builder) file(f *load.File) bool {
	all := b.parseMarkers(f)
	if len(all) == 0 {
		return false
	}
	byComment := make(map[*ast.Comment]*marker, len(all))
	for _, m := range all {
		byComment[m.c] = m
	}
	inGroup := func(cg *ast.CommentGroup) []*marker {
		if cg == nil {
			return nil
		}
		var ms []*marker
		for _, c := range cg.List {
			if m := byComment[c]; m != nil {
				ms = append(ms, m)
			}
		}
		return ms
	}

	for _, m := range inGroup(f.Syntax.Doc) {
		if _, ok := m.m.(*markers.Catalog); ok {
			m.used = true
			if b.out.Catalog {
				b.diags.Addf(m.verbPos(), "duplicate //cdp:catalog; the package already has one at %s",
					diag.Position(b.out.CatalogPos, b.pkg.Dir))
				continue
			}
			b.out.Catalog = true
			b.out.CatalogPos = m.verbPos()
		}
	}
	for _, decl := range f.Syntax.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.TYPE {
			continue
		}
		for _, spec := range gd.Specs {
			ts := spec.(*ast.TypeSpec)
			doc := ts.Doc
			if doc == nil && !gd.Lparen.IsValid() {
				doc = gd.Doc
			}
			b.typeSpec(f, ts, inGroup(doc), inGroup)
		}
	}

	for _, m := range all {
		if m.used || m.m == nil {
			continue
		}
		switch m.m.(type) {
		case *markers.Component:
			b.diags.Addf(m.verbPos(), "//cdp:component must be in the doc comment of a package-level struct type")
		case *markers.Stat:
			b.diags.Addf(m.verbPos(), "//cdp:stat must be in the doc comment of the stats field of a "+
				"//cdp:component struct (directly above the field, with no blank line)")
		case *markers.Catalog:
			b.diags.Addf(m.verbPos(), "//cdp:catalog must be in the doc comment of the package clause")
		}
	}
	return true
}

// parseMarkers parses every marker comment of f and reports syntax errors.
func (b *builder) parseMarkers(f *load.File) []*marker {
	var all []*marker
	for _, cg := range f.Syntax.Comments {
		for _, c := range cg.List {
			if !markers.IsMarker(c.Text) {
				if e, ok := markers.NearMiss(c.Text); ok {
					b.diags.Addf(b.pkg.Fset.Position(c.Slash+token.Pos(e.Offset)), "%s", e.Msg)
				}
				continue
			}
			m, errs := markers.Parse(c.Text)
			mk := &marker{c: c, m: m, ok: len(errs) == 0, fset: b.pkg.Fset}
			for _, e := range errs {
				b.diags.Addf(mk.pos(e.Offset), "%s", e.Msg)
			}
			all = append(all, mk)
		}
	}
	return all
}

// typeSpec builds the component that ts declares, if any. doc are the
// markers of its doc comment.
func (b *builder) typeSpec(f *load.File, ts *ast.TypeSpec, doc []*marker, inGroup func(*ast.CommentGroup) []*marker) {
	var comps []*marker
	for _, m := range doc {
		if _, ok := m.m.(*markers.Component); ok {
			m.used = true
			comps = append(comps, m)
		}
	}
	st, isStruct := ts.Type.(*ast.StructType)
	type fieldStats struct {
		field *ast.Field
		stats []*marker
	}
	var fields []fieldStats
	if isStruct {
		for _, field := range st.Fields.List {
			var stats []*marker
			for _, m := range append(inGroup(field.Doc), inGroup(field.Comment)...) {
				if _, ok := m.m.(*markers.Stat); ok {
					m.used = true
					stats = append(stats, m)
				}
			}
			if len(stats) > 0 {
				fields = append(fields, fieldStats{field, stats})
			}
		}
	}

	if len(comps) == 0 {
		if len(fields) > 0 {
			b.diags.Addf(fields[0].stats[0].verbPos(),
				"//cdp:stat is on a field of %s, which is not a component: add "+
					"//cdp:component kind=KIND to the doc comment of %s", ts.Name.Name, ts.Name.Name)
		}
		return
	}
	cm := comps[0]
	for _, dup := range comps[1:] {
		b.diags.Addf(dup.verbPos(), "duplicate //cdp:component on %s; the first is on line %d",
			ts.Name.Name, cm.verbPos().Line)
	}
	switch {
	case !isStruct:
		b.diags.Addf(cm.verbPos(), "//cdp:component must be on a struct type; %s is not a struct", ts.Name.Name)
		return
	case ts.Assign.IsValid():
		b.diags.Addf(cm.verbPos(), "//cdp:component must be on a struct type declaration; %s is an alias", ts.Name.Name)
		return
	case ts.TypeParams != nil:
		b.diags.Addf(b.pkg.Fset.Position(ts.TypeParams.Opening),
			"generic component %s is not supported: statsgen generates methods for one concrete type; "+
				"declare a non-generic struct that holds the generic one", ts.Name.Name)
		return
	case !cm.ok:
		return
	}

	mk := cm.m.(*markers.Component)
	c := &Component{
		GoName:  ts.Name.Name,
		Kind:    mk.Kind.Text,
		Name:    mk.Name.Text,
		Pos:     cm.verbPos(),
		DescVar: "_" + ts.Name.Name + "_statsDesc",
	}
	if c.Name == "" {
		c.Name = c.GoName
	}
	b.out.Components = append(b.out.Components, c)
	if b.constraints == nil {
		b.constraints = map[*Component]string{}
	}
	b.constraints[c] = buildLine(f.Syntax)

	if len(fields) == 0 {
		return
	}
	for _, other := range fields[1:] {
		b.diags.Addf(other.stats[0].verbPos(),
			"the //cdp:stat markers of %s must all be on one field, its stats field; they are on %s (line %d) and %s",
			c.GoName, fieldName(fields[0].field), fields[0].stats[0].verbPos().Line, fieldName(other.field))
	}
	if !b.statsField(c, fields[0].field) {
		return
	}
	var stats []*statMarker
	broken := map[string]bool{}
	for _, m := range fields[0].stats {
		mk := m.m.(*markers.Stat)
		if m.ok {
			stats = append(stats, &statMarker{marker: m, mk: mk})
		} else if mk.Name.Set {
			broken[mk.Name.Text] = true
		}
	}
	b.stats(c, stats, broken)
}

// fieldName returns the name of a struct field as written.
func fieldName(f *ast.Field) string {
	if len(f.Names) > 0 {
		return f.Names[0].Name
	}
	return types.ExprString(f.Type)
}

// statsField checks the field that carries the //cdp:stat markers and
// records it in c.
func (b *builder) statsField(c *Component, f *ast.Field) bool {
	if len(f.Names) > 1 {
		b.diags.Addf(b.pkg.Fset.Position(f.Names[1].Pos()),
			"the stats field of %s must declare a single name", c.GoName)
		return false
	}
	ident, ok := f.Type.(*ast.Ident)
	if !ok {
		b.diags.Addf(b.pkg.Fset.Position(f.Type.Pos()),
			"the stats field's type must be a plain type name that statsgen generates in this package, "+
				"such as %sStats; found %s", lowerFirst(c.GoName), types.ExprString(f.Type))
		return false
	}
	pos := b.pkg.Fset.Position(ident.Pos())
	if obj := types.Universe.Lookup(ident.Name); obj != nil {
		b.diags.Addf(pos, "the stats field's type %s is predeclared; name a type for statsgen to generate, "+
			"such as %sStats", ident.Name, lowerFirst(c.GoName))
		return false
	}
	if b.pkg.Types != nil {
		if obj := b.pkg.Types.Scope().Lookup(ident.Name); obj != nil {
			b.diags.Addf(pos, "type %s is declared at %s, but statsgen generates the stats field's type: "+
				"remove that declaration or give the field another type name",
				ident.Name, diag.Position(b.pkg.Fset.Position(obj.Pos()), b.pkg.Dir))
			return false
		}
	}
	if b.statsTypePos == nil {
		b.statsTypePos = map[string]token.Position{}
	}
	if prev, dup := b.statsTypePos[ident.Name]; dup {
		b.diags.Addf(pos, "type %s is already the stats type of another component (%s); give each "+
			"component its own stats type", ident.Name, diag.Position(prev, b.pkg.Dir))
		return false
	}
	b.statsTypePos[ident.Name] = pos
	c.StatsField = ident.Name
	if len(f.Names) == 1 {
		c.StatsField = f.Names[0].Name
	}
	c.StatsType = ident.Name
	return true
}

// buildLine returns the //go:build line of f in canonical form, or "".
func buildLine(f *ast.File) string {
	for _, cg := range f.Comments {
		if cg.Pos() >= f.Package {
			break
		}
		for _, c := range cg.List {
			if !constraint.IsGoBuild(c.Text) {
				continue
			}
			if expr, err := constraint.Parse(c.Text); err == nil {
				return "//go:build " + expr.String()
			}
			return c.Text
		}
	}
	return ""
}
