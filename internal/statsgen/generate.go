// Package statsgen is the code generator behind cmd/statsgen: it turns
// //cdp:component and //cdp:stat markers into stats code, and keeps the
// cross-component catalog.
//
// A run is a pipeline of the sub-packages, like stringer's: load (one
// packages.Load for every pattern), model (find and check the markers),
// emit (jennifer), then write (atomic writes, or a diff for -check).
// Nothing is written unless every package checked cleanly.
package statsgen

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"sync"

	"github.com/cdpstats/cdpstats/internal/statsgen/diag"
	"github.com/cdpstats/cdpstats/internal/statsgen/emit"
	"github.com/cdpstats/cdpstats/internal/statsgen/load"
	"github.com/cdpstats/cdpstats/internal/statsgen/model"
	"github.com/cdpstats/cdpstats/internal/statsgen/write"
)

// Options says what one run works on.
type Options struct {
	// Dir is the directory patterns are relative to; "" means the current
	// directory. Paths in messages are relative to it.
	Dir string
	// Patterns are go list patterns; none means ".".
	Patterns []string
	// Tags are extra build tags.
	Tags []string
	// Env is the environment of the go command; nil means os.Environ().
	Env []string
}

// Result is what a run generates.
type Result struct {
	// Files are the outputs, sorted by path: content to write, or nil for
	// an orphaned output to remove.
	Files []write.File
	// Packages are the checked packages that have markers.
	Packages []*model.Package
}

// Generate loads the packages opts names, checks their markers and
// returns every output. Problems in the source are added to diags, and
// the result must not be written when there is any. The error is for
// failures of the go command or of statsgen itself.
func Generate(opts Options, diags *diag.List) (*Result, error) {
	pkgs, err := load.Load(load.Config{
		Dir:      opts.Dir,
		Patterns: opts.Patterns,
		Tags:     opts.Tags,
		Env:      opts.Env,
	}, diags)
	if err != nil {
		return nil, err
	}

	models := make([]*model.Package, len(pkgs))
	res := &Result{}
	var catalog *model.Package
	var entries []emit.CatalogEntry
	for i, lp := range pkgs {
		m := model.Build(lp, diags)
		models[i] = m
		if m == nil {
			continue
		}
		res.Packages = append(res.Packages, m)
		for _, c := range m.Components {
			entries = append(entries, emit.CatalogEntry{Package: m.Path, Component: c})
		}
		if m.Catalog {
			if catalog != nil {
				diags.Addf(m.CatalogPos, "a second //cdp:catalog package in one run: %s already holds the catalog",
					catalog.Path)
				continue
			}
			catalog = m
		}
	}
	emit.SortCatalog(entries)
	if catalog != nil {
		checkCatalogNames(entries, diags, opts.Dir)
	}
	if diags.Len() > 0 {
		return res, nil
	}

	files, err := packageFiles(pkgs, models)
	if err != nil {
		return nil, err
	}
	catFiles, err := catalogFiles(pkgs, models, catalog, entries)
	if err != nil {
		return nil, err
	}
	res.Files = append(files, catFiles...)
	sort.Slice(res.Files, func(i, j int) bool { return res.Files[i].Path < res.Files[j].Path })
	return res, nil
}

// checkCatalogNames reports components of different packages with the
// same kind and type name, which the catalog could not tell apart. entries
// are sorted, so such components are adjacent.
func checkCatalogNames(entries []emit.CatalogEntry, diags *diag.List, dir string) {
	for i := 1; i < len(entries); i++ {
		a, b := entries[i-1].Component, entries[i].Component
		if a.Kind == b.Kind && a.Name == b.Name && entries[i-1].Package != entries[i].Package {
			diags.Addf(b.Pos, "duplicate component %s %s: %s.%s at %s has the same kind and name, "+
				"and the catalog needs them unique; give one a distinct name=",
				b.Kind, b.Name, entries[i-1].Package, a.GoName, diag.Position(a.Pos, dirOrCwd(dir)))
		}
	}
}

func dirOrCwd(dir string) string {
	abs, err := load.Abs(dir)
	if err != nil {
		return ""
	}
	return abs
}

// packageFiles returns the output of every package: its generated file
// when it has components, and every stale statsgen file as an orphan.
// Packages are emitted in parallel, since each is independent.
func packageFiles(pkgs []*load.Package, models []*model.Package) ([]write.File, error) {
	type result struct {
		files []write.File
		err   error
	}
	results := make([]result, len(pkgs))
	var wg sync.WaitGroup
	work := make(chan int)
	for range min(runtime.GOMAXPROCS(0), len(pkgs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				results[i].files, results[i].err = packageOutputs(pkgs[i], models[i])
			}
		}()
	}
	for i := range pkgs {
		work <- i
	}
	close(work)
	wg.Wait()

	var files []write.File
	for _, r := range results {
		if r.err != nil {
			return nil, r.err
		}
		files = append(files, r.files...)
	}
	return files, nil
}

// packageOutputs returns the outputs of one package.
func packageOutputs(lp *load.Package, m *model.Package) ([]write.File, error) {
	var files []write.File
	want := ""
	if m != nil && len(m.Components) > 0 {
		src, err := emit.Package(m)
		if err != nil {
			return nil, err
		}
		want = filepath.Join(lp.Dir, emit.OutputName)
		files = append(files, write.File{Path: want, Content: src})
	}
	for _, path := range lp.Outputs[load.PackageOutput] {
		if path != want {
			files = append(files, write.File{Path: path})
		}
	}
	return files, nil
}

// catalogFiles returns the catalog files of the //cdp:catalog package, if
// the run loaded it, and orphans of catalogs whose package lost its marker.
func catalogFiles(pkgs []*load.Package, models []*model.Package, catalog *model.Package, entries []emit.CatalogEntry) ([]write.File, error) {
	var files []write.File
	for i, lp := range pkgs {
		m := models[i]
		mdPath := filepath.Join(lp.Dir, emit.CatalogMDName)
		if m != nil && m == catalog {
			files = append(files, write.File{Path: mdPath, Content: emit.CatalogMD(entries)})
			// The Go catalog of earlier versions is an orphan now.
			for _, path := range lp.Outputs[load.CatalogOutput] {
				files = append(files, write.File{Path: path})
			}
			continue
		}
		for _, path := range lp.Outputs[load.CatalogOutput] {
			files = append(files, write.File{Path: path})
		}
		if isCatalogMD(mdPath) {
			files = append(files, write.File{Path: mdPath})
		}
	}
	return files, nil
}

// isCatalogMD reports whether path is a STATS.md that statsgen wrote.
func isCatalogMD(path string) bool {
	src, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	line, _, _ := bytes.Cut(src, []byte("\n"))
	return string(line) == emit.CatalogMDHeader()
}

// describe is used in verbose output.
func describe(c write.Change, dir string) string {
	verb := "wrote"
	if c.Removed {
		verb = "removed"
	}
	return fmt.Sprintf("%s %s", verb, diag.RelPath(c.Path, dir))
}
