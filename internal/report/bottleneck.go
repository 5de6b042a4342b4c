package report

import (
	"fmt"
	"strings"
)

// Verdicts: what limits a pipeline.
const (
	// SourceBound: the source's wait for the next ledger (I/O and
	// decompression) takes the largest share.
	SourceBound = "source-bound"
	// CPUBound: a processor's own work takes the largest share.
	CPUBound = "cpu-bound"
	// SinkBound: a consumer's writes (to a database or a file) take the
	// largest share.
	SinkBound = "sink-bound"
	// Idle: no component has any self time yet.
	Idle = "idle"
)

// Bottleneck names the component that limits a pipeline.
type Bottleneck struct {
	// Verdict is one of the verdict constants.
	Verdict string `json:"verdict"`
	// Kind and ID name the component; empty when Idle.
	Kind string `json:"kind,omitempty"`
	ID   string `json:"id,omitempty"`
	// SelfShare is the component's share of the pipeline's self time.
	SelfShare float64 `json:"self_share"`
	// Basis lists the numbers the verdict rests on.
	Basis string `json:"basis"`
}

// Diagnose names the component with the largest self time among cs, whose
// SelfShare it fills in. A pipeline runs on one goroutine, so the
// component with the largest self time is the one a faster pipeline must
// speed up.
func Diagnose(cs []Component) Bottleneck {
	var total float64
	for _, c := range cs {
		total += c.SelfSeconds
	}
	if total <= 0 {
		return Bottleneck{Verdict: Idle, Basis: "no component has self time yet"}
	}
	top := 0
	parts := make([]string, len(cs))
	for i := range cs {
		cs[i].SelfShare = cs[i].SelfSeconds / total
		if cs[i].SelfSeconds > cs[top].SelfSeconds {
			top = i
		}
		parts[i] = fmt.Sprintf("%s %.0f%%", cs[i].ID, 100*cs[i].SelfShare)
	}
	b := Bottleneck{Kind: cs[top].Kind, ID: cs[top].ID, SelfShare: cs[top].SelfShare,
		Basis: fmt.Sprintf("self time shares of %.3fs: %s", total, strings.Join(parts, ", "))}
	switch cs[top].Kind {
	case "source":
		b.Verdict = SourceBound
	case "consumer":
		b.Verdict = SinkBound
	default:
		b.Verdict = CPUBound
	}
	return b
}

// String is the verdict in words, such as "cpu-bound in processor
// FilterPayments (85% of self time)".
func (b Bottleneck) String() string {
	if b.Verdict == Idle {
		return Idle
	}
	what := map[string]string{SourceBound: "source-bound (waiting on I/O)", CPUBound: "cpu-bound", SinkBound: "sink-bound"}[b.Verdict]
	return fmt.Sprintf("%s in %s %s (%.0f%% of self time)", what, b.Kind, b.ID, 100*b.SelfShare)
}
