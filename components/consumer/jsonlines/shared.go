package jsonlines

import (
	"errors"
	"os"
	"path/filepath"
	"sync"
)

// appendFiles is the writers of the files that SaveToJSONFile consumers
// append to, shared by every consumer of the process appending to the
// same file. It is empty whenever no such consumer is started.
var appendFiles = &fileRegistry{files: map[string]*sharedFile{}}

// fileRegistry holds one reference-counted writer per file, keyed by the
// cleaned absolute path.
type fileRegistry struct {
	mu    sync.Mutex
	files map[string]*sharedFile
}

// sharedFile is one file opened for appending and its buffer, into which
// each of its writers puts whole ledgers, so that their lines interleave
// whole.
type sharedFile struct {
	key  string // the registry's key
	f    *os.File
	out  *sink
	refs int
}

// registryKey is the cleaned absolute path of path: the key of the
// registry, and the Key of the file's cdp.Destination.
func registryKey(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	return filepath.Clean(abs), nil
}

// acquire returns the writer of path, opening the file on first use with
// the buffer of cfg, which every writer of the file has (the runner
// checks that they agree).
func (r *fileRegistry) acquire(path string, cfg FileConfig) (*sharedFile, error) {
	key, err := registryKey(path)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if s, ok := r.files[key]; ok {
		s.refs++
		return s, nil
	}
	f, err := os.OpenFile(key, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	s := &sharedFile{key: key, f: f, out: newSink(appendingFile{f}, cfg.BufferSize, cfg.FlushInterval), refs: 1}
	r.files[key] = s
	return s, nil
}

// release flushes what is buffered; the last writer of the file also
// syncs and closes it.
func (r *fileRegistry) release(s *sharedFile) error {
	err := s.out.flush()
	r.mu.Lock()
	defer r.mu.Unlock()
	s.refs--
	if s.refs > 0 {
		return err
	}
	delete(r.files, s.key)
	err = errors.Join(err, s.out.close(true))
	if err == nil {
		err = s.f.Sync()
	}
	return errors.Join(err, s.f.Close())
}

// appendingFile is a file opened for appending, written whole or not at
// all (see writeWhole).
type appendingFile struct{ f *os.File }

func (w appendingFile) Write(p []byte) (int, error) { return writeWhole(w.f, p) }
