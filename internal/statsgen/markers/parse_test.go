package markers_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/internal/statsgen/markers"
	"github.com/cdpstats/cdpstats/runtime"
)

func TestParseValid(t *testing.T) {
	tests := []struct {
		name string
		in   string
		// want is the canonical form of the marker.
		want string
	}{
		{"component", "//cdp:component kind=processor name=FilterPayments",
			"//cdp:component kind=processor name=FilterPayments"},
		{"component without name", "//cdp:component kind=source", "//cdp:component kind=source"},
		{"component name with dash", "//cdp:component kind=source name=test-source",
			"//cdp:component kind=source name=test-source"},
		{"counter with aligned spacing", "//cdp:stat counter   name=messages_processed   help=\"Payments examined\"",
			`//cdp:stat counter name=messages_processed help="Payments examined"`},
		{"tabs separate args", "//cdp:stat\tgauge\tname=in_flight", "//cdp:stat gauge name=in_flight"},
		{"options in any order", "//cdp:stat ratio den=b name=r num=a", "//cdp:stat ratio name=r num=a den=b"},
		{"gauge field", "//cdp:stat gauge name=buffer_size field=cfg.BufferSize",
			"//cdp:stat gauge name=buffer_size field=cfg.BufferSize"},
		{"gauge func", "//cdp:stat gauge name=open func=openConnections", "//cdp:stat gauge name=open func=openConnections"},
		{"timestamp", "//cdp:stat timestamp name=last_processed_at", "//cdp:stat timestamp name=last_processed_at"},
		{"latency with unit", "//cdp:stat latency name=fetch unit=ms", "//cdp:stat latency name=fetch unit=ms"},
		{"quoted escapes", `//cdp:stat counter name=a help="say \"hi\" \u00e9"`, `//cdp:stat counter name=a help="say \"hi\" é"`},
		{"quoted bare-able value", `//cdp:stat counter name="a" unit="bytes"`, "//cdp:stat counter name=a unit=bytes"},
		{"empty quoted help", `//cdp:stat counter name=a help=""`, `//cdp:stat counter name=a help=""`},
		{"trailing space and CR", "//cdp:stat counter name=a \r", "//cdp:stat counter name=a"},
		{"catalog", "//cdp:catalog", "//cdp:catalog"},
		{"digits in names", "//cdp:stat counter name=http_2xx", "//cdp:stat counter name=http_2xx"},
		{"labelled counter", "//cdp:stat counter values=payment,path_payment name=by_type label=operation",
			"//cdp:stat counter name=by_type label=operation values=payment,path_payment"},
		{"labelled counter, quoted values", `//cdp:stat counter name=by_type label=operation values="a,b_2"`,
			"//cdp:stat counter name=by_type label=operation values=a,b_2"},
		{"labelled counter, one value", "//cdp:stat counter name=n label=kind values=only",
			"//cdp:stat counter name=n label=kind values=only"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, errs := markers.Parse(tt.in)
			require.Empty(t, errs)
			require.NotNil(t, m)
			assert.Equal(t, tt.want, m.String())
		})
	}
}

func TestParseFields(t *testing.T) {
	in := `//cdp:stat ratio name=filter_ratio num=passed den=seen help="Share passed"`
	m, errs := markers.Parse(in)
	require.Empty(t, errs)
	s, ok := m.(*markers.Stat)
	require.True(t, ok)
	assert.Equal(t, runtime.KindRatio, s.Kind)
	assert.Equal(t, strings.Index(in, "ratio"), s.KindOffset)
	assert.Equal(t, strings.Index(in, "stat"), s.Offset)
	assert.Equal(t, markers.Value{Text: "filter_ratio", Offset: strings.Index(in, "filter_ratio"), Set: true}, s.Name)
	assert.Equal(t, markers.Value{Text: "passed", Offset: strings.Index(in, "passed"), Set: true}, s.Num)
	assert.Equal(t, markers.Value{Text: "seen", Offset: strings.Index(in, "seen"), Set: true}, s.Den)
	assert.Equal(t, markers.Value{Text: "Share passed", Offset: strings.Index(in, `"Share`), Set: true}, s.Help)
	assert.False(t, s.Unit.Set)
	assert.Equal(t, "stat", m.Verb())

	in = `//cdp:stat counter name=by_type label=operation values=payment,path_payment`
	m, errs = markers.Parse(in)
	require.Empty(t, errs)
	s = m.(*markers.Stat)
	assert.Equal(t, markers.Value{Text: "operation", Offset: strings.Index(in, "=operation") + 1, Set: true}, s.Label)
	assert.Equal(t, markers.Value{Text: "payment,path_payment", Offset: strings.Index(in, "payment"), Set: true}, s.Values)
	assert.Equal(t, []markers.Value{
		{Text: "payment", Offset: strings.Index(in, "payment,"), Set: true},
		{Text: "path_payment", Offset: strings.Index(in, "path_payment"), Set: true},
	}, s.LabelValues)

	quoted := `//cdp:stat counter name=n label=k values="a,b"`
	m, errs = markers.Parse(quoted)
	require.Empty(t, errs)
	assert.Equal(t, strings.Index(quoted, "b\""), m.(*markers.Stat).LabelValues[1].Offset,
		"items of a quoted value without escapes point into the comment")

	c, errs := markers.Parse("//cdp:component kind=consumer")
	require.Empty(t, errs)
	comp := c.(*markers.Component)
	assert.Equal(t, "consumer", comp.Kind.Text)
	assert.False(t, comp.Name.Set)
}

// TestParseErrors checks each error's message and that its offset points
// at the offending token: the last occurrence of tok in the comment, or
// its end when tok is empty.
func TestParseErrors(t *testing.T) {
	tests := []struct {
		in  string
		tok string
		msg string
	}{
		{"//cdp:stats counter name=x", "stats", `unknown marker "//cdp:stats"; write it as //cdp:stat counter name=x`},
		{"//cdp:", "", `unknown marker "//cdp:" (valid: //cdp:catalog, //cdp:component, //cdp:stat)`},
		{"//cdp:stat countr name=x", "countr",
			`unknown stat kind "countr"; did you mean "counter"? (valid: counter, gauge, latency, ratio, timestamp)`},
		{"//cdp:stat Counter name=x", "Counter", `did you mean "counter"?`},
		{"//cdp:stat name=x", "stat", "missing stat kind"},
		{"//cdp:stat counter help=x", "counter", "missing name= (a counter needs name=NAME)"},
		{"//cdp:stat counter name=x hlep=y", "hlep",
			`unknown counter option "hlep"; did you mean "help"? (valid: help, label, name, unit, values)`},
		{"//cdp:stat counter name=x den=y", "den=", "option den= does not apply to a counter; it is for ratio"},
		{"//cdp:stat counter name=x name=y", "name=", "duplicate option name="},
		{"//cdp:stat counter name=Bad", "Bad", `invalid stat name "Bad": use snake_case`},
		{"//cdp:stat counter name=a__b", "a__b", `such as "a_b"`},
		{"//cdp:stat counter name=healthy", "healthy", `stat name "healthy" is reserved`},
		{`//cdp:stat counter name=x help="open`, `"open`, "unterminated quoted value of help="},
		{`//cdp:stat counter name=x help="a\"`, `"a\"`, "unterminated quoted value of help="},
		{`//cdp:stat counter name=x help=a"b`, `"b`, `unexpected '"' in the value of help=`},
		{`//cdp:stat counter name=x help="a"b`, "b", "missing space after the quoted value of help="},
		{`//cdp:stat counter name=x help="\z"`, `"\z"`, "invalid quoted value of help="},
		{"//cdp:stat counter name= x", "name=", "missing value after name="},
		{"//cdp:stat counter name=x =y", "=y", "missing option name before '='"},
		{"//cdp:stat counter name=x extra", "extra",
			`unexpected "extra": options are key=value (valid for counter: help, label, name, unit, values)`},
		{"//cdp:stat counter latency name=x", "latency", "the kind goes right after //cdp:stat"},
		{"//cdp:stat ratio name=r num=a", "ratio", "missing den= (a ratio needs name=NAME, num=COUNTER and den=COUNTER)"},
		{"//cdp:stat gauge name=g field=a.b func=f", "func=", "a gauge reads either field= or func=, not both"},
		{"//cdp:stat gauge name=g field=a..b", "a..b", `invalid field path "a..b"`},
		{"//cdp:stat gauge name=g func=a.b", "a.b", `invalid func "a.b"`},
		{"//cdp:stat counter name=x unit=\"\x01\"", "\"\x01\"", "control character"},
		{"//cdp:component name=X", "component", "missing kind= (valid: consumer, processor, source)"},
		{"//cdp:component kind=sorce", "sorce", `unknown component kind "sorce"; did you mean "source"?`},
		{"//cdp:component kind=source name=9x", "9x", `invalid component name "9x"`},
		{"//cdp:component kind=source nme=x", "nme=", `unknown component option "nme"; did you mean "name"?`},
		{"//cdp:component type=source", "type=", "//cdp:component type= is now kind=: write kind=source"},
		{"//cdp:component kind=source processor", "processor",
			`unexpected "processor": //cdp:component takes key=value options`},
		{"//cdp:catalog now", "now", "//cdp:catalog takes no options"},
		{"//cdp:stat counter name=x values=a,b", "values=", "values= needs label=: name the label of a labelled counter"},
		{"//cdp:stat counter name=x label=operation", "label=", "label= needs values=: a labelled counter counts a fixed set"},
		{"//cdp:stat gauge name=x label=operation values=a", "label=", "option label= does not apply to a gauge; it is for counter"},
		{"//cdp:stat counter name=x lable=type values=a", "lable", `unknown counter option "lable"; did you mean "label"?`},
		{"//cdp:stat counter name=x label=operation vals=a", "vals", `did you mean "values"?`},
		{"//cdp:stat counter name=x label=Type values=a", "Type", `invalid label name "Type": use snake_case`},
		{"//cdp:stat counter name=x label=id values=a", "id", `label name "id" is reserved`},
		{"//cdp:stat counter name=x label=t values=a,b,", ",", "values= ends with ','; remove the trailing comma"},
		{"//cdp:stat counter name=x label=t values=a,,b", ",b", "empty value in values="},
		{"//cdp:stat counter name=x label=t values=,a", ",a", "empty value in values="},
		{`//cdp:stat counter name=x label=t values=""`, `""`, "empty value in values="},
		{"//cdp:stat counter name=x label=t values=a,Bad", "Bad", `invalid value "Bad": use snake_case`},
		{"//cdp:stat counter name=x label=t values=a,b,a", "a", `duplicate value "a" in values=`},
		{`//cdp:stat counter name=x label=t values="a,B"`, "B", `invalid value "B"`},
		{`//cdp:stat counter name=x label=t values="a,\u0042"`, `"a,`, `invalid value "B"`},
		{"//cdp:stat counter name=x label=t values=a values=b", "values=", "duplicate option values="},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			want := len(tt.in)
			if tt.tok != "" {
				want = strings.LastIndex(tt.in, tt.tok)
				require.GreaterOrEqual(t, want, 0, "bad test: %q is not in the comment", tt.tok)
			}
			_, errs := markers.Parse(tt.in)
			require.NotEmpty(t, errs)
			var found bool
			for _, e := range errs {
				if strings.Contains(e.Msg, tt.msg) {
					found = true
					assert.Equal(t, want, e.Offset, "offset of %q", e.Msg)
				}
			}
			assert.True(t, found, "no error contains %q; got %v", tt.msg, errs)
		})
	}
}

func TestParseReportsEveryError(t *testing.T) {
	_, errs := markers.Parse("//cdp:stat counter name=Bad hlp=x num=y")
	assert.Len(t, errs, 3)
}

func TestIsMarker(t *testing.T) {
	assert.True(t, markers.IsMarker("//cdp:stat counter name=x"))
	assert.False(t, markers.IsMarker("// cdp:stat counter name=x"), "a space makes it a near miss, not a marker")
	assert.False(t, markers.IsMarker("/*cdp:stat*/"))
	assert.False(t, markers.IsMarker("//go:generate statsgen"))
}

func TestParseTooManyValues(t *testing.T) {
	values := make([]string, markers.MaxLabelValues+2)
	for i := range values {
		values[i] = fmt.Sprintf("v%d", i)
	}
	in := "//cdp:stat counter name=x label=t values=" + strings.Join(values, ",")
	_, errs := markers.Parse(in)
	require.Len(t, errs, 1, "reported once, at the first value too many")
	assert.Equal(t, strings.Index(in, values[markers.MaxLabelValues]+","), errs[0].Offset)
	assert.Contains(t, errs[0].Msg, "too many values in values=: a labelled counter takes at most 64")

	_, errs = markers.Parse("//cdp:stat counter name=x label=t values=" + strings.Join(values[:markers.MaxLabelValues], ","))
	assert.Empty(t, errs)
}

func TestNotAMarker(t *testing.T) {
	m, errs := markers.Parse("// prose")
	assert.Nil(t, m)
	assert.Len(t, errs, 1)
}

func TestSuggest(t *testing.T) {
	tests := []struct {
		got     string
		choices []string
		want    string
	}{
		{"countr", []string{"counter", "gauge"}, "counter"},
		{"GAUGE", []string{"counter", "gauge"}, "gauge"},
		{"BufSize", []string{"BufferSize", "Name"}, "BufferSize"},
		{"openConn", []string{"openConnections"}, "openConnections"},
		{"xyz", []string{"counter", "gauge"}, ""},
		{"a", []string{"b"}, ""},
		{"anything", nil, ""},
	}
	for _, tt := range tests {
		got, ok := markers.Suggest(tt.got, tt.choices)
		assert.Equal(t, tt.want != "", ok, tt.got)
		assert.Equal(t, tt.want, got, tt.got)
	}
}

// TestHelpCoversGrammar checks that -markers documents every verb, kind
// and option the parser accepts.
func TestHelpCoversGrammar(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, markers.WriteHelp(&buf))
	help := buf.String()
	for _, word := range []string{
		"//cdp:component", "//cdp:stat", "//cdp:catalog",
		"counter", "gauge", "timestamp", "latency", "ratio",
		"kind=", "name=", "help=", "unit=", "field=", "func=", "num=", "den=", "label=", "values=",
		"RecordXV", "AddXV", "RecordX(value string) bool", "NAME_V",
		"RecordX", "AddX", "SetX", "MarkX", "ObserveX", "StartX", "TimeX",
		"consumer", "processor", "source", "healthy", "stats_age_seconds",
	} {
		assert.Contains(t, help, word)
	}
}
