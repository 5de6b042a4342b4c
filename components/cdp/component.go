package cdp

import (
	"context"
	"log/slog"
	"time"
)

// Processor receives messages, does its work and passes results to the
// processors subscribed to it.
//
// Process is called from one goroutine at a time per pipeline. An error
// stops the pipeline: the source returns it from Run.
type Processor interface {
	Process(ctx context.Context, msg Message) error
	Subscribe(p Processor)
}

// Source produces messages, one per ledger for the sources of this project,
// and pushes them into its subscribers. Run returns nil when a bounded range
// is done, ctx.Err() when ctx ends first, and any other error otherwise.
type Source interface {
	Run(ctx context.Context) error
	Subscribe(p Processor)
}

// Consumer is a processor at the end of a pipeline that writes messages
// somewhere. Close flushes everything the consumer buffers and releases its
// resources; a message whose Process returned nil is written by the time
// Close returns nil.
type Consumer interface {
	Processor
	Close() error
}

// Starter is a component that touches the outside world: it opens files,
// creates tables or connects to servers. Building such a component (its
// constructor) only checks its configuration; Start does the rest. A runner
// builds and validates every component of every pipeline first, then
// starts them, so that a run that cannot start changes nothing.
//
// Start is called once, before Run or the first Process, with the [Env]
// of the run. A component whose Start failed, or that was never started,
// may still be closed (or aborted), which then releases whatever Start
// acquired.
type Starter interface {
	Start(ctx context.Context, env Env) error
}

// Env is what a runner tells a component about the run it is part of, at
// Start. The zero Env is valid: no logs, no shard, resume from checkpoints.
type Env struct {
	// Logger receives the component's logs, already carrying the
	// runner's format, level and the component's attributes. Nil
	// discards them; components never log through slog.Default.
	Logger *slog.Logger
	// Pipeline is the name of the component's pipeline.
	Pipeline string
	// ID is the component's instance id in its pipeline: its config id,
	// or else its type. Consumers that keep checkpoints in a place other
	// consumers share key them by Pipeline, Shard and ID.
	ID string
	// Shard is the shard the process runs, as "I/N", or "" when the run
	// is not sharded. Consumers that keep checkpoints key them by
	// Pipeline and Shard.
	Shard string
	// FromScratch tells consumers to ignore the checkpoints of earlier
	// runs (cdp-pipeline run -from-scratch).
	FromScratch bool
}

// Log returns e.Logger, or a logger that discards everything when it is
// nil.
func (e Env) Log() *slog.Logger {
	if e.Logger != nil {
		return e.Logger
	}
	return discard
}

var discard = slog.New(slog.DiscardHandler)

// Checkpointer is a consumer that knows, at Start, the last ledger whose
// output an earlier run wrote in full, so that a restarted run can resume
// after it instead of starting over. Checkpoint is called after Start;
// ok is false when the consumer has no checkpoint (a first run, output it
// cannot read back, or [Env.FromScratch]) and needs every ledger of the
// configured range.
//
// A consumer that reports a checkpoint must tolerate being given again
// the ledgers up to it, since the pipeline resumes after the lowest
// checkpoint of its consumers: it skips them, or writes them
// idempotently.
type Checkpointer interface {
	Checkpoint() (last uint32, ok bool)
}

// Resumer is a source that can start after a given ledger instead of at
// its configured start. A runner calls ResumeAfter after Start and before
// Run. The source then emits from ledger+1, or from its configured start
// when that is later; when ledger+1 is past the end of a bounded range,
// Run has nothing to do and returns nil at once.
type Resumer interface {
	ResumeAfter(ledger uint32)
}

// Aborter is a consumer whose output must not replace what was there
// before unless the run completed, such as a file written to a temporary
// name and renamed at Close. A runner calls Abort instead of Close when
// the run did not complete: a component failed to start, the source
// failed, or the run was stopped before the end of a bounded range.
// Abort releases the consumer's resources and leaves its destination as it
// was before the run, as far as the consumer can.
type Aborter interface {
	Abort() error
}

// Destination is where a consumer writes, as far as two consumers of one
// process could clobber each other's output there.
type Destination struct {
	// Kind is what Key names: DestinationFile or DestinationTable.
	Kind string
	// Key identifies the destination: a cleaned absolute path for a file,
	// the database and table for a table.
	Key string
	// Shareable says that this consumer may write to the destination
	// alongside others that are shareable and have the same Settings.
	Shareable bool
	// Settings describes how the consumer writes there, when several
	// writers must agree on it (a table's natural key, for example).
	Settings string
}

// Destination kinds.
const (
	DestinationFile  = "file"
	DestinationTable = "table"
)

// Progress says what a source is waiting for, so that a runner can tell a
// pipeline that makes progress from one that is stalled, and why.
type Progress struct {
	// WaitingFor is the ledger the source waits for, or 0 when it is not
	// waiting (it is emitting ledgers, or has finished).
	WaitingFor uint32
	// Since is when the source started waiting for WaitingFor.
	Since time.Time
	// Reason is why the ledger is not there: WaitNotYetClosed or WaitGap.
	Reason string
	// Missing names the file (or object) that should hold WaitingFor,
	// when Reason is WaitGap.
	Missing string
	// StallTimeout is how long a wait may last before the pipeline counts
	// as stalled, as the source sees it (its config, or a default derived
	// from the network's ledger close time). It is set whether or not the
	// source waits.
	StallTimeout time.Duration
}

// Reasons a source waits.
const (
	// WaitNotYetClosed: the ledger is not in the datastore, nor any later
	// one; it has most likely not been closed (or exported) yet.
	WaitNotYetClosed = "not yet closed"
	// WaitGap: the ledger's file is missing although a later ledger's
	// file exists. It will not appear by waiting, unless the exporter
	// fills the gap.
	WaitGap = "gap"
)

// ProgressReporter is a source that reports what it waits for. Progress is
// safe to call from any goroutine while the source runs.
type ProgressReporter interface {
	Progress() Progress
}
