// Package shard splits a bounded ledger range into N contiguous sub-ranges,
// one per process, and works out which shard a process runs from its flag
// and environment.
//
// # Which shard
//
// A shard is written I/N: shard I of N, with I counted from 0, the way
// Kubernetes counts JOB_COMPLETION_INDEX in an Indexed Job (0 to
// completions-1). [Resolve] reads it from, in order of precedence:
//
//  1. the flag -shard I/N;
//  2. the env var CDP_SHARD=I/N;
//  3. the env vars JOB_COMPLETION_INDEX=I (set by Kubernetes in every pod of
//     an Indexed Job) and CDP_SHARD_COUNT=N (set in the Job's manifest, equal
//     to its completions).
//
// When more than one is given they must name the same shard, or Resolve
// fails naming both: two sources that disagree are a deployment mistake
// that would leave a sub-range unread or read twice, so neither silently
// wins. JOB_COMPLETION_INDEX alone, without CDP_SHARD_COUNT, is ignored: it
// is Kubernetes' variable, present in any Indexed Job, and CDP_SHARD_COUNT
// is the opt-in. CDP_SHARD_COUNT without JOB_COMPLETION_INDEX is an error.
// An env var set to the empty string counts as unset.
//
// # How the range is split
//
// A galexie datastore stores ledgers in files of ledgersPerFile ledgers
// each; the file that holds ledger L starts at L - L%ledgersPerFile (the
// Stellar SDK's DataStoreSchema.GetSequenceNumberStartBoundary, used by
// GetObjectKeyFromSequenceNumber to name the file). Ledger numbering starts
// at 2, the first ledger with metadata, so on pubnet the first file
// (0 to ledgersPerFile-1) holds ledgersPerFile-2 ledgers. Partitions
// (files_per_partition) are directories of whole files and do not change
// the split.
//
// [Split] hands out whole files. For the bounded range [start, end]:
//
//	first = start / ledgersPerFile     index of the file that holds start
//	last  = end / ledgersPerFile       index of the file that holds end
//	F     = last - first + 1           files the range touches
//	shard i of N gets the files first + ⌊i·F/N⌋ to first + ⌊(i+1)·F/N⌋ - 1,
//	clipped to [start, end]
//
// So the sub-ranges are disjoint, cover [start, end] exactly, start and end
// on file boundaries except at start and end themselves, and no datastore
// file is read by two shards. Each shard gets ⌊F/N⌋ or ⌈F/N⌉ files, so the
// work is balanced within one file (a partial first or last file costs a
// download all the same). The split depends on nothing but start, end, N
// and ledgersPerFile, so every process computes the same split on its own.
//
// When N exceeds F, N-F shards get no file: their [Range] is empty. An
// empty shard has nothing to read; the runner is expected to log that and
// exit 0 at once, so that its Indexed Job completion counts as done.
//
// An unbounded range (end 0: run until stopped) cannot be split, and
// [Split] refuses it with [ErrUnbounded].
package shard
