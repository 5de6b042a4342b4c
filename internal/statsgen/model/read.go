package model

import (
	"fmt"
	"go/token"
	"go/types"
	"strings"

	"github.com/cdpstats/cdpstats/internal/statsgen/diag"
	"github.com/cdpstats/cdpstats/internal/statsgen/markers"
)

// componentType returns the type-checked struct type of c, or nil when
// type checking could not produce it.
func (b *builder) componentType(c *Component) *types.Named {
	if b.pkg.Types == nil {
		return nil
	}
	tn, ok := b.pkg.Types.Scope().Lookup(c.GoName).(*types.TypeName)
	if !ok {
		return nil
	}
	named, _ := tn.Type().(*types.Named)
	return named
}

// fieldRead resolves the field= path v of a gauge to a numeric field of c.
func (b *builder) fieldRead(c *Component, m *statMarker, v markers.Value) *Read {
	named := b.componentType(c)
	if named == nil {
		b.diags.Addf(m.pos(v.Offset), "field %s: cannot type-check %s%s", v.Text, c.GoName, b.firstTypeError())
		return nil
	}
	var t types.Type = named
	path := strings.Split(v.Text, ".")
	off := v.Offset
	for i, seg := range path {
		segPos := m.pos(off)
		off += len(seg) + 1
		if i == 0 && seg == c.StatsField {
			b.diags.Addf(segPos, "field %s: a gauge cannot read the stats field; use a gauge without field=", v.Text)
			return nil
		}
		obj, _, _ := types.LookupFieldOrMethod(t, true, b.pkg.Types, seg)
		switch obj := obj.(type) {
		case *types.Var:
			t = obj.Type()
			if !isValid(t) {
				b.diags.Addf(segPos, "field %s: cannot tell the type of %s%s", v.Text,
					strings.Join(path[:i+1], "."), b.typeErrorAt(obj.Pos()))
				return nil
			}
		case *types.Func:
			hint := ""
			if i == 0 {
				hint = fmt.Sprintf("; a gauge calls a method with func=%s", seg)
			}
			b.diags.Addf(segPos, "field %s: %s is a method, not a field%s", v.Text, strings.Join(path[:i+1], "."), hint)
			return nil
		default:
			msg := fmt.Sprintf("field %s: %s has no field %s", v.Text, b.typeString(t), seg)
			if hint, ok := markers.Suggest(seg, fieldNames(t, b.pkg.Types)); ok {
				msg += fmt.Sprintf("; did you mean %s?", hint)
			}
			b.diags.Addf(segPos, "%s", msg)
			return nil
		}
	}
	conv, ok := numeric(t)
	if !ok {
		b.diags.Addf(m.pos(v.Offset), "field %s has type %s; a gauge reads a number (an integer or "+
			"floating-point type)", v.Text, b.typeString(t))
		return nil
	}
	return &Read{Path: v.Text, Type: t, Conv: conv}
}

// funcRead resolves the func= method v of a gauge to a method of c with
// no arguments that returns a number.
func (b *builder) funcRead(c *Component, m *statMarker, v markers.Value) *Read {
	pos := m.pos(v.Offset)
	named := b.componentType(c)
	if named == nil {
		b.diags.Addf(pos, "func %s: cannot type-check %s%s", v.Text, c.GoName, b.firstTypeError())
		return nil
	}
	obj, _, _ := types.LookupFieldOrMethod(named, true, b.pkg.Types, v.Text)
	switch obj := obj.(type) {
	case *types.Func:
		sig := obj.Type().(*types.Signature)
		if sig.Params().Len() == 0 && sig.Results().Len() == 1 {
			t := sig.Results().At(0).Type()
			if conv, ok := numeric(t); ok {
				return &Read{Path: v.Text, IsFunc: true, Type: t, Conv: conv}
			}
			if !isValid(t) {
				b.diags.Addf(pos, "func %s: cannot tell the type of its result%s", v.Text, b.typeErrorAt(obj.Pos()))
				return nil
			}
		}
		b.diags.Addf(pos, "func %s has signature %s; a gauge needs a method with no arguments that "+
			"returns one number, such as func() int", v.Text, b.typeString(sig))
	case *types.Var:
		b.diags.Addf(pos, "func %s: %s is a field, not a method; a gauge reads a field with field=%s",
			v.Text, v.Text, v.Text)
	default:
		msg := fmt.Sprintf("func %s: %s has no method %s", v.Text, c.GoName, v.Text)
		if hint, ok := markers.Suggest(v.Text, methodNames(named)); ok {
			msg += fmt.Sprintf("; did you mean %s?", hint)
		}
		b.diags.Addf(pos, "%s", msg)
	}
	return nil
}

// numeric reports whether t is an integer or floating-point type, and how
// GetStats converts it.
func numeric(t types.Type) (Conversion, bool) {
	basic, ok := t.Underlying().(*types.Basic)
	if !ok || basic.Info()&types.IsUntyped != 0 {
		return 0, false
	}
	switch basic.Kind() {
	case types.Int, types.Int8, types.Int16, types.Int32, types.Int64,
		types.Uint8, types.Uint16, types.Uint32:
		return ToInt64, true
	case types.Uint, types.Uint64, types.Uintptr:
		return ToUint64, true
	case types.Float32, types.Float64:
		return ToFloat64, true
	}
	return 0, false
}

func isValid(t types.Type) bool {
	return t != nil && t != types.Typ[types.Invalid]
}

// fieldNames returns the names of the fields of t (or of what it points
// to) that code in pkg may use.
func fieldNames(t types.Type, pkg *types.Package) []string {
	if p, ok := t.Underlying().(*types.Pointer); ok {
		t = p.Elem()
	}
	st, ok := t.Underlying().(*types.Struct)
	if !ok {
		return nil
	}
	var names []string
	for i := 0; i < st.NumFields(); i++ {
		if f := st.Field(i); f.Exported() || f.Pkg() == pkg {
			names = append(names, f.Name())
		}
	}
	return names
}

// methodNames returns the names of the methods of *named.
func methodNames(named *types.Named) []string {
	ms := types.NewMethodSet(types.NewPointer(named))
	names := make([]string, ms.Len())
	for i := range names {
		names[i] = ms.At(i).Obj().Name()
	}
	return names
}

// typeString prints t with types of this package unqualified.
func (b *builder) typeString(t types.Type) string {
	return types.TypeString(t, types.RelativeTo(b.pkg.Types))
}

// typeErrorAt returns ": " and the type error on the line of pos, or ""
// when there is none, to explain why a type is unknown.
func (b *builder) typeErrorAt(pos token.Pos) string {
	p := b.pkg.Fset.Position(pos)
	for _, e := range b.pkg.TypeErrors {
		ep := b.pkg.Fset.Position(e.Pos)
		if ep.Filename == p.Filename && ep.Line == p.Line {
			return ": " + e.Msg
		}
	}
	return b.firstTypeError()
}

// firstTypeError returns the package's first unexpected type error in
// parentheses, or "". Expected errors are those that missing generated
// code and dropped function bodies cause.
func (b *builder) firstTypeError() string {
	for _, e := range b.pkg.TypeErrors {
		if b.expectedTypeError(e.Msg) {
			continue
		}
		return fmt.Sprintf(" (the package has type errors, such as %s: %s)",
			diag.Position(b.pkg.Fset.Position(e.Pos), b.pkg.Dir), e.Msg)
	}
	return ""
}

// expectedTypeError reports whether a type error is one that statsgen
// causes itself: a stats type that is not generated yet, or an import or
// variable left unused by dropping function bodies.
func (b *builder) expectedTypeError(msg string) bool {
	if strings.HasSuffix(msg, "imported and not used") || strings.HasSuffix(msg, "declared and not used") {
		return true
	}
	name, ok := strings.CutPrefix(msg, "undefined: ")
	_, isStats := b.statsTypePos[name]
	return ok && isStats
}
