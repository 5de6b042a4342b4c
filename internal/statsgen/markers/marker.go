package markers

import (
	"strconv"
	"strings"

	"github.com/cdpstats/cdpstats/runtime"
)

// Prefix starts every marker comment.
const Prefix = "//cdp:"

// IsMarker reports whether the text of a comment, including its leading
// "//", is a //cdp: marker. Only markers are passed to [Parse]; every
// other comment is ordinary documentation.
func IsMarker(comment string) bool {
	return strings.HasPrefix(comment, Prefix)
}

// Marker is a parsed marker: a *[Component], a *[Stat] or a *[Catalog].
type Marker interface {
	// Verb returns the marker's verb, such as "stat".
	Verb() string
	// String returns the marker in canonical form; parsing it again gives
	// an equal marker.
	String() string
}

// Value is the value of one key=value option, with quotes removed.
type Value struct {
	// Text is the option's value; quoted values are unquoted.
	Text string
	// Offset is the byte offset of the value in the comment, the place an
	// error about the value points at. It is meaningless when Set is false.
	Offset int
	// Set reports whether the option was given.
	Set bool
}

// Component is a //cdp:component marker, which makes a struct a component.
type Component struct {
	// Offset is the byte offset of the verb "component" in the comment.
	Offset int
	// Kind is "source", "processor" or "consumer".
	Kind Value
	// Name is the component's type name; when unset it defaults to the
	// name of the struct type.
	Name Value
}

// Verb returns "component".
func (*Component) Verb() string { return VerbComponent }

// String returns the marker in canonical form.
func (c *Component) String() string {
	var b strings.Builder
	b.WriteString(Prefix + VerbComponent)
	writeOption(&b, "kind", c.Kind)
	writeOption(&b, "name", c.Name)
	return b.String()
}

// Stat is a //cdp:stat marker, which declares one stat of a component.
type Stat struct {
	// Offset is the byte offset of the verb "stat" in the comment.
	Offset int
	// Kind is the stat's kind.
	Kind runtime.StatKind
	// KindOffset is the byte offset of the kind word in the comment.
	KindOffset int
	// Name is the stat's snake_case name; always set after a clean parse.
	Name Value
	// Help and Unit are free text for the catalog and exporters.
	Help, Unit Value
	// Field is the dotted path of a component field a gauge reads.
	Field Value
	// Func is the name of a component method a gauge calls.
	Func Value
	// Num and Den name the counters a ratio divides.
	Num, Den Value
	// Label is the label name of a labelled counter, and Values its
	// fixed values as written, comma-separated. Both or neither are set.
	Label, Values Value
	// LabelValues are the items of Values, in order, each with the
	// offset of its first byte.
	LabelValues []Value
}

// Verb returns "stat".
func (*Stat) Verb() string { return VerbStat }

// String returns the marker in canonical form.
func (s *Stat) String() string {
	var b strings.Builder
	b.WriteString(Prefix + VerbStat + " " + s.Kind.String())
	for _, o := range statOptions {
		writeOption(&b, o.name, *o.value(s))
	}
	return b.String()
}

// Catalog is a //cdp:catalog marker. In the package clause's doc comment
// it makes the package the home of the cross-component catalog, which
// statsgen writes whenever a run loads that package.
type Catalog struct {
	// Offset is the byte offset of the verb "catalog" in the comment.
	Offset int
}

// Verb returns "catalog".
func (*Catalog) Verb() string { return VerbCatalog }

// String returns the marker in canonical form.
func (*Catalog) String() string { return Prefix + VerbCatalog }

// writeOption appends " key=value" when v is set, quoting the value when
// a bare word could not hold it.
func writeOption(b *strings.Builder, key string, v Value) {
	if !v.Set {
		return
	}
	b.WriteString(" " + key + "=")
	if needsQuotes(v.Text) {
		b.WriteString(strconv.Quote(v.Text))
	} else {
		b.WriteString(v.Text)
	}
}

// needsQuotes reports whether s cannot be written as a bare value.
func needsQuotes(s string) bool {
	if s == "" {
		return true
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; isSpace(c) || c == '"' || c < 0x20 || c >= 0x7f {
			return true
		}
	}
	return false
}
