package contractevent

import (
	"encoding/binary"
	"math"
	"math/big"
	"testing"

	"github.com/stretchr/testify/assert"
)

// wordsReference reads the words as joinWords does, with math/big only:
// the big-endian bytes as an unsigned integer, less 2^(64·n) when signed
// and the top bit is set.
func wordsReference(signed bool, words ...uint64) string {
	raw := make([]byte, 0, 8*len(words))
	for _, w := range words {
		raw = binary.BigEndian.AppendUint64(raw, w)
	}
	n := new(big.Int).SetBytes(raw)
	if signed && words[0]>>63 == 1 {
		n.Sub(n, new(big.Int).Lsh(big.NewInt(1), uint(8*len(raw))))
	}
	return n.String()
}

func TestJoinWords(t *testing.T) {
	const ones = math.MaxUint64
	tests := []struct {
		name  string
		words []uint64
		// signed and unsigned are the expected decimals.
		signed, unsigned string
	}{
		{"zero", []uint64{0, 0}, "0", "0"},
		{"one", []uint64{0, 1}, "1", "1"},
		{"max int64", []uint64{0, math.MaxInt64}, "9223372036854775807", "9223372036854775807"},
		{"past int64", []uint64{0, 1 << 63}, "9223372036854775808", "9223372036854775808"},
		{"max uint64", []uint64{0, ones}, "18446744073709551615", "18446744073709551615"},
		{"2^64", []uint64{1, 0}, "18446744073709551616", "18446744073709551616"},
		{"minus one", []uint64{ones, ones}, "-1", "340282366920938463463374607431768211455"},
		{"min int64", []uint64{ones, 1 << 63}, "-9223372036854775808", "340282366920938463454151235394913435648"},
		{"below min int64", []uint64{ones, math.MaxInt64}, "-9223372036854775809", "340282366920938463454151235394913435647"},
		{"min int128", []uint64{1 << 63, 0}, "-170141183460469231731687303715884105728", "170141183460469231731687303715884105728"},
		{"256 small", []uint64{0, 0, 0, 42}, "42", "42"},
		{"256 minus two", []uint64{ones, ones, ones, ones - 1}, "-2",
			"115792089237316195423570985008687907853269984665640564039457584007913129639934"},
		{"256 middle word", []uint64{0, 0, 1, 0}, "18446744073709551616", "18446744073709551616"},
		{"256 high word set, low ones", []uint64{ones, 0, ones, ones},
			"-6277101735386680763495507056286727952638980837032266301441",
			"115792089237316195417293883273301227089774477609353836086818603170880863338495"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.signed, joinWords(true, tt.words...), "%s, signed", tt.name)
		assert.Equal(t, tt.unsigned, joinWords(false, tt.words...), "%s, unsigned", tt.name)
		assert.Equal(t, wordsReference(true, tt.words...), joinWords(true, tt.words...), "%s, signed, reference", tt.name)
		assert.Equal(t, wordsReference(false, tt.words...), joinWords(false, tt.words...), "%s, unsigned, reference", tt.name)
	}
}
