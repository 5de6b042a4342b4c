package runner

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/cdpstats/cdpstats/components/cdp"
	"github.com/cdpstats/cdpstats/runtime"
)

// stallWatch reports pipelines whose source has waited for one ledger for
// longer than its stall timeout (cdp.ProgressReporter): a WARN line naming
// the pipeline, the ledger and why it is not there, once per ledger, and
// the pipeline's stats marked stalled ([runtime.PipelineStats.SetStall]:
// the pipeline.stalled key of flowctl, the cdp_pipeline_stalled gauge and
// /readyz); an INFO line and the mark cleared when the ledger comes.
type stallWatch struct {
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// startStallWatch checks the pipelines' sources every interval until
// stopped.
func startStallWatch(log *slog.Logger, pipelines []*pipeline, interval time.Duration) *stallWatch {
	ctx, cancel := context.WithCancel(context.Background())
	w := &stallWatch{cancel: cancel}
	for _, p := range pipelines {
		src, ok := p.source.Source.(cdp.ProgressReporter) // the component, not the runner's timing of it
		if !ok {
			continue
		}
		w.wg.Add(1)
		go func() {
			defer w.wg.Done()
			watchStall(ctx, log.With("pipeline", p.cfg.Name), src, p.stats, interval)
		}()
	}
	return w
}

// stop ends the checks and waits for them.
func (w *stallWatch) stop() {
	w.cancel()
	w.wg.Wait()
}

func watchStall(ctx context.Context, log *slog.Logger, src cdp.ProgressReporter, stats *runtime.PipelineStats, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	var stalledAt uint32 // the ledger reported as stalled, 0 when none
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		p := src.Progress()
		switch {
		case p.WaitingFor != 0 && p.WaitingFor == stalledAt:
			// already reported
		case p.WaitingFor != 0 && p.StallTimeout > 0 && time.Since(p.Since) >= p.StallTimeout:
			stalledAt = p.WaitingFor
			args := []any{"ledger", p.WaitingFor, "reason", p.Reason, "since", p.Since.UTC().Format(time.RFC3339), "stall_timeout", p.StallTimeout}
			if p.Missing != "" {
				args = append(args, "missing_file", p.Missing)
			}
			log.Warn("pipeline stalled: no progress within stall_timeout", args...)
			stats.SetStall(runtime.Stall{Ledger: p.WaitingFor, Reason: p.Reason, Missing: p.Missing, Since: p.Since})
		case stalledAt != 0 && p.WaitingFor != stalledAt:
			log.Info("pipeline progressing again", "ledger", stalledAt)
			stats.ClearStall()
			stalledAt = 0
		}
	}
}
