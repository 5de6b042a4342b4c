package shard

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSplit(t *testing.T) {
	r := func(start, end uint32) Range { return Range{Start: start, End: end} }
	tests := []struct {
		name       string
		start, end uint32
		n          int
		perFile    uint32
		want       []Range
	}{
		{
			name: "pubnet from ledger 2: the first file holds 63998 ledgers", start: 2, end: 255999, n: 4, perFile: 64000,
			want: []Range{r(2, 63999), r(64000, 127999), r(128000, 191999), r(192000, 255999)},
		},
		{
			name: "partial first and last files", start: 9, end: 20, n: 3, perFile: 10,
			want: []Range{r(9, 9), r(10, 19), r(20, 20)},
		},
		{
			name: "uneven: the larger shards are spread", start: 100, end: 599, n: 3, perFile: 100,
			want: []Range{r(100, 199), r(200, 399), r(400, 599)},
		},
		{
			name: "more shards than files: some are empty", start: 15, end: 24, n: 4, perFile: 10,
			want: []Range{{}, r(15, 19), {}, r(20, 24)},
		},
		{
			name: "one ledger per file splits ledger by ledger", start: 2, end: 11, n: 3, perFile: 1,
			want: []Range{r(2, 4), r(5, 7), r(8, 11)},
		},
		{
			name: "one shard is the whole range", start: 58752000, end: 58752000, n: 1, perFile: 1,
			want: []Range{r(58752000, 58752000)},
		},
		{
			name: "the last ledger there can be", start: math.MaxUint32 - 5, end: math.MaxUint32, n: 2, perFile: 64000,
			want: []Range{{}, r(math.MaxUint32-5, math.MaxUint32)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Split(tt.start, tt.end, tt.n, tt.perFile)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestSplitErrors(t *testing.T) {
	tests := []struct {
		name       string
		start, end uint32
		n          int
		perFile    uint32
		wantErr    string
	}{
		{name: "unbounded", start: 2, end: 0, n: 2, perFile: 1, wantErr: ErrUnbounded.Error()},
		{name: "end before start", start: 10, end: 9, n: 2, perFile: 1, wantErr: "end_ledger 9 is before start_ledger 10"},
		{name: "start before the first ledger", start: 1, end: 9, n: 2, perFile: 1, wantErr: "start_ledger 1: the first ledger with metadata is 2"},
		{name: "no layout", start: 2, end: 9, n: 2, perFile: 0, wantErr: "ledgers_per_file is 0"},
		{name: "no shards", start: 2, end: 9, n: 0, perFile: 1, wantErr: "shard count 0 is out of range: want 1 to 100000"},
		{name: "too many shards", start: 2, end: 9, n: MaxCount + 1, perFile: 1, wantErr: "shard count 100001 is out of range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Split(tt.start, tt.end, tt.n, tt.perFile)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
			_, err = Shard{Index: 0, Count: max(tt.n, 1)}.Range(tt.start, tt.end, tt.perFile)
			if tt.n >= 1 {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
			}
		})
	}
	_, err := Split(2, 0, 2, 1)
	assert.ErrorIs(t, err, ErrUnbounded)
	_, err = Shard{}.Range(2, 10, 1)
	assert.EqualError(t, err, "shard 0/0: the index must be 0 to the count minus 1")
}

func TestRange(t *testing.T) {
	assert.True(t, Range{}.Empty())
	assert.Equal(t, uint32(0), Range{}.Len())
	assert.Equal(t, "empty", Range{}.String())
	assert.False(t, Range{Start: 2, End: 2}.Empty())
	assert.Equal(t, uint32(1), Range{Start: 2, End: 2}.Len())
	assert.Equal(t, uint32(math.MaxUint32-1), Range{Start: 2, End: math.MaxUint32}.Len())
	assert.Equal(t, "2-63999", Range{Start: 2, End: 63999}.String())
}

// splitCase is one generated input of the property test.
type splitCase struct {
	start, end uint32
	n          int
	perFile    uint32
}

func (c splitCase) String() string {
	return fmt.Sprintf("Split(%d, %d, %d, %d)", c.start, c.end, c.n, c.perFile)
}

// genCase draws a case that mixes the regimes where splits go wrong:
// small and huge layouts, ranges within one file or near the top of
// uint32, and shard counts below, at and above the number of files.
func genCase(rng *rand.Rand) splitCase {
	perFile := []uint32{1, 2, 3, 7, 10, 64, 64000, 1 + rng.Uint32N(100000)}[rng.IntN(8)]
	var start uint32
	switch rng.IntN(4) {
	case 0:
		start = FirstLedger + rng.Uint32N(3*perFile)
	case 1:
		start = math.MaxUint32 - rng.Uint32N(4*perFile)
	default:
		start = FirstLedger + rng.Uint32N(math.MaxUint32-FirstLedger)
	}
	start = max(start, FirstLedger)
	room := uint64(math.MaxUint32 - start)
	var length uint64
	switch rng.IntN(3) {
	case 0:
		length = rng.Uint64N(5 * uint64(perFile))
	case 1:
		length = rng.Uint64N(200 * uint64(perFile))
	default:
		length = rng.Uint64N(room + 1)
	}
	end := uint32(uint64(start) + min(length, room))
	files := int(uint64(end)/uint64(perFile) - uint64(start)/uint64(perFile) + 1)
	var n int
	switch rng.IntN(4) {
	case 0:
		n = 1 + rng.IntN(20)
	case 1:
		n = max(1, min(files+rng.IntN(5)-2, 2000)) // around the number of files
	case 2:
		n = 1 + rng.IntN(2000)
	default:
		n = 1 + rng.IntN(MaxCount) // rarely: the loop is O(n)
		if rng.IntN(10) > 0 {
			n = 1 + rng.IntN(100)
		}
	}
	return splitCase{start: start, end: end, n: n, perFile: perFile}
}

// TestSplitProperties checks, on generated inputs from fixed seeds, that
// the sub-ranges are disjoint, cover the range exactly in order, are
// aligned to the files of the Stellar SDK's datastore schema, share no
// file, are balanced within one file, and are deterministic.
func TestSplitProperties(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		rng := rand.New(rand.NewPCG(seed, 0x5ea7))
		for range 500 {
			c := genCase(rng)
			require.Empty(t, violation(c), "seed %d: %s", seed, c)
		}
	}
}

// violation returns the first property that the split of c breaks, or "".
// It compares without testify, which would make the loop over up to
// MaxCount shards of thousands of cases slow.
func violation(c splitCase) string {
	ranges, err := Split(c.start, c.end, c.n, c.perFile)
	if err != nil {
		return err.Error()
	}
	if len(ranges) != c.n {
		return fmt.Sprintf("%d ranges, want %d", len(ranges), c.n)
	}
	if again, _ := Split(c.start, c.end, c.n, c.perFile); !slices.Equal(ranges, again) {
		return "two calls gave different splits"
	}
	schema := fileSchema{perFile: c.perFile}
	per := uint64(c.perFile)
	files := uint64(c.end)/per - uint64(c.start)/per + 1
	minFiles, maxFiles := files/uint64(c.n), (files+uint64(c.n)-1)/uint64(c.n)
	next := uint64(c.start) // the ledger the next non-empty range must start at
	empty := 0
	var prev Range
	for i, r := range ranges {
		// Spot-check Shard.Range against Split at both ends.
		if i < 3 || i >= c.n-3 {
			if got, err := (Shard{Index: i, Count: c.n}).Range(c.start, c.end, c.perFile); err != nil || got != r {
				return fmt.Sprintf("Shard{%d, %d}.Range = %v, %v; Split gave %v", i, c.n, got, err, r)
			}
		}
		if r.Empty() {
			empty++
			if minFiles > 0 {
				return fmt.Sprintf("shard %d is empty though every shard gets a file", i)
			}
			continue
		}
		switch got := uint64(r.End)/per - uint64(r.Start)/per + 1; {
		case r.Start > r.End:
			return fmt.Sprintf("shard %d is %d-%d", i, r.Start, r.End)
		case uint64(r.Start) != next:
			return fmt.Sprintf("shard %d starts at %d, want %d: a gap or an overlap", i, r.Start, next)
		case r.Start != c.start && schema.GetSequenceNumberStartBoundary(r.Start) != r.Start:
			return fmt.Sprintf("shard %d starts at %d, inside a file", i, r.Start)
		case r.End != c.end && schema.GetSequenceNumberEndBoundary(r.End) != r.End:
			return fmt.Sprintf("shard %d ends at %d, inside a file", i, r.End)
		case !prev.Empty() && schema.GetObjectKeyFromSequenceNumber(prev.End) == schema.GetObjectKeyFromSequenceNumber(r.Start):
			return fmt.Sprintf("shard %d shares file %s with the shard before", i, schema.GetObjectKeyFromSequenceNumber(r.Start))
		case got < minFiles || got > maxFiles:
			return fmt.Sprintf("shard %d has %d files, want %d or %d", i, got, minFiles, maxFiles)
		}
		next = uint64(r.End) + 1
		prev = r
	}
	if next != uint64(c.end)+1 {
		return fmt.Sprintf("the shards end at %d, want %d", next-1, c.end)
	}
	if want := max(int64(c.n)-int64(files), 0); int64(empty) != want {
		return fmt.Sprintf("%d empty shards, want %d", empty, want)
	}
	return ""
}

// fileSchema is the layout of a galexie datastore's files, as the Stellar
// SDK's datastore.DataStoreSchema computes it: the file of ledger l holds
// the ledgers from l - l%perFile on. It is written out here, apart from
// Split, so that the property test checks Split against an independent
// statement of the layout; components/e2e checks Split against the SDK's
// own functions.
type fileSchema struct{ perFile uint32 }

func (s fileSchema) GetSequenceNumberStartBoundary(l uint32) uint32 { return l - l%s.perFile }

func (s fileSchema) GetSequenceNumberEndBoundary(l uint32) uint32 {
	return s.GetSequenceNumberStartBoundary(l) + s.perFile - 1
}

func (s fileSchema) GetObjectKeyFromSequenceNumber(l uint32) string {
	return fmt.Sprint(l / s.perFile)
}

func BenchmarkShardRange(b *testing.B) {
	s := Shard{Index: 7, Count: 16}
	for b.Loop() {
		_, _ = s.Range(2, 6_000_000, 64000)
	}
}
