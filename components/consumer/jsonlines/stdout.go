package jsonlines

import (
	"context"
	"io"
	"os"

	"github.com/cdpstats/cdpstats/components/cdp"
	"github.com/cdpstats/cdpstats/components/config"
)

// StdoutConfig is StdoutConsumer's configuration; it has no keys.
type StdoutConfig struct{}

// StdoutConsumer writes each message's payload to standard output as a
// JSON line. Like SaveToJSONFile it writes whole ledgers, at most
// DefaultFlushInterval after they end.
//
//cdp:component kind=consumer name=StdoutConsumer
type StdoutConsumer struct {
	out         *lines
	subscribers cdp.Subscribers

	//cdp:stat counter name=messages_written unit=messages help="Messages written as JSON lines"
	//cdp:stat counter name=bytes_written    unit=bytes    help="Bytes written, newlines included"
	//cdp:stat counter name=errors                         help="Messages that could not be stored, and failed writes and flushes"
	stats stdoutConsumerStats
}

// NewStdout returns a StdoutConsumer for a config map, which must be empty.
func NewStdout(raw map[string]interface{}) (*StdoutConsumer, error) {
	if _, err := ParseStdoutConfig(raw); err != nil {
		return nil, err
	}
	return NewWriter(os.Stdout), nil
}

// ParseStdoutConfig decodes and checks a StdoutConsumer config map.
func ParseStdoutConfig(raw map[string]interface{}) (StdoutConfig, error) {
	var cfg StdoutConfig
	err := config.Decode(raw, &cfg)
	return cfg, err
}

// NewWriter returns a StdoutConsumer that writes to w instead of standard
// output, for tests and for programs that embed a pipeline.
func NewWriter(w io.Writer) *StdoutConsumer {
	return &StdoutConsumer{out: newLines(newSink(w, DefaultBufferSize, DefaultFlushInterval))}
}

// Subscribe adds a processor that receives every message after it is
// written.
func (c *StdoutConsumer) Subscribe(p cdp.Processor) { c.subscribers.Subscribe(p) }

// Process writes msg's payload as one JSON line.
func (c *StdoutConsumer) Process(ctx context.Context, msg cdp.Message) error {
	count, n, err := c.out.write(msg)
	if err != nil {
		c.stats.RecordErrors()
		return err
	}
	c.record(count, n)
	return c.subscribers.Send(ctx, msg)
}

// record counts what the sink took: nothing until a ledger ends, so for
// most messages both are 0, which the counters skip.
func (c *StdoutConsumer) record(count, n int) {
	c.stats.AddMessagesWritten(uint64(count))
	c.stats.AddBytesWritten(uint64(n))
}

// Close writes what is buffered, the lines after the last ledger message
// included. Standard output itself stays open; nothing is written after
// Close.
func (c *StdoutConsumer) Close() error {
	count, n, err := c.out.commit()
	if err == nil {
		c.record(count, n)
	}
	if cerr := c.out.out.close(true); err == nil {
		err = cerr
	}
	if err != nil {
		c.stats.RecordErrors()
	}
	return err
}
