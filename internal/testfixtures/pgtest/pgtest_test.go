package pgtest

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestServerStopStart(t *testing.T) {
	s := Start(t)
	db := s.CreateDatabase(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	query := func() (int, error) {
		conn, err := pgx.Connect(ctx, s.DSN(db))
		if err != nil {
			return 0, err
		}
		defer conn.Close(ctx)
		var n int
		err = conn.QueryRow(ctx, "SELECT 40 + 2").Scan(&n)
		return n, err
	}
	n, err := query()
	require.NoError(t, err)
	assert.Equal(t, 42, n)

	require.NoError(t, s.Stop())
	_, err = query()
	assert.Error(t, err, "the server is stopped")

	require.NoError(t, s.Start())
	n, err = query()
	require.NoError(t, err)
	assert.Equal(t, 42, n)

	require.NoError(t, s.Kill())
	require.NoError(t, s.Start())
	n, err = query()
	require.NoError(t, err)
	assert.Equal(t, 42, n)

	// Frozen, the server accepts nothing and answers nothing; a query
	// waits until its context ends.
	require.NoError(t, s.Freeze())
	frozen, stop := context.WithTimeout(ctx, 300*time.Millisecond)
	_, err = pgx.Connect(frozen, s.DSN(db))
	stop()
	assert.Error(t, err, "the server is frozen")
	require.NoError(t, s.Thaw())
	n, err = query()
	require.NoError(t, err)
	assert.Equal(t, 42, n)
}
