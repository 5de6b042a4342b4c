package runner

import (
	"fmt"
	"io"
	"time"

	"github.com/cdpstats/cdpstats/internal/report"
	"github.com/cdpstats/cdpstats/runtime"
)

// Stat names the report reads from the source, when it has them.
const bytesReadStat = "bytes_read"

// writeBottlenecks prints each pipeline's bottleneck over the whole run,
// with the numbers it rests on, after the summary table.
func writeBottlenecks(w io.Writer, pipelines []*pipeline) {
	for _, p := range pipelines {
		b := report.Diagnose(p.selfComponents(false))
		fmt.Fprintf(w, "%s: %s; %s\n", p.cfg.Name, b, b.Basis)
	}
}

// newReport builds the run report once every pipeline has drained and the
// final stats are collected. cpuStart is the process's usage when the
// pipelines started.
func (r *Runner) newReport(pipelines []*pipeline, start, end time.Time, cpuStart runtime.ProcessUsage) *report.Report {
	usage := r.sampler.Sample()
	rep := &report.Report{
		SchemaVersion: report.SchemaVersion,
		Version:       r.Version,
		ConfigFile:    r.Config.File,
		ConfigHash:    r.Config.Hash,
		Started:       start.UTC().Format(time.RFC3339Nano),
		Finished:      end.UTC().Format(time.RFC3339Nano),
		WallSeconds:   end.Sub(start).Seconds(),
		Process: report.Process{
			CPUUserSeconds:    usage.CPUUserSeconds - cpuStart.CPUUserSeconds,
			CPUSystemSeconds:  usage.CPUSystemSeconds - cpuStart.CPUSystemSeconds,
			PeakResidentBytes: usage.PeakResidentBytes,
			GCCPUFraction:     usage.GCCPUFraction,
			GCPauseP99Ms:      usage.GCPauseP99Ms,
		},
	}
	if r.Version == "" {
		rep.Version = "(devel)"
	}
	if c := r.Config.Cost; c != nil {
		rep.Prices = &report.Prices{VCPUHour: c.VCPUHour, GiBHour: c.GiBHour}
	}
	now := monotonic()
	var selfAll float64
	for _, p := range pipelines {
		pr := pipelineReport(p, now)
		pr.PeakResidentBytes = usage.PeakResidentBytes
		selfAll += selfSum(pr.Components)
		rep.Pipelines = append(rep.Pipelines, pr)
	}
	cpu := rep.Process.CPUUserSeconds + rep.Process.CPUSystemSeconds
	for i := range rep.Pipelines {
		pr := &rep.Pipelines[i]
		if len(rep.Pipelines) == 1 {
			pr.CPUSeconds, pr.CPUAttribution = cpu, "whole process"
		} else {
			pr.CPUSeconds = cpu * fraction(selfSum(pr.Components), selfAll)
			pr.CPUAttribution = "process CPU shared by self time"
		}
		if pr.LedgersDone > 0 {
			pr.CPUSecondsPer1000Ledgers = 1000 * pr.CPUSeconds / float64(pr.LedgersDone)
		}
		if pr.Bottleneck.Verdict != report.Idle {
			// Self time is wall time on the pipeline's goroutine; the CPU
			// it got says whether the machine kept up.
			pr.Bottleneck.Basis += fmt.Sprintf("; %.3f CPU s (%s) in %.3f s of wall time: %.2f cores",
				pr.CPUSeconds, pr.CPUAttribution, pr.WallSeconds, quotient(pr.CPUSeconds, pr.WallSeconds))
		}
		if rep.Prices != nil {
			pr.Cost = report.Estimate(pr, *rep.Prices)
		}
	}
	return rep
}

// pipelineReport is one pipeline's part of the report, but for CPU,
// memory and cost, which depend on the whole process.
func pipelineReport(p *pipeline, now int64) report.Pipeline {
	comps := componentsByNode(p)
	src := p.nodes[0]
	pr := report.Pipeline{
		Name:        p.cfg.Name,
		StartLedger: ledgerOf(p.cfg.Source.Config["start_ledger"]),
		EndLedger:   ledgerOf(p.cfg.Source.Config["end_ledger"]),
		LedgersDone: src.out.Load(),
		WallSeconds: p.wall.seconds(now),
		BytesRead:   statOf(comps[src], bytesReadStat),
		Components:  p.selfComponents(false),
	}
	if p.part != nil {
		// A shard reads its part of the configured range.
		pr.Shard = p.shard.String()
		pr.StartLedger, pr.EndLedger = p.part.own.Start, p.part.own.End
		pr.ConfiguredStartLedger, pr.ConfiguredEndLedger = p.part.whole.Start, p.part.whole.End
	}
	pr.LedgersPerSecond = quotient(float64(pr.LedgersDone), pr.WallSeconds)
	pr.BytesPerLedger = quotient(pr.BytesRead, float64(pr.LedgersDone))
	for i := range pr.Components {
		c := &pr.Components[i]
		n := p.nodes[i]
		c.Errors = statOf(comps[n], errorsStat)
		c.Latency = latencyReport(comps[n])
	}
	pr.RunnerSeconds = max(pr.WallSeconds-selfSum(pr.Components), 0)
	pr.Bottleneck = report.Diagnose(pr.Components)
	return pr
}

// selfSum is the self time of the components, in seconds.
func selfSum(cs []report.Component) float64 {
	var self float64
	for _, c := range cs {
		self += c.SelfSeconds
	}
	return self
}

// latencyReport returns the component's first latency stat, or nil.
func latencyReport(c runtime.ComponentSnapshot) *report.Latency {
	if c.Desc == nil {
		return nil
	}
	for _, s := range c.Desc.Stats {
		if s.Kind != runtime.KindLatency {
			continue
		}
		l := c.Stats.Latency(s)
		return &report.Latency{Stat: s.Name, P50Ms: msOf(l.P50), P99Ms: msOf(l.P99), MaxMs: msOf(l.Max)}
	}
	return nil
}

// msOf returns d in milliseconds.
func msOf(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// ledgerOf reads a ledger sequence from a component config value, 0 when
// it is not a number.
func ledgerOf(v interface{}) uint32 {
	switch n := v.(type) {
	case int:
		if n > 0 {
			return uint32(n)
		}
	case uint64:
		return uint32(n)
	case float64:
		if n > 0 {
			return uint32(n)
		}
	}
	return 0
}

// quotient returns a/b, 0 when b is 0.
func quotient(a, b float64) float64 {
	if b <= 0 {
		return 0
	}
	return runtime.Finite(a / b)
}
