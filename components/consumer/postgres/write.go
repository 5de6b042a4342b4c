package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// batch is a run of pending entries written in one transaction.
type batch struct {
	payments [][]interface{}
	events   [][]interface{}
	// ledger is the last ledger whose end the batch holds, so that once
	// it commits every row of that ledger and the ones before is
	// committed; 0 when the batch ends no ledger.
	ledger uint32
}

func (b *batch) rows() int { return len(b.payments) + len(b.events) }

// Statements that move a batch from its temporary table into the real
// one. ON CONFLICT DO NOTHING makes a replayed row a no-op, and the
// command tag then counts only the rows that are new.
var (
	paymentsInsert = insertFrom(PaymentsTable, "cdp_payments_batch", paymentColumns)
	eventsInsert   = insertFrom(EventsTable, "cdp_events_batch", eventColumns)
)

func insertFrom(table, temp string, columns []string) string {
	cols := strings.Join(columns, ", ")
	return fmt.Sprintf("INSERT INTO %s (%s) SELECT %s FROM %s ON CONFLICT DO NOTHING", table, cols, cols, temp)
}

// checkpointUpsert records a consumer's last fully committed ledger.
const checkpointUpsert = `INSERT INTO ` + CheckpointsTable + ` (pipeline, shard, consumer, last_ledger) VALUES ($1, $2, $3, $4)
ON CONFLICT (pipeline, shard, consumer) DO UPDATE SET last_ledger = EXCLUDED.last_ledger, updated_at = now()`

// checkpointSelect reads a consumer's checkpoint.
const checkpointSelect = `SELECT last_ledger FROM ` + CheckpointsTable + ` WHERE pipeline = $1 AND shard = $2 AND consumer = $3`

// checkpointKey is the row of the checkpoints table a consumer owns.
type checkpointKey struct {
	pipeline, shard, consumer string
}

// writeBatch writes b in one transaction, together with the checkpoint
// under key when b ends a ledger, and returns how many rows were new.
// Nothing is written unless it returns nil.
func writeBatch(ctx context.Context, pool *pgxpool.Pool, b *batch, key checkpointKey) (int64, error) {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback(ctx) //nolint:errcheck // a no-op after Commit
	var inserted int64
	if len(b.payments) > 0 {
		n, err := copyInsert(ctx, tx, PaymentsTable, "cdp_payments_batch", paymentColumns, b.payments, paymentsInsert)
		if err != nil {
			return 0, fmt.Errorf("writing %d payments: %w", len(b.payments), err)
		}
		inserted += n
	}
	if len(b.events) > 0 {
		n, err := copyInsert(ctx, tx, EventsTable, "cdp_events_batch", eventColumns, b.events, eventsInsert)
		if err != nil {
			return 0, fmt.Errorf("writing %d contract events: %w", len(b.events), err)
		}
		inserted += n
	}
	if b.ledger != 0 {
		if _, err := tx.Exec(ctx, checkpointUpsert, key.pipeline, key.shard, key.consumer, int64(b.ledger)); err != nil {
			return 0, fmt.Errorf("recording checkpoint %d: %w", b.ledger, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, fmt.Errorf("committing %d rows: %w", b.rows(), err)
	}
	return inserted, nil
}

// copyInsert COPYs rows into a temporary copy of table that the
// transaction drops on commit, then inserts them into table.
func copyInsert(ctx context.Context, tx pgx.Tx, table, temp string, columns []string, rows [][]interface{}, insert string) (int64, error) {
	create := fmt.Sprintf("CREATE TEMP TABLE %s (LIKE %s INCLUDING DEFAULTS) ON COMMIT DROP", temp, table)
	if _, err := tx.Exec(ctx, create); err != nil {
		return 0, err
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{temp}, columns, pgx.CopyFromRows(rows)); err != nil {
		return 0, err
	}
	tag, err := tx.Exec(ctx, insert)
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}
