package main_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/internal/statsgen"
	"github.com/cdpstats/cdpstats/internal/statsgen/testmod"
)

// docBlock is one fenced code block of a Markdown file.
type docBlock struct {
	lang string
	line int // the line of the opening fence
	body string
}

// statsgenPrompt starts a text block that shows what statsgen prints for
// the Go block before it.
const statsgenPrompt = "$ go tool statsgen\n"

// TestAdoptingDoc compiles every Go block of docs/adopting.md, each a
// whole file in a package of its own: statsgen runs on the package, and
// must succeed, or, where a "$ go tool statsgen" text block follows the Go
// block, print exactly what that block shows and write nothing. Then the
// module builds and passes go vet.
func TestAdoptingDoc(t *testing.T) {
	if testing.Short() {
		t.Skip("builds every block of the doc")
	}
	root := testmod.RepoRoot(t)
	data, err := os.ReadFile(filepath.Join(root, "docs", "adopting.md"))
	require.NoError(t, err)
	blocks := fencedBlocks(t, string(data))

	files := map[string][]byte{}
	var goBlocks []int
	for i, b := range blocks {
		if b.lang == "go" {
			files[fmt.Sprintf("block%02d/filter.go", i)] = []byte(b.body)
			goBlocks = append(goBlocks, i)
		}
	}
	require.NotEmpty(t, goBlocks)
	dir := testmod.New(t, "example.com/adopting", files)
	t.Setenv("GOFLAGS", "-mod=mod")
	t.Setenv("GOPROXY", "off")
	t.Setenv("GOWORK", "off")

	for _, i := range goBlocks {
		b := blocks[i]
		var want string
		wantErrors := false
		if i+1 < len(blocks) && blocks[i+1].lang == "text" && strings.HasPrefix(blocks[i+1].body, statsgenPrompt) {
			want, wantErrors = strings.TrimPrefix(blocks[i+1].body, statsgenPrompt), true
		}
		pkgDir := filepath.Join(dir, fmt.Sprintf("block%02d", i))
		var stdout, stderr bytes.Buffer
		code := statsgen.Run(nil, pkgDir, &stdout, &stderr)
		generated := filepath.Join(pkgDir, "stats_generated.go")
		if wantErrors {
			assert.Equal(t, statsgen.ExitErrors, code, "statsgen on the block at docs/adopting.md:%d", b.line)
			assert.Equal(t, want, stderr.String(), "statsgen's messages for the block at docs/adopting.md:%d", b.line)
			assert.NoFileExists(t, generated)
		} else {
			assert.Equal(t, statsgen.ExitOK, code, "statsgen on the block at docs/adopting.md:%d: %s", b.line, stderr.String())
			if strings.Contains(b.body, "\n//cdp:component ") {
				assert.FileExists(t, generated)
			}
		}
	}
	for _, args := range [][]string{{"build", "./..."}, {"vet", "./..."}} {
		out, code := testmod.Go(t, dir, args...)
		assert.Equal(t, 0, code, "go %s over the Go blocks of docs/adopting.md:\n%s", strings.Join(args, " "), out)
	}
}

// fencedBlocks returns the fenced code blocks of a Markdown text, fences
// of three backquotes at the start of a line.
func fencedBlocks(t *testing.T, text string) []docBlock {
	var blocks []docBlock
	var cur *docBlock
	for n, line := range strings.SplitAfter(text, "\n") {
		fence := strings.HasPrefix(line, "```")
		switch {
		case cur == nil && fence:
			cur = &docBlock{lang: strings.TrimSpace(strings.TrimPrefix(line, "```")), line: n + 1}
		case cur != nil && fence:
			blocks = append(blocks, *cur)
			cur = nil
		case cur != nil:
			cur.body += line
		}
	}
	require.Nil(t, cur, "an unclosed code block")
	return blocks
}
