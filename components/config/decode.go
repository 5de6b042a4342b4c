package config

import (
	"encoding"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/cdpstats/cdpstats/internal/suggest"
	"gopkg.in/yaml.v3"
)

// Unmarshaler is implemented by field types that decode themselves from a
// raw config value (a string, bool, integer, float64, list or map, as YAML
// or JSON produce them). The returned error's message should say what a
// valid value looks like; Decode adds the key.
type Unmarshaler interface {
	UnmarshalConfig(value interface{}) error
}

var (
	unmarshalerType     = reflect.TypeOf((*Unmarshaler)(nil)).Elem()
	textUnmarshalerType = reflect.TypeOf((*encoding.TextUnmarshaler)(nil)).Elem()
	durationType        = reflect.TypeOf(time.Duration(0))
	nodeType            = reflect.TypeOf(yaml.Node{})
)

// field is one tagged struct field.
type field struct {
	key      string
	index    []int
	required bool
}

// Keys returns the config keys of the struct that dst points to, sorted.
func Keys(dst interface{}) []string {
	rv := reflect.ValueOf(dst)
	if rv.Kind() != reflect.Pointer || rv.Elem().Kind() != reflect.Struct {
		return nil
	}
	return keysOf(fieldsOf(rv.Elem().Type()))
}

// Decode copies raw into the struct that dst points to. It reports every
// unknown key, missing required key and badly typed value at once, as
// [Errors]. A nil value counts as absent. Decode panics only when dst is
// not a pointer to a struct, which is a programming error.
//
// A struct field takes part when it has a `yaml:"key"` tag (the option
// `yaml:"key,required"` makes the key mandatory; yaml's own options such
// as omitempty are ignored, and yaml.v3's Unmarshal, which would refuse
// the required option, never decodes these structs). Conversions, beyond a value of the field's
// own type:
//   - integer fields take any integer, and a float64 with no fraction (as
//     JSON decodes numbers), checked against the field's range;
//   - time.Duration fields take a Go duration string ("5s", "1m30s") or an
//     integer number of seconds;
//   - float fields take any number;
//   - []string fields take a list of strings;
//   - pointer fields are set to a new value decoded by these rules;
//   - struct fields take a mapping, decoded by the same rules, and
//     map[string]T fields take a mapping of T; their errors name the key
//     path, such as "tls.ca_file";
//   - fields whose pointer implements [Unmarshaler] decode themselves, and
//     string-kinded fields whose pointer implements encoding.TextUnmarshaler
//     decode from a string;
//   - yaml.Node fields keep the node as written (only from [DecodeNode]).
func Decode(raw map[string]interface{}, dst interface{}) error {
	d := &decoder{}
	d.structValue("", rawValue{v: raw}, target(dst))
	return d.errs.Err()
}

// DecodeNode is [Decode] from a YAML mapping node, such as a section of a
// config file. Every error carries the line and column of the key or
// value it is about, and a key written twice is an error.
func DecodeNode(n *yaml.Node, dst interface{}) error {
	d := &decoder{}
	if n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		n = n.Content[0]
	}
	d.structValue("", nodeValue{n}, target(dst))
	return d.errs.Err()
}

// target returns the struct dst points to, panicking on anything else.
func target(dst interface{}) reflect.Value {
	rv := reflect.ValueOf(dst)
	if rv.Kind() != reflect.Pointer || rv.Elem().Kind() != reflect.Struct {
		panic(fmt.Sprintf("config: Decode needs a pointer to a struct, got %T", dst))
	}
	return rv.Elem()
}

// fieldsOf lists the tagged fields of struct type t.
func fieldsOf(t reflect.Type) []field {
	var fields []field
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		tag, ok := sf.Tag.Lookup("yaml")
		if !ok || tag == "-" || !sf.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			continue
		}
		required := false
		for _, o := range strings.Split(opts, ",") {
			required = required || o == "required"
		}
		fields = append(fields, field{key: name, index: sf.Index, required: required})
	}
	return fields
}

func keysOf(fields []field) []string {
	keys := make([]string, len(fields))
	for i, f := range fields {
		keys[i] = f.key
	}
	sort.Strings(keys)
	return keys
}

// value is one config value, from a plain map or from a YAML node.
type value interface {
	// pos is where the value is written; zero when not known.
	pos() Pos
	// null says whether the value is absent (nil, or YAML's empty value).
	null() bool
	// raw returns the value as YAML or JSON decode it into interface{}.
	raw() (interface{}, error)
	// entries returns the pairs of a mapping, in order; false when the
	// value is not a mapping.
	entries() ([]entry, bool)
}

// entry is one key of a mapping.
type entry struct {
	key    string
	keyPos Pos
	value  value
}

// rawValue is a value decoded by YAML or JSON into interface{}.
type rawValue struct{ v interface{} }

func (r rawValue) pos() Pos                  { return Pos{} }
func (r rawValue) null() bool                { return r.v == nil }
func (r rawValue) raw() (interface{}, error) { return r.v, nil }

func (r rawValue) entries() ([]entry, bool) {
	var out []entry
	switch m := r.v.(type) {
	case map[string]interface{}:
		for k, v := range m {
			out = append(out, entry{key: k, value: rawValue{v}})
		}
	case map[string]string:
		for k, v := range m {
			out = append(out, entry{key: k, value: rawValue{v}})
		}
	default:
		return nil, false
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key < out[j].key })
	return out, true
}

// nodeValue is a value in a YAML document.
type nodeValue struct{ n *yaml.Node }

func (v nodeValue) pos() Pos   { return Pos{Line: v.n.Line, Column: v.n.Column} }
func (v nodeValue) null() bool { return v.n.Kind == yaml.ScalarNode && v.n.Tag == "!!null" }

func (v nodeValue) raw() (interface{}, error) {
	var out interface{}
	if err := v.n.Decode(&out); err != nil {
		return nil, err
	}
	return out, nil
}

func (v nodeValue) entries() ([]entry, bool) {
	if v.n.Kind != yaml.MappingNode {
		return nil, false
	}
	out := make([]entry, 0, len(v.n.Content)/2)
	for i := 0; i+1 < len(v.n.Content); i += 2 {
		k := v.n.Content[i]
		out = append(out, entry{key: k.Value, keyPos: Pos{Line: k.Line, Column: k.Column}, value: nodeValue{v.n.Content[i+1]}})
	}
	return out, true
}

// decoder collects the errors of one Decode.
type decoder struct{ errs Errors }

// fail records err about the value in at path. Under a key that may hold
// a secret ([SecretKey]) the message names the value's type only, and the
// cause, which may show the value, is dropped.
func (d *decoder) fail(path string, in value, err error) {
	if SecretKey(path) {
		d.errs = append(d.errs, &KeyError{Key: path, Pos: in.pos(), Msg: redacted(err.Error(), in)})
		return
	}
	d.errs = append(d.errs, &KeyError{Key: path, Pos: in.pos(), Msg: err.Error(), Err: unwrapOnce(err)})
}

// structValue decodes the mapping in into the struct dst.
func (d *decoder) structValue(path string, in value, dst reflect.Value) {
	entries, ok := in.entries()
	if !ok {
		d.fail(path, in, fmt.Errorf("must be a mapping, got %s", describeValue(in)))
		return
	}
	fields := fieldsOf(dst.Type())
	byKey := make(map[string]field, len(fields))
	for _, f := range fields {
		byKey[f.key] = f
	}
	seen := make(map[string]bool, len(entries))
	for _, e := range entries {
		key := JoinKey(path, e.key)
		if seen[e.key] {
			d.errs = append(d.errs, &KeyError{Key: key, Pos: e.keyPos, Msg: "duplicate key"})
			continue
		}
		seen[e.key] = true
		f, ok := byKey[e.key]
		if !ok {
			valid := keysOf(fields)
			d.errs = append(d.errs, &KeyError{Key: key, Pos: e.keyPos, Unknown: true, Suggestion: suggest.Nearest(e.key, valid), Valid: valid})
			continue
		}
		if e.value.null() {
			continue
		}
		d.assign(key, e.value, dst.FieldByIndex(f.index))
	}
	for _, f := range fields {
		if f.required && !present(entries, f.key) {
			d.errs = append(d.errs, &KeyError{Key: JoinKey(path, f.key), Pos: in.pos(), Msg: "is required"})
		}
	}
}

// present says whether key has a non-null value among entries.
func present(entries []entry, key string) bool {
	for _, e := range entries {
		if e.key == key && !e.value.null() {
			return true
		}
	}
	return false
}

// assign decodes in into dst, whose key path is path.
func (d *decoder) assign(path string, in value, dst reflect.Value) {
	t := dst.Type()
	switch {
	case t == nodeType:
		nv, ok := in.(nodeValue)
		if !ok {
			d.fail(path, in, fmt.Errorf("config: a yaml.Node field decodes only from YAML"))
			return
		}
		dst.Set(reflect.ValueOf(*nv.n))
	case t.Kind() == reflect.Pointer && !t.Implements(unmarshalerType):
		elem := reflect.New(t.Elem())
		n := len(d.errs)
		d.assign(path, in, elem.Elem())
		if len(d.errs) == n {
			dst.Set(elem)
		}
	case reflect.PointerTo(t).Implements(unmarshalerType) || t.Kind() != reflect.Struct && t.Kind() != reflect.Map:
		raw, err := in.raw()
		if err == nil {
			err = assign(dst, raw)
		}
		if err != nil {
			d.fail(path, in, err)
		}
	case t.Kind() == reflect.Struct:
		d.structValue(path, in, dst)
	case t.Key().Kind() == reflect.String:
		d.mapValue(path, in, dst)
	default:
		d.fail(path, in, fmt.Errorf("config: unsupported field type %s", t))
	}
}

// mapValue decodes the mapping in into the map dst, keeping what dst
// already holds.
func (d *decoder) mapValue(path string, in value, dst reflect.Value) {
	entries, ok := in.entries()
	if !ok {
		d.fail(path, in, fmt.Errorf("must be a mapping, got %s", describeValue(in)))
		return
	}
	if dst.IsNil() {
		dst.Set(reflect.MakeMapWithSize(dst.Type(), len(entries)))
	}
	for _, e := range entries {
		elem := reflect.New(dst.Type().Elem()).Elem()
		n := len(d.errs)
		d.assign(JoinKey(path, e.key), e.value, elem)
		if len(d.errs) == n {
			dst.SetMapIndex(reflect.ValueOf(e.key).Convert(dst.Type().Key()), elem)
		}
	}
}

// describeValue names a value's kind for errors about its shape.
func describeValue(in value) string {
	if shape, ok := nodeShape(in); ok {
		return shape
	}
	raw, err := in.raw()
	if err != nil {
		return err.Error()
	}
	return describe(raw)
}

// nodeShape names the shape of a YAML list, map or alias, and is false
// for a scalar or a value that did not come from YAML.
func nodeShape(in value) (string, bool) {
	nv, ok := in.(nodeValue)
	if !ok {
		return "", false
	}
	switch nv.n.Kind {
	case yaml.SequenceNode:
		return "a list", true
	case yaml.MappingNode:
		return "a map", true
	case yaml.AliasNode:
		return "an alias", true
	}
	return "", false
}

// JoinKey joins a key path and a key with a dot; an empty path gives key.
func JoinKey(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// assign converts a raw scalar or list into dst.
func assign(dst reflect.Value, value interface{}) error {
	if dst.CanAddr() && dst.Addr().Type().Implements(unmarshalerType) {
		return dst.Addr().Interface().(Unmarshaler).UnmarshalConfig(value)
	}
	if dst.Type() == durationType {
		d, err := toDuration(value)
		if err != nil {
			return err
		}
		dst.SetInt(int64(d))
		return nil
	}
	if dst.Kind() == reflect.String && dst.CanAddr() && dst.Addr().Type().Implements(textUnmarshalerType) {
		s, ok := value.(string)
		if !ok {
			return fmt.Errorf("must be a string, got %s", describe(value))
		}
		return dst.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s))
	}
	switch dst.Kind() {
	case reflect.String:
		s, ok := value.(string)
		if !ok {
			return fmt.Errorf("must be a string, got %s", describe(value))
		}
		dst.SetString(s)
	case reflect.Bool:
		b, ok := value.(bool)
		if !ok {
			return fmt.Errorf("must be true or false, got %s", describe(value))
		}
		dst.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := toInt(value)
		if err != nil {
			return err
		}
		if dst.OverflowInt(n) {
			return fmt.Errorf("%d is out of range", n)
		}
		dst.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, err := toInt(value)
		if err != nil {
			return err
		}
		if n < 0 {
			return fmt.Errorf("must not be negative, got %d", n)
		}
		if dst.OverflowUint(uint64(n)) {
			return fmt.Errorf("%d is out of range (at most %d)", n, maxUint(dst.Type()))
		}
		dst.SetUint(uint64(n))
	case reflect.Float32, reflect.Float64:
		f, err := toFloat(value)
		if err != nil {
			return err
		}
		if dst.OverflowFloat(f) {
			return fmt.Errorf("%v is out of range", f)
		}
		dst.SetFloat(f)
	case reflect.Slice:
		if dst.Type().Elem().Kind() != reflect.String {
			return fmt.Errorf("config: unsupported field type %s", dst.Type())
		}
		list, err := toStrings(value)
		if err != nil {
			return err
		}
		out := reflect.MakeSlice(dst.Type(), len(list), len(list))
		for i, s := range list {
			out.Index(i).SetString(s)
		}
		dst.Set(out)
	default:
		return fmt.Errorf("config: unsupported field type %s", dst.Type())
	}
	return nil
}

func maxUint(t reflect.Type) uint64 {
	return math.MaxUint64 >> (64 - t.Bits())
}

// toInt converts any Go integer, or an integral float64, to int64.
func toInt(value interface{}) (int64, error) {
	rv := reflect.ValueOf(value)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int(), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if rv.Uint() > math.MaxInt64 {
			return 0, fmt.Errorf("%d is out of range", rv.Uint())
		}
		return int64(rv.Uint()), nil
	case reflect.Float32, reflect.Float64:
		f := rv.Float()
		if f != math.Trunc(f) || f < math.MinInt64 || f >= math.MaxInt64 {
			return 0, fmt.Errorf("must be an integer, got %v", f)
		}
		return int64(f), nil
	}
	return 0, fmt.Errorf("must be an integer, got %s", describe(value))
}

// toFloat converts any Go number to float64.
func toFloat(value interface{}) (float64, error) {
	rv := reflect.ValueOf(value)
	switch rv.Kind() {
	case reflect.Float32, reflect.Float64:
		return rv.Float(), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return float64(rv.Int()), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return float64(rv.Uint()), nil
	}
	return 0, fmt.Errorf("must be a number, got %s", describe(value))
}

// toDuration accepts a duration string or integer seconds.
func toDuration(value interface{}) (time.Duration, error) {
	if s, ok := value.(string); ok {
		d, err := time.ParseDuration(s)
		if err != nil {
			return 0, fmt.Errorf("must be a duration such as \"5s\" or \"1m30s\", got %q", s)
		}
		if d < 0 {
			return 0, fmt.Errorf("must not be negative, got %q", s)
		}
		return d, nil
	}
	n, err := toInt(value)
	if err != nil {
		return 0, fmt.Errorf("must be a duration such as \"5s\" or a number of seconds, got %s", describe(value))
	}
	if n < 0 || n > math.MaxInt64/int64(time.Second) {
		return 0, fmt.Errorf("%d seconds is out of range", n)
	}
	return time.Duration(n) * time.Second, nil
}

// toStrings accepts a list of strings.
func toStrings(value interface{}) ([]string, error) {
	switch list := value.(type) {
	case []string:
		return append([]string(nil), list...), nil
	case []interface{}:
		out := make([]string, len(list))
		for i, item := range list {
			s, ok := item.(string)
			if !ok {
				return nil, fmt.Errorf("element %d must be a string, got %s", i, describe(item))
			}
			out[i] = s
		}
		return out, nil
	}
	return nil, fmt.Errorf("must be a list of strings, got %s", describe(value))
}

// describe names a raw value's kind and shows it, for error messages.
func describe(value interface{}) string {
	switch v := value.(type) {
	case string:
		return fmt.Sprintf("string %q", v)
	case bool:
		return fmt.Sprintf("boolean %v", v)
	case float32, float64:
		return fmt.Sprintf("number %v", v)
	case []interface{}, []string:
		return "a list"
	case map[string]interface{}, map[interface{}]interface{}:
		return "a map"
	}
	rv := reflect.ValueOf(value)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return fmt.Sprintf("integer %v", value)
	}
	return fmt.Sprintf("%T", value)
}

// Parse decodes raw over defaults, then checks the result with validate:
// the whole of a component's ParseConfig. The zero C is returned on error.
func Parse[C any](raw map[string]interface{}, defaults C, validate func(*C) error) (C, error) {
	cfg := defaults
	if err := Decode(raw, &cfg); err != nil {
		var zero C
		return zero, err
	}
	if err := validate(&cfg); err != nil {
		var zero C
		return zero, err
	}
	return cfg, nil
}
