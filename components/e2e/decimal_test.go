package e2e

import "math/big"

// cmpDecimal compares two decimal strings exactly.
func cmpDecimal(a, b string) int {
	x, _ := new(big.Rat).SetString(a)
	y, _ := new(big.Rat).SetString(b)
	return x.Cmp(y)
}
