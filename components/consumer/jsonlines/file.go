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
	// Append adds to an existing file instead of replacing it. Consumers
	// that append to one path, in one pipeline or several, share one
	// writer, so that their lines interleave whole.
	Append bool `yaml:"append"`
	// Atomic writes to a temporary file next to Path and renames it over
	// Path when the run completes, so that Path holds either the previous
	// run's output or the whole of this one. It is meant for bounded runs:
	// a run that is stopped or fails leaves Path as it was.
	Atomic bool `yaml:"atomic"`
}

// SaveToJSONFile writes each message's payload to a file as a JSON line.
//
// Building it touches nothing; Start opens the file. In the default mode
// an existing file is kept until the run writes its first line, and only
// then truncated (or at a successful Close when the run wrote nothing).
//
//cdp:component kind=consumer name=SaveToJSONFile
type SaveToJSONFile struct {
	cfg         FileConfig
	subscribers cdp.Subscribers

	// Set by Start. out is shared with other appending consumers of the
	// same path; otherwise dst owns the file.
	out    *lines
	dst    *replacingFile // the replace mode's file, nil otherwise
	shared *sharedFile    // the append mode's writer, nil otherwise
	tmp    *os.File       // the atomic mode's temporary file, nil otherwise

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
	var cfg FileConfig
	if err := config.Decode(raw, &cfg); err != nil {
		return FileConfig{}, err
	}
	if info, err := os.Stat(cfg.Path); err == nil && info.IsDir() {
		return FileConfig{}, config.Errorf("path", "%q is a directory", cfg.Path)
	}
	if cfg.Append && cfg.Atomic {
		return FileConfig{}, config.Errorf("atomic", "cannot be combined with append: atomic replaces the file")
	}
	return cfg, nil
}

// FileDestination returns where a SaveToJSONFile config map writes: the
// cleaned absolute path, shareable only when appending.
func FileDestination(raw map[string]interface{}) (cdp.Destination, error) {
	cfg, err := ParseFileConfig(raw)
	if err != nil {
		return cdp.Destination{}, err
	}
	abs, err := filepath.Abs(cfg.Path)
	if err != nil {
		return cdp.Destination{}, config.Errorf("path", "%w", err)
	}
	return cdp.Destination{Kind: cdp.DestinationFile, Key: filepath.Clean(abs), Shareable: cfg.Append}, nil
}

// Start creates the file's directory and opens the file: for appending,
// through the writer shared by every consumer appending to the path; in
// atomic mode, a temporary file in the same directory; otherwise the file
// itself, without truncating it yet.
func (c *SaveToJSONFile) Start(context.Context, cdp.Env) error {
	if c.out != nil {
		return fmt.Errorf("%s: started twice", c.cfg.Path)
	}
	if err := os.MkdirAll(filepath.Dir(c.cfg.Path), 0o755); err != nil {
		return config.Errorf("path", "cannot create the directory of %q: %w", c.cfg.Path, err)
	}
	switch {
	case c.cfg.Append:
		s, err := appendFiles.acquire(c.cfg.Path)
		if err != nil {
			return config.Errorf("path", "cannot open %q for appending: %w", c.cfg.Path, err)
		}
		c.shared, c.out = s, s.out
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
		c.tmp, c.out = f, newLines(f)
	default:
		f, err := os.OpenFile(c.cfg.Path, os.O_WRONLY|os.O_CREATE, 0o644)
		if err != nil {
			return config.Errorf("path", "cannot open %q for writing: %w", c.cfg.Path, err)
		}
		c.dst = &replacingFile{f: f}
		c.out = newLines(c.dst)
	}
	return nil
}

// Subscribe adds a processor that receives every message after it is
// written.
func (c *SaveToJSONFile) Subscribe(p cdp.Processor) { c.subscribers.Subscribe(p) }

// Process writes msg's payload as one JSON line.
func (c *SaveToJSONFile) Process(ctx context.Context, msg cdp.Message) error {
	if c.out == nil {
		return fmt.Errorf("%s: SaveToJSONFile used before Start", c.cfg.Path)
	}
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

// Close completes the run's output: it flushes the buffer, syncs the file
// to disk and closes it. In the default mode a run that wrote nothing
// leaves an empty file; in atomic mode the temporary file is renamed over
// the path. A consumer never started closes nothing. Later calls (of Close
// or Abort) return the first call's result.
func (c *SaveToJSONFile) Close() error { return c.finish(true) }

// Abort ends a run that did not complete: in atomic mode the temporary
// file is removed and the path keeps its previous content; in the default
// mode a file the run has not written to yet is left untouched. What was
// written is flushed and kept otherwise.
func (c *SaveToJSONFile) Abort() error { return c.finish(false) }

func (c *SaveToJSONFile) finish(complete bool) error {
	c.closeOnce.Do(func() {
		var err error
		switch {
		case c.shared != nil:
			err = appendFiles.release(c.shared)
		case c.tmp != nil:
			err = c.finishAtomic(complete)
		case c.dst != nil:
			err = c.out.flush()
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
	var err error
	if complete {
		err = c.out.flush()
		if err == nil {
			err = c.tmp.Sync()
		}
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

// replacingFile is an existing file that the run replaces: it is
// truncated just before the run's first write, not when it is opened.
type replacingFile struct {
	f         *os.File
	truncated bool
}

// Write truncates the file on the first call, then writes p.
func (w *replacingFile) Write(p []byte) (int, error) {
	if err := w.truncate(); err != nil {
		return 0, err
	}
	return w.f.Write(p)
}

func (w *replacingFile) truncate() error {
	if w.truncated {
		return nil
	}
	if err := w.f.Truncate(0); err != nil {
		return err
	}
	w.truncated = true
	return nil
}
