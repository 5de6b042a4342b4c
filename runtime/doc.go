// Package runtime is the small library that statsgen-generated code and the
// pipeline runner share.
//
// It holds three groups of types:
//
//   - The compatibility surface of CDP pipelines: [StatsProvider],
//     [ComponentStats], [PipelineStats] and [StatsCollector]. Existing
//     pipeline code uses these names and shapes.
//   - Lock-free, allocation-free primitives that generated code embeds:
//     [Counter], [Gauge], [Timestamp] and the log-linear latency [Histogram],
//     timed with a [Stopwatch]. A build with -tags cdpstats_count counts
//     their recording work ([RecordedWork]).
//   - The typed, allocation-free snapshot path: a component that
//     implements [SnapshotProvider] describes its stats once
//     ([ComponentDesc]) and then writes typed values (numbers, and latency
//     summaries) into a [Snapshot] the collector reuses, so a collection
//     pass over many components builds no maps. Exporters read the typed
//     snapshots of [PipelineStats.Components]; the flat keys of the seed's
//     map form are built in one place, flat.go, and parsed nowhere.
//
// The package has no dependencies outside the standard library; exporters
// (flowctl, Prometheus) live in sub-packages so that a component that only
// records stats does not pull in gRPC.
package runtime
