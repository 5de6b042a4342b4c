// Package postgres provides SaveToPostgreSQL, the consumer that writes
// payments (from FilterPayments) and contract events (from ContractEvent)
// into PostgreSQL.
//
// It creates its tables on start (see [Migrations]); writes rows in
// batches, one transaction per batch, by COPY into a temporary table and
// INSERT ... ON CONFLICT DO NOTHING on the natural keys, so replaying a
// ledger range adds no duplicates; and retries with backoff while the
// database is away, losing nothing.
//
// A message is acknowledged, which here means passed on to the consumer's
// own subscribers and counted in rows_inserted, only once the transaction
// holding it has committed. Ledger messages, which processors pass on
// after their output, mark the end of a ledger: last_committed_ledger is
// the last ledger all of whose rows are committed, the place to resume
// from after a crash. The same ledger is kept as the consumer's checkpoint
// in the cdp_checkpoints table, upserted in the transaction of the batch
// that commits it, and read back at Start (cdp.Checkpointer) so that a
// restarted run resumes after it.
package postgres

//go:generate go tool statsgen
