package runtime

import (
	"reflect"
	"time"
)

// toFloat64 converts a stat value to float64. It returns false for a value
// that cannot convert (a string, a struct, nil) and for NaN or ±Inf, which
// no exporter can carry.
//
// Every Go numeric type converts, including named types such as
// time.Duration (as seconds) or a user's `type Ledgers uint32`; bool
// converts to 0/1 and time.Time to unix seconds (0 for the zero time).
func toFloat64(v interface{}) (float64, bool) {
	var f float64
	switch x := v.(type) {
	case float64:
		f = x
	case uint64:
		f = float64(x)
	case int64:
		f = float64(x)
	case int:
		f = float64(x)
	case uint:
		f = float64(x)
	case int32:
		f = float64(x)
	case uint32:
		f = float64(x)
	case int16:
		f = float64(x)
	case uint16:
		f = float64(x)
	case int8:
		f = float64(x)
	case uint8:
		f = float64(x)
	case uintptr:
		f = float64(x)
	case float32:
		f = float64(x)
	case bool:
		if x {
			f = 1
		}
	case time.Duration:
		f = x.Seconds()
	case time.Time:
		if !x.IsZero() {
			f = unixSeconds(x.Unix(), int64(x.Nanosecond()))
		}
	case nil:
		return 0, false
	default:
		var ok bool
		if f, ok = reflectFloat64(v); !ok {
			return 0, false
		}
	}
	if !isFinite(f) {
		return 0, false
	}
	return f, true
}

// reflectFloat64 handles named numeric types by their kind; false for a
// value of any other kind.
func reflectFloat64(v interface{}) (float64, bool) {
	rv := reflect.ValueOf(v)
	var f float64
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		f = float64(rv.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		f = float64(rv.Uint())
	case reflect.Float32, reflect.Float64:
		f = rv.Float()
	case reflect.Bool:
		if rv.Bool() {
			f = 1
		}
	default:
		return 0, false
	}
	return f, true
}

// unixSeconds converts whole seconds and nanoseconds to float64 seconds
// without the rounding of float64(unixNanos)/1e9.
func unixSeconds(sec, nsec int64) float64 {
	return float64(sec) + float64(nsec)/1e9
}
