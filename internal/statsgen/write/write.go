// Package write puts statsgen's outputs on disk, or compares them with
// what is there for -check.
//
// Files are written only when their content changes, through a temporary
// file in the same directory and an atomic rename, so a reader (or an
// interrupted run) never sees half a file and an unchanged file keeps its
// modification time and the build cache stays warm.
package write

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	udiff "github.com/aymanbagabas/go-udiff"

	"github.com/cdpstats/cdpstats/internal/statsgen/diag"
)

// File is one output: the content a path must have.
type File struct {
	// Path is the file's absolute path.
	Path string
	// Content is what the file must hold. Nil means the file must not
	// exist: it is an orphaned output, to remove.
	Content []byte
}

// Change is what Apply did to one file.
type Change struct {
	Path string
	// Removed is true for an orphan that was removed, false for a file
	// that was written.
	Removed bool
}

// Apply brings every file on disk to its wanted state and returns what
// it changed, in the order of files.
func Apply(files []File) ([]Change, error) {
	var changes []Change
	for _, f := range files {
		cur, err := os.ReadFile(f.Path)
		exists := err == nil
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return changes, err
		}
		switch {
		case f.Content == nil && exists:
			if err := os.Remove(f.Path); err != nil {
				return changes, err
			}
			changes = append(changes, Change{Path: f.Path, Removed: true})
		case f.Content != nil && (!exists || !bytes.Equal(cur, f.Content)):
			if err := atomicWrite(f.Path, f.Content); err != nil {
				return changes, err
			}
			changes = append(changes, Change{Path: f.Path})
		}
	}
	return changes, nil
}

// atomicWrite replaces path with content through a temporary file in the
// same directory. A new file gets mode 0644; an existing one keeps its mode.
func atomicWrite(path string, content []byte) (err error) {
	mode := fs.FileMode(0o644)
	if fi, err := os.Stat(path); err == nil {
		mode = fi.Mode().Perm()
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(content); err != nil {
		return err
	}
	if err = tmp.Chmod(mode); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// Check compares every file with the disk, writes a unified diff of each
// one that is missing, changed or orphaned to w, with paths relative to
// dir, and reports whether any was.
func Check(files []File, w io.Writer, dir string) (stale bool, err error) {
	for _, f := range files {
		cur, err := os.ReadFile(f.Path)
		exists := err == nil
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return stale, err
		}
		oldName, newName := diffNames(f.Path, dir)
		var d []byte
		switch {
		case f.Content == nil && exists:
			d = Diff(oldName, "/dev/null", cur, nil)
		case f.Content != nil && !exists:
			d = Diff("/dev/null", newName, nil, f.Content)
		case f.Content != nil:
			d = Diff(oldName, newName, cur, f.Content)
		}
		if d == nil {
			continue
		}
		stale = true
		if _, err := w.Write(d); err != nil {
			return stale, fmt.Errorf("writing diff: %w", err)
		}
	}
	return stale, nil
}

// diffNames returns the names of path in a diff header: git's a/ and b/
// prefixes on the path relative to dir, or the absolute path twice when
// it is outside dir.
func diffNames(path, dir string) (oldName, newName string) {
	name := diag.RelPath(path, dir)
	if filepath.IsAbs(name) {
		return name, name
	}
	return "a/" + name, "b/" + name
}

// Diff returns the unified diff that turns old into new, with the given
// file names in its header, or nil when they are equal.
func Diff(oldName, newName string, old, new []byte) []byte {
	if bytes.Equal(old, new) {
		return nil
	}
	return []byte(udiff.Unified(oldName, newName, string(old), string(new)))
}
