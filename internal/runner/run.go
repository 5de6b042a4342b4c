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

	"github.com/cdpstats/cdpstats/components/cdp"
	"github.com/cdpstats/cdpstats/components/registry"
	"github.com/cdpstats/cdpstats/internal/shard"
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
	// FromScratch ignores the checkpoints of earlier runs: every pipeline
	// starts at its configured start, and consumers replace their output
	// (cdp.Env.FromScratch; cdp-pipeline run -from-scratch).
	FromScratch bool
	// MetricsListening, when set, is called with the Prometheus endpoint's
	// address once it is bound, before any pipeline starts: the way to
	// learn the port the system picked for an address such as
	// "127.0.0.1:0". The address is also logged.
	MetricsListening func(addr net.Addr)
	// ReportFile, when set, is where Run writes the run report (package
	// report, docs/report.schema.json) at the end of the run.
	ReportFile string
	// Version is the runner's version, for the report.
	Version string

	// extraTypes are component types beside the registry's, for tests.
	extraTypes []registry.Entry
	// sampler reads the process's resource usage for every pipeline.
	sampler *runtime.ProcessSampler
	// selfTimeDescs are the descriptions components report with, the
	// self-time stats added: one per component type, shared by the
	// exporter and every pipeline.
	selfTimeDescs selfTimeDescs
	// Shard is the shard of the range this process runs (cdp-pipeline
	// run -shard I/N, see internal/shard); the zero Shard runs the whole
	// range.
	Shard shard.Shard
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
	if err := typeCheck(r.Config, r.Pipeline, r.lookup); err != nil {
		errs = append(errs, err)
	}
	if _, err := r.flowctlConfig(); err != nil {
		errs = append(errs, err)
	}
	r.warnFlowctlEnv()
	if err := r.Config.Metrics.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("%s: %w", r.Config.File, err))
	}
	if err := r.checkShard(); err != nil {
		errs = append(errs, err)
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
// Nothing is started before everything that can fail on its own is
// ready and every component of every pipeline is built: starting opens
// output files and connects to databases, which a run that cannot start
// must not do. A bad config is an error that matches [ErrInvalidConfig].
func (r *Runner) Run(ctx context.Context) error {
	if err := r.Validate(); err != nil {
		return err
	}
	selected := r.selected()
	stats := r.newPipelineStats(selected)
	exp, err := r.startExporters(stats)
	if err != nil {
		return err
	}
	defer exp.stop()

	pipelines, err := r.buildAll(selected, stats)
	if err != nil {
		return err
	}
	if exp.own != nil {
		exp.own.setPipelines(pipelines)
	}
	if err := startAll(ctx, r.Config.File, r.logger(), pipelines, r.env()); err != nil {
		if ctx.Err() != nil {
			r.logger().Info("stopped while starting", "reason", stopReason(ctx))
			return nil
		}
		return err
	}
	if busy, err := r.shardSources(pipelines); err != nil || busy == 0 {
		return r.endUnrun(pipelines, err)
	}
	for _, p := range pipelines {
		p.resume(r.logger())
	}
	collectors := startCollectors(pipelines, r.Config.Stats.Interval)
	stalls := startStallWatch(r.logger(), pipelines, r.Config.Stats.Interval)
	exp.startFlowctl(pipelines)
	live := r.startLive(pipelines)
	start := time.Now()
	cpuStart := r.sampler.Sample()
	r.logger().Info("pipelines started", "count", len(pipelines))

	err = r.runSources(ctx, pipelines)

	stalls.stop()
	collectors.stop() // the final collection, after the consumers closed
	live.stop()
	exp.stop() // the final heartbeats carry the final collection
	if r.Status != nil {
		writeSummary(r.Status, pipelines, time.Since(start))
		writeBottlenecks(r.Status, pipelines)
	}
	if r.ReportFile != "" {
		rep := r.newReport(pipelines, start, time.Now(), cpuStart)
		if werr := rep.WriteFile(r.ReportFile); werr != nil {
			err = errors.Join(err, werr)
		}
	}
	if eerr := exp.errs.join(); eerr != nil {
		r.logger().Warn("exporter problems", "error", eerr)
	}
	return err
}

// endUnrun ends a run whose sources are not run: err, from sharding
// them, or nil when the shard has nothing to read in any pipeline. It
// closes the pipelines and, when nothing failed, writes the report:
// every shard of a run reports, even one with nothing to read.
func (r *Runner) endUnrun(pipelines []*pipeline, err error) error {
	if err == nil {
		r.logger().Info("shard has nothing to read in any pipeline: done", "shard", r.Shard.String())
	}
	for _, p := range pipelines {
		err = errors.Join(err, p.close(err == nil))
	}
	if err == nil && r.ReportFile != "" {
		now := time.Now()
		err = r.newReport(pipelines, now, now, r.sampler.Sample()).WriteFile(r.ReportFile)
	}
	return err
}

// newPipelineStats returns the stats of each selected pipeline.
func (r *Runner) newPipelineStats(selected []*PipelineConfig) []*runtime.PipelineStats {
	stats := make([]*runtime.PipelineStats, len(selected))
	r.sampler = runtime.NewProcessSampler()
	for i, pc := range selected {
		stats[i] = runtime.NewPipelineStats(pc.Name)
		stats[i].AddMetricsSource(r.sampler)
		if r.Config.Stats.HealthTimeout > 0 {
			stats[i].SetHealthTimeout(r.Config.Stats.HealthTimeout)
		}
	}
	return stats
}

// buildAll builds every selected pipeline, or none: on an error it closes
// the ones already built.
func (r *Runner) buildAll(selected []*PipelineConfig, stats []*runtime.PipelineStats) ([]*pipeline, error) {
	pipelines := make([]*pipeline, 0, len(selected))
	for i, pc := range selected {
		p, err := build(r.Config.File, pc, stats[i], r.lookup, &r.selfTimeDescs)
		if err != nil {
			for _, built := range pipelines {
				built.close(false)
			}
			return nil, err
		}
		p.shard = r.Shard
		pipelines = append(pipelines, p)
	}
	return pipelines, nil
}

// env returns what every component is told of the run at Start, before
// its pipeline, id and logger are added.
func (r *Runner) env() cdp.Env {
	return cdp.Env{FromScratch: r.FromScratch}
}

// startAll starts the components of every pipeline (cdp.Starter), once
// all are built, with run as their Env. On an error it aborts everything,
// the components started and those not, so that a run that cannot start
// leaves every destination as it was.
func startAll(ctx context.Context, file string, log *slog.Logger, pipelines []*pipeline, run cdp.Env) error {
	for _, p := range pipelines {
		if err := p.start(ctx, file, log, run); err != nil {
			for _, q := range pipelines {
				q.close(false)
			}
			return fmt.Errorf("starting pipeline %s: %w", p.cfg.Name, err)
		}
	}
	return nil
}

// exporters are the flowctl clients and the Prometheus endpoint. They
// outlive the run's ctx: they must see the drain and report the final
// numbers, so they stop only after the last collection.
type exporters struct {
	clients  []*flowctl.Client
	own      *runMetrics   // the runner's series on /metrics; nil without them
	linger   time.Duration // how long stop waits for a scrape of the final numbers
	log      *slog.Logger
	ctx      context.Context
	cancel   context.CancelFunc
	wg       sync.WaitGroup
	errs     errorList
	stopOnce sync.Once
}

// startExporters creates the flowctl clients (loading their TLS files) and
// binds and serves the metrics endpoint, which reports "starting" until
// the components report. Either failing fails the run before anything is
// built.
func (r *Runner) startExporters(stats []*runtime.PipelineStats) (*exporters, error) {
	fc, _ := r.flowctlConfig() // validated by Validate
	clients, err := r.newFlowctlClients(fc.WithDefaults(), stats)
	if err != nil {
		return nil, err
	}
	metrics, own, err := r.listenMetrics(stats)
	if err != nil {
		return nil, err
	}
	e := &exporters{clients: clients, own: own, linger: r.Config.Metrics.Linger, log: r.logger()}
	e.ctx, e.cancel = context.WithCancel(context.Background())
	if metrics != nil {
		e.goRun(metrics.Serve)
	}
	return e, nil
}

// startFlowctl starts the flowctl clients, one per pipeline in order:
// registration of the pipeline and its components, then heartbeats.
func (e *exporters) startFlowctl(pipelines []*pipeline) {
	for i, c := range e.clients {
		c.SetComponents(pipelines[i].flowctl...)
		e.goRun(c.Run)
	}
}

func (e *exporters) goRun(run func(context.Context) error) {
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		e.errs.add(run(e.ctx))
	}()
}

// stop ends the exporters and waits for them: the metrics endpoint waits
// up to metrics.linger to be scraped once more, each flowctl client sends
// its final heartbeat, and the metrics endpoint shuts down.
func (e *exporters) stop() {
	e.stopOnce.Do(func() {
		e.own.awaitScrape(e.log, e.linger)
		e.cancel()
		e.wg.Wait()
	})
}

// collectors run one StatsCollector per pipeline.
type collectors struct {
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func startCollectors(pipelines []*pipeline, interval time.Duration) *collectors {
	ctx, cancel := context.WithCancel(context.Background())
	c := &collectors{cancel: cancel}
	for _, p := range pipelines {
		collector := runtime.NewStatsCollector(p.stats, interval)
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			collector.CollectFromComponents(ctx, p.providers)
		}()
	}
	return c
}

// stop ends collection and waits for each collector's final collection.
func (c *collectors) stop() {
	c.cancel()
	c.wg.Wait()
}

// runSources runs every pipeline's source until it ends, ctx ends, or
// another pipeline fails, then closes the pipeline's consumers (flushing).
// A source stopped by ctx or by another's failure is not an error.
func (r *Runner) runSources(ctx context.Context, pipelines []*pipeline) error {
	log := r.logger()
	// runCtx ends with ctx, or when a pipeline fails: a failure must not
	// wait for pipelines that may never end on their own.
	runCtx, stopRun := context.WithCancel(ctx)
	defer stopRun()
	var errs errorList
	var wg sync.WaitGroup
	for _, p := range pipelines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := p.source.Run(runCtx)
			complete := err == nil
			switch {
			case err != nil && runCtx.Err() != nil && errors.Is(err, runCtx.Err()):
				log.Info("pipeline stopping", "pipeline", p.cfg.Name, "reason", stopReason(ctx))
				err = nil
			case err != nil:
				err = fmt.Errorf("pipeline %s: %w", p.cfg.Name, err)
				stopRun()
			}
			errs.add(err)
			if cerr := p.close(complete); cerr != nil {
				cerr = fmt.Errorf("pipeline %s: closing consumers: %w", p.cfg.Name, cerr)
				errs.add(cerr)
				err = errors.Join(err, cerr)
			}
			log.Info("pipeline drained", "pipeline", p.cfg.Name, "error", err)
		}()
	}
	wg.Wait()
	return errs.join()
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
