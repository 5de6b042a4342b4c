// Package model turns the markers of a loaded package into the checked
// description of what statsgen generates for it.
//
// Build finds every marker in a package, checks that each is in its
// place and consistent with the Go code around it (the stats field, the
// fields and methods that gauges read, the counters that ratios divide),
// and reports every problem with the position of the offending token.
// The result is a [Package] that the emit package turns into Go code;
// it is only valid when no problem was reported.
package model

import (
	"go/token"
	"go/types"

	"github.com/cdpstats/cdpstats/runtime"
)

// Package is what statsgen generates for one Go package.
type Package struct {
	// Path is the import path, Name the package name and Dir its directory.
	Path, Name, Dir string
	// BuildConstraint is the //go:build line that the files declaring
	// components carry, or "" when they have none.
	BuildConstraint string
	// Components are the package's //cdp:component structs, by name.
	Components []*Component
	// Catalog reports whether the package clause carries //cdp:catalog,
	// and CatalogPos is where.
	Catalog    bool
	CatalogPos token.Position
	// Types is the package's scope without statsgen's output; the emitter
	// uses it to avoid import names that the package already declares.
	Types *types.Package
}

// Component is one //cdp:component struct.
type Component struct {
	// GoName is the name of the struct type.
	GoName string
	// Kind is the component's role from the marker's kind=, and Name its
	// type name from name= (or GoName).
	Kind, Name string
	// Pos is the position of the //cdp:component marker.
	Pos token.Position
	// StatsField is the name of the field that carries the //cdp:stat
	// markers, and StatsType the name of its type, which statsgen
	// generates. Both are "" for a component without stats.
	StatsField, StatsType string
	// DescVar is the name of the generated package-level
	// *runtime.ComponentDesc.
	DescVar string
	// Stats are the component's stats in marker order.
	Stats []*Stat
}

// Keys returns every stat's keys, flattened in order.
func (c *Component) Keys() []string {
	var keys []string
	for _, s := range c.Stats {
		keys = append(keys, s.Keys...)
	}
	return keys
}

// Stat is one //cdp:stat marker.
type Stat struct {
	// Name is the snake_case name; Camel its CamelCase, as used in helper
	// names, and Field the name of its field in the stats type.
	Name, Camel, Field string
	// Kind is the stat's kind.
	Kind runtime.StatKind
	// Help and Unit are the free text of the marker.
	Help, Unit string
	// Keys are the flat keys the stat produces.
	Keys []string
	// Read is set for a gauge with field= or func=: the gauge has no
	// field in the stats type and reads the component instead.
	Read *Read
	// Num and Den are the counters a ratio divides.
	Num, Den *Stat
	// Label is the label name of a labelled counter, and Values its
	// fixed values in marker order; Keys[i] is the key of Values[i].
	// Label is "" for every other stat.
	Label  string
	Values []*LabelValue
	// Pos is the position of the stat's name in its marker.
	Pos token.Position
}

// Labelled reports whether the stat is a labelled counter.
func (s *Stat) Labelled() bool { return s.Label != "" }

// LabelValue is one value of a labelled counter.
type LabelValue struct {
	// Name is the value as written; Camel its CamelCase, which follows
	// the stat's in the names of its helpers.
	Name, Camel string
	// Pos is the position of the value in its marker.
	Pos token.Position
}

// Stored reports whether the stat has a field of its own in the stats
// type: every stat except ratios and gauges with field= or func=.
func (s *Stat) Stored() bool {
	return s.Kind != runtime.KindRatio && s.Read == nil
}

// Read is a number that a gauge reads from the component at snapshot time.
type Read struct {
	// Path is the selector after the component: "cfg.BufferSize" for a
	// field, "openConnections" for a method.
	Path string
	// IsFunc reports a method call rather than a field read.
	IsFunc bool
	// Type is the type of the field or of the method's result.
	Type types.Type
	// Conv is how the value is converted for GetStats.
	Conv Conversion
}

// Conversion is the Go type a number read by a gauge has in GetStats.
type Conversion int

// The conversions of gauge values for GetStats: the natural 64-bit type
// of the field's type.
const (
	ToInt64   Conversion = iota // signed integers and unsigned ones up to 32 bits
	ToUint64                    // uint, uint64 and uintptr, which may not fit int64
	ToFloat64                   // floating-point types
)
