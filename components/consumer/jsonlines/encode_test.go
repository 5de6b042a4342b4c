package jsonlines

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stellar/go-stellar-sdk/xdr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/components/processor/contractevent"
	"github.com/cdpstats/cdpstats/components/processor/filterpayments"
	"github.com/cdpstats/cdpstats/internal/testfixtures/ledgers"
)

// trickyStrings are strings that encoding/json escapes or mends.
var trickyStrings = []string{
	"",
	"plain",
	`"quoted" \back\slash/`,
	"<script>a && b</script>",
	"\x00\x01\x07\x1f\x7f",
	"\b\f\n\r\t",
	"line\u2028and\u2029paragraph",
	"héllo 世界 🚀",
	"\ufffd is a replacement character",
	"bad \xff\xfe bytes",
	"cut \xe2\x80",            // U+2028 without its last byte
	"surrogate \xed\xa0\x80.", // UTF-16 surrogates are not UTF-8
	"too high \xf4\x90\x80\x80",
	"overlong \xc0\xaf",
}

// closeTime is a ledger close time with nanoseconds.
var closeTime = time.Date(2025, 11, 30, 6, 17, 28, 123456789, time.UTC)

func samplePayment() filterpayments.Payment {
	return filterpayments.Payment{
		LedgerSequence:  58_000_001,
		ClosedAt:        closeTime,
		TransactionHash: strings.Repeat("ab", 32),
		OperationIndex:  3,
		OperationType:   filterpayments.OpPathPaymentStrictSend,
		From:            "GAAZI4TCR3TY5OJHCTJC2A4QSY6CJWJH5IAJTGKIN2ER7LBNVKOCCWN7",
		To:              "MAAAAAAAAAAAAAB7BQ2L7E5NBWMXDUCMZSIPOBKRDSBYVLMXGSSKF6YNPIB7Y77ITLVL6",
		Asset:           "USDC:GA5ZSEJYB37JRC5AVCIA5MOP4RHTM335X2KGX3IHOJAPP5RE34K4KZVN",
		Amount:          "12.5000000",
		SourceAsset:     "native",
		SourceAmount:    "100.0000000",
	}
}

// scVal returns the ScVal of type typ holding value.
func scVal(t testing.TB, typ xdr.ScValType, value interface{}) xdr.ScVal {
	t.Helper()
	v, err := xdr.NewScVal(typ, value)
	require.NoError(t, err)
	return v
}

// decoded returns v as DecodeScVal decodes it.
func decoded(t testing.TB, v xdr.ScVal) interface{} {
	t.Helper()
	d, err := contractevent.DecodeScVal(v)
	require.NoError(t, err)
	return d
}

// everyScVal returns one ScVal of each kind DecodeScVal maps differently.
func everyScVal(t testing.TB) []xdr.ScVal {
	t.Helper()
	sym := func(s string) xdr.ScVal { return ledgers.Symbol(s) }
	str := func(s string) xdr.ScVal { return scVal(t, xdr.ScValTypeScvString, xdr.ScString(s)) }
	vec := xdr.ScVec{sym("a"), scVal(t, xdr.ScValTypeScvU32, xdr.Uint32(1))}
	object := xdr.ScMap{
		{Key: sym("zeta"), Val: str("z<")},
		{Key: str("alpha"), Val: scVal(t, xdr.ScValTypeScvVec, &vec)},
		{Key: sym("Beta"), Val: scVal(t, xdr.ScValTypeScvBool, true)},
	}
	pairs := xdr.ScMap{
		{Key: scVal(t, xdr.ScValTypeScvU32, xdr.Uint32(2)), Val: sym("two")},
		{Key: scVal(t, xdr.ScValTypeScvVoid, nil), Val: scVal(t, xdr.ScValTypeScvMap, &object)},
	}
	code := xdr.Uint32(7)
	authCode := xdr.ScErrorCodeScecInvalidAction
	return []xdr.ScVal{
		scVal(t, xdr.ScValTypeScvBool, false),
		scVal(t, xdr.ScValTypeScvVoid, nil),
		scVal(t, xdr.ScValTypeScvU32, xdr.Uint32(math.MaxUint32)),
		scVal(t, xdr.ScValTypeScvI32, xdr.Int32(math.MinInt32)),
		scVal(t, xdr.ScValTypeScvU64, xdr.Uint64(math.MaxUint64)),
		scVal(t, xdr.ScValTypeScvI64, xdr.Int64(math.MinInt64)),
		scVal(t, xdr.ScValTypeScvTimepoint, xdr.TimePoint(1700000000)),
		scVal(t, xdr.ScValTypeScvDuration, xdr.Duration(60)),
		scVal(t, xdr.ScValTypeScvU128, xdr.UInt128Parts{Hi: 1, Lo: 2}),
		ledgers.I128(-5),
		scVal(t, xdr.ScValTypeScvU256, xdr.UInt256Parts{HiHi: 1, LoLo: 2}),
		scVal(t, xdr.ScValTypeScvI256, xdr.Int256Parts{HiHi: -1, HiLo: 3, LoHi: 4, LoLo: 5}),
		scVal(t, xdr.ScValTypeScvBytes, xdr.ScBytes{0xde, 0xad}),
		str("a \"string\" <&>\u2028"),
		sym("transfer"),
		ledgers.AddressVal(ledgers.Account(1)),
		scVal(t, xdr.ScValTypeScvVec, &vec),
		scVal(t, xdr.ScValTypeScvMap, &object),
		scVal(t, xdr.ScValTypeScvMap, &pairs),
		scVal(t, xdr.ScValTypeScvError, xdr.ScError{Type: xdr.ScErrorTypeSceContract, ContractCode: &code}),
		scVal(t, xdr.ScValTypeScvError, xdr.ScError{Type: xdr.ScErrorTypeSceAuth, Code: &authCode}),
		scVal(t, xdr.ScValTypeScvLedgerKeyNonce, xdr.ScNonceKey{Nonce: 9}),
	}
}

// sampleEvent returns an event whose topics hold every kind of value
// DecodeScVal makes, and whose data is a map.
func sampleEvent(t testing.TB) contractevent.Event {
	t.Helper()
	var topics []interface{}
	var topicsXDR []string
	for _, v := range everyScVal(t) {
		topics = append(topics, decoded(t, v))
		raw, err := xdr.MarshalBase64(v)
		require.NoError(t, err)
		topicsXDR = append(topicsXDR, raw)
	}
	return contractevent.Event{
		LedgerSequence:  58_000_001,
		ClosedAt:        closeTime,
		TransactionHash: strings.Repeat("cd", 32),
		OperationIndex:  1,
		EventIndex:      2,
		ContractID:      "CAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		Topics:          topics,
		Data:            map[string]interface{}{"amount": "-5", "memo": "hi", "nested": map[string]interface{}{"b": nil, "a": []interface{}{}}},
		TopicsXDR:       topicsXDR,
		DataXDR:         "AAAACgAAAAAAAAAAAAAAAAAAAAU=",
	}
}

// jsonLine is the line json.Encoder with default settings writes for v.
func jsonLine(v interface{}) (string, error) {
	var buf bytes.Buffer
	err := json.NewEncoder(&buf).Encode(v)
	return buf.String(), err
}

// appendedLine is the line an appender writes for v, and whether it did.
func appendedLine(v interface{}) (string, bool) {
	var a appender
	b, ok := a.appendLine([]byte("before "), v)
	return strings.TrimPrefix(string(b), "before "), ok
}

// consumerLines are the lines, or the error, that the JSON line consumers
// write for payload: with the appender, and with encoding/json alone, as
// before it.
func consumerLines(payload interface{}) (got, want string, gotErr, wantErr error) {
	l := newLines(nil)
	l.ledger = append(l.ledger, "before\n"...)
	gotErr = l.encodeLine(payload)
	got = strings.TrimPrefix(string(l.ledger), "before\n")

	var buf bytes.Buffer
	wantErr = encodeJSON(json.NewEncoder(&buf), payload, losslessPayload(payload))
	return got, buf.String(), gotErr, wantErr
}

// forms returns v by value and by pointer.
func forms[T any](v T) []interface{} { return []interface{}{v, &v} }

func TestAppendLineMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	type variant struct {
		name    string
		payload interface{}
	}
	var tests []variant
	add := func(name string, payloads []interface{}) {
		for _, p := range payloads {
			tests = append(tests, variant{fmt.Sprintf("%s %T", name, p), p})
		}
	}
	payment := samplePayment()
	add("payment", forms(payment))
	noPath := payment
	noPath.SourceAsset, noPath.SourceAmount = "", ""
	add("payment without path fields", forms(noPath))
	add("zero payment", forms(filterpayments.Payment{}))
	for i, s := range trickyStrings {
		p := payment
		p.TransactionHash, p.From, p.To, p.Asset, p.Amount, p.SourceAsset = s, s, s, s, s, s
		add(fmt.Sprintf("payment with string %d", i), forms(p))
	}
	for _, when := range []time.Time{
		{},
		time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC),
		time.Date(2025, 1, 2, 3, 4, 5, 100, time.FixedZone("IST", 5*3600+1800)),
		time.Date(1, 1, 1, 0, 0, 0, 1, time.FixedZone("", -(23*3600+59*60))),
		time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.Local),
		time.Now(), // with a monotonic reading
	} {
		p := payment
		p.ClosedAt = when
		add("payment closed at "+when.String(), forms(p))
	}

	event := sampleEvent(t)
	add("event", forms(event))
	add("zero event", forms(contractevent.Event{}))
	empty := event
	empty.Topics, empty.TopicsXDR, empty.Data = []interface{}{}, []string{}, []interface{}{}
	add("event with empty lists", forms(empty))
	for i, s := range trickyStrings {
		e := event
		e.ContractID, e.TransactionHash, e.DataXDR = s, s, s
		e.Topics = []interface{}{s, map[string]interface{}{s: s, "k": []interface{}{s}}}
		e.TopicsXDR = []string{s, s}
		e.Data = map[string]interface{}{s: map[string]interface{}{s: s}}
		add(fmt.Sprintf("event with string %d", i), forms(e))
	}
	for name, data := range map[string]interface{}{
		"integers": []interface{}{int(-1), int8(-2), int16(-3), int64(math.MinInt64), uint(1), uint8(2), uint16(3), uint64(math.MaxUint64)},
		"floats":   []interface{}{1.5, 1e21, 1e-7, float32(0.1), -0.0},
		"other types": []interface{}{
			json.Number("12.50"), []byte("bytes"), []string{"<a>"}, map[string]string{"b": "1", "a": "2"},
			struct {
				X int `json:"x,omitempty"`
				Y string
			}{Y: "<y>"},
			&closeTime, json.RawMessage(`{"b" : "<"}`),
		},
		"keys sorted by bytes": map[string]interface{}{"b": 1, "B": 2, "a": 3, "é": 4, "": 5, "aa": 6, "<": 7},
		"nil list and map":     []interface{}{[]interface{}(nil), map[string]interface{}(nil)},
		"deep":                 deepList(maxDepth + 5),
	} {
		e := event
		e.Data = data
		add("event with "+name, forms(e))
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, err := jsonLine(tt.payload)
			require.NoError(t, err)
			got, ok := appendedLine(tt.payload)
			require.True(t, ok, "the appender writes it")
			assert.Equal(t, want, got, "the appender writes what encoding/json writes")

			got, want, gotErr, wantErr := consumerLines(tt.payload)
			require.NoError(t, wantErr)
			require.NoError(t, gotErr)
			assert.Equal(t, want, got, "in the lossless form too")
		})
	}
}

// TestAppendStringEveryByte puts each byte value, and each tricky string,
// at each position of a plain string around the length of the words the
// appender tests together.
func TestAppendStringEveryByte(t *testing.T) {
	t.Parallel()
	const filler = "0123456789abcdefghijklmnopq"
	inserts := append([]string(nil), trickyStrings...)
	for c := range 256 {
		inserts = append(inserts, string([]byte{byte(c)}))
	}
	for _, insert := range inserts {
		for at := range 18 {
			s := filler[:at] + insert + filler[at:]
			want, err := json.Marshal(s)
			require.NoError(t, err)
			assert.Equal(t, string(want), string(appendString(nil, s)), "%q", s)
		}
	}
}

// deepList returns a list nested depth times.
func deepList(depth int) interface{} {
	var v interface{} = "bottom <"
	for range depth {
		v = []interface{}{v, depth}
	}
	return v
}

func TestEncodeLineFallsBackToEncodingJSON(t *testing.T) {
	t.Parallel()
	withData := func(data interface{}) contractevent.Event {
		e := sampleEvent(t)
		e.Data = data
		return e
	}
	tests := []struct {
		name    string
		payload interface{}
		wantErr string // "" when the payload encodes
	}{
		{name: "another type", payload: struct {
			A string `json:"a"`
		}{"<&>"}},
		{name: "a nil payment", payload: (*filterpayments.Payment)(nil)},
		{name: "a nil event", payload: (*contractevent.Event)(nil)},
		{name: "nil", payload: nil},
		{name: "a year past 9999", payload: filterpayments.Payment{ClosedAt: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)},
			wantErr: "encoding filterpayments.Payment as JSON: json: error calling MarshalJSON for type time.Time: Time.MarshalJSON: year outside of range [0,9999]"},
		{name: "a zone of 24 hours", payload: &contractevent.Event{ClosedAt: time.Date(2025, 1, 1, 0, 0, 0, 0, time.FixedZone("", 24*3600))},
			wantErr: "encoding *contractevent.Event as JSON: json: error calling MarshalJSON for type time.Time: Time.MarshalJSON: timezone hour outside of range [0,23]"},
		{name: "NaN data", payload: withData([]interface{}{"a", math.NaN()}),
			wantErr: "encoding contractevent.Event as JSON: json: unsupported value: NaN"},
		{name: "a channel", payload: withData(map[string]interface{}{"c": make(chan int)}),
			wantErr: "encoding contractevent.Event as JSON: json: unsupported type: chan int"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, want, gotErr, wantErr := consumerLines(tt.payload)
			assert.Equal(t, want, got)
			assert.Equal(t, wantErr, gotErr)
			if tt.wantErr == "" {
				assert.NoError(t, gotErr)
				assert.NotEmpty(t, got)
				return
			}
			assert.EqualError(t, gotErr, tt.wantErr)
			assert.Empty(t, got, "nothing is appended on an error")
		})
	}
}

// TestAppenderRefusesCycles checks that the appender stops at a value
// that holds itself, which encoding/json reports as an error. (The
// consumers never get that far: the lossless form does not take cycles.)
func TestAppenderRefusesCycles(t *testing.T) {
	t.Parallel()
	object := map[string]interface{}{}
	object["self"] = object
	list := []interface{}{nil}
	list[0] = list
	for _, data := range []interface{}{object, list} {
		t.Run(fmt.Sprintf("%T", data), func(t *testing.T) {
			event := contractevent.Event{Data: data}
			_, err := jsonLine(event)
			require.ErrorContains(t, err, "encountered a cycle")
			_, ok := appendedLine(event)
			assert.False(t, ok)
		})
	}
}

// TestAppenderWritesEveryField fills every field of the payload types
// with a value that is not empty, so that a field added to them and not
// to the appender fails here.
func TestAppenderWritesEveryField(t *testing.T) {
	t.Parallel()
	for _, payload := range []interface{}{&filterpayments.Payment{}, &contractevent.Event{}} {
		t.Run(fmt.Sprintf("%T", payload), func(t *testing.T) {
			v := reflect.ValueOf(payload).Elem()
			for i := range v.NumField() {
				f := v.Field(i)
				name := v.Type().Field(i).Name
				switch f.Interface().(type) {
				case string:
					f.SetString(name + " <value>")
				case uint32:
					f.SetUint(uint64(i + 1))
				case time.Time:
					f.Set(reflect.ValueOf(closeTime))
				case []string:
					f.Set(reflect.ValueOf([]string{name}))
				case []interface{}:
					f.Set(reflect.ValueOf([]interface{}{name}))
				default:
					if f.Kind() != reflect.Interface {
						t.Fatalf("field %s: no test value for %s", name, f.Type())
					}
					f.Set(reflect.ValueOf(name))
				}
			}
			want, err := jsonLine(payload)
			require.NoError(t, err)
			got, ok := appendedLine(payload)
			require.True(t, ok)
			assert.Equal(t, want, got)
		})
	}
}

// TestEncodeLineAllocatesNothing encodes a payment and an event holding
// every kind of decoded value into a reused ledger buffer.
func TestEncodeLineAllocatesNothing(t *testing.T) {
	for _, payload := range append(forms(samplePayment()), forms(sampleEvent(t))...) {
		t.Run(fmt.Sprintf("%T", payload), func(t *testing.T) {
			l := newLines(nil)
			allocs := testing.AllocsPerRun(100, func() {
				if err := l.encodeLine(payload); err != nil {
					t.Fatal(err)
				}
				l.drop()
			})
			assert.Zero(t, allocs)
		})
	}
}

// FuzzEncodeMatchesEncodingJSON checks that the JSON line consumers write
// payments and events built from the fuzzer's strings, times and nested
// topic values byte for byte as encoding/json does, and that the appender
// alone writes them as encoding/json does before the lossless form.
func FuzzEncodeMatchesEncodingJSON(f *testing.F) {
	f.Add(uint32(7), int64(1700000000), int64(123456789), int32(0), "abc", "native", "<b>&amp;</b>", "GABC", []byte{7, 3, 4, 5, 8, 2, 4, 0, 1, 9, 2})
	f.Add(uint32(0), int64(-62135596800), int64(0), int32(-3600), "", "\u2028\u2029", "\x00\x1f\x7f", "é世🚀", []byte{8, 3, 4, 1, 5, 6, 7, 2, 0, 0})
	f.Add(uint32(1<<31), int64(253402300799), int64(999999999), int32(19800), "\xff\xfe", "a\xe2\x80b", "\"\\/", "\b\f\n\r\t", []byte{7, 7, 7, 7, 4, 1})
	f.Add(uint32(3), int64(253402300800), int64(0), int32(86400), "x", "y", "z", "w", []byte{10, 9, 11, 6, 6, 3})
	for _, s := range trickyStrings {
		f.Add(uint32(len(s)), int64(len(s))*1e8, int64(len(s)), int32(len(s)*60), s, s+"<", ">"+s, s[len(s)/2:], []byte(s))
	}
	f.Fuzz(func(t *testing.T, seq uint32, sec, nsec int64, offset int32, s1, s2, s3, s4 string, shape []byte) {
		when := time.Unix(sec, nsec).In(time.FixedZone("", int(offset)))
		payment := filterpayments.Payment{
			LedgerSequence:  seq,
			ClosedAt:        when,
			TransactionHash: s1,
			OperationIndex:  seq / 3,
			OperationType:   s2,
			From:            s3,
			To:              s4,
			Asset:           s2 + ":" + s3,
			Amount:          s1[:len(s1)/2],
		}
		if seq%2 == 0 {
			payment.SourceAsset = s4
		}
		if seq%3 == 0 {
			payment.SourceAmount = s3
		}
		g := &shaper{shape: shape, pool: []string{s1, s2, s3, s4, "<&>", ""}}
		event := contractevent.Event{
			LedgerSequence:  seq,
			ClosedAt:        when,
			TransactionHash: s2,
			OperationIndex:  seq % 5,
			EventIndex:      seq % 7,
			ContractID:      s1,
			TopicsXDR:       []string{s3, s4},
			DataXDR:         s4,
		}
		if n := g.next() % 6; n < 5 {
			event.Topics = make([]interface{}, n)
			for i := range event.Topics {
				event.Topics[i] = g.value(0)
			}
		}
		event.Data = g.value(0)
		if seq%4 == 0 {
			event.TopicsXDR = nil
		}

		for _, payload := range []interface{}{payment, &payment, event, &event} {
			got, want, gotErr, wantErr := consumerLines(payload)
			if wantErr != nil {
				require.EqualError(t, gotErr, wantErr.Error())
				require.Empty(t, got)
				continue
			}
			require.NoError(t, gotErr)
			require.Equal(t, want, got, "%T: the consumers write what encoding/json writes", payload)

			want, err := jsonLine(payload)
			require.NoError(t, err)
			got, ok := appendedLine(payload)
			require.True(t, ok)
			require.Equal(t, want, got, "%T: the appender writes what encoding/json writes", payload)
		}
	})
}

// shaper builds nested values from a fuzzer's bytes and strings.
type shaper struct {
	shape []byte
	pool  []string
}

func (g *shaper) next() byte {
	if len(g.shape) == 0 {
		return 0
	}
	b := g.shape[0]
	g.shape = g.shape[1:]
	return b
}

func (g *shaper) str() string { return g.pool[int(g.next())%len(g.pool)] }

// value returns a value as DecodeScVal makes, or now and then a type
// the appender hands to encoding/json.
func (g *shaper) value(depth int) interface{} {
	op := g.next()
	switch op % 12 {
	case 0:
		return nil
	case 1:
		return op&0x80 != 0
	case 2:
		return uint32(g.next()) << (op >> 4)
	case 3:
		return -int32(g.next()) << (op >> 4)
	case 4, 5:
		return g.str()
	case 6: // cut anywhere, through a multi-byte character too
		s := g.str()
		return s[:int(g.next())%(len(s)+1)]
	case 7, 8:
		if depth > 5 {
			return nil
		}
		if op%12 == 7 {
			l := make([]interface{}, g.next()%4)
			for i := range l {
				l[i] = g.value(depth + 1)
			}
			return l
		}
		m := map[string]interface{}{}
		for range g.next() % 4 {
			m[g.str()] = g.value(depth + 1)
		}
		return m
	case 9:
		return float64(int8(g.next())) / 8
	case 10:
		return int64(int8(g.next())) << (op >> 3)
	default:
		if op&0x80 != 0 {
			return map[string]interface{}(nil)
		}
		return []interface{}(nil)
	}
}

// BenchmarkEncodeLine encodes a payment and an event (topics and data as
// a token transfer decodes them) into a reused buffer with encoding/json,
// as the consumers did, and with the appender.
func BenchmarkEncodeLine(b *testing.B) {
	payment := samplePayment()
	transfer := []xdr.ScVal{
		ledgers.Symbol("transfer"), ledgers.AddressVal(ledgers.Account(1)), ledgers.AddressVal(ledgers.Account(2)),
		scVal(b, xdr.ScValTypeScvString, xdr.ScString("native")),
	}
	event := sampleEvent(b)
	event.Topics, event.TopicsXDR = nil, nil
	for _, v := range transfer {
		event.Topics = append(event.Topics, decoded(b, v))
		raw, err := xdr.MarshalBase64(v)
		require.NoError(b, err)
		event.TopicsXDR = append(event.TopicsXDR, raw)
	}
	event.Data = decoded(b, ledgers.I128(125_000_000))
	for _, p := range []struct {
		name    string
		payload interface{}
	}{{"payment", payment}, {"event", &event}} {
		b.Run("payload="+p.name+"/impl=encoding-json", func(b *testing.B) {
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			b.ReportAllocs()
			for b.Loop() {
				buf.Reset()
				if err := encodeJSON(enc, p.payload, losslessPayload(p.payload)); err != nil {
					b.Fatal(err)
				}
			}
			b.SetBytes(int64(buf.Len()))
		})
		b.Run("payload="+p.name+"/impl=append", func(b *testing.B) {
			l := newLines(nil)
			b.ReportAllocs()
			for b.Loop() {
				l.drop()
				if err := l.encodeLine(p.payload); err != nil {
					b.Fatal(err)
				}
			}
			b.SetBytes(int64(len(l.ledger)))
		})
	}
}
