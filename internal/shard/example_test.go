package shard_test

import (
	"fmt"

	"github.com/cdpstats/cdpstats/internal/shard"
)

// The first 1.28 million pubnet ledgers in galexie's layout of 64000 ledgers per
// file, split four ways: each shard gets whole files.
func ExampleSplit() {
	ranges, err := shard.Split(2, 1_279_999, 4, 64000)
	if err != nil {
		fmt.Println(err)
		return
	}
	for i, r := range ranges {
		fmt.Printf("shard %d/4: %s (%d ledgers)\n", i, r, r.Len())
	}
	// Output:
	// shard 0/4: 2-319999 (319998 ledgers)
	// shard 1/4: 320000-639999 (320000 ledgers)
	// shard 2/4: 640000-959999 (320000 ledgers)
	// shard 3/4: 960000-1279999 (320000 ledgers)
}

// More shards than files: the shards that get no file are empty, and have
// nothing to run.
func ExampleSplit_empty() {
	ranges, _ := shard.Split(58752000, 58815999, 3, 32000)
	fmt.Println(ranges)
	// Output:
	// [empty 58752000-58783999 58784000-58815999]
}

// A pod of a Kubernetes Indexed Job finds its shard in its environment and
// computes its own sub-range.
func ExampleResolve() {
	env := map[string]string{"JOB_COMPLETION_INDEX": "2", "CDP_SHARD_COUNT": "4"}
	s, from, err := shard.Resolve("", func(key string) string { return env[key] })
	if err != nil {
		fmt.Println(err)
		return
	}
	r, err := s.Range(2, 1_279_999, 64000)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("shard %s from %s: ledgers %s\n", s, from, r)
	// Output:
	// shard 2/4 from JOB_COMPLETION_INDEX and CDP_SHARD_COUNT: ledgers 640000-959999
}
