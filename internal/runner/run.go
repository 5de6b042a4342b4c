package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
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
	// stays clean for StdoutConsumer). Nil means no status output.
	Status io.Writer
	// Terminal makes the live line redraw in place.
	Terminal bool
	// Env looks up the env vars flowctl sets. Nil means os.LookupEnv.
	Env flowctl.LookupFunc
}

func (r *Runner) logger() *slog.Logger {
	if r.Logger != nil {
		return r.Logger
	}
	return slog.Default()
}

// Validate checks the whole config without running or connecting to
// anything: every key, component type, component config and the flowctl
// settings. It reports every problem at once.
func (r *Runner) Validate() error {
	if r.Pipeline != "" {
		if _, err := r.Config.Pipeline(r.Pipeline); err != nil {
			return err
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
	return errors.Join(errs...)
}

func (r *Runner) flowctlConfig() (flowctl.Config, error) {
	fc, err := r.Config.Flowctl.WithEnv(r.Env)
	if err != nil {
		return fc, err
	}
	if err := fc.Validate(); err != nil {
		return fc, fmt.Errorf("%s: %w", r.Config.File, err)
	}
	return fc, nil
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

// Run validates the config, builds the pipelines and runs them until
// their sources finish or ctx ends (SIGINT/SIGTERM). Either way it drains:
// every source stops, every consumer is closed (flushing), the collector
// takes one last collection and flowctl gets one last heartbeat. It
// returns nil when everything ended cleanly, or the errors of the
// components that failed.
func (r *Runner) Run(ctx context.Context) error {
	if err := r.Validate(); err != nil {
		return err
	}
	fc, _ := r.flowctlConfig() // validated above
	log := r.logger()

	var pipelines []*pipeline
	for _, pc := range r.selected() {
		p, err := build(r.Config, pc)
		if err != nil {
			for _, built := range pipelines {
				built.close()
			}
			return err
		}
		pipelines = append(pipelines, p)
	}

	metrics, err := r.listenMetrics(pipelines)
	if err != nil {
		for _, p := range pipelines {
			p.close()
		}
		return err
	}

	// Stats and exporters outlive ctx: they must see the drain and report
	// the final numbers, so they stop only after the consumers are closed.
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

	exportCtx, stopExport := context.WithCancel(context.Background())
	defer stopExport()
	var exportWG sync.WaitGroup
	var exportErrs errorList
	if fc.Enabled {
		for _, p := range pipelines {
			cfg := fc
			cfg.ComponentID = flowctlComponentID(fc.ComponentID, p.cfg.Name, len(pipelines))
			client, err := flowctl.New(cfg, p.stats, flowctl.WithLogger(log.With("pipeline", p.cfg.Name)))
			if err != nil {
				exportErrs.add(err)
				continue
			}
			exportWG.Add(1)
			go func() {
				defer exportWG.Done()
				exportErrs.add(client.Run(exportCtx))
			}()
		}
	}
	if metrics != nil {
		exportWG.Add(1)
		go func() {
			defer exportWG.Done()
			exportErrs.add(metrics.Serve(exportCtx))
		}()
	}

	live := r.startLive(pipelines)
	start := time.Now()
	log.Info("pipelines started", "count", len(pipelines))

	var runErrs errorList
	var runWG sync.WaitGroup
	for _, p := range pipelines {
		runWG.Add(1)
		go func() {
			defer runWG.Done()
			err := p.source.Run(ctx)
			if err != nil && ctx.Err() != nil && errors.Is(err, ctx.Err()) {
				log.Info("pipeline stopping on signal", "pipeline", p.cfg.Name)
				err = nil
			} else if err != nil {
				err = fmt.Errorf("pipeline %s: %w", p.cfg.Name, err)
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
	statsWG.Wait() // the final collection is done
	live.stop()
	stopExport()
	exportWG.Wait() // the final heartbeats are sent
	if r.Status != nil {
		writeSummary(r.Status, pipelines, time.Since(start))
	}
	if err := exportErrs.join(); err != nil {
		log.Warn("exporter problems", "error", err)
	}
	return runErrs.join()
}

// flowctlComponentID names a pipeline to flowctl: the configured ID, with
// the pipeline name added when one process runs several pipelines.
func flowctlComponentID(configured, pipeline string, pipelines int) string {
	switch {
	case configured == "":
		return pipeline
	case pipelines > 1:
		return configured + "-" + pipeline
	default:
		return configured
	}
}

// liveRunner redraws the live line every stats interval.
type liveRunner struct {
	stop func()
}

func (r *Runner) startLive(pipelines []*pipeline) liveRunner {
	if r.Status == nil || !r.Config.Stats.Live {
		return liveRunner{stop: func() {}}
	}
	line := newLiveLine(r.Status, r.Terminal)
	line.draw(time.Now(), pipelines)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(r.Config.Stats.Interval)
		defer t.Stop()
		for {
			select {
			case <-done:
				line.draw(time.Now(), pipelines)
				return
			case now := <-t.C:
				line.draw(now, pipelines)
			}
		}
	}()
	return liveRunner{stop: func() { close(done); wg.Wait() }}
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
