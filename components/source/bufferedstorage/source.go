package bufferedstorage

import (
	"context"
	"fmt"

	"github.com/stellar/go-stellar-sdk/ingest/ledgerbackend"
	"github.com/stellar/go-stellar-sdk/support/datastore"

	"github.com/cdpstats/cdpstats/components/cdp"
	"github.com/cdpstats/cdpstats/components/internal/ledgerx"
)

// BufferedStorageSourceAdapter reads ledgers from a galexie datastore and
// emits one message per ledger, in order, with an xdr.LedgerCloseMeta
// payload and the network passphrase in its metadata.
//
//cdp:component kind=source name=BufferedStorageSourceAdapter
type BufferedStorageSourceAdapter struct {
	cfg         Config
	subscribers cdp.Subscribers

	//cdp:stat counter   name=ledgers_processed unit=ledgers help="Ledgers read and accepted by the subscribers"
	//cdp:stat counter   name=bytes_read        unit=bytes   help="Bytes read from datastore files, compressed as stored, read-ahead included"
	//cdp:stat counter   name=errors                         help="Failures to open the datastore or to read a ledger"
	//cdp:stat gauge     name=last_ledger                    help="Sequence of the last ledger emitted"
	//cdp:stat timestamp name=last_processed_at              help="When the last ledger was emitted"
	//cdp:stat gauge     name=buffer_size field=cfg.BufferSize unit=files help="Files the backend reads ahead (buffer_size)"
	//cdp:stat gauge     name=num_workers field=cfg.NumWorkers            help="Files the backend downloads at once (num_workers)"
	//cdp:stat latency   name=fetch_latency                  help="Time to get one ledger from the backend, decoding included"
	stats bufferedStorageSourceAdapterStats
}

// New returns a source for a config map (see [Config] for the keys).
func New(raw map[string]interface{}) (*BufferedStorageSourceAdapter, error) {
	cfg, err := ParseConfig(raw)
	if err != nil {
		return nil, err
	}
	return &BufferedStorageSourceAdapter{cfg: cfg}, nil
}

// Subscribe adds a processor that receives every ledger.
func (s *BufferedStorageSourceAdapter) Subscribe(p cdp.Processor) { s.subscribers.Subscribe(p) }

// Run emits the configured range of ledgers. It returns nil after
// end_ledger, ctx.Err() when ctx ends first, and otherwise the first error
// reading a ledger or from a subscriber.
func (s *BufferedStorageSourceAdapter) Run(ctx context.Context) error {
	ds, schema, passphrase, err := s.open(ctx)
	if err != nil {
		s.stats.RecordErrors()
		return err
	}
	defer ds.Close()

	backend, err := ledgerbackend.NewBufferedStorageBackend(ledgerbackend.BufferedStorageBackendConfig{
		BufferSize: s.cfg.BufferSize,
		NumWorkers: s.cfg.NumWorkers,
		RetryLimit: s.cfg.RetryLimit,
		RetryWait:  s.cfg.RetryWait,
	}, ds, schema)
	if err != nil {
		s.stats.RecordErrors()
		return fmt.Errorf("buffered storage backend: %w", err)
	}
	defer backend.Close()

	ledgerRange := ledgerbackend.UnboundedRange(s.cfg.StartLedger)
	if s.cfg.bounded() {
		ledgerRange = ledgerbackend.BoundedRange(s.cfg.StartLedger, s.cfg.EndLedger)
	}
	if err := backend.PrepareRange(ctx, ledgerRange); err != nil {
		s.stats.RecordErrors()
		return fmt.Errorf("preparing ledgers %v from %s: %w", ledgerRange, s.cfg.location(), err)
	}

	for seq := s.cfg.StartLedger; !s.cfg.bounded() || seq <= s.cfg.EndLedger; seq++ {
		fetched := s.stats.TimeFetchLatency()
		lcm, err := backend.GetLedger(ctx, seq)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			s.stats.RecordErrors()
			return fmt.Errorf("reading ledger %d (file %s) from datastore %s: %w", seq, schema.GetObjectKeyFromSequenceNumber(seq), s.cfg.location(), err)
		}
		fetched()
		if err := s.subscribers.Send(ctx, ledgerx.LedgerMessage(lcm, passphrase)); err != nil {
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
