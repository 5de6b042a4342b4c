package markers

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/cdpstats/cdpstats/runtime"
)

// Error is a problem in one marker.
type Error struct {
	// Offset is the byte offset of the offending token in the comment;
	// add it to the comment's position to get the column.
	Offset int
	// Msg says what is wrong and how to fix it.
	Msg string
}

// Error returns the message with its offset.
func (e Error) Error() string { return fmt.Sprintf("offset %d: %s", e.Offset, e.Msg) }

// Parse parses the text of one marker comment, "//cdp:" included. It
// returns the marker and every error found in it. With errors the marker
// may be nil or incomplete and must not be used.
func Parse(comment string) (Marker, []Error) {
	if !IsMarker(comment) {
		return nil, []Error{{Offset: 0, Msg: "not a " + Prefix + " marker"}}
	}
	p := &parser{text: comment}
	verbOff := len(Prefix)
	verbEnd := verbOff
	for verbEnd < len(comment) && !isSpace(comment[verbEnd]) {
		verbEnd++
	}
	verb := comment[verbOff:verbEnd]
	args := p.scanArgs(verbEnd)
	var m Marker
	switch verb {
	case VerbComponent:
		m = p.component(verbOff, args)
	case VerbStat:
		m = p.stat(verbOff, args)
	case VerbCatalog:
		m = p.catalog(verbOff, args)
	default:
		if e, ok := NearMiss(comment); ok {
			p.errs = append(p.errs, e)
			break
		}
		p.errorf(verbOff, "%s", unknownMessage("marker", verb, Prefix, verbNames()))
	}
	if len(p.errs) > 0 {
		return m, p.errs
	}
	return m, nil
}

// parser holds the state of parsing one comment.
type parser struct {
	text string
	errs []Error
}

func (p *parser) errorf(off int, format string, args ...any) {
	p.errs = append(p.errs, Error{Offset: off, Msg: fmt.Sprintf(format, args...)})
}

// arg is one space-separated argument: a bare word, or key=value.
type arg struct {
	// key is the option name, or the whole word for a bare word.
	key    string
	keyOff int
	// isOption is false for a bare word.
	isOption bool
	value    string
	valueOff int
	// bad is set when scanning already reported the value, so it is not
	// checked again.
	bad bool
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' }

// scanArgs splits the text from offset i on into args. It reports
// syntax errors in values and stops at an unterminated quote, since
// nothing after it can be trusted.
func (p *parser) scanArgs(i int) []arg {
	var args []arg
	text := p.text
	for {
		for i < len(text) && isSpace(text[i]) {
			i++
		}
		if i >= len(text) {
			return args
		}
		start := i
		for i < len(text) && !isSpace(text[i]) && text[i] != '=' {
			i++
		}
		if i >= len(text) || isSpace(text[i]) {
			args = append(args, arg{key: text[start:i], keyOff: start})
			continue
		}
		a := arg{key: text[start:i], keyOff: start, isOption: true, valueOff: i + 1}
		i++ // '='
		if a.key == "" {
			p.errorf(start, "missing option name before '='")
		}
		if i < len(text) && text[i] == '"' {
			end, ok := quotedEnd(text, i)
			if !ok {
				p.errorf(i, `unterminated quoted value of %s=: add the closing '"'`, a.key)
				return args
			}
			v, err := strconv.Unquote(text[i:end])
			if err != nil {
				a.bad = true
				p.errorf(i, `invalid quoted value of %s=: use Go string syntax, such as %s="a \"quoted\" word"`, a.key, a.key)
			}
			a.value = v
			i = end
			if i < len(text) && !isSpace(text[i]) {
				p.errorf(i, "missing space after the quoted value of %s=", a.key)
				for i < len(text) && !isSpace(text[i]) {
					i++
				}
			}
		} else {
			quoteAt := -1
			for i < len(text) && !isSpace(text[i]) {
				if text[i] == '"' && quoteAt < 0 {
					quoteAt = i
				}
				i++
			}
			a.value = text[a.valueOff:i]
			a.bad = quoteAt >= 0 || a.value == ""
			switch {
			case quoteAt >= 0:
				p.errorf(quoteAt, `unexpected '"' in the value of %s=: quote the whole value, as in %s="..."`, a.key, a.key)
			case a.value == "":
				p.errorf(start, "missing value after %s=", a.key)
			}
		}
		args = append(args, a)
	}
}

// quotedEnd returns the offset just past the quoted string that starts
// at text[i], or false when it has no closing quote.
func quotedEnd(text string, i int) (int, bool) {
	for j := i + 1; j < len(text); j++ {
		switch text[j] {
		case '\\':
			j++
		case '"':
			return j + 1, true
		}
	}
	return 0, false
}

// component parses the args of a //cdp:component marker.
func (p *parser) component(verbOff int, args []arg) *Component {
	c := &Component{Offset: verbOff}
	seen := map[string]bool{}
	legacyType := false // type=, reported once, in place of a missing kind=
	for _, a := range args {
		if !a.isOption {
			p.errorf(a.keyOff, "unexpected %q: %scomponent takes key=value options (valid: %s)",
				a.key, Prefix, optionNames(componentOptions, 0))
			continue
		}
		o := findOption(componentOptions, a.key)
		if o == nil && a.key == "type" {
			p.errorf(a.keyOff, "%scomponent type= is now kind=: write kind=%s (the component's type is "+
				"name=, or the struct's name)", Prefix, a.value)
			legacyType = true
			continue
		}
		if o == nil {
			p.errorf(a.keyOff, "%s", unknownMessage("component option", a.key, "", optionList(componentOptions, 0)))
			continue
		}
		p.setOption(o.value(c), o.check, a, seen)
	}
	for _, o := range componentOptions {
		if o.required && !o.value(c).Set && !legacyType {
			p.errorf(verbOff, "missing %s= (valid: %s)", o.name, strings.Join(ComponentKinds, ", "))
		}
	}
	return c
}

// stat parses the args of a //cdp:stat marker: the kind, then options.
func (p *parser) stat(verbOff int, args []arg) *Stat {
	s := &Stat{Offset: verbOff}
	if len(args) == 0 || args[0].isOption {
		p.errorf(verbOff, "missing stat kind: write %sstat KIND name=NAME (valid kinds: %s)",
			Prefix, strings.Join(kindNames(), ", "))
	} else {
		s.KindOffset = args[0].keyOff
		k, ok := kindByName(args[0].key)
		if !ok {
			p.errorf(args[0].keyOff, "%s", unknownMessage("stat kind", args[0].key, "", kindNames()))
		}
		s.Kind = k
		args = args[1:]
	}
	seen := map[string]bool{}
	for _, a := range args {
		if !a.isOption {
			if _, isKind := kindByName(a.key); isKind {
				p.errorf(a.keyOff, "unexpected %q: the kind goes right after %sstat, and only one", a.key, Prefix)
			} else {
				p.errorf(a.keyOff, "unexpected %q: options are key=value (valid%s: %s)",
					a.key, forKind(s.Kind), optionNames(statOptions, s.Kind))
			}
			continue
		}
		o := findOption(statOptions, a.key)
		if o == nil {
			what := "stat option"
			if s.Kind != 0 {
				what = s.Kind.String() + " option"
			}
			p.errorf(a.keyOff, "%s", unknownMessage(what, a.key, "", optionList(statOptions, s.Kind)))
			continue
		}
		if s.Kind != 0 && !o.appliesTo(s.Kind) {
			p.errorf(a.keyOff, "option %s= does not apply to a %s; it is for %s (valid for %s: %s)",
				a.key, s.Kind, kindList(o.kinds), s.Kind, optionNames(statOptions, s.Kind))
			continue
		}
		if o.items != nil {
			p.setList(o.value(s), o.items(s), o.check, a, seen)
			continue
		}
		p.setOption(o.value(s), o.check, a, seen)
	}
	if s.Kind == 0 {
		return s
	}
	for _, o := range statOptions {
		if o.required && o.appliesTo(s.Kind) && !o.value(s).Set {
			p.errorf(s.KindOffset, "missing %s= (a %s needs %s)", o.name, s.Kind, requiredList(statOptions, s.Kind))
		}
	}
	if s.Field.Set && s.Func.Set {
		p.errorf(keyOffset(s.Func, "func"), "a gauge reads either field= or func=, not both")
	}
	switch {
	case s.Values.Set && !s.Label.Set:
		p.errorf(keyOffset(s.Values, "values"),
			"values= needs label=: name the label of a labelled counter, as in label=operation values=%s", s.Values.Text)
	case s.Label.Set && !s.Values.Set:
		p.errorf(keyOffset(s.Label, "label"),
			"label= needs values=: a labelled counter counts a fixed set of values, as in label=%s values=a,b",
			s.Label.Text)
	}
	return s
}

// catalog parses the args of a //cdp:catalog marker, which has none.
func (p *parser) catalog(verbOff int, args []arg) *Catalog {
	if len(args) > 0 {
		p.errorf(args[0].keyOff, "%scatalog takes no options", Prefix)
	}
	return &Catalog{Offset: verbOff}
}

// setOption stores a's value in v after checking it.
func (p *parser) setOption(v *Value, check func(string) string, a arg, seen map[string]bool) {
	if seen[a.key] {
		p.errorf(a.keyOff, "duplicate option %s=", a.key)
		return
	}
	seen[a.key] = true
	if msg := check(a.value); msg != "" && !a.bad {
		p.errorf(a.valueOff, "%s", msg)
	}
	*v = Value{Text: a.value, Offset: a.valueOff, Set: true}
}

// setList stores a's value in v and its comma-separated items in items,
// checking each item with check, and reports empty, duplicate and
// surplus items at their own offsets.
func (p *parser) setList(v *Value, items *[]Value, check func(string) string, a arg, seen map[string]bool) {
	if seen[a.key] {
		p.errorf(a.keyOff, "duplicate option %s=", a.key)
		return
	}
	seen[a.key] = true
	*v = Value{Text: a.value, Offset: a.valueOff, Set: true}
	if a.bad {
		return
	}
	// Items point into the comment when the value is bare, or quoted
	// without escapes; otherwise they can only point at the value.
	base, exact := a.valueOff, true
	if base < len(p.text) && p.text[base] == '"' {
		base++
		exact = strings.HasPrefix(p.text[base:], a.value+`"`)
	}
	at := func(i int) int {
		if exact {
			return base + i
		}
		return a.valueOff
	}
	if a.value == "" {
		p.errorf(a.valueOff, "empty value in %s=: list the values, separated by commas, as in %s=a,b", a.key, a.key)
		return
	}
	first := map[string]bool{}
	start := 0
	for start <= len(a.value) {
		end := strings.IndexByte(a.value[start:], ',')
		if end < 0 {
			end = len(a.value)
		} else {
			end += start
		}
		item := a.value[start:end]
		switch {
		case item == "" && end == len(a.value) && start > 0:
			p.errorf(at(start-1), "%s= ends with ','; remove the trailing comma", a.key)
		case item == "":
			p.errorf(at(start), "empty value in %s=: separate the values with single commas, as in %s=a,b", a.key, a.key)
		case first[item]:
			p.errorf(at(start), "duplicate value %q in %s=", item, a.key)
		default:
			first[item] = true
			if msg := check(item); msg != "" {
				p.errorf(at(start), "%s", msg)
			}
			if len(*items) == MaxLabelValues {
				p.errorf(at(start), "too many values in %s=: a labelled counter takes at most %d", a.key, MaxLabelValues)
			}
			*items = append(*items, Value{Text: item, Offset: at(start), Set: true})
		}
		start = end + 1
	}
}

// keyOffset returns the offset of the key of the option key=v.
func keyOffset(v Value, key string) int { return v.Offset - len(key) - 1 }

func findOption[M any](opts []*option[M], name string) *option[M] {
	for _, o := range opts {
		if o.name == name {
			return o
		}
	}
	return nil
}

// optionList returns the names of the options that apply to kind k (0 for
// every option), sorted.
func optionList[M any](opts []*option[M], k runtime.StatKind) []string {
	var names []string
	for _, o := range opts {
		if k == 0 || o.appliesTo(k) {
			names = append(names, o.name)
		}
	}
	return sortedCopy(names)
}

func optionNames[M any](opts []*option[M], k runtime.StatKind) string {
	return strings.Join(optionList(opts, k), ", ")
}

func requiredList(opts []*option[*Stat], k runtime.StatKind) string {
	var names []string
	for _, o := range opts {
		if o.required && o.appliesTo(k) {
			names = append(names, o.syntax)
		}
	}
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

func kindList(ks []runtime.StatKind) string {
	names := make([]string, len(ks))
	for i, k := range ks {
		names[i] = k.String()
	}
	return strings.Join(names, ", ")
}

// forKind returns " for KIND", or "" when the kind is unknown.
func forKind(k runtime.StatKind) string {
	if k == 0 {
		return ""
	}
	return " for " + k.String()
}
