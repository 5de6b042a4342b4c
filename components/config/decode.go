package config

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strings"
	"time"
)

// Unmarshaler is implemented by field types that decode themselves from a
// raw config value (a string, bool, integer, float64, list or map, as YAML
// or JSON produce them). The returned error's message should say what a
// valid value looks like; Decode adds the key.
type Unmarshaler interface {
	UnmarshalConfig(value interface{}) error
}

var (
	unmarshalerType = reflect.TypeOf((*Unmarshaler)(nil)).Elem()
	durationType    = reflect.TypeOf(time.Duration(0))
)

// field is one tagged struct field.
type field struct {
	key      string
	index    []int
	required bool
}

// Keys returns the config keys of the struct that dst points to, sorted.
func Keys(dst interface{}) []string {
	fields, err := fieldsOf(dst)
	if err != nil {
		return nil
	}
	keys := make([]string, len(fields))
	for i, f := range fields {
		keys[i] = f.key
	}
	sort.Strings(keys)
	return keys
}

// Decode copies raw into the struct that dst points to. It reports every
// unknown key, missing required key and badly typed value at once, as
// [Errors]. A nil value counts as absent. Decode panics only when dst is
// not a pointer to a struct, which is a programming error.
//
// Conversions, beyond a value of the field's own type:
//   - integer fields take any integer, and a float64 with no fraction (as
//     JSON decodes numbers), checked against the field's range;
//   - time.Duration fields take a Go duration string ("5s", "1m30s") or an
//     integer number of seconds;
//   - []string fields take a list of strings;
//   - fields whose pointer implements [Unmarshaler] decode themselves.
func Decode(raw map[string]interface{}, dst interface{}) error {
	fields, err := fieldsOf(dst)
	if err != nil {
		panic(err)
	}
	v := reflect.ValueOf(dst).Elem()
	byKey := make(map[string]field, len(fields))
	valid := make([]string, 0, len(fields))
	for _, f := range fields {
		byKey[f.key] = f
		valid = append(valid, f.key)
	}
	sort.Strings(valid)

	var errs Errors
	for key, value := range raw {
		f, ok := byKey[key]
		if !ok {
			errs = append(errs, &KeyError{Key: key, Unknown: true, Suggestion: Suggest(key, valid), Valid: valid})
			continue
		}
		if value == nil {
			continue
		}
		if err := assign(v.FieldByIndex(f.index), value); err != nil {
			errs = append(errs, &KeyError{Key: key, Msg: err.Error(), Err: errors.Unwrap(err)})
		}
	}
	for _, f := range fields {
		if value, ok := raw[f.key]; f.required && (!ok || value == nil) {
			errs = append(errs, &KeyError{Key: f.key, Msg: "is required"})
		}
	}
	return errs.Err()
}

// fieldsOf lists the tagged fields of the struct dst points to.
func fieldsOf(dst interface{}) ([]field, error) {
	rv := reflect.ValueOf(dst)
	if rv.Kind() != reflect.Pointer || rv.Elem().Kind() != reflect.Struct {
		return nil, fmt.Errorf("config: Decode needs a pointer to a struct, got %T", dst)
	}
	t := rv.Elem().Type()
	var fields []field
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		tag, ok := sf.Tag.Lookup("config")
		if !ok || tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		fields = append(fields, field{key: name, index: sf.Index, required: opts == "required"})
	}
	return fields, nil
}

// assign converts value into dst.
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
