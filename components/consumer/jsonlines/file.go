package jsonlines

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/cdpstats/cdpstats/components/cdp"
	"github.com/cdpstats/cdpstats/components/config"
)

// FileConfig is SaveToJSONFile's configuration.
type FileConfig struct {
	// Path is the file to write. Missing directories are created.
	Path string `yaml:"path,required"`
	// Append adds to an existing file instead of replacing it.
	Append bool `yaml:"append"`
}

// SaveToJSONFile writes each message's payload to a file as a JSON line.
//
//cdp:component kind=consumer name=SaveToJSONFile
type SaveToJSONFile struct {
	cfg         FileConfig
	file        *os.File
	out         *lines
	subscribers cdp.Subscribers
	closeOnce   sync.Once
	closeErr    error

	//cdp:stat counter name=messages_written unit=messages help="Messages written as JSON lines"
	//cdp:stat counter name=bytes_written    unit=bytes    help="Bytes written, newlines included"
	//cdp:stat counter name=errors                         help="Messages that could not be stored, and failed writes and flushes"
	stats saveToJSONFileStats
}

// NewFile returns a SaveToJSONFile for a config map; it opens (creates or
// truncates, or appends to) the file at once, so that a bad path fails
// before the pipeline starts.
func NewFile(raw map[string]interface{}) (*SaveToJSONFile, error) {
	cfg, err := ParseFileConfig(raw)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(cfg.Path), 0o755); err != nil {
		return nil, config.Errorf("path", "cannot create the directory of %q: %w", cfg.Path, err)
	}
	flags := os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	if cfg.Append {
		flags = os.O_WRONLY | os.O_CREATE | os.O_APPEND
	}
	f, err := os.OpenFile(cfg.Path, flags, 0o644)
	if err != nil {
		return nil, config.Errorf("path", "cannot open %q for writing: %w", cfg.Path, err)
	}
	return &SaveToJSONFile{cfg: cfg, file: f, out: newLines(f)}, nil
}

// ParseFileConfig decodes and checks a SaveToJSONFile config map without
// creating or opening anything.
func ParseFileConfig(raw map[string]interface{}) (FileConfig, error) {
	var cfg FileConfig
	if err := config.Decode(raw, &cfg); err != nil {
		return FileConfig{}, err
	}
	if info, err := os.Stat(cfg.Path); err == nil && info.IsDir() {
		return FileConfig{}, config.Errorf("path", "%q is a directory", cfg.Path)
	}
	return cfg, nil
}

// Subscribe adds a processor that receives every message after it is
// written.
func (c *SaveToJSONFile) Subscribe(p cdp.Processor) { c.subscribers.Subscribe(p) }

// Process writes msg's payload as one JSON line.
func (c *SaveToJSONFile) Process(ctx context.Context, msg cdp.Message) error {
	n, written, err := c.out.write(msg)
	if err != nil {
		c.stats.RecordErrors()
		return fmt.Errorf("%s: %w", c.cfg.Path, err)
	}
	if written {
		c.stats.RecordMessagesWritten()
		c.stats.AddBytesWritten(uint64(n))
	}
	return c.subscribers.Send(ctx, msg)
}

// Close flushes the buffer, syncs the file to disk and closes it. Later
// calls return the first call's result.
func (c *SaveToJSONFile) Close() error {
	c.closeOnce.Do(func() {
		err := c.out.flush()
		if err == nil {
			err = c.file.Sync()
		}
		err = errors.Join(err, c.file.Close())
		if err != nil {
			c.stats.RecordErrors()
			c.closeErr = fmt.Errorf("%s: %w", c.cfg.Path, err)
		}
	})
	return c.closeErr
}
