// Package promexport exposes a pipeline's stats to Prometheus.
//
// A [Collector] turns the latest snapshots held by the
// [runtime.PipelineStats] of each pipeline into Prometheus metrics each
// time it is scraped.
// It keeps no counters of its own, so nothing is counted twice: the
// components count, the StatsCollector copies, and the scrape reads.
//
// # Names
//
// A stat "<stat>" of a component of kind "<kind>" (source, processor,
// consumer), which [runtime.PipelineStats.GetMetrics] reports under
// "<kind>.<id>.<stat>", becomes the metric "cdp_<kind>_<stat>" with the
// labels
//
//	pipeline  the pipeline ID
//	type      the component's type name, such as FilterPayments
//	id        the instance ID (the config "id"), or else the type name
//
// and a suffix that follows Prometheus conventions for its kind:
//
//	counter    cdp_<kind>_<stat>_total                      counter
//	gauge      cdp_<kind>_<stat>[_<base unit>]              gauge
//	ratio      cdp_<kind>_<stat>[_ratio]                    gauge
//	timestamp  cdp_<kind>_<stat>_timestamp_seconds          gauge, unix seconds
//	latency    cdp_<kind>_<stat>_seconds                    summary (0.5, 0.9, 0.99, 0.999), exact count and sum
//	           cdp_<kind>_<stat>_max_seconds                gauge
//
// A labelled counter is one counter family with its label next to these.
// Units convert to base units (milliseconds to seconds, percent to a
// ratio); HELP is the stat's //cdp:stat help text. The collector reads the
// typed values of each [runtime.ComponentSnapshot]: nothing parses flat
// keys.
//
// # Descriptors and checks
//
// The [Collector] describes every family up front, from the
// [runtime.ComponentDesc] of each component given with [WithComponents]
// (the runner passes every registered component's StatsDesc), so
// client_golang's registry checks them when [NewHandler] registers it:
// two component types whose stats make one family with another HELP,
// labels or type are reported there, not papered over. Every component
// type that shares a family must therefore give the stat the same help.
// Components not described, such as ones with a hand-written GetStats
// (exported untyped, one series per key), go through
// [Collector.Undescribed], which the registry checks as it gathers.
//
// Each component also gets cdp_<kind>_healthy and
// cdp_<kind>_stats_age_seconds, and each pipeline gets cdp_pipeline_*
// metrics: uptime, component count, collector errors, dropped values and
// health.
//
// # HTTP
//
// [NewHandler] serves /metrics, /healthz and /readyz; [Server] runs it on
// 127.0.0.1 by default.
package promexport
