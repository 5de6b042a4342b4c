package runner_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stellar/go-stellar-sdk/xdr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/components/cdp"
	"github.com/cdpstats/cdpstats/components/registry"
	"github.com/cdpstats/cdpstats/internal/runner"
	"github.com/cdpstats/cdpstats/internal/testfixtures/ledgers"
)

// twoPipelines is a spec of two pipelines, a and b, each reading the
// datastore and range keys given and writing to its own file.
func twoPipelines(dirA, rangeA, dirB, rangeB string) *spec {
	return &spec{Pipelines: []pipelineSpec{{Name: "a", Dir: dirA, Source: rangeA}, {Name: "b", Dir: dirB, Source: rangeB}}}
}

// TestFailureStopsTheOtherPipelines runs a pipeline that fails after its
// first ledger beside one that would wait for ledgers forever: Run stops
// the second, drains both, and returns the failure.
func TestFailureStopsTheOtherPipelines(t *testing.T) {
	lcm := ledgers.MustPubnet(t)
	seq := lcm.LedgerSequence()
	want := expect(t, lcm, ledgers.PubnetPassphrase)
	// The ledger after seq is corrupt: the backend reads files ahead but
	// decodes them in order, so the pipeline fails there, after seq.
	corrupt := pubnetDatastore(t)
	next := filepath.Join(corrupt, filepath.FromSlash(ledgers.SingleLedgerFiles.ObjectKey(seq+1)))
	require.NoError(t, os.WriteFile(next, []byte("not a zstd stream"), 0o644))
	// Pipeline a holds its first ledger until b has processed its own, so
	// that b has lines to drain whichever pipeline runs faster.
	g := newGate()
	spec := twoPipelines(
		corrupt, fmt.Sprintf("start_ledger: %d, end_ledger: %d", seq, seq+1),
		pubnetDatastore(t), fmt.Sprintf("start_ledger: %d, retry_wait: 20ms", seq))
	spec.Pipelines[0].Processors = []string{"{type: Wait}", "{type: FilterPayments}", "{type: ContractEvent}"}
	spec.Pipelines[1].Processors = []string{"{type: FilterPayments}", "{type: ContractEvent}", "{type: Signal}"}
	r, err := spec.runToEnd(t, func(r *runner.Runner) { r.WithTypes(g.types()...) })
	require.Error(t, err)
	outA, outB := r.Out[0], r.Out[1]
	assert.Contains(t, err.Error(), fmt.Sprintf("pipeline a: reading ledger %d", seq+1))
	assert.NotContains(t, err.Error(), "pipeline b")
	assert.False(t, errors.Is(err, runner.ErrInvalidConfig), "a failure, not a config error")
	assert.Equal(t, want.lines(), countLines(t, outA), "the failed pipeline's consumer was flushed")
	assert.Equal(t, want.lines(), countLines(t, outB), "the stopped pipeline drained")
}

// TestRunSelectsOnePipeline runs one pipeline of two by name.
func TestRunSelectsOnePipeline(t *testing.T) {
	dir := pubnetDatastore(t)
	lcm := ledgers.MustPubnet(t)
	seq := lcm.LedgerSequence()
	want := expect(t, lcm, ledgers.PubnetPassphrase)
	source := fmt.Sprintf("start_ledger: %d, end_ledger: %d", seq, seq)
	r, err := twoPipelines(dir, source, dir, source).runToEnd(t, func(r *runner.Runner) { r.Pipeline = "b" })
	require.NoError(t, err)
	outA, outB := r.Out[0], r.Out[1]
	_, err = os.Stat(outA)
	assert.True(t, os.IsNotExist(err), "pipeline a was not built")
	assert.Equal(t, want.lines(), countLines(t, outB))
}

// TestRunWithEndedContext stops at once and cleanly when ctx has already
// ended, as on a signal during start-up.
func TestRunWithEndedContext(t *testing.T) {
	dir := pubnetDatastore(t)
	seq := ledgers.PubnetSequence
	source := fmt.Sprintf("start_ledger: %d, retry_wait: 20ms", seq)
	r := newRunner(t, twoPipelines(dir, source, dir, source).config(t))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	assert.NoError(t, waitRun(t, startRun(ctx, r)))
}

// gate holds one pipeline until another has processed a ledger: Signal
// passes every message on and opens the gate after its first ledger
// message; Wait holds its first message until the gate is open.
type gate struct {
	open     chan struct{}
	signaled sync.Once
}

func newGate() *gate { return &gate{open: make(chan struct{})} }

// types returns the gate's two processor types, Signal and Wait.
func (g *gate) types() []registry.Entry {
	entry := func(name string, wait bool) registry.Entry {
		return registry.Entry{Type: name, Kind: registry.KindProcessor,
			Validate: func(map[string]interface{}) error { return nil },
			New: func(map[string]interface{}) (interface{}, error) {
				return &gateProcessor{gate: g, wait: wait}, nil
			}}
	}
	return []registry.Entry{entry("Signal", false), entry("Wait", true)}
}

type gateProcessor struct {
	gate *gate
	wait bool
	subs cdp.Subscribers
}

func (p *gateProcessor) Subscribe(next cdp.Processor) { p.subs.Subscribe(next) }

func (p *gateProcessor) Process(ctx context.Context, msg cdp.Message) error {
	if p.wait {
		select {
		case <-p.gate.open:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if err := p.subs.Send(ctx, msg); err != nil {
		return err
	}
	if _, ledger := msg.Payload.(xdr.LedgerCloseMeta); ledger && !p.wait {
		p.gate.signaled.Do(func() { close(p.gate.open) })
	}
	return nil
}
