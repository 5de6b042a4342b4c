package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Table names. They are fixed so that every pipeline writing to one
// database shares them, and replays deduplicate across pipelines.
const (
	PaymentsTable = "payments"
	EventsTable   = "contract_events"
	// CheckpointsTable holds the last fully committed ledger of every
	// consumer, by pipeline, shard and consumer id.
	CheckpointsTable = "cdp_checkpoints"
	// migrationsTable records which migrations have run.
	migrationsTable = "cdp_schema_migrations"
)

// Migration is one step of the schema, applied once, in order.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations is the schema, in order. Each statement is also written to be
// idempotent on its own, so a database created by hand in the same shape
// migrates cleanly.
var Migrations = []Migration{{
	Version: 1,
	Name:    "payments and contract events",
	SQL: `
CREATE TABLE IF NOT EXISTS payments (
	transaction_hash text        NOT NULL,
	operation_index  integer     NOT NULL,
	ledger_sequence  bigint      NOT NULL,
	closed_at        timestamptz NOT NULL,
	operation_type   text        NOT NULL,
	from_address     text        NOT NULL,
	to_address       text        NOT NULL,
	asset            text        NOT NULL,
	amount           numeric(20,7) NOT NULL,
	source_asset     text,
	source_amount    numeric(20,7),
	PRIMARY KEY (transaction_hash, operation_index)
);
CREATE INDEX IF NOT EXISTS payments_ledger_sequence_idx ON payments (ledger_sequence);

CREATE TABLE IF NOT EXISTS contract_events (
	transaction_hash text        NOT NULL,
	operation_index  integer     NOT NULL,
	event_index      integer     NOT NULL,
	ledger_sequence  bigint      NOT NULL,
	closed_at        timestamptz NOT NULL,
	contract_id      text        NOT NULL,
	topics           jsonb       NOT NULL,
	data             jsonb       NOT NULL,
	topics_xdr       text[]      NOT NULL,
	data_xdr         text        NOT NULL,
	PRIMARY KEY (transaction_hash, operation_index, event_index)
);
CREATE INDEX IF NOT EXISTS contract_events_ledger_sequence_idx ON contract_events (ledger_sequence);
CREATE INDEX IF NOT EXISTS contract_events_contract_id_idx ON contract_events (contract_id, ledger_sequence);
`,
}, {
	Version: 2,
	Name:    "checkpoints",
	SQL: `
CREATE TABLE IF NOT EXISTS cdp_checkpoints (
	pipeline    text        NOT NULL,
	shard       text        NOT NULL,
	consumer    text        NOT NULL,
	last_ledger bigint      NOT NULL,
	updated_at  timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (pipeline, shard, consumer)
);
`,
}}

// migrationLock is the advisory lock key that serializes migrations when
// several pipelines start against one database at once.
const migrationLock = 0x0cd9_57a7

// migrate applies the migrations the database has not seen, in one
// transaction.
func migrate(ctx context.Context, pool *pgxpool.Pool) error {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx) //nolint:errcheck // a no-op after Commit
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLock); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS `+migrationsTable+` (
		version    integer     PRIMARY KEY,
		name       text        NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return err
	}
	var current int
	if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM `+migrationsTable).Scan(&current); err != nil {
		return err
	}
	for _, m := range Migrations {
		if m.Version <= current {
			continue
		}
		if _, err := tx.Exec(ctx, m.SQL); err != nil {
			return fmt.Errorf("migration %d (%s): %w", m.Version, m.Name, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO `+migrationsTable+` (version, name) VALUES ($1, $2)`, m.Version, m.Name); err != nil {
			return err
		}
	}
	return tx.Commit(ctx)
}

// naturalKeys is the primary key of each table: a replayed row with the
// same key is not written again.
var naturalKeys = map[string]string{
	PaymentsTable: "transaction_hash,operation_index",
	EventsTable:   "transaction_hash,operation_index,event_index",
}
