package promexport

import (
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cdpstats/cdpstats/runtime"
)

// Option customises a [Collector], a handler from [NewHandler] or a
// [Server].
type Option func(*options)

type options struct {
	components      []*runtime.ComponentDesc
	namespace       string
	logger          *slog.Logger
	collectors      []prometheus.Collector
	constLabels     prometheus.Labels
	shutdownTimeout time.Duration
}

// DefaultShutdownTimeout bounds how long [Server.Serve] waits for scrapes
// in flight when its context ends.
const DefaultShutdownTimeout = 5 * time.Second

func buildOptions(opts []Option) options {
	o := options{
		namespace:       DefaultNamespace,
		logger:          slog.New(slog.DiscardHandler),
		shutdownTimeout: DefaultShutdownTimeout,
	}
	for _, fn := range opts {
		fn(&o)
	}
	return o
}

// WithComponents describes the components a [Collector] exports, by the
// descriptions their StatsDesc methods return, so that it describes every
// family before any value is seen and the registry checks them when the
// collector is registered. A component reporting with another
// description is exported by [Collector.Undescribed].
func WithComponents(descs ...*runtime.ComponentDesc) Option {
	return func(o *options) { o.components = append(o.components, descs...) }
}

// WithNamespace replaces the "cdp" prefix of every metric name. It must be
// a valid metric name.
func WithNamespace(ns string) Option {
	return func(o *options) {
		if ns != "" {
			o.namespace = sanitize(ns)
		}
	}
}

// WithLogger sets the logger the HTTP server and handler report to. The
// default discards everything.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) {
		if l != nil {
			o.logger = l
		}
	}
}

// WithCollectors adds collectors to /metrics beside the pipeline's, such
// as collectors.NewGoCollector().
func WithCollectors(cs ...prometheus.Collector) Option {
	return func(o *options) { o.collectors = append(o.collectors, cs...) }
}

// WithShutdownTimeout bounds how long [Server.Serve] waits for requests in
// flight when its context ends.
func WithShutdownTimeout(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.shutdownTimeout = d
		}
	}
}

// WithConstLabels adds labels with fixed values to every series that a
// handler from [NewHandler] or a [Server] serves, those of WithCollectors
// included, such as {shard="3"} for the shard a process runs. They must
// not clash with the labels the series have (pipeline, type, id).
func WithConstLabels(labels prometheus.Labels) Option {
	return func(o *options) {
		if o.constLabels == nil {
			o.constLabels = prometheus.Labels{}
		}
		for k, v := range labels {
			o.constLabels[k] = v
		}
	}
}
