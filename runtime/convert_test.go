package runtime

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

type ledgerCount uint32
type fraction float32
type flag bool

func TestToFloat64(t *testing.T) {
	at := time.Unix(1700000000, 250_000_000)
	tests := []struct {
		name string
		in   interface{}
		want float64
		ok   bool
	}{
		{"int", int(-3), -3, true},
		{"int8", int8(-8), -8, true},
		{"int16", int16(16), 16, true},
		{"int32", int32(32), 32, true},
		{"int64", int64(64), 64, true},
		{"uint", uint(1), 1, true},
		{"uint8", uint8(8), 8, true},
		{"uint16", uint16(16), 16, true},
		{"uint32", uint32(32), 32, true},
		{"uint64", uint64(math.MaxUint64), math.MaxUint64, true},
		{"uintptr", uintptr(7), 7, true},
		{"float32", float32(1.5), 1.5, true},
		{"float64", 2.25, 2.25, true},
		{"true", true, 1, true},
		{"false", false, 0, true},
		{"duration as seconds", 1500 * time.Millisecond, 1.5, true},
		{"time as unix seconds", at, 1700000000.25, true},
		{"zero time", time.Time{}, 0, true},
		{"named uint", ledgerCount(9), 9, true},
		{"named float", fraction(0.5), 0.5, true},
		{"named bool", flag(true), 1, true},
		{"NaN", math.NaN(), 0, false},
		{"+Inf", math.Inf(1), 0, false},
		{"-Inf float32", float32(math.Inf(-1)), 0, false},
		{"named NaN", fraction(float32(math.NaN())), 0, false},
		{"string", "12", 0, false},
		{"nil", nil, 0, false},
		{"struct", struct{}{}, 0, false},
		{"pointer", new(int), 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := toFloat64(tt.in)
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.want, got)
		})
	}
}
