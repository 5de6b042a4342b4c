package stroops

import (
	"fmt"
	"reflect"
)

// UnmarshalConfig decodes a config value: a decimal string such as "100.5",
// or an integer number of whole units. A YAML or JSON float (100.5 written
// unquoted) is rejected, because it has already lost its exact decimal
// digits by the time it arrives.
func (a *Amount) UnmarshalConfig(value interface{}) error {
	switch v := value.(type) {
	case string:
		parsed, err := Parse(v)
		if err != nil {
			return fmt.Errorf("must be a decimal amount such as \"100.5\": %w", err)
		}
		*a = parsed
		return nil
	case float32, float64:
		return fmt.Errorf("must be a quoted decimal string such as \"%v\", not an unquoted number, so that no digits are lost", v)
	}
	rv := reflect.ValueOf(value)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return a.fromUnits(rv.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if rv.Uint() > 1<<62 {
			return fmt.Errorf("%d is out of range", rv.Uint())
		}
		return a.fromUnits(int64(rv.Uint()))
	}
	return fmt.Errorf("must be a decimal amount such as \"100.5\", got %T", value)
}

func (a *Amount) fromUnits(n int64) error {
	const limit = (1<<63 - 1) / PerUnit
	if n > limit || n < -limit {
		return fmt.Errorf("%d is out of range", n)
	}
	*a = Amount(n * PerUnit)
	return nil
}
