package markers

import (
	"fmt"
	"go/token"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/cdpstats/cdpstats/runtime"
)

// The marker verbs.
const (
	VerbComponent = "component"
	VerbStat      = "stat"
	VerbCatalog   = "catalog"
)

// ComponentKinds are the valid values of //cdp:component kind=.
var ComponentKinds = []string{"consumer", "processor", "source"}

// verbDef defines one verb: its syntax and what it is for.
type verbDef struct {
	name   string
	syntax string
	help   string
}

// verbs is every verb, in the order the help lists them.
var verbs = []verbDef{
	{
		name:   VerbComponent,
		syntax: "//cdp:component kind=KIND [name=NAME]",
		help: "In the doc comment of a struct type: makes it a component. statsgen generates " +
			"StatsDesc, SnapshotStats and GetStats on its pointer.",
	},
	{
		name:   VerbStat,
		syntax: "//cdp:stat KIND name=NAME [help=TEXT] [unit=TEXT] [options]",
		help: "In the doc comment of one field of a //cdp:component struct, the stats field, " +
			"whose type statsgen generates in the same package. One marker per stat.",
	},
	{
		name:   VerbCatalog,
		syntax: "//cdp:catalog",
		help: "In the doc comment of a package clause: statsgen writes STATS.md, the " +
			"cross-component catalog for people, into that package's directory whenever a run " +
			"loads it, from every component the same run loads.",
	},
}

// kindDef defines one stat kind: what it is, the helpers it generates on
// the stats type and the keys it adds to GetStats.
type kindDef struct {
	kind    runtime.StatKind
	help    string
	helpers []string
	keys    string
}

// kinds is every stat kind, in the order the help lists them. X stands
// for the CamelCase of the stat name.
var kinds = []kindDef{
	{
		kind: runtime.KindCounter,
		help: "A monotonically increasing count (atomic uint64); with label= and values=, " +
			"one count per value of a fixed set.",
		helpers: []string{
			"RecordX() adds 1", "AddX(n uint64) adds n",
			"with label= instead: RecordXV() and AddXV(n uint64) for each value V (V is its",
			"  CamelCase), and RecordX(value string) bool and AddX(value string, n uint64) bool,",
			"  which report false and count nothing for a value not in values=",
		},
		keys: "NAME (uint64); with label=, NAME_V (uint64) for each value V, in the order of values=",
	},
	{
		kind: runtime.KindGauge,
		help: "A value that goes up and down (atomic int64); with field= or func= a number " +
			"of the component read at snapshot time instead.",
		helpers: []string{"SetX(v int64) sets it", "AddX(delta int64) adds delta (none with field= or func=)"},
		keys:    "NAME (float64)",
	},
	{
		kind:    runtime.KindTimestamp,
		help:    "The time of the last event, held atomically.",
		helpers: []string{"MarkX() sets it to now", "SetX(t time.Time) sets it to t (the zero time clears it)"},
		keys:    "NAME (float64 unix seconds, 0 when never set)",
	},
	{
		kind: runtime.KindLatency,
		help: "A lock-free log-linear latency histogram.",
		helpers: []string{
			"ObserveX(d time.Duration) records d",
			"StartX() runtime.Stopwatch starts timing; defer StartX().Stop() records the elapsed time, allocating nothing",
			"TimeX() func() is deprecated and will be removed in the next release: the closure form of StartX, which allocates",
		},
		keys: "NAME_count (uint64), NAME_avg_ms, NAME_p50_ms, NAME_p90_ms, NAME_p99_ms, NAME_max_ms (float64 milliseconds, 0 when empty)",
	},
	{
		kind:    runtime.KindRatio,
		help:    "num/den of two counters of the same component, computed at snapshot time.",
		helpers: nil,
		keys:    "NAME (float64, 0 when den is 0; never NaN or a division by zero)",
	},
}

// kindByName returns the kind spelled name in a marker.
func kindByName(name string) (runtime.StatKind, bool) {
	for _, k := range kinds {
		if k.kind.String() == name {
			return k.kind, true
		}
	}
	return 0, false
}

// kindNames returns the spelling of every kind, sorted.
func kindNames() []string {
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = k.kind.String()
	}
	return sortedCopy(names)
}

// option defines one key=value option of the marker type M.
type option[M any] struct {
	name string
	// syntax is the option as the help shows it, such as "name=NAME".
	syntax string
	help   string
	// kinds are the stat kinds that take the option; nil means all of
	// them. Unused for //cdp:component.
	kinds []runtime.StatKind
	// required options must be given wherever the option applies.
	required bool
	// value returns where the option's value is stored in m.
	value func(m M) *Value
	// items, when set, makes the value a comma-separated list and
	// returns where its items are stored in m; check then applies to
	// each item.
	items func(m M) *[]Value
	// check returns a message when v is not a valid value, else "".
	check func(v string) string
}

// appliesTo reports whether the option may be used with kind k.
func (o *option[M]) appliesTo(k runtime.StatKind) bool {
	if o.kinds == nil {
		return true
	}
	for _, ok := range o.kinds {
		if ok == k {
			return true
		}
	}
	return false
}

// statOptions are the options of //cdp:stat, in canonical order.
var statOptions = []*option[*Stat]{
	{
		name: "name", syntax: "name=NAME", required: true,
		help:  "The stat's name: snake_case, unique in the component. X in the helper names is its CamelCase.",
		value: func(s *Stat) *Value { return &s.Name },
		check: checkStatName("stat name", reservedNames...),
	},
	{
		name: "help", syntax: `help="TEXT"`,
		help:  "What the stat counts, for the catalog, STATS.md and exporters (Prometheus HELP).",
		value: func(s *Stat) *Value { return &s.Help },
		check: checkText,
	},
	{
		name: "unit", syntax: "unit=TEXT",
		help:  "The unit of the stat, such as bytes or ledgers, for the catalog and exporters.",
		value: func(s *Stat) *Value { return &s.Unit },
		check: checkText,
	},
	{
		name: "field", syntax: "field=PATH", kinds: []runtime.StatKind{runtime.KindGauge},
		help: "A dotted path from the component to a numeric field, such as cfg.BufferSize, " +
			"read at snapshot time. The gauge then has no helpers.",
		value: func(s *Stat) *Value { return &s.Field },
		check: checkFieldPath,
	},
	{
		name: "func", syntax: "func=METHOD", kinds: []runtime.StatKind{runtime.KindGauge},
		help: "A method of the component with no arguments that returns one number, called " +
			"at snapshot time. The gauge then has no helpers.",
		value: func(s *Stat) *Value { return &s.Func },
		check: checkIdentifier("func"),
	},
	{
		name: "num", syntax: "num=COUNTER", kinds: []runtime.StatKind{runtime.KindRatio}, required: true,
		help:  "The counter of the same component that is the ratio's numerator.",
		value: func(s *Stat) *Value { return &s.Num },
		check: checkStatName("num"),
	},
	{
		name: "den", syntax: "den=COUNTER", kinds: []runtime.StatKind{runtime.KindRatio}, required: true,
		help:  "The counter of the same component that is the ratio's denominator.",
		value: func(s *Stat) *Value { return &s.Den },
		check: checkStatName("den"),
	},
	{
		name: "label", syntax: "label=LABEL", kinds: []runtime.StatKind{runtime.KindCounter},
		help: "Makes the counter a labelled counter: the snake_case name of its label, such as " +
			"operation. Needs values=.",
		value: func(s *Stat) *Value { return &s.Label },
		check: checkLabelName,
	},
	{
		name: "values", syntax: "values=V1,V2,...", kinds: []runtime.StatKind{runtime.KindCounter},
		help: fmt.Sprintf("The fixed values of label=: snake_case, unique, comma-separated, "+
			"1 to %d of them. Each gets its own count, helpers and key. Needs label=.", MaxLabelValues),
		value: func(s *Stat) *Value { return &s.Values },
		items: func(s *Stat) *[]Value { return &s.LabelValues },
		check: checkStatName("value"),
	},
}

// MaxLabelValues is the most values a labelled counter may have: each is
// a counter, a key and two helpers, and a label with more values is
// rarely a fixed set.
const MaxLabelValues = 64

// ReservedLabels are the label names a labelled counter may not use:
// exporters put the first three on every component metric, and
// Prometheus reserves le and quantile for histograms and summaries.
var ReservedLabels = []string{"pipeline", "type", "id", "le", "quantile"}

// componentOptions are the options of //cdp:component, in canonical order.
var componentOptions = []*option[*Component]{
	{
		name: "kind", syntax: "kind=KIND", required: true,
		help:  "The component's role in a pipeline: " + strings.Join(ComponentKinds, ", ") + ".",
		value: func(c *Component) *Value { return &c.Kind },
		check: checkComponentKind,
	},
	{
		name: "name", syntax: "name=NAME",
		help: "The component's type name, as a pipeline config's type: and the metrics' type " +
			"label know it; defaults to the struct's name. Letters, digits, '_' and '-', " +
			"starting with a letter.",
		value: func(c *Component) *Value { return &c.Name },
		check: checkComponentName,
	},
}

var (
	snakeCase     = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)
	componentName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]*$`)
)

// reservedNames are the stat keys that the pipeline adds to every
// component, so no stat may use them.
var reservedNames = []string{runtime.HealthyKey, runtime.StatsAgeKey}

// checkStatName returns a check for a snake_case stat name that is none
// of reserved; what names the option in the message.
func checkStatName(what string, reserved ...string) func(string) string {
	return func(v string) string {
		for _, r := range reserved {
			if v == r {
				return fmt.Sprintf("%s %q is reserved: the pipeline adds %q to every component; choose another name",
					what, v, v)
			}
		}
		if snakeCase.MatchString(v) {
			return ""
		}
		return fmt.Sprintf("invalid %s %q: use snake_case (lower-case letters and digits "+
			"in words joined by single underscores, starting with a letter), such as %q",
			what, v, suggestSnake(v))
	}
}

// suggestSnake turns an invalid name into the snake_case an author most
// likely meant, for the error message.
func suggestSnake(v string) string {
	var b strings.Builder
	prevUnderscore := true
	for i, r := range v {
		switch {
		case unicode.IsUpper(r) && r < utf8.RuneSelf:
			if i > 0 && !prevUnderscore {
				b.WriteByte('_')
			}
			b.WriteRune(unicode.ToLower(r))
			prevUnderscore = false
		case (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9'):
			if b.Len() == 0 && r <= '9' {
				b.WriteString("n_")
			}
			b.WriteRune(r)
			prevUnderscore = false
		default:
			if !prevUnderscore {
				b.WriteByte('_')
				prevUnderscore = true
			}
		}
	}
	s := strings.TrimSuffix(b.String(), "_")
	if s == "" {
		return "my_stat"
	}
	return s
}

// checkLabelName accepts a snake_case label name that is not reserved.
func checkLabelName(v string) string {
	for _, r := range ReservedLabels {
		if v == r {
			return fmt.Sprintf("label name %q is reserved: exporters label every component metric with "+
				"pipeline, type and id, and Prometheus keeps le and quantile; "+
				"choose another name", v)
		}
	}
	return checkStatName("label name")(v)
}

func checkComponentKind(v string) string {
	for _, k := range ComponentKinds {
		if v == k {
			return ""
		}
	}
	return unknownMessage("component kind", v, "", ComponentKinds)
}

func checkComponentName(v string) string {
	if componentName.MatchString(v) {
		return ""
	}
	return fmt.Sprintf("invalid component name %q: use letters, digits, '_' and '-', starting with a letter", v)
}

// checkText accepts free text without control characters, so help and
// unit print on one line everywhere they go.
func checkText(v string) string {
	if !utf8.ValidString(v) {
		return "text is not valid UTF-8"
	}
	for _, r := range v {
		if unicode.IsControl(r) {
			return fmt.Sprintf("text contains the control character %q; write plain text on one line", r)
		}
	}
	return ""
}

func checkFieldPath(v string) string {
	for _, part := range strings.Split(v, ".") {
		if !token.IsIdentifier(part) {
			return fmt.Sprintf("invalid field path %q: want Go field names joined by dots, such as cfg.BufferSize", v)
		}
	}
	return ""
}

func checkIdentifier(what string) func(string) string {
	return func(v string) string {
		if token.IsIdentifier(v) {
			return ""
		}
		return fmt.Sprintf("invalid %s %q: want the name of a method of the component", what, v)
	}
}
