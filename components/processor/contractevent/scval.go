package contractevent

import (
	"encoding/hex"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/stellar/go-stellar-sdk/xdr"

	"github.com/cdpstats/cdpstats/components/internal/textcache"
)

// DecodeScVal converts a Soroban value to a value that encoding/json
// marshals faithfully:
//
//   - bool is a boolean and void is null;
//   - u32 and i32 are numbers;
//   - u64, i64, timepoint, duration and the 128- and 256-bit integers are
//     decimal strings, since JSON numbers lose precision past 2^53;
//   - bytes are a hex string; string and symbol are strings;
//   - an address is its strkey: G... account, M... muxed account,
//     C... contract, B... claimable balance or L... liquidity pool;
//   - a vec is an array;
//   - a map whose keys are all symbols or strings, without repeats, is an
//     object; any other map is an array of {"key": ..., "value": ...};
//   - an error is {"error": {"type": "contract", "code": 7}}, with the
//     code a number for contract errors and a name otherwise;
//   - the remaining ledger-key and instance values are
//     {"type": "<kind>", "xdr": "<base64>"}.
func DecodeScVal(v xdr.ScVal) (interface{}, error) {
	return decoder{}.decode(v)
}

// decoder decodes ScVals as DecodeScVal does, naming accounts and
// contracts from its cache when it has one.
type decoder struct {
	addresses *textcache.Cache[addressKey]
}

func (d decoder) decode(v xdr.ScVal) (interface{}, error) {
	switch v.Type {
	case xdr.ScValTypeScvBool:
		return v.MustB(), nil
	case xdr.ScValTypeScvVoid:
		return nil, nil
	case xdr.ScValTypeScvU32:
		return uint32(v.MustU32()), nil
	case xdr.ScValTypeScvI32:
		return int32(v.MustI32()), nil
	case xdr.ScValTypeScvU64:
		return strconv.FormatUint(uint64(v.MustU64()), 10), nil
	case xdr.ScValTypeScvI64:
		return strconv.FormatInt(int64(v.MustI64()), 10), nil
	case xdr.ScValTypeScvTimepoint:
		return strconv.FormatUint(uint64(v.MustTimepoint()), 10), nil
	case xdr.ScValTypeScvDuration:
		return strconv.FormatUint(uint64(v.MustDuration()), 10), nil
	case xdr.ScValTypeScvU128:
		p := v.MustU128()
		return joinWords(false, uint64(p.Hi), uint64(p.Lo)), nil
	case xdr.ScValTypeScvI128:
		p := v.MustI128()
		return joinWords(true, uint64(p.Hi), uint64(p.Lo)), nil
	case xdr.ScValTypeScvU256:
		p := v.MustU256()
		return joinWords(false, uint64(p.HiHi), uint64(p.HiLo), uint64(p.LoHi), uint64(p.LoLo)), nil
	case xdr.ScValTypeScvI256:
		p := v.MustI256()
		return joinWords(true, uint64(p.HiHi), uint64(p.HiLo), uint64(p.LoHi), uint64(p.LoLo)), nil
	case xdr.ScValTypeScvBytes:
		return hex.EncodeToString(v.MustBytes()), nil
	case xdr.ScValTypeScvString:
		return string(v.MustStr()), nil
	case xdr.ScValTypeScvSymbol:
		return string(v.MustSym()), nil
	case xdr.ScValTypeScvAddress:
		addr, err := d.address(v.MustAddress())
		if err != nil {
			return nil, fmt.Errorf("address: %w", err)
		}
		return addr, nil
	case xdr.ScValTypeScvVec:
		vec, _ := v.GetVec()
		if vec == nil {
			return []interface{}{}, nil
		}
		out := make([]interface{}, len(*vec))
		for i, item := range *vec {
			decoded, err := d.decode(item)
			if err != nil {
				return nil, fmt.Errorf("vec[%d]: %w", i, err)
			}
			out[i] = decoded
		}
		return out, nil
	case xdr.ScValTypeScvMap:
		m, _ := v.GetMap()
		if m == nil {
			return map[string]interface{}{}, nil
		}
		return d.decodeMap(*m)
	case xdr.ScValTypeScvError:
		return decodeError(v.MustError()), nil
	}
	raw, err := xdr.MarshalBase64(v)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", v.Type, err)
	}
	return map[string]interface{}{"type": snake(strings.TrimPrefix(v.Type.String(), "ScValTypeScv")), "xdr": raw}, nil
}

// decodeMap returns an object when every key is a distinct symbol or
// string, and a list of key/value pairs otherwise.
func (d decoder) decodeMap(m xdr.ScMap) (interface{}, error) {
	object := make(map[string]interface{}, len(m))
	for _, e := range m {
		var key string
		switch e.Key.Type {
		case xdr.ScValTypeScvSymbol:
			key = string(e.Key.MustSym())
		case xdr.ScValTypeScvString:
			key = string(e.Key.MustStr())
		default:
			return d.decodePairs(m)
		}
		if _, dup := object[key]; dup {
			return d.decodePairs(m)
		}
		val, err := d.decode(e.Val)
		if err != nil {
			return nil, fmt.Errorf("map[%q]: %w", key, err)
		}
		object[key] = val
	}
	return object, nil
}

func (d decoder) decodePairs(m xdr.ScMap) (interface{}, error) {
	out := make([]interface{}, len(m))
	for i, e := range m {
		key, err := d.decode(e.Key)
		if err != nil {
			return nil, fmt.Errorf("map entry %d key: %w", i, err)
		}
		val, err := d.decode(e.Val)
		if err != nil {
			return nil, fmt.Errorf("map entry %d value: %w", i, err)
		}
		out[i] = map[string]interface{}{"key": key, "value": val}
	}
	return out, nil
}

func decodeError(e xdr.ScError) interface{} {
	typ := snake(strings.TrimPrefix(e.Type.String(), "ScErrorTypeSce"))
	var code interface{}
	if c, ok := e.GetContractCode(); ok {
		code = uint32(c)
	} else if c, ok := e.GetCode(); ok {
		code = snake(strings.TrimPrefix(c.String(), "ScErrorCodeScec"))
	}
	return map[string]interface{}{"error": map[string]interface{}{"type": typ, "code": code}}
}

// snake turns a CamelCase name such as LedgerKeyNonce into
// "ledger_key_nonce".
func snake(name string) string {
	var b strings.Builder
	for i, r := range name {
		if 'A' <= r && r <= 'Z' {
			if i > 0 {
				b.WriteByte('_')
			}
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// joinWords reads big-endian 64-bit words as one integer, two's complement
// when signed, and returns it in decimal. A value that fits in 64 bits, as
// token amounts mostly do, is formatted without math/big.
func joinWords(signed bool, words ...uint64) string {
	high, low := words[:len(words)-1], words[len(words)-1]
	if allWords(high, 0) {
		return strconv.FormatUint(low, 10)
	}
	if signed && allWords(high, math.MaxUint64) && low>>63 == 1 {
		return strconv.FormatInt(int64(low), 10)
	}
	n := new(big.Int)
	for _, w := range words {
		n.Lsh(n, 64)
		n.Or(n, new(big.Int).SetUint64(w))
	}
	if signed && words[0]>>63 == 1 {
		n.Sub(n, new(big.Int).Lsh(big.NewInt(1), uint(64*len(words))))
	}
	return n.String()
}

// allWords reports whether every word is w.
func allWords(words []uint64, w uint64) bool {
	for _, x := range words {
		if x != w {
			return false
		}
	}
	return true
}
