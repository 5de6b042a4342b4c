// Package emit writes the Go code and documents that statsgen generates,
// with github.com/dave/jennifer.
//
// Everything here is a pure function of a checked model: no clock, no
// paths of the machine, no map iteration order, so output is
// byte-identical from run to run.
package emit

import (
	"bytes"
	"fmt"
	"go/format"
	"go/types"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/cdpstats/cdpstats/internal/statsgen/load"
	"github.com/cdpstats/cdpstats/internal/statsgen/model"
)

// RuntimePath is the import path of the package generated code targets.
const RuntimePath = "github.com/cdpstats/cdpstats/runtime"

// OutputName is the name of the file statsgen writes into each package.
const OutputName = "stats_generated.go"

// Package returns the gofmt'd source of the file statsgen writes into p.
func Package(p *model.Package) ([]byte, error) {
	g := newFileGen(p.Path, p.Name, p.Types)
	g.reserveImports(p)
	for _, c := range p.Components {
		cg := &componentGen{fileGen: g, c: c}
		cg.emit()
	}
	return g.render(load.Header, p.BuildConstraint)
}

// fileGen is one generated Go file.
type fileGen struct {
	f       *jen.File
	pkgPath string
	// scope is the package being generated for, without statsgen's output.
	scope *types.Package
	// names are the import names taken so far, and imports the name of
	// each import path.
	names   map[string]bool
	imports map[string]string
}

// render returns the file's source: the header, the build constraint when
// there is one, then the code.
func (g *fileGen) render(header, buildLine string) ([]byte, error) {
	var body bytes.Buffer
	if err := g.f.Render(&body); err != nil {
		return nil, fmt.Errorf("rendering %s: %w", g.pkgPath, err)
	}
	var out bytes.Buffer
	out.WriteString(header + "\n\n")
	if buildLine != "" {
		out.WriteString(buildLine + "\n\n")
	}
	out.Write(groupImports(body.Bytes()))
	src, err := format.Source(out.Bytes())
	if err != nil {
		return nil, fmt.Errorf("formatting %s: %w", g.pkgPath, err)
	}
	return src, nil
}

// doc adds a // comment, wrapped at 80 columns, to the file. Blank lines
// in the text separate paragraphs.
func (g *fileGen) doc(format string, args ...any) {
	g.f.Comment(docComment(fmt.Sprintf(format, args...)))
}

// docComment formats text as // comment lines of at most 80 columns,
// unless a single word is longer.
func docComment(text string) string {
	var lines []string
	for i, para := range strings.Split(text, "\n\n") {
		if i > 0 {
			lines = append(lines, "//")
		}
		line := "//"
		for _, word := range strings.Fields(para) {
			if len(line) > 2 && len(line)+1+len(word) > 80 {
				lines = append(lines, line)
				line = "//"
			}
			line += " " + word
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

// groupImports puts the standard library imports of a jennifer-rendered
// file in a group of their own, before the others, as goimports would.
// jennifer renders a parenthesized import block with one import a line.
func groupImports(src []byte) []byte {
	const open, closing = "\nimport (\n", "\n)\n"
	start := bytes.Index(src, []byte(open))
	if start < 0 {
		return src
	}
	start += len(open)
	end := bytes.Index(src[start:], []byte(closing))
	if end < 0 {
		return src
	}
	end += start
	var std, other []string
	for _, line := range strings.Split(string(src[start:end]), "\n") {
		spec := strings.TrimSpace(line)
		path := spec[strings.IndexByte(spec, '"')+1:]
		if first, _, _ := strings.Cut(path, "/"); strings.Contains(first, ".") {
			other = append(other, line)
		} else {
			std = append(std, line)
		}
	}
	group := strings.Join(std, "\n")
	if len(std) > 0 && len(other) > 0 {
		group += "\n\n"
	}
	group += strings.Join(other, "\n")
	var out bytes.Buffer
	out.Write(src[:start])
	out.WriteString(group)
	out.Write(src[end:])
	return out.Bytes()
}
