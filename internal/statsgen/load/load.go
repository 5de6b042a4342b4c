// Package load loads the packages statsgen works on, in one
// golang.org/x/tools/go/packages call for every pattern, after one go list
// that makes sure the go command can list every package the patterns
// match: statsgen never succeeds having skipped one.
//
// It loads only what statsgen needs: the syntax and types of the root
// packages, with their dependencies read from export data. Two things set
// it apart from a plain packages.Load:
//
//   - statsgen's own output is never loaded. Files whose header says they
//     are statsgen's output are replaced by an empty file with the same
//     package clause, so a stale or broken output cannot stop the run that
//     would fix it.
//   - Function bodies are dropped while parsing. statsgen only reads
//     declarations, and the bodies are where code calls helpers that do not
//     exist until the first run; dropping them also makes type checking
//     cheap.
//
// Type errors are therefore expected (the stats types do not exist before
// the first run) and are kept for explanations, not reported.
package load

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/tools/go/packages"

	"github.com/cdpstats/cdpstats/internal/statsgen/diag"
)

// Config says what to load.
type Config struct {
	// Dir is the directory patterns are relative to; "" means the
	// current directory.
	Dir string
	// Patterns are go list patterns such as "." or "./..."; none means ".".
	Patterns []string
	// Tags are extra build tags, as for go build -tags.
	Tags []string
	// Env is the environment of the go command; nil means os.Environ().
	Env []string
}

// Package is one loaded root package.
type Package struct {
	// Path is the import path and Name the package name.
	Path, Name string
	// Dir is the package's directory.
	Dir string
	// Fset holds the positions of Files.
	Fset *token.FileSet
	// Files are the package's hand-written Go files with their syntax,
	// function bodies removed, sorted by path.
	Files []*File
	// Outputs are the absolute paths of the package's files that carry a
	// statsgen header, by origin, sorted. They were not loaded.
	Outputs map[Origin][]string
	// Types is the type-checked package, without statsgen's output.
	Types *types.Package
	// TypeErrors are the type checker's complaints. statsgen ignores them,
	// since references to generated code are expected to fail, but uses
	// them to explain a type it cannot use.
	TypeErrors []types.Error
}

// File is one hand-written Go file of a package.
type File struct {
	// Path is the file's absolute path.
	Path string
	// Syntax is the parsed file, with comments and without function bodies.
	Syntax *ast.File
}

// Load loads the packages that cfg's patterns match. Problems with the
// packages themselves (a pattern that matches nothing, a syntax error)
// are added to diags; the error is for failures of the go command.
func Load(cfg Config, diags *diag.List) ([]*Package, error) {
	patterns := cfg.Patterns
	if len(patterns) == 0 {
		patterns = []string{"."}
	}
	origins := &originMap{m: map[string]Origin{}}
	pcfg := &packages.Config{
		Mode:      packages.NeedName | packages.NeedFiles | packages.NeedSyntax | packages.NeedTypes,
		Dir:       cfg.Dir,
		Env:       cfg.Env,
		Fset:      token.NewFileSet(),
		ParseFile: origins.parseFile,
	}
	if len(cfg.Tags) > 0 {
		pcfg.BuildFlags = []string{"-tags=" + strings.Join(cfg.Tags, ",")}
	}
	matched, err := list(cfg, patterns, diags)
	if err != nil {
		return nil, err
	}
	pkgs, err := packages.Load(pcfg, patterns...)
	if err != nil {
		return nil, fmt.Errorf("loading packages: %w", err)
	}
	loaded := map[string]bool{}
	for _, p := range pkgs {
		loaded[p.PkgPath] = true
	}
	for _, path := range matched {
		if !loaded[path] {
			return nil, fmt.Errorf("go list matches %s, but go/packages did not load it", path)
		}
	}

	var out []*Package
	for _, p := range pkgs {
		lp := &Package{
			Path:       p.PkgPath,
			Name:       p.Name,
			Fset:       p.Fset,
			Types:      p.Types,
			TypeErrors: p.TypeErrors,
			Outputs:    map[Origin][]string{},
		}
		reportErrors(p, origins, diags)
		for _, f := range p.Syntax {
			path := p.Fset.File(f.FileStart).Name()
			if o := origins.get(path); o.IsOutput() {
				lp.Outputs[o] = append(lp.Outputs[o], path)
				continue
			}
			lp.Files = append(lp.Files, &File{Path: path, Syntax: f})
		}
		sort.Slice(lp.Files, func(i, j int) bool { return lp.Files[i].Path < lp.Files[j].Path })
		for _, paths := range lp.Outputs {
			sort.Strings(paths)
		}
		switch {
		case len(p.GoFiles) > 0:
			lp.Dir = filepath.Dir(p.GoFiles[0])
		case len(p.CompiledGoFiles) > 0:
			lp.Dir = filepath.Dir(p.CompiledGoFiles[0])
		default:
			continue // nothing to generate for, and the error is reported
		}
		out = append(out, lp)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// list runs go list over the patterns, with the same directory, tags and
// environment as packages.Load, and returns the import paths it matches.
// It adds the errors of their dependencies to diags: an import that no
// module provides, an import cycle. packages.Load cannot be trusted with
// either: when it reads export data it takes a failing go command for a
// build error of some dependency and returns no packages at all, so a
// go.mod that needs updating would make statsgen skip every package and
// succeed, and it drops the dependencies' errors. A failing go command
// is returned as an error with the go command's own message.
func list(cfg Config, patterns []string, diags *diag.List) ([]string, error) {
	args := []string{"list", "-e", "-json=ImportPath,DepsErrors"}
	if len(cfg.Tags) > 0 {
		args = append(args, "-tags="+strings.Join(cfg.Tags, ","))
	}
	args = append(append(args, "--"), patterns...)
	cmd := exec.Command("go", args...)
	cmd.Dir = cfg.Dir
	cmd.Env = cfg.Env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		var lines []string
		for _, l := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
			if !strings.HasPrefix(l, "go: downloading ") {
				lines = append(lines, l)
			}
		}
		if msg := strings.Join(lines, "\n"); msg != "" {
			return nil, errors.New(msg)
		}
		return nil, fmt.Errorf("go %s: %w", strings.Join(args, " "), err)
	}
	var paths []string
	seen := map[string]bool{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var p struct {
			ImportPath string
			DepsErrors []struct{ Pos, Err string }
		}
		if err := dec.Decode(&p); err != nil {
			return nil, fmt.Errorf("reading go list output: %w", err)
		}
		paths = append(paths, p.ImportPath)
		for _, e := range p.DepsErrors {
			if seen[e.Pos+"\x00"+e.Err] {
				continue
			}
			seen[e.Pos+"\x00"+e.Err] = true
			pos := parsePos(e.Pos)
			if pos.Filename != "" && !filepath.IsAbs(pos.Filename) {
				pos.Filename = filepath.Join(cfg.Dir, pos.Filename)
			}
			diags.Addf(pos, "%s", strings.TrimSpace(e.Err))
		}
	}
	return paths, nil
}

// reportErrors adds the errors of p that stop statsgen from reading its
// markers to diags: syntax errors in hand-written files, and every error
// of the go command listing the package (a package it cannot find, files
// of two packages in one directory, an import it cannot resolve). Type
// errors and failed compiles (the compiler's output, which starts with
// "# " and the package path) are tolerated: they are what missing or
// stale generated code causes, and what this run fixes. So are errors in
// statsgen's own output, which is not loaded.
func reportErrors(p *packages.Package, origins *originMap, diags *diag.List) {
	for _, e := range p.Errors {
		pos := parsePos(e.Pos)
		if e.Kind != packages.ParseError && e.Kind != packages.ListError {
			continue
		}
		if origins.get(pos.Filename).IsOutput() || isCompileError(e) {
			continue
		}
		if pos.Filename == "" {
			pos.Filename = packageDir(p)
		}
		diags.Addf(pos, "%s", e.Msg)
	}
}

// isCompileError reports whether e is the output of a failed compile,
// which go/packages reports as a list error when it builds export data.
func isCompileError(e packages.Error) bool {
	return e.Kind == packages.ListError && strings.HasPrefix(e.Msg, "# ")
}

func packageDir(p *packages.Package) string {
	for _, files := range [][]string{p.GoFiles, p.CompiledGoFiles, p.OtherFiles, p.IgnoredFiles} {
		if len(files) > 0 {
			return filepath.Dir(files[0])
		}
	}
	return p.PkgPath
}

// parsePos parses "file:line:col", "file:line" or "file" as go/packages
// reports error positions.
func parsePos(s string) token.Position {
	if s == "" || s == "-" {
		return token.Position{}
	}
	var pos token.Position
	parts := strings.Split(s, ":")
	nums := []int{}
	for len(parts) > 1 && len(nums) < 2 {
		n, err := strconv.Atoi(parts[len(parts)-1])
		if err != nil {
			break
		}
		nums = append([]int{n}, nums...)
		parts = parts[:len(parts)-1]
	}
	pos.Filename = strings.Join(parts, ":")
	if len(nums) > 0 {
		pos.Line = nums[0]
	}
	if len(nums) > 1 {
		pos.Column = nums[1]
	}
	return pos
}

// originMap remembers the origin of every file parsed, since
// packages.Load calls ParseFile from many goroutines.
type originMap struct {
	mu sync.Mutex
	m  map[string]Origin
}

func (om *originMap) get(path string) Origin {
	om.mu.Lock()
	defer om.mu.Unlock()
	return om.m[path]
}

// parseFile is the packages.Config.ParseFile hook: it records each file's
// origin, replaces statsgen's output by its bare package clause and drops
// function bodies from everything else.
func (om *originMap) parseFile(fset *token.FileSet, filename string, src []byte) (*ast.File, error) {
	origin := OriginOf(src)
	om.mu.Lock()
	om.m[filename] = origin
	om.mu.Unlock()
	if origin.IsOutput() {
		f, err := parser.ParseFile(fset, filename, src, parser.PackageClauseOnly)
		if err != nil && f == nil {
			return nil, err
		}
		// Whatever is wrong after the package clause does not matter.
		return f, nil
	}
	f, err := parser.ParseFile(fset, filename, src, parser.ParseComments|parser.SkipObjectResolution|parser.AllErrors)
	if f != nil {
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok {
				fd.Body = nil
			}
		}
	}
	return f, err
}

// Abs returns dir as an absolute path, with "" meaning the current
// directory.
func Abs(dir string) (string, error) {
	if dir == "" {
		return os.Getwd()
	}
	return filepath.Abs(dir)
}
