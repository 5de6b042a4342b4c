package jsonlines

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/cdpstats/cdpstats/components/cdp"
	"github.com/cdpstats/cdpstats/components/config"
)

// FileConfig is SaveToJSONFile's configuration.
type FileConfig struct {
	// Path is the file to write. Missing directories are created.
	Path string `yaml:"path,required"`
	// Append adds to an existing file instead of replacing it. Consumers
	// that append to one path, in one pipeline or several, share one
	// writer, so that their lines interleave whole.
	Append bool `yaml:"append"`
	// Atomic writes to a temporary file next to Path and renames it over
	// Path when the run completes, so that Path holds either the previous
	// run's output or the whole of this one. It is meant for bounded runs:
	// a run that is stopped or fails leaves Path as it was.
	Atomic bool `yaml:"atomic"`
	// BufferSize is how many bytes of whole ledgers are buffered before
	// they are written.
	BufferSize int `yaml:"buffer_size"`
	// FlushInterval is how long a ledger's lines wait at most in the
	// buffer once the ledger has ended.
	FlushInterval time.Duration `yaml:"flush_interval"`
}

// DefaultFileConfig returns the configuration that keys left out of a
// config map take.
func DefaultFileConfig() FileConfig {
	return FileConfig{BufferSize: DefaultBufferSize, FlushInterval: DefaultFlushInterval}
}

func (c *FileConfig) validate() error {
	var errs config.Errors
	if info, err := os.Stat(c.Path); err == nil && info.IsDir() {
		errs = append(errs, config.Errorf("path", "%q is a directory", c.Path))
	}
	if c.Append && c.Atomic {
		errs = append(errs, config.Errorf("atomic", "cannot be combined with append: atomic replaces the file"))
	}
	if c.BufferSize < 1 {
		errs = append(errs, config.Errorf("buffer_size", "must be at least 1, got %d", c.BufferSize))
	}
	if c.FlushInterval <= 0 {
		errs = append(errs, config.Errorf("flush_interval", "must be positive"))
	}
	return errs.Err()
}

// settings is how a consumer writes its file, which every consumer
// appending to one file must agree on, since they share one buffer.
func (c *FileConfig) settings() string {
	return fmt.Sprintf("buffer_size %d, flush_interval %s", c.BufferSize, c.FlushInterval)
}

// SaveToJSONFile writes each message's payload to a file as a JSON line.
//
// It writes whole ledgers only: the lines of a ledger are held until its
// ledger message, then buffered with other whole ledgers, and the buffer
// is written when it holds buffer_size bytes, flush_interval after a
// ledger entered it, and at Close.
//
// Building it touches nothing; Start opens the file. In the default mode
// Start also recovers the last complete ledger of the file an earlier run
// left (see recoverFile) and reports it as its checkpoint; the run then
// keeps the file up to that ledger and writes after it. A file it cannot
// resume, or any file under cdp.Env.FromScratch, is replaced: kept until
// the run writes its first line, and only then truncated (or at a
// successful Close when the run wrote nothing). A write that fails midway
// is cut back (writeWhole), so that the file keeps whole ledgers only.
//
//cdp:component kind=consumer name=SaveToJSONFile
type SaveToJSONFile struct {
	cfg         FileConfig
	subscribers cdp.Subscribers

	// Set by Start. out's sink is shared with other appending consumers of
	// the same path; otherwise dst or tmp owns the file.
	out    *lines
	dst    *replacingFile // the default mode's file, nil otherwise
	shared *sharedFile    // the append mode's writer, nil otherwise
	tmp    *os.File       // the atomic mode's temporary file, nil otherwise
	// resumed is the default mode's recovery of the file it found.
	resumed recovery

	closeOnce sync.Once
	closeErr  error

	//cdp:stat counter name=messages_written unit=messages help="Messages written as JSON lines"
	//cdp:stat counter name=bytes_written    unit=bytes    help="Bytes written, newlines included"
	//cdp:stat counter name=errors                         help="Messages that could not be stored, and failed writes and flushes"
	stats saveToJSONFileStats
}

// NewFile returns a SaveToJSONFile for a config map. It only checks the
// config: Start opens the file.
func NewFile(raw map[string]interface{}) (*SaveToJSONFile, error) {
	cfg, err := ParseFileConfig(raw)
	if err != nil {
		return nil, err
	}
	return &SaveToJSONFile{cfg: cfg}, nil
}

// ParseFileConfig decodes and checks a SaveToJSONFile config map without
// creating or opening anything.
func ParseFileConfig(raw map[string]interface{}) (FileConfig, error) {
	return config.Parse(raw, DefaultFileConfig(), (*FileConfig).validate)
}

// FileDestination returns where a SaveToJSONFile config map writes: the
// cleaned absolute path, shareable only when appending.
func FileDestination(raw map[string]interface{}) (cdp.Destination, error) {
	cfg, err := ParseFileConfig(raw)
	if err != nil {
		return cdp.Destination{}, err
	}
	key, err := registryKey(cfg.Path)
	if err != nil {
		return cdp.Destination{}, config.Errorf("path", "%w", err)
	}
	d := cdp.Destination{Kind: cdp.DestinationFile, Key: key, Shareable: cfg.Append}
	if cfg.Append {
		d.Settings = cfg.settings()
	}
	return d, nil
}

// Start creates the file's directory and opens the file: for appending,
// through the writer shared by every consumer appending to the path; in
// atomic mode, a temporary file in the same directory; otherwise the file
// itself, without truncating it yet, recovering its last complete ledger
// unless env.FromScratch.
func (c *SaveToJSONFile) Start(_ context.Context, env cdp.Env) error {
	if c.out != nil {
		return fmt.Errorf("%s: started twice", c.cfg.Path)
	}
	if err := os.MkdirAll(filepath.Dir(c.cfg.Path), 0o755); err != nil {
		return config.Errorf("path", "cannot create the directory of %q: %w", c.cfg.Path, err)
	}
	switch {
	case c.cfg.Append:
		s, err := appendFiles.acquire(c.cfg.Path, c.cfg)
		if err != nil {
			return config.Errorf("path", "cannot open %q for appending: %w", c.cfg.Path, err)
		}
		c.shared, c.out = s, newLines(s.out)
	case c.cfg.Atomic:
		f, err := os.CreateTemp(filepath.Dir(c.cfg.Path), filepath.Base(c.cfg.Path)+".tmp-*")
		if err != nil {
			return config.Errorf("path", "cannot create a temporary file next to %q: %w", c.cfg.Path, err)
		}
		if err := f.Chmod(0o644); err != nil {
			f.Close()
			os.Remove(f.Name())
			return config.Errorf("path", "%w", err)
		}
		c.tmp, c.out = f, newLines(c.newSink(f))
	default:
		f, err := os.OpenFile(c.cfg.Path, os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			return config.Errorf("path", "cannot open %q for writing: %w", c.cfg.Path, err)
		}
		if !env.FromScratch {
			if c.resumed, err = c.recover(f, env); err != nil {
				f.Close()
				return err
			}
		}
		c.dst = &replacingFile{f: f, keep: c.resumed.keep}
		c.out = newLines(c.newSink(c.dst))
		if c.resumed.ok {
			c.out.skipThrough = c.resumed.last
		}
	}
	return nil
}

func (c *SaveToJSONFile) newSink(w io.Writer) *sink {
	return newSink(w, c.cfg.BufferSize, c.cfg.FlushInterval)
}

// recover reads back the file an earlier run left, and logs what it found.
func (c *SaveToJSONFile) recover(f *os.File, env cdp.Env) (recovery, error) {
	info, err := f.Stat()
	if err != nil {
		return recovery{}, fmt.Errorf("%s: %w", c.cfg.Path, err)
	}
	if info.Size() == 0 {
		return recovery{}, nil
	}
	r, err := recoverFile(f, info.Size())
	if err != nil {
		return recovery{}, fmt.Errorf("%s: %w", c.cfg.Path, err)
	}
	if r.ok {
		env.Log().Info("found the output of an earlier run; resuming after its last complete ledger",
			"path", c.cfg.Path, "last_ledger", r.last, "keep_bytes", r.keep, "cut_bytes", info.Size()-r.keep)
	} else {
		env.Log().Info("cannot resume from the existing file; the run replaces it", "path", c.cfg.Path, "reason", r.reason)
	}
	return r, nil
}

// Checkpoint returns the last ledger whose lines the file held in full at
// Start (cdp.Checkpointer). Only the default mode resumes: an atomic run
// replaces the file whole, and appending consumers share the file.
func (c *SaveToJSONFile) Checkpoint() (uint32, bool) {
	return c.resumed.last, c.resumed.ok
}

// Subscribe adds a processor that receives every message after it is
// written.
func (c *SaveToJSONFile) Subscribe(p cdp.Processor) { c.subscribers.Subscribe(p) }

// Process writes msg's payload as one JSON line.
func (c *SaveToJSONFile) Process(ctx context.Context, msg cdp.Message) error {
	if c.out == nil {
		return fmt.Errorf("%s: SaveToJSONFile used before Start", c.cfg.Path)
	}
	count, n, err := c.out.write(msg)
	if err != nil {
		c.stats.RecordErrors()
		return fmt.Errorf("%s: %w", c.cfg.Path, err)
	}
	c.record(count, n)
	return c.subscribers.Send(ctx, msg)
}

// record counts what the sink took: nothing until a ledger ends, so for
// most messages both are 0, which the counters skip.
func (c *SaveToJSONFile) record(count, n int) {
	c.stats.AddMessagesWritten(uint64(count))
	c.stats.AddBytesWritten(uint64(n))
}

// Close completes the run's output: it writes the buffer, the lines after
// the last ledger message included, syncs the file to disk and closes it.
// In the default mode a run that wrote nothing leaves the file with the
// ledgers it resumed after (empty when it resumed nothing); in atomic mode
// the temporary file is renamed over the path. A consumer never started
// closes nothing. Later calls (of Close or Abort) return the first call's
// result.
func (c *SaveToJSONFile) Close() error { return c.finish(true) }

// Abort ends a run that did not complete: in atomic mode the temporary
// file is removed and the path keeps its previous content; in the default
// mode a file the run has not written to yet is left untouched. Otherwise
// the whole ledgers buffered are written and kept; the lines of a ledger
// whose ledger message never came are dropped.
func (c *SaveToJSONFile) Abort() error { return c.finish(false) }

func (c *SaveToJSONFile) finish(complete bool) error {
	c.closeOnce.Do(func() {
		var err error
		if c.out != nil && complete {
			var count, n int
			count, n, err = c.out.commit()
			c.record(count, n)
		}
		switch {
		case c.shared != nil:
			err = errors.Join(err, appendFiles.release(c.shared))
		case c.tmp != nil:
			err = errors.Join(err, c.finishAtomic(complete && err == nil))
		case c.dst != nil:
			err = errors.Join(err, c.out.out.close(true))
			if err == nil && complete {
				err = c.dst.truncate()
			}
			if err == nil {
				err = c.dst.f.Sync()
			}
			err = errors.Join(err, c.dst.f.Close())
		}
		if err != nil {
			c.stats.RecordErrors()
			c.closeErr = fmt.Errorf("%s: %w", c.cfg.Path, err)
		}
	})
	return c.closeErr
}

// finishAtomic renames the temporary file over the path when the run is
// complete and everything reached the disk, and removes it otherwise.
func (c *SaveToJSONFile) finishAtomic(complete bool) error {
	err := c.out.out.close(complete)
	if err == nil && complete {
		err = c.tmp.Sync()
	}
	err = errors.Join(err, c.tmp.Close())
	if !complete || err != nil {
		return errors.Join(err, os.Remove(c.tmp.Name()))
	}
	if err := os.Rename(c.tmp.Name(), c.cfg.Path); err != nil {
		return errors.Join(err, os.Remove(c.tmp.Name()))
	}
	return syncDir(filepath.Dir(c.cfg.Path))
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	return errors.Join(d.Sync(), d.Close())
}

// replacingFile is an existing file that the run replaces after its first
// keep bytes: it is truncated there just before the run's first write,
// not when it is opened.
type replacingFile struct {
	f         *os.File
	keep      int64
	truncated bool
}

// Write truncates the file on the first call, then writes p whole or not
// at all (see writeWhole).
func (w *replacingFile) Write(p []byte) (int, error) {
	if err := w.truncate(); err != nil {
		return 0, err
	}
	return writeWhole(w.f, p)
}

// writeWhole writes p at the end of f, which is positioned there (or
// opened for appending). When the write fails midway, as on a full disk
// or past the file-size limit (EFBIG), it cuts f back to its length
// before the write, so that f never ends in part of p. The sink writes
// whole ledgers, so f then ends with its last complete ledger. It
// returns the write's error, saying where the file was cut.
func writeWhole(f *os.File, p []byte) (int, error) {
	info, err := f.Stat()
	if err != nil {
		return 0, err
	}
	n, err := f.Write(p)
	if err == nil {
		return n, nil
	}
	end := info.Size()
	if cut := errors.Join(f.Truncate(end), seekTo(f, end)); cut != nil {
		return n, fmt.Errorf("%w; cutting the %d bytes written of %d back failed, so the file ends in a partial line: %w", err, n, len(p), cut)
	}
	return 0, fmt.Errorf("%w; the file is cut back to its last complete ledger, at byte %d", err, end)
}

// seekTo moves f's offset to off.
func seekTo(f *os.File, off int64) error {
	_, err := f.Seek(off, io.SeekStart)
	return err
}

func (w *replacingFile) truncate() error {
	if w.truncated {
		return nil
	}
	if err := w.f.Truncate(w.keep); err != nil {
		return err
	}
	if _, err := w.f.Seek(w.keep, io.SeekStart); err != nil {
		return err
	}
	w.truncated = true
	return nil
}

var _ cdp.Checkpointer = (*SaveToJSONFile)(nil)
