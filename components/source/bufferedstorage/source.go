package bufferedstorage

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"

	"github.com/stellar/go-stellar-sdk/support/datastore"

	"github.com/cdpstats/cdpstats/components/cdp"
	"github.com/cdpstats/cdpstats/components/config"
)

// BufferedStorageSourceAdapter reads ledgers from a galexie datastore and
// emits one message per ledger, in order, with an xdr.LedgerCloseMeta
// payload, its sequence and its network passphrase.
//
//cdp:component kind=source name=BufferedStorageSourceAdapter
type BufferedStorageSourceAdapter struct {
	cfg         Config
	subscribers cdp.Subscribers

	// opened is the datastore Start opened, for Run to take; nil before
	// Start and once Run has taken it.
	opened   *openedStore
	progress progress
	log      *slog.Logger
	// resumeAfter is the ledger ResumeAfter named, when resuming.
	resumeAfter uint32
	resuming    bool

	//cdp:stat counter   name=ledgers_processed unit=ledgers help="Ledgers read and accepted by the subscribers"
	//cdp:stat counter   name=bytes_read        unit=bytes   help="Bytes read from datastore files, compressed as stored, read-ahead included"
	//cdp:stat counter   name=errors                         help="Failures to open the datastore or to read a ledger"
	//cdp:stat gauge     name=last_ledger                    help="Sequence of the last ledger emitted"
	//cdp:stat timestamp name=last_processed_at              help="When the last ledger was emitted"
	//cdp:stat gauge     name=buffer_size field=cfg.BufferSize unit=files help="Files the source downloads ahead (buffer_size)"
	//cdp:stat gauge     name=num_workers field=cfg.NumWorkers            help="Files the source downloads at once (num_workers)"
	//cdp:stat latency   name=fetch_latency                  help="Time waiting for the next ledger from the read-ahead, download and decoding waited for included"
	//cdp:stat gauge     name=waiting_for_ledger             help="Ledger the source has waited for at least retry_wait; 0 while it is not waiting"
	//cdp:stat timestamp name=waiting_since                  help="Since when the source waits for waiting_for_ledger"
	//cdp:stat gauge     name=waiting_for_gap                help="1 while the ledger waited for is missing although later ledgers exist"
	//cdp:stat counter   name=gaps                           help="Ledgers found missing while later ledgers exist"
	//cdp:stat gauge     name=stalled                        help="1 while the source has waited for one ledger longer than stall_timeout"
	stats bufferedStorageSourceAdapterStats
}

// New returns a source for a config map (see [Config] for the keys).
func New(raw map[string]interface{}) (*BufferedStorageSourceAdapter, error) {
	cfg, err := ParseConfig(raw)
	if err != nil {
		return nil, err
	}
	return newSource(cfg), nil
}

func newSource(cfg Config) *BufferedStorageSourceAdapter {
	return &BufferedStorageSourceAdapter{cfg: cfg, log: cdp.Env{}.Log()}
}

// openedStore is a datastore opened and checked against the config.
type openedStore struct {
	ds         datastore.DataStore
	schema     datastore.DataStoreSchema
	passphrase string
}

// Start opens the datastore and checks its manifest against the config
// (layout and network), so that a datastore that cannot be read fails the
// run before anything else starts. Run opens it itself when Start was not
// called.
func (s *BufferedStorageSourceAdapter) Start(ctx context.Context, env cdp.Env) error {
	s.log = env.Log()
	if s.opened != nil {
		return errors.New("BufferedStorageSourceAdapter: started twice")
	}
	ds, schema, passphrase, err := s.open(ctx)
	if err != nil {
		if ctx.Err() == nil { // a signal while starting is not an error
			s.stats.RecordErrors()
		}
		return err
	}
	s.opened = &openedStore{ds: ds, schema: schema, passphrase: passphrase}
	return nil
}

// Close releases the datastore that Start opened when Run did not take
// it. Run releases it itself.
func (s *BufferedStorageSourceAdapter) Close() error {
	if s.opened == nil {
		return nil
	}
	err := s.opened.ds.Close()
	s.opened = nil
	return err
}

// ResumeAfter makes Run start at ledger+1 rather than at start_ledger,
// unless start_ledger is later (cdp.Resumer). Past end_ledger, Run has
// nothing to do.
func (s *BufferedStorageSourceAdapter) ResumeAfter(ledger uint32) {
	s.resumeAfter, s.resuming = ledger, true
}

// first returns the first ledger Run emits, and false when none is left
// to emit.
func (s *BufferedStorageSourceAdapter) first() (uint32, bool) {
	if !s.resuming || s.resumeAfter < s.cfg.StartLedger {
		return s.cfg.StartLedger, true
	}
	if s.resumeAfter == ^uint32(0) || s.cfg.bounded() && s.resumeAfter >= s.cfg.EndLedger {
		return 0, false
	}
	return s.resumeAfter + 1, true
}

// Subscribe adds a processor that receives every ledger.
func (s *BufferedStorageSourceAdapter) Subscribe(p cdp.Processor) { s.subscribers.Subscribe(p) }

// Run emits the configured range of ledgers. It returns nil after
// end_ledger, ctx.Err() when ctx ends first, and otherwise the first error
// reading a ledger or from a subscriber.
func (s *BufferedStorageSourceAdapter) Run(ctx context.Context) error {
	if s.opened == nil {
		if err := s.Start(ctx, cdp.Env{}); err != nil {
			return err
		}
	}
	ds, schema, passphrase := s.opened.ds, s.opened.schema, s.opened.passphrase
	s.opened = nil
	defer ds.Close()
	start, ok := s.first()
	if !ok {
		s.log.Info("nothing to do: the range is done", "end_ledger", s.cfg.EndLedger)
		return nil
	}

	// The watcher reports waits and gaps; under on_gap: fail it ends
	// fetchCtx with the gap as the cause.
	fetchCtx, stopFetch := context.WithCancelCause(ctx)
	var watcher sync.WaitGroup
	watcher.Add(1)
	go func() {
		defer watcher.Done()
		s.watch(fetchCtx, ds, schema, stopFetch)
	}()
	defer watcher.Wait()
	defer stopFetch(nil) // runs before the Wait above

	// Under on_gap: wait a missing file is waited for even in a bounded
	// range; the watcher reports the gap.
	files := newReader(fetchCtx, readerConfig{
		start:            start,
		end:              s.cfg.EndLedger,
		failOnMissing:    s.cfg.bounded() && s.cfg.onGap() == OnGapFail,
		downloaders:      int(s.cfg.NumWorkers),
		downloadAhead:    int(s.cfg.BufferSize),
		decoders:         s.cfg.decodeWorkers(),
		decodeAhead:      int(s.cfg.DecodeAhead),
		retryLimit:       s.cfg.RetryLimit,
		retryWait:        s.cfg.RetryWait,
		passphrase:       passphrase,
		readTransactions: s.cfg.ReadTransactions,
	}, ds, schema)
	defer files.close() // runs before stopFetch: the reader's goroutines end first

	for seq := start; !s.cfg.bounded() || seq <= s.cfg.EndLedger; seq++ {
		fetched := s.stats.StartFetchLatency()
		s.progress.begin(seq)
		msg, err := files.next(fetchCtx, seq)
		s.progress.end()
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			s.stats.RecordErrors()
			if cause := context.Cause(fetchCtx); fetchCtx.Err() != nil && cause != nil {
				return cause
			}
			if errors.Is(err, os.ErrNotExist) && s.cfg.bounded() {
				if missing, file := missingFile(ctx, ds, schema, seq, s.cfg.EndLedger); missing != 0 {
					return fmt.Errorf("ledger %d (file %s) is missing from datastore %s: %w", missing, file, s.cfg.location(), err)
				}
			}
			return fmt.Errorf("reading ledger %d (file %s) from datastore %s: %w", seq, schema.GetObjectKeyFromSequenceNumber(seq), s.cfg.location(), err)
		}
		fetched.Stop()
		if err := s.subscribers.Send(ctx, msg); err != nil {
			return fmt.Errorf("ledger %d: %w", seq, err)
		}
		s.stats.RecordLedgersProcessed()
		s.stats.SetLastLedger(int64(seq))
		s.stats.MarkLastProcessedAt()
		if seq == ^uint32(0) {
			break
		}
	}
	return nil
}

// open opens the datastore and reads its layout and network from the
// manifest, checking them against the config.
func (s *BufferedStorageSourceAdapter) open(ctx context.Context) (datastore.DataStore, datastore.DataStoreSchema, string, error) {
	var none datastore.DataStoreSchema
	passphrase := s.cfg.passphrase
	raw, err := datastore.NewDataStore(ctx, s.cfg.datastoreConfig(passphrase))
	if err != nil {
		return nil, none, "", fmt.Errorf("opening %s datastore %s: %w", s.cfg.DatastoreType, s.cfg.location(), err)
	}
	manifest, err := readManifest(ctx, raw)
	if err != nil {
		raw.Close()
		return nil, none, "", fmt.Errorf("datastore %s: %w", s.cfg.location(), err)
	}
	if passphrase != "" && manifest != nil && manifest.NetworkPassphrase != "" && manifest.NetworkPassphrase != passphrase {
		raw.Close()
		return nil, none, "", config.Errorf("network", "%q does not match the networkPassphrase %q of the datastore manifest (%s/%s)",
			passphrase, manifest.NetworkPassphrase, s.cfg.location(), manifestFile)
	}
	if passphrase == "" {
		if manifest == nil || manifest.NetworkPassphrase == "" {
			raw.Close()
			return nil, none, "", fmt.Errorf("datastore %s has no manifest naming its network: set the network key", s.cfg.location())
		}
		passphrase = manifest.NetworkPassphrase
	}
	if manifest == nil && s.cfg.LedgersPerFile == 0 {
		raw.Close()
		return nil, none, "", fmt.Errorf("datastore %s has no manifest (%s): set ledgers_per_file and files_per_partition", s.cfg.location(), manifestFile)
	}
	schema, err := datastore.LoadSchema(ctx, raw, s.cfg.datastoreConfig(passphrase))
	if err != nil {
		raw.Close()
		return nil, none, "", fmt.Errorf("datastore %s: %w", s.cfg.location(), err)
	}
	return countingStore{DataStore: raw, add: s.stats.AddBytesRead}, schema, passphrase, nil
}

var _ cdp.Resumer = (*BufferedStorageSourceAdapter)(nil)
