// Package bench holds the benchmarks of the cdpstats runtime next to their
// third-party baselines: Prometheus client_golang, VictoriaMetrics/metrics,
// the OpenTelemetry SDK and HdrHistogram-go.
//
// It is its own Go module so that none of those baselines enters the
// dependency graph of github.com/cdpstats/cdpstats. Every baseline runs in
// the same `go test -bench` invocation as the code it is compared with, on
// the same precomputed inputs ([Samples]). docs/benchmarks.md has the
// method, the command and the results.
package bench
