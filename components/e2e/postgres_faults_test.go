package e2e

import (
	"context"
	"io"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/components/cdp"
	"github.com/cdpstats/cdpstats/components/processor/filterpayments"
	"github.com/cdpstats/cdpstats/internal/testfixtures/ledgers"
	"github.com/cdpstats/cdpstats/internal/testfixtures/pgtest"
)

// blackHole is a TCP listener in front of a test server. While holding,
// it accepts connections and never answers them, as a frozen server or a
// firewall that drops packets does; otherwise it forwards them to the
// server's unix socket.
type blackHole struct {
	ln     net.Listener
	socket string

	mu      sync.Mutex
	holding bool
	// silent keeps the connections it forwarded open, unanswered, once
	// their server side is cut (see silence).
	silent bool
	conns  []net.Conn // every connection, both sides
	ups    []net.Conn // the server sides of the forwarded ones
}

func newBlackHole(t *testing.T, s *pgtest.Server) *blackHole {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	b := &blackHole{ln: ln, socket: filepath.Join(s.Host(), ".s.PGSQL."+strconv.Itoa(s.Port()))}
	t.Cleanup(b.close)
	go b.serve()
	return b
}

func (b *blackHole) port() int { return b.ln.Addr().(*net.TCPAddr).Port }

func (b *blackHole) serve() {
	for {
		c, err := b.ln.Accept()
		if err != nil {
			return
		}
		b.mu.Lock()
		b.conns = append(b.conns, c)
		holding := b.holding
		b.mu.Unlock()
		if holding {
			continue // accepted, never answered
		}
		go b.forward(c)
	}
}

func (b *blackHole) forward(c net.Conn) {
	up, err := net.Dial("unix", b.socket)
	if err != nil {
		c.Close()
		return
	}
	b.mu.Lock()
	b.conns = append(b.conns, up)
	b.ups = append(b.ups, up)
	b.mu.Unlock()
	go func() { io.Copy(up, c); up.Close() }() //nolint:errcheck // a proxy
	io.Copy(c, up)                             //nolint:errcheck // a proxy
	b.mu.Lock()
	silent := b.silent
	b.mu.Unlock()
	if !silent {
		c.Close()
	}
}

// silence turns the hole into one that never heals, for the connections
// already open too: it holds new connections, and cuts the open ones from
// the server while keeping them open, so that what a client sends on them
// is accepted and never answered, as when a firewall starts dropping the
// packets of an established connection.
func (b *blackHole) silence() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.holding, b.silent = true, true
	for _, up := range b.ups {
		up.Close()
	}
	b.ups = nil
}

// hold starts holding new connections and breaks the open ones.
func (b *blackHole) hold(on bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.holding = on
	if on {
		for _, c := range b.conns {
			c.Close()
		}
		b.conns = nil
	}
}

func (b *blackHole) close() {
	b.ln.Close()
	b.hold(true)
}

// TestPostgresRetriesConnectTimeouts writes through a database that
// accepts connections and does not answer for a while: each attempt ends
// at connect_timeout, and is retried while the run goes on, until the
// database answers again. Every row is then written once.
func TestPostgresRetriesConnectTimeouts(t *testing.T) {
	logs := captureLogs(t)
	s := pgtest.Shared(t)
	db := s.CreateDatabase(t)
	hole := newBlackHole(t, s)
	c := startPostgres(t, pgConfig(s, db, "host", "127.0.0.1", "port", hole.port(), "connect_timeout", "200ms", "batch_size", 3), logs.Env)

	hole.hold(true)
	release := time.AfterFunc(time.Second, func() { hole.hold(false) })
	defer release.Stop()
	feed(t, c, ledgers.SyntheticPassphrase, buildScenario(t, 1000, 4))
	require.NoError(t, c.Close())

	conn := connect(t, s, db)
	assert.Equal(t, 8, count(t, conn, `SELECT (SELECT count(*) FROM payments) + (SELECT count(*) FROM contract_events)`))
	if statsOn(t) {
		assert.Greater(t, stat(t, c, "retries"), float64(0), "the silent database was noticed")
		assert.Equal(t, float64(8), stat(t, c, "rows_inserted"))
	}
	assert.Contains(t, logs.String(), "retrying")
}

// TestPostgresCancelEndsRetries checks the other side: while the database
// does not answer, ending the run's context ends the retries, and is not
// counted as an error of the consumer.
func TestPostgresCancelEndsRetries(t *testing.T) {
	s := pgtest.Shared(t)
	db := s.CreateDatabase(t)
	hole := newBlackHole(t, s)
	c := startPostgres(t, pgConfig(s, db, "host", "127.0.0.1", "port", hole.port(),
		"connect_timeout", "2s", "batch_size", 1, "close_timeout", "100ms"), cdp.Env{})
	hole.hold(true) // breaks the pooled connection: one real error

	ctx, cancel := context.WithCancel(testContext(t))
	done := make(chan error, 1)
	go func() {
		done <- c.Process(ctx, msgOf(filterpayments.Payment{TransactionHash: "ab", OperationType: "payment", Amount: "1", ClosedAt: time.Now()}))
	}()
	time.Sleep(300 * time.Millisecond) // let the retry start and hang; no assertion on time
	var before float64
	if statsOn(t) {
		before = stat(t, c, "errors")
	}
	cancel()
	err := <-done
	require.ErrorIs(t, err, context.Canceled)
	if statsOn(t) {
		assert.Equal(t, before, stat(t, c, "errors"), "a cancellation is not an error")
	}
	require.Error(t, c.Close(), "the row could not be written within close_timeout")
}

// TestPostgresWriteTimeoutEndsSilentAttempts writes through a database
// behind a black hole that never heals, connections already open
// included: each write attempt ends at write_timeout (connect_timeout is
// far longer) and is retried with a WARN while the run goes on. Once the
// run is stopped, Close gives up within close_timeout with an error that
// names the rows not written.
func TestPostgresWriteTimeoutEndsSilentAttempts(t *testing.T) {
	logs := captureLogs(t)
	s := pgtest.Shared(t)
	db := s.CreateDatabase(t)
	hole := newBlackHole(t, s)
	c := startPostgres(t, pgConfig(s, db, "host", "127.0.0.1", "port", hole.port(),
		"connect_timeout", "1m", "write_timeout", "300ms", "batch_size", 1, "close_timeout", "1s"), logs.Env)
	hole.silence() // the pool's connection from Start now goes nowhere

	ctx, cancel := context.WithCancel(testContext(t))
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- c.Process(ctx, msgOf(filterpayments.Payment{TransactionHash: "ab", OperationType: "payment", Amount: "1", ClosedAt: time.Now()}))
	}()
	require.Eventually(t, func() bool { return strings.Count(logs.String(), "writing batch failed; retrying") >= 2 },
		30*time.Second, 10*time.Millisecond, "timed-out attempts are retried, with a WARN each")
	assert.Contains(t, logs.String(), "level=WARN")
	assert.Contains(t, logs.String(), "no answer within write_timeout 300ms")
	select {
	case err := <-done:
		t.Fatalf("Process returned while the run goes on: %v", err)
	default:
	}

	cancel() // the run is stopped
	require.ErrorIs(t, <-done, context.Canceled)
	err := c.Close()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "closing with 1 rows not written within close_timeout 1s")
}
