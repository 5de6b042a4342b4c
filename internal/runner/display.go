package runner

import (
	"fmt"
	"io"
	"strings"
	"sync"
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

// liveLine renders one status line per pipeline while the pipelines run,
// through a [Console]: redrawn in place on a terminal, printed as plain
// lines elsewhere.
type liveLine struct {
	console *Console
	start   time.Time
	prevAt  time.Time
	prevIn  map[*flowNode]uint64
}

// newLiveLine returns a live line whose rates count from start.
func newLiveLine(c *Console, start time.Time) *liveLine {
	return &liveLine{console: c, start: start, prevAt: start, prevIn: map[*flowNode]uint64{}}
}

// draw shows the current status of every pipeline, with the ledger rate
// since the last draw.
func (l *liveLine) draw(now time.Time, pipelines []*pipeline) {
	l.drawSince(now, l.prevAt, pipelines)
}

// drawFinal shows the final status, with the ledger rate over the whole
// run: the rate since the last draw says nothing once the ledgers are read.
func (l *liveLine) drawFinal(now time.Time, pipelines []*pipeline) {
	clear(l.prevIn)
	l.drawSince(now, l.start, pipelines)
}

func (l *liveLine) drawSince(now, since time.Time, pipelines []*pipeline) {
	elapsed := now.Sub(since).Seconds()
	lines := make([]string, len(pipelines))
	for i, p := range pipelines {
		lines[i] = l.status(p, elapsed)
	}
	l.prevAt = now
	l.console.setStatus(lines)
}

// status is one pipeline's line: the last ledger, the ledger rate, each
// component's messages in→out, and the errors of all components.
func (l *liveLine) status(p *pipeline, elapsed float64) string {
	comps := componentsByNode(p)
	var b strings.Builder
	fmt.Fprintf(&b, "%s: ", p.title())
	src := p.nodes[0]
	if ledger, ok := comps[src].Value(lastLedgerStat); ok && ledger > 0 {
		fmt.Fprintf(&b, "ledger %.0f", ledger)
	} else {
		b.WriteString("ledger -")
	}
	out := src.out.Load()
	if elapsed > 0 {
		fmt.Fprintf(&b, " | %.1f ledgers/s", float64(out-l.prevIn[src])/elapsed)
	}
	l.prevIn[src] = out
	var errors float64
	for _, n := range p.nodes {
		errors += statOf(comps[n], errorsStat)
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
	b.WriteString(p.liveBottleneck())
	return b.String()
}

// componentsByNode returns the latest stats of each of the pipeline's
// components that has reported.
func componentsByNode(p *pipeline) map[*flowNode]runtime.ComponentSnapshot {
	out := make(map[*flowNode]runtime.ComponentSnapshot, len(p.nodes))
	for _, c := range p.stats.Components() {
		for _, n := range p.nodes {
			if c.Kind == n.kind && c.ID == n.id {
				out[n] = c
			}
		}
	}
	return out
}

// statOf returns the value of a component's stat, or 0 when it has none
// or has not reported.
func statOf(c runtime.ComponentSnapshot, stat string) float64 {
	v, _ := c.Value(stat)
	return v
}

// writeSummary prints the final table: one row per component with its
// flow counts, errors and latency.
func writeSummary(w io.Writer, pipelines []*pipeline, elapsed time.Duration) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "pipeline\tcomponent\tkind\tin\tout\terrors\tlatency p50 ms\tp99 ms\t")
	for _, p := range pipelines {
		comps := componentsByNode(p)
		for _, n := range p.nodes {
			in, out := fmt.Sprint(n.in.Load()), fmt.Sprint(n.out.Load())
			switch n.kind {
			case "source":
				in = "-"
			case "consumer":
				out = "-"
			}
			p50, p99 := latencyOf(comps[n])
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%.0f\t%s\t%s\t\n", p.cfg.Name, n.id, n.kind, in, out, statOf(comps[n], errorsStat), p50, p99)
		}
	}
	tw.Flush()
	writeShardParts(w, pipelines)
	fmt.Fprintf(w, "done in %s\n", elapsed.Round(time.Millisecond))
}

// latencyOf returns the p50 and p99 of the component's first latency
// stat (latencyReport), in milliseconds, formatted, or "-" when it has none.
func latencyOf(c runtime.ComponentSnapshot) (p50, p99 string) {
	l := latencyReport(c)
	if l == nil {
		return "-", "-"
	}
	return fmt.Sprintf("%.3f", l.P50Ms), fmt.Sprintf("%.3f", l.P99Ms)
}

// plainStatusInterval is the least time between two status lines when
// the status does not go to a terminal: a log file or CI gets a line every
// so often, not one per collection.
const plainStatusInterval = 10 * time.Second

// liveRunner redraws the live line every stats interval.
type liveRunner struct {
	stop func()
}

// startLive starts the live line. stop draws it one last time, with the
// final numbers, and leaves it in place for the summary.
func (r *Runner) startLive(pipelines []*pipeline) liveRunner {
	if r.Status == nil || !r.Config.Stats.Live {
		return liveRunner{stop: func() {}}
	}
	console := r.console()
	line := newLiveLine(console, time.Now())
	every := r.Config.Stats.Interval
	if console.Terminal() {
		line.draw(time.Now(), pipelines)
	} else {
		// A plain line of zeros at the start says nothing; the first
		// line comes after the first period, or at the end.
		every = max(every, plainStatusInterval)
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				line.drawFinal(time.Now(), pipelines)
				console.keepStatus()
				return
			case now := <-t.C:
				line.draw(now, pipelines)
			}
		}
	}()
	return liveRunner{stop: func() { close(done); wg.Wait() }}
}

// console returns Status as a Console, wrapping a plain writer.
func (r *Runner) console() *Console {
	if c, ok := r.Status.(*Console); ok {
		return c
	}
	return NewConsole(r.Status, r.Terminal)
}
