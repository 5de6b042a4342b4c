package shard

import (
	"errors"
	"fmt"
)

// FirstLedger is the first ledger with metadata, where ledger numbering
// starts in a datastore.
const FirstLedger = 2

// ErrUnbounded is the error of [Split] for an unbounded range (end 0).
var ErrUnbounded = errors.New("end_ledger is 0, an unbounded range (run until stopped), which cannot be split into shards: set end_ledger")

// Range is a range of ledgers, Start and End included. The zero Range is
// empty: the range of a shard that gets no datastore file.
type Range struct {
	Start uint32
	End   uint32
}

// Empty reports whether r holds no ledger.
func (r Range) Empty() bool { return r == Range{} }

// Len returns the number of ledgers in r.
func (r Range) Len() uint32 {
	if r.Empty() {
		return 0
	}
	return r.End - r.Start + 1
}

// String returns r as "START-END", or "empty".
func (r Range) String() string {
	if r.Empty() {
		return "empty"
	}
	return fmt.Sprintf("%d-%d", r.Start, r.End)
}

// Split returns the n sub-ranges of the bounded range [start, end], in
// order, for a datastore of ledgersPerFile ledgers per file. The package
// documentation gives the formula; some sub-ranges are empty when n exceeds
// the number of files the range touches. It fails for an unbounded range
// (end 0, [ErrUnbounded]), start below [FirstLedger], end before start,
// ledgersPerFile 0, or n outside 1 to [MaxCount].
func Split(start, end uint32, n int, ledgersPerFile uint32) ([]Range, error) {
	if err := check(start, end, n, ledgersPerFile); err != nil {
		return nil, err
	}
	ranges := make([]Range, n)
	for i := range ranges {
		ranges[i] = part(start, end, i, n, ledgersPerFile)
	}
	return ranges, nil
}

// Range returns shard s's sub-range of [start, end]: Split(start, end,
// s.Count, ledgersPerFile)[s.Index], without computing the others.
func (s Shard) Range(start, end, ledgersPerFile uint32) (Range, error) {
	if s.Index < 0 || s.Index >= s.Count {
		return Range{}, fmt.Errorf("shard %s: the index must be 0 to the count minus 1", s)
	}
	if err := check(start, end, s.Count, ledgersPerFile); err != nil {
		return Range{}, err
	}
	return part(start, end, s.Index, s.Count, ledgersPerFile), nil
}

// check validates the arguments of a split.
func check(start, end uint32, n int, ledgersPerFile uint32) error {
	switch {
	case n < 1 || n > MaxCount:
		return fmt.Errorf("shard count %d is out of range: want 1 to %d", n, MaxCount)
	case ledgersPerFile == 0:
		return errors.New("ledgers_per_file is 0: the datastore layout must be known to split the range on its file boundaries")
	case start < FirstLedger:
		return fmt.Errorf("start_ledger %d: the first ledger with metadata is %d", start, FirstLedger)
	case end == 0:
		return ErrUnbounded
	case end < start:
		return fmt.Errorf("end_ledger %d is before start_ledger %d", end, start)
	}
	return nil
}

// part returns sub-range i of n; the arguments are valid. Files are
// counted by index, file f holding ledgers f·ledgersPerFile to
// (f+1)·ledgersPerFile-1; uint64 keeps every product exact.
func part(start, end uint32, i, n int, ledgersPerFile uint32) Range {
	per := uint64(ledgersPerFile)
	first, last := uint64(start)/per, uint64(end)/per
	files := last - first + 1
	lo := first + uint64(i)*files/uint64(n)   // first file of the shard
	hi := first + uint64(i+1)*files/uint64(n) // first file of the next shard
	if lo == hi {
		return Range{}
	}
	return Range{
		Start: uint32(max(lo*per, uint64(start))),
		End:   uint32(min(hi*per-1, uint64(end))),
	}
}
