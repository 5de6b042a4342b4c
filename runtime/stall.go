package runtime

import (
	"fmt"
	"time"
)

// Stall says why a pipeline has made no progress for longer than its
// stall timeout: the ledger its source waits for, why that ledger is not
// there, and since when. A runner sets it with [PipelineStats.SetStall]
// from what the source reports; exporters read it with
// [PipelineStats.Stall].
type Stall struct {
	// Ledger is the ledger the source waits for.
	Ledger uint32
	// Reason is why the ledger is not there, such as "gap" or "not yet
	// closed".
	Reason string
	// Missing names the file that should hold Ledger, when it is known to
	// be missing; "" otherwise.
	Missing string
	// Since is when the source started waiting for Ledger.
	Since time.Time
}

// String is the stall's one-line reason: "waiting for ledger N: REASON,
// file F missing, since T".
func (s Stall) String() string {
	msg := fmt.Sprintf("waiting for ledger %d: %s", s.Ledger, s.Reason)
	if s.Missing != "" {
		msg += fmt.Sprintf(", file %s missing", s.Missing)
	}
	return msg + ", since " + s.Since.UTC().Format(time.RFC3339)
}

// SetStall reports the pipeline stalled, for the reason s, until
// [PipelineStats.ClearStall].
func (ps *PipelineStats) SetStall(s Stall) { ps.stall.Store(&s) }

// ClearStall reports the pipeline progressing again.
func (ps *PipelineStats) ClearStall() { ps.stall.Store(nil) }

// Stall returns why the pipeline is stalled, and false when it is not.
func (ps *PipelineStats) Stall() (Stall, bool) {
	s := ps.stall.Load()
	if s == nil {
		return Stall{}, false
	}
	return *s, true
}
