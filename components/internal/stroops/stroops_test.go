package stroops

import (
	"math"
	"math/big"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// reference formats with math/big, an implementation independent of
// AppendDecimal's integer arithmetic.
func reference(a Amount) string {
	return new(big.Rat).SetFrac(big.NewInt(int64(a)), big.NewInt(PerUnit)).FloatString(7)
}

func TestString(t *testing.T) {
	tests := []struct {
		in   Amount
		want string
	}{
		{0, "0.0000000"},
		{1, "0.0000001"},
		{-1, "-0.0000001"},
		{PerUnit, "1.0000000"},
		{125_000_000, "12.5000000"},
		{math.MaxInt64, "922337203685.4775807"},
		{math.MinInt64, "-922337203685.4775808"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.in.String())
		assert.Equal(t, reference(tt.in), tt.in.String())
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		in      string
		want    Amount
		wantErr string
	}{
		{in: "100", want: 100 * PerUnit},
		{in: "0.5", want: PerUnit / 2},
		{in: ".5", want: PerUnit / 2},
		{in: "5.", want: 5 * PerUnit},
		{in: "+1.0000001", want: PerUnit + 1},
		{in: "-12.0000001", want: -(12*PerUnit + 1)},
		{in: "922337203685.4775807", want: math.MaxInt64},
		{in: "-922337203685.4775808", want: math.MinInt64},
		{in: "922337203685.4775808", wantErr: "out of range"},
		{in: "99999999999999999999999", wantErr: "out of range"},
		{in: "1.00000001", wantErr: "more than 7 decimal places"},
		{in: "abc", wantErr: "not a decimal number"},
		{in: "", wantErr: "not a decimal number"},
		{in: ".", wantErr: "not a decimal number"},
		{in: "-", wantErr: "not a decimal number"},
		{in: "1e5", wantErr: "not a decimal number"},
		{in: " 1", wantErr: "not a decimal number"},
		{in: "1.2.3", wantErr: "not a decimal number"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Parse(tt.in)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestUnmarshalConfig(t *testing.T) {
	tests := []struct {
		name    string
		in      interface{}
		want    Amount
		wantErr string
	}{
		{name: "string", in: "1.5", want: 15_000_000},
		{name: "int", in: 3, want: 3 * PerUnit},
		{name: "uint64", in: uint64(2), want: 2 * PerUnit},
		{name: "float", in: 1.5, wantErr: "quoted decimal string"},
		{name: "bad string", in: "ten", wantErr: "must be a decimal amount"},
		{name: "bool", in: true, wantErr: "must be a decimal amount"},
		{name: "huge int", in: int64(math.MaxInt64), wantErr: "out of range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var a Amount
			err := a.UnmarshalConfig(tt.in)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, a)
		})
	}
}

func FuzzRoundTrip(f *testing.F) {
	f.Add(int64(0))
	f.Add(int64(math.MinInt64))
	f.Add(int64(-1))
	f.Fuzz(func(t *testing.T, n int64) {
		a := Amount(n)
		s := a.String()
		if s != reference(a) {
			t.Fatalf("String(%d) = %q, big says %q", n, s, reference(a))
		}
		back, err := Parse(s)
		if err != nil || back != a {
			t.Fatalf("Parse(%q) = %d, %v; want %d", s, back, err, n)
		}
	})
}
