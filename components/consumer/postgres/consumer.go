package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cdpstats/cdpstats/components/cdp"
	"github.com/cdpstats/cdpstats/components/internal/ledgerx"
	"github.com/cdpstats/cdpstats/components/processor/contractevent"
	"github.com/cdpstats/cdpstats/components/processor/filterpayments"
)

// SaveToPostgreSQL writes payments and contract events into PostgreSQL in
// batches. Process only buffers (and blocks while a full batch cannot be
// written); a message counts as written once its batch commits.
//
//cdp:component kind=consumer name=SaveToPostgreSQL
type SaveToPostgreSQL struct {
	cfg         Config
	secret      string
	pool        *pgxpool.Pool
	log         *slog.Logger
	subscribers cdp.Subscribers

	// Set by Start: the row of the checkpoints table this consumer owns,
	// and the checkpoint it held then.
	key        checkpointKey
	checkpoint uint32
	resumable  bool

	// mu guards pending and err. A batch being written has left pending;
	// if its write fails for good it goes back to the front.
	mu      sync.Mutex
	pending []entry
	rows    int   // rows in pending
	err     error // a permanent write failure, returned by Process from then on

	// flushing holds a token while a flush runs, so batches commit in
	// order; a channel rather than a mutex so that waiting for it can end
	// with the caller's context.
	flushing chan struct{}

	stop      context.CancelFunc // stops the interval flusher
	done      chan struct{}      // closed when the interval flusher has returned
	closeOnce sync.Once
	closeErr  error

	//cdp:stat counter name=rows_inserted   unit=rows    help="Rows committed that were new; a replayed row is not counted"
	//cdp:stat counter name=batches_written unit=batches help="Batches committed"
	//cdp:stat counter name=errors                       help="Messages that could not be stored, and failed writes and flushes"
	//cdp:stat counter name=retries                      help="Write attempts retried after a failure that may pass"
	//cdp:stat latency name=write_latency                help="Time to write and commit one batch"
	//cdp:stat gauge   name=open_connections func=openConnections unit=connections help="Connections in the pool"
	//cdp:stat gauge   name=last_committed_ledger        help="Last ledger all of whose rows are committed: where to resume after a crash"
	stats saveToPostgreSQLStats
}

// entry is one pending message: a row, or a message to pass on (a ledger
// marker) once everything before it has committed.
type entry struct {
	payment []interface{}
	event   []interface{}
	msg     cdp.Message
	ledger  uint32 // for a ledger marker
}

// isRow reports whether e is a row rather than a ledger marker.
func (e *entry) isRow() bool { return e.payment != nil || e.event != nil }

// New returns the consumer for a config map. It only checks the config:
// Start connects and creates the tables.
func New(raw map[string]interface{}) (*SaveToPostgreSQL, error) {
	cfg, err := ParseConfig(raw)
	if err != nil {
		return nil, err
	}
	return &SaveToPostgreSQL{
		cfg:      cfg,
		secret:   cfg.secret(),
		log:      cdp.Env{}.Log(),
		flushing: make(chan struct{}, 1),
	}, nil
}

// Start connects to the database, applies the migrations, reads the
// consumer's checkpoint (unless env.FromScratch) and starts the interval
// flusher. It fails, without a password in the error, when the database
// cannot be reached within connect_timeout or ctx ends first.
func (c *SaveToPostgreSQL) Start(ctx context.Context, env cdp.Env) error {
	c.log = env.Log()
	if c.pool != nil {
		return errors.New("SaveToPostgreSQL: started twice")
	}
	pc, err := c.cfg.poolConfig()
	if err != nil {
		return c.redact(err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return c.redact(fmt.Errorf("creating connection pool: %w", err))
	}
	mctx, cancel := context.WithTimeout(ctx, c.cfg.ConnectTimeout)
	defer cancel()
	if err := migrate(mctx, pool); err != nil {
		pool.Close()
		return c.redact(fmt.Errorf("creating tables: %w", err))
	}
	c.key = checkpointKey{pipeline: env.Pipeline, shard: env.Shard, consumer: env.ID}
	if !env.FromScratch {
		if err := c.readCheckpoint(mctx, pool); err != nil {
			pool.Close()
			return c.redact(fmt.Errorf("reading the checkpoint: %w", err))
		}
	}
	c.pool = pool
	bg, stop := context.WithCancel(context.Background())
	c.stop, c.done = stop, make(chan struct{})
	go c.flushEvery(bg)
	return nil
}

// readCheckpoint reads the consumer's row of the checkpoints table.
func (c *SaveToPostgreSQL) readCheckpoint(ctx context.Context, pool *pgxpool.Pool) error {
	var last int64
	err := pool.QueryRow(ctx, checkpointSelect, c.key.pipeline, c.key.shard, c.key.consumer).Scan(&last)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return nil
	case err != nil:
		return err
	}
	c.checkpoint, c.resumable = uint32(last), true
	c.stats.SetLastCommittedLedger(last)
	return nil
}

// Checkpoint returns the last ledger all of whose rows an earlier run of
// this consumer (same pipeline, shard and id) committed, as Start read it
// (cdp.Checkpointer). Ledgers replayed after a restart add no rows: every
// table has a natural key.
func (c *SaveToPostgreSQL) Checkpoint() (uint32, bool) { return c.checkpoint, c.resumable }

// Subscribe adds a processor that receives each message once the batch
// holding it has committed.
func (c *SaveToPostgreSQL) Subscribe(p cdp.Processor) { c.subscribers.Subscribe(p) }

// Process buffers a payment or contract event, and writes the batch when
// it is full. Ledger messages mark the end of a ledger. Any other payload
// is an error.
func (c *SaveToPostgreSQL) Process(ctx context.Context, msg cdp.Message) error {
	if c.pool == nil {
		return errors.New("SaveToPostgreSQL used before Start")
	}
	e, err := c.entryFor(msg)
	if err != nil {
		c.stats.RecordErrors()
		return err
	}
	c.mu.Lock()
	if c.err != nil {
		err := c.err
		c.mu.Unlock()
		return err
	}
	c.pending = append(c.pending, e)
	if e.isRow() {
		c.rows++
	}
	full := c.rows >= c.cfg.BatchSize
	c.mu.Unlock()
	if full {
		return c.flush(ctx, false)
	}
	return nil
}

// entryFor converts a message to a pending entry.
func (c *SaveToPostgreSQL) entryFor(msg cdp.Message) (entry, error) {
	e := entry{msg: msg}
	var err error
	switch p := msg.Payload.(type) {
	case filterpayments.Payment:
		e.payment, err = paymentRow(&p)
	case *filterpayments.Payment:
		e.payment, err = paymentRow(p)
	case contractevent.Event:
		e.event, err = eventRow(&p)
	case *contractevent.Event:
		e.event, err = eventRow(p)
	default:
		lcm, ok := ledgerx.Ledger(msg)
		if !ok {
			return e, fmt.Errorf("SaveToPostgreSQL stores payments (FilterPayments) and contract events (ContractEvent), not %T", msg.Payload)
		}
		e.ledger = lcm.LedgerSequence()
		if c.subscribers.Len() == 0 {
			e.msg = cdp.Message{} // nobody to pass it to; do not hold the ledger
		}
	}
	return e, err
}

// flush writes pending rows in batches of at most batch_size: all of them
// when all is true, else while a full batch is pending. It retries while
// the database is away, until ctx ends.
func (c *SaveToPostgreSQL) flush(ctx context.Context, all bool) error {
	select {
	case c.flushing <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-c.flushing }()
	for {
		entries, b := c.take(all)
		if entries == nil {
			return nil
		}
		if err := c.write(ctx, b); err != nil {
			c.putBack(entries, b.rows())
			if !retryable(err) && ctx.Err() == nil {
				c.fail(err)
			}
			return err
		}
		if err := c.acknowledge(ctx, entries); err != nil {
			c.fail(err)
			return err
		}
	}
}

// take removes the next batch from pending: entries up to and including
// the batch_size-th row, and any ledger markers after it. It returns nil
// when there is nothing to write (or, unless all, no full batch).
func (c *SaveToPostgreSQL) take(all bool) ([]entry, *batch) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.pending) == 0 || !all && c.rows < c.cfg.BatchSize {
		return nil, nil
	}
	b := &batch{}
	n := 0
	for n < len(c.pending) {
		e := &c.pending[n]
		if e.isRow() {
			if b.rows() == c.cfg.BatchSize {
				break
			}
			if e.payment != nil {
				b.payments = append(b.payments, e.payment)
			} else {
				b.events = append(b.events, e.event)
			}
		} else {
			b.ledger = e.ledger
		}
		n++
	}
	entries := c.pending[:n:n]
	c.pending = append([]entry(nil), c.pending[n:]...)
	c.rows -= b.rows()
	return entries, b
}

// putBack returns a batch that was not written to the front of pending.
func (c *SaveToPostgreSQL) putBack(entries []entry, rows int) {
	c.mu.Lock()
	c.pending = append(entries, c.pending...)
	c.rows += rows
	c.mu.Unlock()
}

func (c *SaveToPostgreSQL) fail(err error) {
	c.mu.Lock()
	if c.err == nil {
		c.err = err
	}
	c.mu.Unlock()
}

// write writes one batch, and the checkpoint when it ends a ledger,
// retrying with backoff while the failure is one that may pass. Each
// attempt ends at write_timeout; a timed-out attempt is retried while ctx
// is live.
func (c *SaveToPostgreSQL) write(ctx context.Context, b *batch) error {
	if b.rows() == 0 && b.ledger == 0 {
		return nil
	}
	wait := newBackoff(c.cfg.MaxRetryWait)
	for attempt := 1; ; attempt++ {
		written := c.stats.StartWriteLatency()
		inserted, err := c.attempt(ctx, b)
		if err == nil {
			written.Stop()
			c.stats.AddRowsInserted(uint64(inserted))
			if b.rows() > 0 {
				c.stats.RecordBatchesWritten()
			}
			if attempt > 1 {
				c.log.Info("database is back; batch written", "rows", b.rows(), "attempts", attempt)
			}
			return nil
		}
		err = c.redact(err)
		if ctx.Err() != nil {
			// The run was stopped: not a failure of the database, so not
			// an error, and no reason to try again.
			return fmt.Errorf("SaveToPostgreSQL: %w", err)
		}
		c.stats.RecordErrors()
		if !retryable(err) {
			return fmt.Errorf("SaveToPostgreSQL: %w", err)
		}
		c.stats.RecordRetries()
		c.log.Warn("writing batch failed; retrying", "rows", b.rows(), "attempt", attempt, "error", err.Error())
		if werr := wait.wait(ctx); werr != nil {
			return fmt.Errorf("SaveToPostgreSQL: gave up on a batch of %d rows: %w (last error: %v)", b.rows(), werr, err)
		}
	}
}

// attempt writes b once, within write_timeout. It says so when that is
// what ended the attempt, so that the retry's WARN names the key.
func (c *SaveToPostgreSQL) attempt(ctx context.Context, b *batch) (int64, error) {
	actx, cancel := context.WithTimeout(ctx, c.cfg.WriteTimeout)
	defer cancel()
	inserted, err := writeBatch(actx, c.pool, b, c.key)
	if err != nil && ctx.Err() == nil && errors.Is(actx.Err(), context.DeadlineExceeded) {
		err = fmt.Errorf("no answer within write_timeout %s: %w", c.cfg.WriteTimeout, err)
	}
	return inserted, err
}

// acknowledge passes the committed messages on and records the last ledger
// whose rows are all committed.
func (c *SaveToPostgreSQL) acknowledge(ctx context.Context, entries []entry) error {
	for _, e := range entries {
		if !e.isRow() {
			c.stats.SetLastCommittedLedger(int64(e.ledger))
			if e.msg.Payload == nil {
				continue
			}
		}
		if err := c.subscribers.Send(ctx, e.msg); err != nil {
			return err
		}
	}
	return nil
}

// flushEvery writes whatever is pending every flush_interval until ctx
// ends.
func (c *SaveToPostgreSQL) flushEvery(ctx context.Context) {
	defer close(c.done)
	t := time.NewTicker(c.cfg.FlushInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := c.flush(ctx, true); err != nil && ctx.Err() == nil {
				c.log.Error("interval flush failed", "error", err.Error())
			}
		}
	}
}

// Close writes every pending row, retrying for up to close_timeout while
// the database is away (each attempt within write_timeout), then closes
// the pool; it returns within close_timeout. It returns an error, saying
// how many rows were not written, when they could not be.
func (c *SaveToPostgreSQL) Close() error {
	c.closeOnce.Do(func() {
		if c.pool == nil {
			return // never started: nothing to write or release
		}
		c.stop()
		<-c.done
		ctx, cancel := context.WithTimeout(context.Background(), c.cfg.CloseTimeout)
		defer cancel()
		err := c.flush(ctx, true)
		c.mu.Lock()
		if err == nil {
			err = c.err
		}
		left := c.rows
		c.mu.Unlock()
		if err != nil {
			within := ""
			if ctx.Err() != nil {
				within = fmt.Sprintf(" within close_timeout %s", c.cfg.CloseTimeout)
			}
			c.closeErr = fmt.Errorf("closing with %d rows not written%s: %w", left, within, err)
		}
		c.closePool(ctx)
	})
	return c.closeErr
}

// closePool closes the pool, waiting until ctx ends at most. A connection
// that a timed-out attempt broke is closed by pgx in the background,
// which first sends the server a cancel request and waits up to 15s for
// it; behind a black hole that wait would outlast close_timeout, so the
// pool is then left to finish closing on its own.
func (c *SaveToPostgreSQL) closePool(ctx context.Context) {
	closed := make(chan struct{})
	go func() {
		defer close(closed)
		c.pool.Close()
	}()
	select {
	case <-closed:
	case <-ctx.Done():
		select {
		case <-closed:
		default:
			c.log.Debug("the connection pool is still closing at close_timeout; left to finish in the background",
				"close_timeout", c.cfg.CloseTimeout.String())
		}
	}
}

// redact scrubs the password from err.
func (c *SaveToPostgreSQL) redact(err error) error {
	if _, done := err.(*redactedError); done || err == nil {
		return err
	}
	return redact(err, c.secret)
}

// openConnections is the number of connections in the pool.
func (c *SaveToPostgreSQL) openConnections() int64 {
	if c.pool == nil {
		return 0
	}
	return int64(c.pool.Stat().TotalConns())
}

var _ cdp.Checkpointer = (*SaveToPostgreSQL)(nil)
