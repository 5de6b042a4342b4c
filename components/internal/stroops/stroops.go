// Package stroops handles Stellar amounts as exact integers of stroops (one
// ten-millionth of a unit), and their decimal strings with seven places.
//
// Nothing here uses floating point: amounts are money, and a float64 cannot
// hold every int64 stroop count.
package stroops

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// PerUnit is the number of stroops in one unit of an asset.
const PerUnit = 10_000_000

// places is the number of decimal places of a Stellar amount.
const places = 7

// Amount is a number of stroops.
type Amount int64

// String returns the amount as a decimal with exactly seven places, such as
// "12.5000000" or "-0.0000001".
func (a Amount) String() string {
	var buf [32]byte
	return string(a.AppendDecimal(buf[:0]))
}

// AppendDecimal appends the decimal form of a, as String returns it, to
// dst. It lets hot paths format without an intermediate string.
func (a Amount) AppendDecimal(dst []byte) []byte {
	u := uint64(a)
	if a < 0 {
		dst = append(dst, '-')
		u = uint64(-(a + 1)) + 1 // also right for math.MinInt64
	}
	dst = strconv.AppendUint(dst, u/PerUnit, 10)
	dst = append(dst, '.')
	frac := u % PerUnit
	var digits [places]byte
	for i := places - 1; i >= 0; i-- {
		digits[i] = byte('0' + frac%10)
		frac /= 10
	}
	return append(dst, digits[:]...)
}

// ErrSyntax is wrapped by the errors of Parse for text that is not a
// decimal number.
var ErrSyntax = errors.New("not a decimal number")

// Parse reads a decimal amount such as "100", "0.5" or "-12.0000001". It
// accepts at most seven decimal places, and rejects exponents, spaces and
// values outside the range of an int64 number of stroops.
func Parse(s string) (Amount, error) {
	text := s
	neg := false
	switch {
	case strings.HasPrefix(text, "-"):
		neg, text = true, text[1:]
	case strings.HasPrefix(text, "+"):
		text = text[1:]
	}
	whole, frac, _ := strings.Cut(text, ".")
	if whole == "" && frac == "" || !digitsOnly(whole) || !digitsOnly(frac) {
		return 0, fmt.Errorf("%w: %q", ErrSyntax, s)
	}
	if len(frac) > places {
		return 0, fmt.Errorf("%q has more than %d decimal places", s, places)
	}
	frac += strings.Repeat("0", places-len(frac))
	w := uint64(0)
	if whole != "" {
		var err error
		if w, err = strconv.ParseUint(whole, 10, 64); err != nil || w > math.MaxInt64/PerUnit+1 {
			return 0, fmt.Errorf("%q is out of range", s)
		}
	}
	f, _ := strconv.ParseUint(frac, 10, 64) // digits only, at most 7 of them
	total := w*PerUnit + f
	switch {
	case !neg && total <= math.MaxInt64:
		return Amount(total), nil
	case neg && total <= math.MaxInt64+1:
		return Amount(-int64(total-1) - 1), nil
	}
	return 0, fmt.Errorf("%q is out of range", s)
}

func digitsOnly(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
