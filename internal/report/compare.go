package report

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// Change is what changed in one pipeline between two reports.
type Change struct {
	Pipeline string
	// Before and After are nil when the pipeline is only in the other report.
	Before, After *Pipeline
}

// Changes pairs the pipelines of a and b by name, in a's order, then the
// ones only b has.
func Changes(a, b *Report) []Change {
	var out []Change
	inA := map[string]bool{}
	for i := range a.Pipelines {
		pa := &a.Pipelines[i]
		inA[pa.Name] = true
		c := Change{Pipeline: pa.Name, Before: pa}
		for j := range b.Pipelines {
			if b.Pipelines[j].Name == pa.Name {
				c.After = &b.Pipelines[j]
			}
		}
		out = append(out, c)
	}
	for j := range b.Pipelines {
		if !inA[b.Pipelines[j].Name] {
			out = append(out, Change{Pipeline: b.Pipelines[j].Name, After: &b.Pipelines[j]})
		}
	}
	return out
}

// Compare prints what changed from a to b for each pipeline: throughput,
// CPU per 1,000 ledgers, peak RSS, and the bottleneck, with the relative
// change of each number. It flags a pipeline whose two runs read
// different ledgers, such as two shards of one range, since their numbers
// then measure different work.
func Compare(w io.Writer, a, b *Report) error {
	fmt.Fprintf(w, "A: %s (%s, config %s)\n", a.Started, a.Version, short(a.ConfigHash))
	fmt.Fprintf(w, "B: %s (%s, config %s)\n", b.Started, b.Version, short(b.ConfigHash))
	if a.ConfigHash == b.ConfigHash {
		fmt.Fprintln(w, "same config")
	}
	for _, c := range Changes(a, b) {
		if c.Before != nil && c.After != nil && c.Before.Ledgers() != c.After.Ledgers() {
			fmt.Fprintf(w, "%s: different ledgers: A read %s, B read %s\n", c.Pipeline, c.Before.Ledgers(), c.After.Ledgers())
		}
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "pipeline\tmeasure\tA\tB\tchange\t")
	for _, c := range Changes(a, b) {
		switch {
		case c.After == nil:
			fmt.Fprintf(tw, "%s\t(only in A)\t\t\t\t\n", c.Pipeline)
			continue
		case c.Before == nil:
			fmt.Fprintf(tw, "%s\t(only in B)\t\t\t\t\n", c.Pipeline)
			continue
		}
		x, y := c.Before, c.After
		row := func(measure string, va, vb float64, format string) {
			fmt.Fprintf(tw, "%s\t%s\t"+format+"\t"+format+"\t%s\t\n", c.Pipeline, measure, va, vb, relative(va, vb))
		}
		row("ledgers/s", x.LedgersPerSecond, y.LedgersPerSecond, "%.2f")
		row("CPU s per 1000 ledgers", x.CPUSecondsPer1000Ledgers, y.CPUSecondsPer1000Ledgers, "%.3f")
		row("peak RSS MiB", x.PeakResidentBytes/(1<<20), y.PeakResidentBytes/(1<<20), "%.1f")
		if x.Cost != nil && y.Cost != nil {
			row("cost per million ledgers", x.Cost.PerMillionLedgers, y.Cost.PerMillionLedgers, "%.4f")
		}
		same := "same"
		if x.Bottleneck.Verdict != y.Bottleneck.Verdict || x.Bottleneck.ID != y.Bottleneck.ID {
			same = "changed"
		}
		fmt.Fprintf(tw, "%s\tbottleneck\t%s\t%s\t%s\t\n", c.Pipeline, x.Bottleneck, y.Bottleneck, same)
	}
	return tw.Flush()
}

// relative is the change from a to b in percent, signed.
func relative(a, b float64) string {
	if a == 0 {
		if b == 0 {
			return "0%"
		}
		return "new"
	}
	return fmt.Sprintf("%+.1f%%", 100*(b-a)/a)
}

func short(hash string) string {
	const n = len("sha256:") + 12
	if len(hash) > n {
		return hash[:n]
	}
	return hash
}
