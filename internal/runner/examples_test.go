package runner_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/internal/runner"
	"github.com/cdpstats/cdpstats/internal/testfixtures/ledgers"
	"github.com/cdpstats/cdpstats/internal/testfixtures/pgtest"
)

// The examples' paths are relative to the repository root, where the
// README runs them.
const repoRoot = "../.."

// TestExamplesValidate checks that the shipped example configs are valid.
func TestExamplesValidate(t *testing.T) {
	t.Chdir(repoRoot)
	for _, path := range []string{"examples/local/pipeline.yaml", "examples/postgres/pipeline.yaml"} {
		t.Run(path, func(t *testing.T) {
			cfg, err := runner.LoadConfig(path)
			require.NoError(t, err)
			assert.NoError(t, (&runner.Runner{Config: cfg, Env: noEnv}).Validate())
		})
	}
}

// TestPostgresExample runs examples/postgres as it ships, against a
// throwaway PostgreSQL server in place of the local one, and counts the
// rows it wrote.
func TestPostgresExample(t *testing.T) {
	srv := pgtest.Start(t)
	dsn := srv.DSN(srv.CreateDatabase(t))
	want := expect(t, ledgers.MustPubnet(t), ledgers.PubnetPassphrase)

	t.Chdir(repoRoot)
	cfg, err := runner.LoadConfig("examples/postgres/pipeline.yaml")
	require.NoError(t, err)
	require.Len(t, cfg.Pipelines, 1)
	consumer := &cfg.Pipelines[0].Consumers[0]
	require.Equal(t, "SaveToPostgreSQL", consumer.Type)
	consumer.Config["dsn"] = dsn
	cfg.Stats.Live = false

	for run := range 2 { // the second run replays the ledger: no new rows
		require.NoError(t, newRunner(t, cfg).Run(t.Context()), "run %d", run+1)
	}

	ctx, cancel := context.WithTimeout(t.Context(), waitTimeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	require.NoError(t, err)
	defer conn.Close(context.Background())
	for table, n := range map[string]int{"payments": len(want.Payments), "contract_events": len(want.Events)} {
		var got int
		require.NoError(t, conn.QueryRow(ctx, "SELECT count(*) FROM "+table).Scan(&got))
		assert.Equal(t, n, got, table)
	}
}
