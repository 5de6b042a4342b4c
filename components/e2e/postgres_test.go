package e2e

import (
	"bytes"
	"context"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stellar/go-stellar-sdk/xdr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/components/cdp"
	"github.com/cdpstats/cdpstats/components/config"
	"github.com/cdpstats/cdpstats/components/consumer/postgres"
	"github.com/cdpstats/cdpstats/components/processor/contractevent"
	"github.com/cdpstats/cdpstats/components/processor/filterpayments"
	"github.com/cdpstats/cdpstats/components/source/bufferedstorage"
	"github.com/cdpstats/cdpstats/internal/testfixtures/ledgers"
	"github.com/cdpstats/cdpstats/internal/testfixtures/pgtest"
)

// password is given to every consumer; the servers trust every local
// connection, so it is never checked, but it must never be printed.
const password = "hunter2-Sup3r-s3cret"

func pgConfig(s *pgtest.Server, db string, extra ...interface{}) map[string]interface{} {
	cfg := map[string]interface{}{
		"host": s.Host(), "port": s.Port(), "database": db, "user": pgtest.User,
		"password": password, "sslmode": "disable",
		"flush_interval": "1h", "max_retry_wait": "200ms", "connect_timeout": "5s",
	}
	for i := 0; i+1 < len(extra); i += 2 {
		cfg[extra[i].(string)] = extra[i+1]
	}
	return cfg
}

func connect(t testing.TB, s *pgtest.Server, db string) *pgx.Conn {
	t.Helper()
	ctx := testContext(t)
	conn, err := pgx.Connect(ctx, s.DSN(db))
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func count(t testing.TB, conn *pgx.Conn, query string, args ...interface{}) int {
	t.Helper()
	var n int
	require.NoError(t, conn.QueryRow(testContext(t), query, args...).Scan(&n))
	return n
}

// logCapture is a buffer of text logs and the cdp.Env whose logger
// writes them, for a component under test.
type logCapture struct {
	*syncBuffer
	Env cdp.Env
}

// captureLogs returns an Env whose logger writes to a buffer, at every
// level.
func captureLogs(t testing.TB) *logCapture {
	t.Helper()
	buf := &syncBuffer{}
	return &logCapture{syncBuffer: buf, Env: cdp.Env{
		Logger: slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}}
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startPostgres builds a SaveToPostgreSQL and starts it in env.
func startPostgres(t testing.TB, cfg map[string]interface{}, env cdp.Env) *postgres.SaveToPostgreSQL {
	t.Helper()
	c, err := postgres.New(cfg)
	require.NoError(t, err)
	require.NoError(t, c.Start(testContext(t), env))
	return c
}

// feed sends ledgers through FilterPayments and ContractEvent into c.
func feed(t testing.TB, c cdp.Processor, passphrase string, lcms ...xdr.LedgerCloseMeta) {
	t.Helper()
	fp, err := filterpayments.New(nil)
	require.NoError(t, err)
	ce, err := contractevent.New(nil)
	require.NoError(t, err)
	fp.Subscribe(ce)
	ce.Subscribe(c)
	for _, l := range lcms {
		require.NoError(t, fp.Process(testContext(t), ledgerMessage(l, passphrase)))
	}
}

func TestPostgresWritesLedger(t *testing.T) {
	logs := captureLogs(t)
	s := pgtest.Shared(t)
	db := s.CreateDatabase(t)
	lcm := ledgers.MustPubnet(t)
	want := walk(t, lcm, ledgers.PubnetPassphrase)

	c := startPostgres(t, pgConfig(s, db, "batch_size", 50), logs.Env)
	feed(t, c, ledgers.PubnetPassphrase, lcm)
	require.NoError(t, c.Close())

	conn := connect(t, s, db)
	rows, err := conn.Query(testContext(t), `SELECT transaction_hash, operation_index, operation_type, to_address, asset, amount::text FROM payments`)
	require.NoError(t, err)
	var got []wantPayment
	for rows.Next() {
		var p wantPayment
		require.NoError(t, rows.Scan(&p.Hash, &p.OpIndex, &p.Type, &p.To, &p.Asset, &p.Amount))
		got = append(got, p)
	}
	require.NoError(t, rows.Err())
	sortPayments(got)
	sortPayments(want.Payments)
	assert.Equal(t, want.Payments, got, "every payment, with its exact amount as numeric")

	assert.Equal(t, len(want.Events), count(t, conn, `SELECT count(*) FROM contract_events`))
	assert.Equal(t, len(want.Events), count(t, conn, `SELECT count(*) FROM contract_events WHERE jsonb_typeof(topics) = 'array' AND cardinality(topics_xdr) = jsonb_array_length(topics)`))
	assert.Equal(t, len(postgres.Migrations), count(t, conn, `SELECT count(*) FROM cdp_schema_migrations`))
	for _, idx := range []string{"payments_ledger_sequence_idx", "contract_events_ledger_sequence_idx", "contract_events_contract_id_idx"} {
		assert.Equal(t, 1, count(t, conn, `SELECT count(*) FROM pg_indexes WHERE indexname = $1`, idx), idx)
	}

	total := len(want.Payments) + len(want.Events)
	if statsOn(t) {
		assert.Equal(t, float64(total), stat(t, c, "rows_inserted"))
		assert.Equal(t, float64((total+49)/50), stat(t, c, "batches_written"), "batches of at most batch_size rows")
		assert.Equal(t, float64(lcm.LedgerSequence()), stat(t, c, "last_committed_ledger"))
		assert.Equal(t, float64(0), stat(t, c, "errors"))
	}
	assert.NotContains(t, logs.String(), password)

	// Replaying the ledger into a second consumer (which migrates again)
	// adds nothing.
	again := startPostgres(t, pgConfig(s, db), logs.Env)
	feed(t, again, ledgers.PubnetPassphrase, lcm)
	require.NoError(t, again.Close())
	if statsOn(t) {
		assert.Equal(t, float64(0), stat(t, again, "rows_inserted"))
		assert.Equal(t, float64(1), stat(t, again, "batches_written"))
	}
	assert.Equal(t, len(want.Payments), count(t, conn, `SELECT count(*) FROM payments`))
	assert.Equal(t, len(want.Events), count(t, conn, `SELECT count(*) FROM contract_events`))
	assert.Equal(t, len(postgres.Migrations), count(t, conn, `SELECT count(*) FROM cdp_schema_migrations`))
}

func TestPostgresSyntheticValues(t *testing.T) {
	s := pgtest.Shared(t)
	db := s.CreateDatabase(t)
	c := startPostgres(t, pgConfig(s, db, "dsn", nil), cdp.Env{})
	feed(t, c, ledgers.SyntheticPassphrase, buildScenario(t, 1000, 4))
	require.NoError(t, c.Close())

	conn := connect(t, s, db)
	var amount, sourceAmount, sourceAsset string
	require.NoError(t, conn.QueryRow(testContext(t),
		`SELECT amount::text, source_amount::text, source_asset FROM payments WHERE operation_type = 'path_payment_strict_send'`).
		Scan(&amount, &sourceAmount, &sourceAsset))
	assert.Equal(t, []string{"3.3333333", "100.0000000", "native"}, []string{amount, sourceAmount, sourceAsset})
	assert.Equal(t, 2, count(t, conn, `SELECT count(*) FROM payments WHERE source_amount IS NULL`))
	assert.Equal(t, 1, count(t, conn, `SELECT count(*) FROM payments WHERE to_address LIKE 'M%'`))

	var memo, mintAmount string
	require.NoError(t, conn.QueryRow(testContext(t),
		`SELECT data->>'memo', data->>'amount' FROM contract_events WHERE topics->>0 = 'mint'`).Scan(&memo, &mintAmount))
	assert.Equal(t, "hi", memo)
	assert.Equal(t, "-5", mintAmount)
	assert.Equal(t, 1, count(t, conn, `SELECT count(*) FROM contract_events WHERE data = 'null'::jsonb`), "a void data is JSON null")
}

func TestPostgresFlushesOnInterval(t *testing.T) {
	s := pgtest.Shared(t)
	db := s.CreateDatabase(t)
	c := startPostgres(t, pgConfig(s, db, "batch_size", 100000, "flush_interval", "20ms"), cdp.Env{})
	t.Cleanup(func() { c.Close() })
	feed(t, c, ledgers.SyntheticPassphrase, buildScenario(t, 1000, 4))

	conn := connect(t, s, db)
	require.Eventually(t, func() bool {
		return count(t, conn, `SELECT count(*) FROM payments`) == 4
	}, 30*time.Second, 10*time.Millisecond, "rows are written on the interval, without Close or a full batch")
	if statsOn(t) {
		assert.Eventually(t, func() bool { return stat(t, c, "last_committed_ledger") == 1000 }, 30*time.Second, 10*time.Millisecond)
	}
}

// TestPostgresSurvivesServerRestart stops the server in the middle of a
// run and starts it again: every row is written exactly once, and
// rows_inserted equals what the tables hold.
func TestPostgresSurvivesServerRestart(t *testing.T) {
	for _, mode := range []string{"fast shutdown", "crash"} {
		t.Run(mode, func(t *testing.T) {
			logs := captureLogs(t)
			s := pgtest.Start(t)
			db := s.CreateDatabase(t)
			const first, last, outageAt = 2000, 2059, 2020
			lcms := syntheticRange(t, first, last)
			var want walked
			for _, l := range lcms {
				w := walk(t, l, ledgers.SyntheticPassphrase)
				want.Payments = append(want.Payments, w.Payments...)
				want.Events = append(want.Events, w.Events...)
			}
			dir := ledgers.NewDatastore(t, ledgers.SyntheticPassphrase, ledgers.Schema{LedgersPerFile: 10, FilesPerPartition: 10}, lcms...)

			c := startPostgres(t, pgConfig(s, db, "batch_size", 16, "flush_interval", "30ms"), logs.Env)
			var outage sync.WaitGroup
			outageProbe := processorFunc(func(_ context.Context, msg cdp.Message) error {
				if l, ok := msg.Payload.(xdr.LedgerCloseMeta); ok && l.LedgerSequence() == outageAt {
					if mode == "crash" {
						require.NoError(t, s.Kill())
					} else {
						require.NoError(t, s.Stop())
					}
					outage.Add(1)
					go func() {
						defer outage.Done()
						time.Sleep(700 * time.Millisecond)
						assert.NoError(t, s.Start())
					}()
				}
				return nil
			})
			src, err := bufferedstorage.New(sourceConfig(dir, first, last))
			require.NoError(t, err)
			fp, err := filterpayments.New(nil)
			require.NoError(t, err)
			ce, err := contractevent.New(nil)
			require.NoError(t, err)
			src.Subscribe(fp)
			fp.Subscribe(ce)
			ce.Subscribe(outageProbe)
			ce.Subscribe(c)

			require.NoError(t, src.Run(testContext(t)))
			require.NoError(t, c.Close())
			outage.Wait()

			conn := connect(t, s, db)
			payments := count(t, conn, `SELECT count(*) FROM payments`)
			events := count(t, conn, `SELECT count(*) FROM contract_events`)
			assert.Equal(t, len(want.Payments), payments)
			assert.Equal(t, len(want.Events), events)
			assert.Equal(t, len(want.Payments), count(t, conn, `SELECT count(DISTINCT (transaction_hash, operation_index)) FROM payments`))
			var hashes []string
			for _, p := range want.Payments {
				hashes = append(hashes, p.Hash)
			}
			sort.Strings(hashes)
			assert.Equal(t, len(want.Payments), count(t, conn, `SELECT count(*) FROM payments WHERE transaction_hash = ANY($1)`, hashes),
				"every expected payment is there")
			if statsOn(t) {
				assert.Equal(t, float64(payments+events), stat(t, c, "rows_inserted"), "rows_inserted == SELECT count(*)")
				assert.Equal(t, float64(last), stat(t, c, "last_committed_ledger"))
				assert.Greater(t, stat(t, c, "retries"), float64(0), "the outage was noticed")
				assert.Greater(t, stat(t, c, "errors"), float64(0))
			}
			assert.Contains(t, logs.String(), "retrying")
			assert.NotContains(t, logs.String(), password)
		})
	}
}

func TestPostgresCloseGivesUp(t *testing.T) {
	logs := captureLogs(t)
	s := pgtest.Start(t)
	db := s.CreateDatabase(t)
	c := startPostgres(t, pgConfig(s, db, "close_timeout", "300ms"), logs.Env)
	feed(t, c, ledgers.SyntheticPassphrase, buildScenario(t, 1000, 4))
	require.NoError(t, s.Stop())
	err := c.Close()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "closing with 8 rows not written")
	assert.NotContains(t, err.Error(), password)
	if statsOn(t) {
		assert.Equal(t, float64(0), stat(t, c, "rows_inserted"), "nothing is counted that was not committed")
		assert.Equal(t, float64(0), stat(t, c, "last_committed_ledger"))
	}
	assert.NotContains(t, logs.String(), password)
}

func TestPostgresAcknowledgesAfterCommit(t *testing.T) {
	s := pgtest.Shared(t)
	db := s.CreateDatabase(t)
	c := startPostgres(t, pgConfig(s, db, "batch_size", 3), cdp.Env{})
	acked := &recorder{}
	c.Subscribe(acked)
	conn := connect(t, s, db)
	committedAtAck := []int{}
	c.Subscribe(processorFunc(func(context.Context, cdp.Message) error {
		committedAtAck = append(committedAtAck, count(t, conn, `SELECT (SELECT count(*) FROM payments) + (SELECT count(*) FROM contract_events)`))
		return nil
	}))
	feed(t, c, ledgers.SyntheticPassphrase, buildScenario(t, 1000, 4))
	assert.Len(t, acked.messages, 6, "two full batches of three rows acknowledged before Close")
	require.NoError(t, c.Close())
	require.Len(t, acked.messages, 9, "all 8 rows and the ledger marker")
	for i, n := range committedAtAck {
		assert.GreaterOrEqual(t, n, min(i+1, 8), "message %d was passed on only once committed", i)
	}
	assert.Equal(t, []uint32{1000}, acked.ledgers())
}

func TestPostgresBadInput(t *testing.T) {
	s := pgtest.Shared(t)
	db := s.CreateDatabase(t)
	c := startPostgres(t, pgConfig(s, db), cdp.Env{})
	t.Cleanup(func() { c.Close() })
	err := c.Process(testContext(t), msgOf("a string"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not string")
	err = c.Process(testContext(t), msgOf(filterpayments.Payment{TransactionHash: "ab", Amount: "1.5.0"}))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "amount")
	if statsOn(t) {
		assert.Equal(t, float64(2), stat(t, c, "errors"))
	}
}

func TestPostgresConfigErrors(t *testing.T) {
	tests := []struct {
		name    string
		cfg     map[string]interface{}
		key     string
		wantMsg string
	}{
		{"nothing to connect to", map[string]interface{}{}, "dsn", "is required"},
		{"both forms", map[string]interface{}{"dsn": "postgres://u@h/d", "host": "h"}, "dsn", "not both"},
		{"unknown key", map[string]interface{}{"dsn": "postgres://u@h/d", "batchsize": 3}, "batchsize", `did you mean "batch_size"?`},
		{"bad sslmode", map[string]interface{}{"host": "h", "sslmode": "requires"}, "sslmode", `did you mean "require"?`},
		{"bad batch size", map[string]interface{}{"host": "h", "batch_size": 0}, "batch_size", "at least 1"},
		{"bad port", map[string]interface{}{"host": "h", "port": 70000}, "port", "out of range"},
		{"zero write timeout", map[string]interface{}{"host": "h", "write_timeout": "0s"}, "write_timeout", "must be positive"},
		{"unparsable dsn", map[string]interface{}{"dsn": "postgres://user:" + password + "@host:notaport/db"}, "dsn", "cannot parse"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := postgres.New(tt.cfg)
			require.Error(t, err)
			t.Log(err)
			assert.Contains(t, err.Error(), tt.wantMsg)
			assert.NotContains(t, err.Error(), password)
			var ke *config.KeyError
			require.ErrorAs(t, err, &ke)
			assert.Equal(t, tt.key, ke.Key)
		})
	}
}

func TestPostgresPasswordNeverInErrors(t *testing.T) {
	logs := captureLogs(t)
	missing := t.TempDir() // no server listens here
	for _, cfg := range []map[string]interface{}{
		{"host": missing, "user": "u", "password": password, "database": "d", "connect_timeout": "2s"},
		{"dsn": "postgres://u:" + password + "@/d?host=" + missing, "connect_timeout": "2s"},
		{"dsn": "host=" + missing + " user=u password=" + password + " dbname=d", "connect_timeout": "2s"},
	} {
		c, err := postgres.New(cfg)
		require.NoError(t, err, "building connects to nothing")
		err = c.Start(testContext(t), logs.Env)
		require.Error(t, err)
		t.Log(err)
		assert.Contains(t, err.Error(), "creating tables")
		require.NoError(t, c.Close(), "closing a consumer that did not start")
		assert.NotContains(t, err.Error(), password)
	}
	assert.NotContains(t, logs.String(), password)
	assert.False(t, strings.Contains(logs.String(), password))
}
