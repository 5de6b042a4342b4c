package shard

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Names of the flag and env vars that [Resolve] reads.
const (
	// Flag is the runner's flag, without its dash: -shard I/N.
	Flag = "shard"
	// EnvShard holds I/N, like the flag.
	EnvShard = "CDP_SHARD"
	// EnvIndex is set by Kubernetes in every pod of an Indexed Job to the
	// pod's completion index, 0 to completions-1.
	EnvIndex = "JOB_COMPLETION_INDEX"
	// EnvCount holds N, for use with [EnvIndex].
	EnvCount = "CDP_SHARD_COUNT"
)

// MaxCount is the largest number of shards: the most completions that
// Kubernetes allows an Indexed Job.
const MaxCount = 100000

// Shard is shard Index of Count, Index counted from 0. The zero Shard
// means the process is not sharded.
type Shard struct {
	Index int
	Count int
}

// IsZero reports whether s is the zero Shard: not sharded.
func (s Shard) IsZero() bool { return s == Shard{} }

// String returns s as I/N, the form [Parse] reads.
func (s Shard) String() string { return strconv.Itoa(s.Index) + "/" + strconv.Itoa(s.Count) }

// Label returns the value of the shard label in Prometheus (and the
// shard's part of a service ID): the index alone, in decimal, the same as
// Kubernetes' completion index, from which the scrape config of
// examples/kubernetes relabels the targets, so that the two agree.
func (s Shard) Label() string { return strconv.Itoa(s.Index) }

// Parse reads I/N: two decimal numbers, 1 <= N <= [MaxCount] and
// 0 <= I < N. Its errors do not name where text came from; [Resolve]'s do.
func Parse(text string) (Shard, error) {
	i, n, ok := strings.Cut(text, "/")
	if !ok {
		return Shard{}, fmt.Errorf("want I/N, shard I of N counted from 0, such as 0/4; got %q", text)
	}
	count, err := parseCount(n)
	if err != nil {
		return Shard{}, err
	}
	index, err := parseIndex(i, count)
	if err != nil {
		return Shard{}, err
	}
	return Shard{Index: index, Count: count}, nil
}

// parseCount reads N.
func parseCount(text string) (int, error) {
	n, err := parseNumber(text)
	if err != nil {
		return 0, fmt.Errorf("shard count: %w", err)
	}
	if n < 1 || n > MaxCount {
		return 0, fmt.Errorf("shard count %d is out of range: want 1 to %d", n, MaxCount)
	}
	return n, nil
}

// parseIndex reads I, which must be below count.
func parseIndex(text string, count int) (int, error) {
	i, err := parseNumber(text)
	if err != nil {
		return 0, fmt.Errorf("shard index: %w", err)
	}
	if i >= count {
		return 0, fmt.Errorf("shard index %d is out of range for %d shards: indexes count from 0, as Kubernetes' JOB_COMPLETION_INDEX does, so they run from 0 to %d", i, count, count-1)
	}
	return i, nil
}

// parseNumber reads a non-negative decimal number, digits only, of at
// most as many digits as [MaxCount].
func parseNumber(text string) (int, error) {
	if text == "" {
		return 0, errors.New("empty, want a number")
	}
	for _, c := range text {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("%q is not a number of digits 0-9", text)
		}
	}
	if len(text) > len(strconv.Itoa(MaxCount)) {
		return 0, fmt.Errorf("%s is too large: there are at most %d shards", text, MaxCount)
	}
	return strconv.Atoi(text)
}

// Resolve returns the shard named by the -shard flag's value (flagValue, ""
// when not given) and the environment (getenv, such as [os.Getenv]), and
// where it came from: "-shard", "CDP_SHARD" or "JOB_COMPLETION_INDEX and
// CDP_SHARD_COUNT". With none given it returns the zero Shard and "".
// The package documentation gives the precedence; every error names the
// flag or env vars at fault.
func Resolve(flagValue string, getenv func(key string) string) (Shard, string, error) {
	type given struct {
		from  string
		shard Shard
	}
	var all []given
	if flagValue != "" {
		s, err := Parse(flagValue)
		if err != nil {
			return Shard{}, "", fmt.Errorf("-%s %q: %w", Flag, flagValue, err)
		}
		all = append(all, given{"-" + Flag, s})
	}
	if v := getenv(EnvShard); v != "" {
		s, err := Parse(v)
		if err != nil {
			return Shard{}, "", fmt.Errorf("%s=%q: %w", EnvShard, v, err)
		}
		all = append(all, given{EnvShard, s})
	}
	index, count := getenv(EnvIndex), getenv(EnvCount)
	if count != "" {
		s, err := fromJob(index, count)
		if err != nil {
			return Shard{}, "", err
		}
		all = append(all, given{EnvIndex + " and " + EnvCount, s})
	}
	if len(all) == 0 {
		return Shard{}, "", nil
	}
	for _, g := range all[1:] {
		if g.shard != all[0].shard {
			return Shard{}, "", fmt.Errorf("%s says shard %s but %s says %s: give one, or make them agree", all[0].from, all[0].shard, g.from, g.shard)
		}
	}
	return all[0].shard, all[0].from, nil
}

// fromJob reads the shard from JOB_COMPLETION_INDEX and CDP_SHARD_COUNT.
func fromJob(index, count string) (Shard, error) {
	if index == "" {
		return Shard{}, fmt.Errorf("%s=%q is set but %s is not: Kubernetes sets it in the pods of an Indexed Job (completionMode: Indexed); elsewhere use -%s I/N or %s=I/N", EnvCount, count, EnvIndex, Flag, EnvShard)
	}
	n, err := parseCount(count)
	if err != nil {
		return Shard{}, fmt.Errorf("%s=%q: %w", EnvCount, count, err)
	}
	i, err := parseIndex(index, n)
	if err != nil {
		return Shard{}, fmt.Errorf("%s=%q with %s=%q: %w (set %s to the Job's completions)", EnvIndex, index, EnvCount, count, err, EnvCount)
	}
	return Shard{Index: i, Count: n}, nil
}
