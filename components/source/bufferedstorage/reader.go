package bufferedstorage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/klauspost/compress/zstd"
	"github.com/stellar/go-stellar-sdk/support/datastore"
	"github.com/stellar/go-stellar-sdk/xdr"

	"github.com/cdpstats/cdpstats/components/cdp"
	"github.com/cdpstats/cdpstats/components/internal/ledgerx"
)

// readerConfig is what a reader needs of the source's config.
type readerConfig struct {
	start, end    uint32 // end 0: unbounded
	failOnMissing bool   // a missing file is an error, not a file to wait for
	downloaders   int    // files downloaded at once (num_workers)
	downloadAhead int    // downloaded files held ahead (buffer_size)
	decoders      int    // files decoded at once (decode_workers)
	// decodeAhead is how many files per decoder the reader holds decoded,
	// or being decoded, ahead of the file being processed (decode_ahead):
	// at most decodeAhead×decoders+1 files are in memory decoded,
	// whatever the range.
	decodeAhead int
	retryLimit  uint32
	retryWait   time.Duration
	passphrase  string // the network's, set on every ledger message
	// readTransactions has the decoders read each ledger's transactions
	// (read_transactions).
	readTransactions bool
}

// file is one datastore file on its way through a reader: downloaded,
// then decoded.
type file struct {
	start      uint32 // a ledger of the file, the first one in range
	key        string
	compressed []byte
	err        error
	downloaded chan struct{}
	decoded    chan struct{}
	// ledgers are the file's ledgers from start on, as messages.
	ledgers []cdp.Message
}

// reader reads the files of a ledger range ahead: downloaders download
// them (at most downloadAhead ahead), and a bounded pool of decoders
// decompresses and unmarshals them (and reads their transactions), at most
// decodeAhead files per decoder ahead. Files come out in ledger order
// whatever order they are decoded in.
type reader struct {
	cfg     readerConfig
	ds      datastore.DataStore
	schema  datastore.DataStoreSchema
	decoded chan *file // decoded in order, bounded
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	current *file
}

// newReader starts reading the files of cfg's range from ds until ctx
// ends or close is called.
func newReader(ctx context.Context, cfg readerConfig, ds datastore.DataStore, schema datastore.DataStoreSchema) *reader {
	ctx, cancel := context.WithCancel(ctx)
	r := &reader{cfg: cfg, ds: ds, schema: schema, cancel: cancel,
		decoded: make(chan *file, cfg.decoders*cfg.decodeAhead)}
	downloads := make(chan *file, cfg.downloadAhead) // in order
	toDownload := make(chan *file)
	toDecode := make(chan *file)
	r.wg.Add(2 + cfg.downloaders + cfg.decoders)
	go func() { defer r.wg.Done(); r.dispatch(ctx, downloads, toDownload) }()
	go func() { defer r.wg.Done(); r.sequence(ctx, downloads, toDecode) }()
	for range cfg.downloaders {
		go func() { defer r.wg.Done(); r.download(ctx, toDownload) }()
	}
	for range cfg.decoders {
		go func() { defer r.wg.Done(); r.decode(ctx, toDecode) }()
	}
	return r
}

// close stops the reader and waits for its goroutines.
func (r *reader) close() {
	r.cancel()
	r.wg.Wait()
}

// dispatch creates the files of the range in order, queueing each in
// downloads (which bounds the read-ahead) and handing it to a downloader.
func (r *reader) dispatch(ctx context.Context, downloads, toDownload chan<- *file) {
	defer close(downloads)
	seq := r.cfg.start
	for r.cfg.end == 0 || seq <= r.cfg.end {
		f := &file{start: seq, key: r.schema.GetObjectKeyFromSequenceNumber(seq),
			downloaded: make(chan struct{}), decoded: make(chan struct{})}
		for _, q := range []chan<- *file{downloads, toDownload} {
			select {
			case q <- f:
			case <-ctx.Done():
				return
			}
		}
		next := r.schema.GetSequenceNumberEndBoundary(seq) + 1
		if next <= seq { // the last file of the uint32 range
			return
		}
		seq = next
	}
}

// sequence hands downloaded files to the decoders in order, queueing each
// in r.decoded (which bounds the decoded read-ahead).
func (r *reader) sequence(ctx context.Context, downloads <-chan *file, toDecode chan<- *file) {
	defer close(r.decoded)
	for f := range downloads {
		select {
		case <-f.downloaded:
		case <-ctx.Done():
			return
		}
		for _, q := range []chan<- *file{r.decoded, toDecode} {
			select {
			case q <- f:
			case <-ctx.Done():
				return
			}
		}
	}
}

// download downloads files until ctx ends. A missing file is waited for
// (polled every retryWait) unless failOnMissing; other failures are
// retried retryLimit times.
func (r *reader) download(ctx context.Context, files <-chan *file) {
	for {
		var f *file
		select {
		case f = <-files:
		case <-ctx.Done():
			return
		}
		for attempt := uint32(0); ; {
			f.compressed, f.err = r.get(ctx, f.key)
			if f.err == nil || ctx.Err() != nil {
				break
			}
			if errors.Is(f.err, os.ErrNotExist) {
				if r.cfg.failOnMissing {
					break
				}
			} else if attempt == r.cfg.retryLimit {
				f.err = fmt.Errorf("after %d retries: %w", attempt, f.err)
				break
			} else {
				attempt++
			}
			if !sleep(ctx, r.cfg.retryWait) {
				break
			}
		}
		close(f.downloaded)
	}
}

// get reads one file whole.
func (r *reader) get(ctx context.Context, key string) ([]byte, error) {
	rc, size, err := r.ds.GetFile(ctx, key)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	if size > 0 && size < 1<<30 {
		buf := make([]byte, size)
		if _, err := io.ReadFull(rc, buf); err != nil {
			return nil, err
		}
		return buf, nil
	}
	return io.ReadAll(rc)
}

// decode decodes files until ctx ends, each with this decoder's zstd
// context and buffer.
func (r *reader) decode(ctx context.Context, files <-chan *file) {
	zd, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1))
	if err != nil {
		panic(err) // only for invalid options
	}
	defer zd.Close()
	var buf []byte
	for {
		var f *file
		select {
		case f = <-files:
		case <-ctx.Done():
			return
		}
		if f.err == nil {
			buf, f.err = r.unpack(f, zd, buf[:0])
		}
		f.compressed = nil
		close(f.decoded)
	}
}

// unpack decompresses f into buf and unmarshals its ledgers from f.start
// to the end of the range.
func (r *reader) unpack(f *file, zd *zstd.Decoder, buf []byte) ([]byte, error) {
	buf, err := zd.DecodeAll(f.compressed, buf)
	if err != nil {
		return buf, fmt.Errorf("decompressing: %w", err)
	}
	var batch xdr.LedgerCloseMetaBatch
	if err := xdr.SafeUnmarshal(buf, &batch); err != nil {
		return buf, fmt.Errorf("decoding LedgerCloseMetaBatch: %w", err)
	}
	first, last := uint32(batch.StartSequence), uint32(batch.EndSequence)
	if f.start < first || f.start > last || int(last-first)+1 != len(batch.LedgerCloseMetas) {
		return buf, fmt.Errorf("the file holds ledgers %d to %d (%d of them), not ledger %d", first, last, len(batch.LedgerCloseMetas), f.start)
	}
	if r.cfg.end != 0 {
		last = min(last, r.cfg.end)
	}
	// The batch's first ledger has its envelopes hashed from its bytes in
	// buf. A later one is not: reaching its bytes means walking every byte
	// of the ledgers before it (the view has no index), which on pubnet
	// costs more than hashing from the view saves (BenchmarkFillView).
	// No view outlives this call, so nothing keeps buf once it returns.
	var view xdr.LedgerCloseMetaView
	if r.cfg.readTransactions && f.start == first {
		view = firstLedgerView(buf)
	}
	f.ledgers = make([]cdp.Message, 0, last-f.start+1)
	for seq := f.start; seq <= last; seq++ {
		lcm := batch.LedgerCloseMetas[seq-first]
		msg := ledgerx.LedgerMessage(lcm, r.cfg.passphrase)
		if r.cfg.readTransactions {
			ledgerx.FillView(msg.Transactions, lcm, view, r.cfg.passphrase)
			view = nil // the view is of the batch's first ledger only
		}
		f.ledgers = append(f.ledgers, msg)
		if seq == ^uint32(0) {
			break
		}
	}
	return buf, nil
}

// firstLedgerView returns the view of the first LedgerCloseMeta of the
// LedgerCloseMetaBatch batch holds, or nil when the view cannot reach it.
func firstLedgerView(batch []byte) xdr.LedgerCloseMetaView {
	metas, err := xdr.LedgerCloseMetaBatchView(batch).LedgerCloseMetas()
	if err != nil {
		return nil
	}
	view, err := metas.At(0)
	if err != nil {
		return nil
	}
	return view
}

// errFileGone is returned for a ledger past the reader's range.
var errFileGone = errors.New("no file holds the ledger in the range read")

// next returns the message of ledger seq, the next one in order, waiting
// for it to be downloaded and decoded; the error names no ledger nor file
// (the caller does), and is ctx.Err() when ctx ends first.
func (r *reader) next(ctx context.Context, seq uint32) (cdp.Message, error) {
	for r.current == nil || seq >= r.current.start+uint32(len(r.current.ledgers)) {
		var f *file
		var ok bool
		select {
		case f, ok = <-r.decoded:
		case <-ctx.Done():
			return cdp.Message{}, ctx.Err()
		}
		if !ok { // the reader stopped: ctx ended, or the range did
			if err := ctx.Err(); err != nil {
				return cdp.Message{}, err
			}
			return cdp.Message{}, errFileGone
		}
		select {
		case <-f.decoded:
		case <-ctx.Done():
			return cdp.Message{}, ctx.Err()
		}
		r.current = nil // hold no ledger longer than needed
		if f.err != nil {
			return cdp.Message{}, f.err
		}
		r.current = f
	}
	i := seq - r.current.start
	msg := r.current.ledgers[i]
	r.current.ledgers[i] = cdp.Message{}
	return msg, nil
}

// sleep waits d, and reports false when ctx ends first.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
