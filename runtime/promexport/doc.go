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
// A stat "<stat>" of a component with role "<type>" (source, processor,
// consumer), which [runtime.PipelineStats.GetMetrics] reports under
// "<type>.<instance>.<stat>", becomes the metric "cdp_<type>_<stat>" with
// the labels
//
//	pipeline        the pipeline ID
//	component_type  the component's type name, such as FilterPayments
//	component       the instance ID (the config "id"), or else the type name
//
// and a suffix that follows Prometheus conventions for its kind:
//
//	counter    cdp_<type>_<stat>_total                      counter
//	gauge      cdp_<type>_<stat>[_<base unit>]              gauge
//	ratio      cdp_<type>_<stat>[_ratio]                    gauge
//	timestamp  cdp_<type>_<stat>_timestamp_seconds          gauge, unix seconds
//	latency    cdp_<type>_<stat>_seconds                    summary (0.5, 0.9, 0.99)
//	           cdp_<type>_<stat>_max_seconds                gauge
//
// Units convert to base units (milliseconds to seconds, percent to a
// ratio). HELP comes from the stat's //cdp:stat help text, through the
// [runtime.ComponentDesc] the component reported with or, for components
// that report through plain GetStats, from a [Catalog] such as the one
// statsgen writes into generated/. A key that no description covers is
// exported untyped with a generic help.
//
// Each component also gets cdp_<type>_healthy and
// cdp_<type>_stats_age_seconds, and each pipeline gets cdp_pipeline_*
// metrics: uptime, component count, collector errors, dropped values and
// health. cdp_exporter_skipped_series counts series a scrape left out
// because their name was taken by a series of another type.
//
// # HTTP
//
// [NewHandler] serves /metrics, /healthz and /readyz; [Server] runs it on
// 127.0.0.1 by default.
package promexport
