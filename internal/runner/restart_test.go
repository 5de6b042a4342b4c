package runner_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stellar/go-stellar-sdk/xdr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/internal/testfixtures/controlplane"
	"github.com/cdpstats/cdpstats/internal/testfixtures/ledgers"
)

// syntheticLedger is a protocol 23 ledger with one payment and one
// contract event.
func syntheticLedger(seq uint32) xdr.LedgerCloseMeta {
	contract := ledgers.Contract(9)
	return ledgers.MustBuild(ledgers.LedgerSpec{
		Sequence:  seq,
		CloseTime: time.Unix(1_750_000_000+5*int64(seq), 0),
		Transactions: []ledgers.TxSpec{
			{Source: ledgers.Account(1), Operations: []ledgers.Op{
				ledgers.Payment(nil, ledgers.Account(2), ledgers.Native(), 10_000_000),
			}},
			{Source: ledgers.Account(3), Operations: []ledgers.Op{
				ledgers.InvokeContract(contract, "transfer",
					ledgers.Event(contract, xdr.ContractEventTypeContract, ledgers.I128(5), ledgers.Symbol("transfer"))),
			}},
		},
	})
}

// growingDatastore is a filesystem datastore that a test adds ledgers to
// while a pipeline reads it, as galexie does.
type growingDatastore struct {
	t    *testing.T
	dir  string
	next uint32
	want expected // of every ledger added so far
}

func newGrowingDatastore(t *testing.T, first uint32) *growingDatastore {
	dir := t.TempDir()
	require.NoError(t, ledgers.WriteDatastore(dir, ledgers.SyntheticPassphrase, ledgers.SingleLedgerFiles))
	return &growingDatastore{t: t, dir: dir, next: first}
}

// add appends n ledgers. Each file is written elsewhere and renamed into
// place, so that the reader never sees half a file.
func (d *growingDatastore) add(n int) {
	t := d.t
	staging := t.TempDir()
	var batch []xdr.LedgerCloseMeta
	for range n {
		lcm := syntheticLedger(d.next)
		d.next++
		batch = append(batch, lcm)
		e := expect(t, lcm, ledgers.SyntheticPassphrase)
		d.want.Add(e.Expected)
	}
	require.NoError(t, ledgers.WriteDatastore(staging, ledgers.SyntheticPassphrase, ledgers.SingleLedgerFiles, batch...))
	for _, lcm := range batch {
		key := filepath.FromSlash(ledgers.SingleLedgerFiles.ObjectKey(lcm.LedgerSequence()))
		dst := filepath.Join(d.dir, key)
		require.NoError(t, os.MkdirAll(filepath.Dir(dst), 0o755))
		require.NoError(t, os.Rename(filepath.Join(staging, key), dst))
	}
}

const ledgersKey = "source.BufferedStorageSourceAdapter.ledgers_processed"

// reported returns a condition: the pipeline's latest accepted heartbeat
// reports at least n ledgers read.
func reported(n int) func(controlplane.Snapshot) bool {
	return func(s controlplane.Snapshot) bool {
		hbs := s.AcceptedFor("e2e")
		return len(hbs) > 0 && hbs[len(hbs)-1].Metrics[ledgersKey] >= float64(n)
	}
}

// TestControlPlaneRestartMidRun stops the control plane while an unbounded
// pipeline runs and starts it again on the same port. Ledgers keep being
// written, and read, throughout; the pipeline registers again and its
// heartbeats resume; on cancel it drains cleanly.
func TestControlPlaneRestartMidRun(t *testing.T) {
	for _, api := range []controlplane.API{controlplane.Legacy, controlplane.V1} {
		t.Run(string(api), func(t *testing.T) {
			cp := startControlPlane(t)
			ds := newGrowingDatastore(t, 1000)
			ds.add(3)
			run := (&spec{
				Pipelines: []pipelineSpec{{Dir: ds.dir, Source: "start_ledger: 1000, end_ledger: 0, retry_wait: 20ms, buffer_size: 4, num_workers: 2"}},
				Flowctl:   cp.Addr(),
				API:       api,
			}).start(t, nil)
			out := run.Out[0]
			wait := waitCtx(t)

			snap, err := cp.WaitFor(wait, "3 ledgers reported", reported(3))
			require.NoError(t, err)
			atStopAll := snap.AcceptedFor("e2e")
			atStop := atStopAll[len(atStopAll)-1]

			cp.Stop()
			ds.add(3)
			waitUntil(t, "the ledgers written while the control plane is down to be processed", func() bool {
				return countLines(t, out) == ds.want.lines()
			})
			registered := len(e2eComponents) + 1
			require.Len(t, cp.Snapshot().Registrations, registered, "nothing reached the stopped control plane")

			require.NoError(t, cp.Restart())
			ds.add(3)
			_, err = cp.WaitFor(wait, "a new registration and 9 ledgers reported", func(s controlplane.Snapshot) bool {
				return len(s.Registrations) >= 2*registered && reported(9)(s)
			})
			require.NoError(t, err)

			require.NoError(t, run.stop(t), "a signal drains cleanly")
			require.Equal(t, ds.want.lines(), countLines(t, out))

			snap = cp.Snapshot()
			for i, reg := range snap.Registrations {
				if i%registered == 0 {
					assert.Equal(t, "e2e", reg.ServiceID, "the pipeline registers first")
				}
				assert.Equal(t, api, reg.API)
			}
			var notFound int
			for _, hb := range snap.Heartbeats {
				if !hb.Accepted {
					notFound++
				}
			}
			assert.Positive(t, notFound, "the restarted control plane answered \"not found\" before the new registration")

			final := finalHeartbeat(t, api, snap)
			assert.Greater(t, final.Metrics[ledgersKey], atStop.Metrics[ledgersKey], "heartbeats resumed with the ledgers read since")
			assertEveryStat(t, final.Metrics, e2eComponents)
			payments, events := float64(len(ds.want.Payments)), float64(len(ds.want.Events))
			assertValues(t, final.Metrics, map[string]float64{
				ledgersKey: 9,
				"source.BufferedStorageSourceAdapter.last_ledger": 1008,
				"source.BufferedStorageSourceAdapter.errors":      0,
				"processor.FilterPayments.payments_found":         payments,
				"processor.FilterPayments.payments_emitted":       payments,
				"processor.ContractEvent.ledgers_processed":       9,
				"processor.ContractEvent.events_found":            events,
				"processor.ContractEvent.events_emitted":          events,
				"consumer.SaveToJSONFile.messages_written":        payments + events,
				"consumer.SaveToJSONFile.bytes_written":           fileSize(t, out),
			})
		})
	}
}
