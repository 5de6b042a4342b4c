package postgres

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// retryable reports whether a failed write may succeed when tried again:
// anything that is not an error reported by the server (a refused or
// broken connection, a timeout of one attempt such as connect_timeout),
// and the server errors that describe the server rather than the data
// (shutting down, starting up, out of connections or resources, a
// serialization conflict).
//
// It judges the error only. Whether to try again is also a matter of the
// run's context, which the caller checks: only the run's own cancellation
// ends the retries, however the error wraps context.DeadlineExceeded.
func retryable(err error) bool {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return true
	}
	switch pgErr.Code[:2] {
	case "08", // connection exception
		"53", // insufficient resources
		"57", // operator intervention: admin_shutdown, cannot_connect_now
		"58", // system error
		"40": // transaction rollback: serialization failure, deadlock
		return true
	}
	return false
}

// backoff is an exponential backoff with full jitter.
type backoff struct {
	next, max time.Duration
}

func newBackoff(max time.Duration) *backoff {
	return &backoff{next: 50 * time.Millisecond, max: max}
}

// wait sleeps for the next backoff, or until ctx ends.
func (b *backoff) wait(ctx context.Context) error {
	d := b.next/2 + rand.N(b.next/2+1)
	b.next = min(2*b.next, b.max)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
