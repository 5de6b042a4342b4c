package runner

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/cdpstats/cdpstats/runtime"
)

// Stat names the display looks for. They are the names the components of
// this project use; a component without them shows its flow counts only.
const (
	lastLedgerStat = "last_ledger"
	errorsStat     = "errors"
)

// liveLine renders one status line per pipeline on stderr while the
// pipelines run. On a terminal it redraws in place; elsewhere (a log file,
// CI) it prints a plain line each time.
type liveLine struct {
	w        io.Writer
	terminal bool
	lines    int // lines drawn last time, for redrawing on a terminal
	prevAt   time.Time
	prevIn   map[*flowNode]uint64
}

func newLiveLine(w io.Writer, terminal bool) *liveLine {
	return &liveLine{w: w, terminal: terminal, prevIn: map[*flowNode]uint64{}}
}

// draw prints the current status of every pipeline.
func (l *liveLine) draw(now time.Time, pipelines []*pipeline) {
	elapsed := now.Sub(l.prevAt).Seconds()
	var b strings.Builder
	if l.terminal && l.lines > 0 {
		fmt.Fprintf(&b, "\x1b[%dA", l.lines) // back to the first line we drew
	}
	for _, p := range pipelines {
		if l.terminal {
			b.WriteString("\x1b[2K") // clear the line
		}
		b.WriteString(l.status(p, elapsed))
		b.WriteByte('\n')
	}
	l.lines = len(pipelines)
	l.prevAt = now
	io.WriteString(l.w, b.String())
}

// status is one pipeline's line: the last ledger, the ledger rate, each
// component's messages in→out, and the errors of all components.
func (l *liveLine) status(p *pipeline, elapsed float64) string {
	metrics := p.stats.GetMetrics()
	var b strings.Builder
	fmt.Fprintf(&b, "%s: ", p.cfg.Name)
	src := p.nodes[0]
	if ledger, ok := metrics[metricKey(src, lastLedgerStat)]; ok && ledger > 0 {
		fmt.Fprintf(&b, "ledger %.0f", ledger)
	} else {
		b.WriteString("ledger -")
	}
	out := src.out.Load()
	if prev, ok := l.prevIn[src]; ok && elapsed > 0 {
		fmt.Fprintf(&b, " | %.1f ledgers/s", float64(out-prev)/elapsed)
	}
	l.prevIn[src] = out
	var errors float64
	for _, n := range p.nodes {
		errors += metrics[metricKey(n, errorsStat)]
		switch n.kind {
		case "source":
			fmt.Fprintf(&b, " | %s →%d", n.id, n.out.Load())
		case "consumer":
			fmt.Fprintf(&b, " | %s %d→", n.id, n.in.Load())
		default:
			fmt.Fprintf(&b, " | %s %d→%d", n.id, n.in.Load(), n.out.Load())
		}
	}
	fmt.Fprintf(&b, " | errors %.0f", errors)
	return b.String()
}

func metricKey(n *flowNode, stat string) string {
	return n.kind + "." + n.id + "." + stat
}

// writeSummary prints the final table: one row per component with its
// flow counts, errors and latency.
func writeSummary(w io.Writer, pipelines []*pipeline, elapsed time.Duration) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "pipeline\tcomponent\tkind\tin\tout\terrors\tlatency p50 ms\tp99 ms\t")
	for _, p := range pipelines {
		metrics := p.stats.GetMetrics()
		for _, n := range p.nodes {
			in, out := fmt.Sprint(n.in.Load()), fmt.Sprint(n.out.Load())
			switch n.kind {
			case "source":
				in = "-"
			case "consumer":
				out = "-"
			}
			p50, p99 := latencyOf(p.stats, n)
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%.0f\t%s\t%s\t\n", p.cfg.Name, n.id, n.kind, in, out, metrics[metricKey(n, errorsStat)], p50, p99)
		}
	}
	tw.Flush()
	fmt.Fprintf(w, "done in %s\n", elapsed.Round(time.Millisecond))
}

// latencyOf returns the p50 and p99 of the component's first latency
// stat, formatted, or "-" when it has none.
func latencyOf(ps *runtime.PipelineStats, n *flowNode) (p50, p99 string) {
	for _, c := range ps.Components() {
		if c.ComponentType != n.kind || c.InstanceID != n.id || c.Desc == nil {
			continue
		}
		for _, s := range c.Desc.Stats {
			if s.Kind != runtime.KindLatency {
				continue
			}
			return valueOf(c, s.Name+"_p50_ms"), valueOf(c, s.Name+"_p99_ms")
		}
	}
	return "-", "-"
}

func valueOf(c runtime.ComponentSnapshot, key string) string {
	for i, k := range c.Keys {
		if k == key {
			return fmt.Sprintf("%.3f", c.Values[i])
		}
	}
	return "-"
}
