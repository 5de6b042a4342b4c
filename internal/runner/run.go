package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/cdpstats/cdpstats/runtime"
	"github.com/cdpstats/cdpstats/runtime/flowctl"
)

// Runner runs the pipelines of one config file.
type Runner struct {
	// Config is the parsed config.
	Config *Config
	// Pipeline selects one pipeline by name; empty runs them all, side by side.
	Pipeline string
	// Logger receives structured logs. Nil means slog.Default().
	Logger *slog.Logger
	// Status receives the live line and the final summary (stderr; stdout
	// stays clean for StdoutConsumer). Nil means no status output. Use a
	// [Console] shared with the logger, so that on a terminal logs scroll
	// above the live line instead of being drawn over.
	Status io.Writer
	// Terminal says whether Status is a terminal, when it is not a
	// [Console] (a Console knows). On a terminal the live line is redrawn
	// in place every stats interval; elsewhere a plain line is printed
	// every stats interval but at most every 10s, and once at the end.
	Terminal bool
	// Env looks up the env vars flowctl sets. Nil means os.LookupEnv.
	Env flowctl.LookupFunc
	// MetricsListening, when set, is called with the Prometheus endpoint's
	// address once it is bound, before any pipeline starts: the way to
	// learn the port the system picked for an address such as
	// "127.0.0.1:0". The address is also logged.
	MetricsListening func(addr net.Addr)
}

func (r *Runner) logger() *slog.Logger {
	if r.Logger != nil {
		return r.Logger
	}
	return slog.Default()
}

// Validate checks the whole config without running, opening or
// connecting to anything: every key, component type, component config and
// the flowctl settings, with the env vars flowctl sets. It reports every
// problem at once, in an error that matches [ErrInvalidConfig].
func (r *Runner) Validate() error {
	if r.Pipeline != "" {
		if _, err := r.Config.Pipeline(r.Pipeline); err != nil {
			return invalidConfig{err}
		}
	}
	var errs []error
	if err := typeCheck(r.Config, r.Pipeline); err != nil {
		errs = append(errs, err)
	}
	if _, err := r.flowctlConfig(); err != nil {
		errs = append(errs, err)
	}
	if err := r.Config.Metrics.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("%s: %w", r.Config.File, err))
	}
	if len(errs) > 0 {
		return invalidConfig{errors.Join(errs...)}
	}
	return nil
}

func (r *Runner) selected() []*PipelineConfig {
	var out []*PipelineConfig
	for i := range r.Config.Pipelines {
		if r.Pipeline == "" || r.Config.Pipelines[i].Name == r.Pipeline {
			out = append(out, &r.Config.Pipelines[i])
		}
	}
	return out
}

// Run validates the config, builds the pipelines and runs them side by
// side until their sources finish or ctx ends (SIGINT/SIGTERM). A pipeline
// that fails stops the others. Either way it drains: every source stops,
// every consumer is closed (flushing), the collector takes one last
// collection and flowctl then gets one last heartbeat carrying it. It
// returns nil when everything ended cleanly, or the errors of the
// components that failed.
//
// Nothing is built before everything that can fail on its own is ready:
// building opens (and truncates) output files and connects to databases,
// which a run that cannot start must not do. A bad config is an error
// that matches [ErrInvalidConfig].
func (r *Runner) Run(ctx context.Context) error {
	if err := r.Validate(); err != nil {
		return err
	}
	fc, _ := r.flowctlConfig() // validated above
	fc = fc.WithDefaults()
	log := r.logger()

	selected := r.selected()
	stats := make([]*runtime.PipelineStats, len(selected))
	for i, pc := range selected {
		stats[i] = runtime.NewPipelineStats(pc.Name)
		if r.Config.Stats.HealthTimeout > 0 {
			stats[i].SetHealthTimeout(r.Config.Stats.HealthTimeout)
		}
	}
	clients, err := r.newFlowctlClients(fc, stats)
	if err != nil {
		return err
	}

	// Exporters outlive ctx: they must see the drain and report the final
	// numbers, so they stop only after the last collection. The metrics
	// endpoint serves from the start, reporting "starting" until the
	// components report.
	exportCtx, stopExport := context.WithCancel(context.Background())
	defer stopExport()
	var exportWG sync.WaitGroup
	var exportErrs errorList
	metrics, err := r.listenMetrics(stats)
	if err != nil {
		return err
	}
	if metrics != nil {
		exportWG.Add(1)
		go func() {
			defer exportWG.Done()
			exportErrs.add(metrics.Serve(exportCtx))
		}()
	}

	pipelines := make([]*pipeline, 0, len(selected))
	for i, pc := range selected {
		p, err := build(r.Config.File, pc, stats[i])
		if err != nil {
			for _, built := range pipelines {
				built.close()
			}
			stopExport()
			exportWG.Wait()
			return err
		}
		pipelines = append(pipelines, p)
	}

	statsCtx, stopStats := context.WithCancel(context.Background())
	defer stopStats()
	var statsWG sync.WaitGroup
	for _, p := range pipelines {
		collector := runtime.NewStatsCollector(p.stats, r.Config.Stats.Interval)
		statsWG.Add(1)
		go func() {
			defer statsWG.Done()
			collector.CollectFromComponents(statsCtx, p.providers)
		}()
	}
	for _, client := range clients {
		exportWG.Add(1)
		go func() {
			defer exportWG.Done()
			exportErrs.add(client.Run(exportCtx))
		}()
	}

	live := r.startLive(pipelines)
	start := time.Now()
	log.Info("pipelines started", "count", len(pipelines))

	// runCtx ends with ctx, or when a pipeline fails: a failure must not
	// wait for pipelines that may never end on their own.
	runCtx, stopRun := context.WithCancel(ctx)
	defer stopRun()
	var runErrs errorList
	var runWG sync.WaitGroup
	for _, p := range pipelines {
		runWG.Add(1)
		go func() {
			defer runWG.Done()
			err := p.source.Run(runCtx)
			switch {
			case err != nil && runCtx.Err() != nil && errors.Is(err, runCtx.Err()):
				log.Info("pipeline stopping", "pipeline", p.cfg.Name, "reason", stopReason(ctx))
				err = nil
			case err != nil:
				err = fmt.Errorf("pipeline %s: %w", p.cfg.Name, err)
				stopRun()
			}
			runErrs.add(err)
			if cerr := p.close(); cerr != nil {
				runErrs.add(fmt.Errorf("pipeline %s: closing consumers: %w", p.cfg.Name, cerr))
			}
			log.Info("pipeline drained", "pipeline", p.cfg.Name, "error", err)
		}()
	}
	runWG.Wait()

	stopStats()
	statsWG.Wait() // the final collection is done: the consumers are closed
	live.stop()
	stopExport()
	exportWG.Wait() // the final heartbeats, carrying the final collection, are sent
	if r.Status != nil {
		writeSummary(r.Status, pipelines, time.Since(start))
	}
	if err := exportErrs.join(); err != nil {
		log.Warn("exporter problems", "error", err)
	}
	return runErrs.join()
}

// stopReason says why a pipeline stops before the end of its range.
func stopReason(ctx context.Context) string {
	if ctx.Err() != nil {
		return "signal"
	}
	return "another pipeline failed"
}

// errorList collects errors from several goroutines.
type errorList struct {
	mu   sync.Mutex
	errs []error
}

func (l *errorList) add(err error) {
	if err == nil {
		return
	}
	l.mu.Lock()
	l.errs = append(l.errs, err)
	l.mu.Unlock()
}

func (l *errorList) join() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return errors.Join(l.errs...)
}
