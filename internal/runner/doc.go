// Package runner runs Stellar CDP pipelines from a YAML config: the engine
// of the cdp-pipeline command.
//
// [LoadConfig] parses CDP's config shape (pipelines of a source,
// processors and consumers) plus the stats, metrics and flowctl sections,
// keeping the line and column of every key for error messages.
// [Runner.Validate] checks everything without touching anything, and
// [Runner.Run] wires each pipeline the way CDP's setupPipeline does:
// processors chained, every consumer subscribed to the last one, every
// component that implements runtime.StatsProvider collected by a
// runtime.StatsCollector. While the pipelines run it serves Prometheus
// metrics and sends flowctl heartbeats, and shows a live line on stderr;
// at the end of the range or on a signal it drains, takes one last
// collection and sends one last heartbeat, and prints a summary.
//
// With [Runner.Shard] set, each pipeline's source reads only its shard's
// part of its range, split on the datastore's files (shard.go,
// internal/shard), and every export carries the shard.
//
// The runner counts the messages into and out of every component at the
// edges between them (flow.go), so the live line and summary work for any
// component; the stats themselves come from the components.
package runner
