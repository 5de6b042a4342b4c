// Package diff produces unified diffs of text files, for statsgen -check.
package diff

import (
	"bytes"
	"fmt"
	"strings"
)

// context is the number of unchanged lines shown around each change.
const context = 3

// maxCells bounds the work of finding the shortest edit. Changes larger
// than this are shown as a replacement of the whole changed region, which
// is still a correct diff, only not a minimal one.
const maxCells = 1 << 22

// Unified returns the unified diff that turns old into new, with the
// given file names in its header, or nil when they are equal.
func Unified(oldName, newName string, old, new []byte) []byte {
	if bytes.Equal(old, new) {
		return nil
	}
	a, b := splitLines(old), splitLines(new)
	edits := compare(a, b)
	var out bytes.Buffer
	fmt.Fprintf(&out, "--- %s\n+++ %s\n", oldName, newName)
	for _, h := range hunks(edits) {
		writeHunk(&out, h, a, b)
	}
	return out.Bytes()
}

// splitLines splits text into lines, each with its newline; the last line
// lacks it when the text does not end with one.
func splitLines(text []byte) []string {
	if len(text) == 0 {
		return nil
	}
	lines := strings.SplitAfter(string(text), "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// op is one step of an edit script.
type op byte

const (
	equal  op = ' '
	delete op = '-'
	insert op = '+'
)

// edit is one line of an edit script: a line of a (delete), of b
// (insert), or of both (equal).
type edit struct {
	op   op
	a, b int // line indexes in a and b; the one an op does not use is where it would be
}

// compare returns an edit script from a to b: the common prefix and
// suffix, and between them a longest-common-subsequence alignment.
func compare(a, b []string) []edit {
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	var edits []edit
	for i := 0; i < pre; i++ {
		edits = append(edits, edit{equal, i, i})
	}
	edits = append(edits, middle(a, b, pre, len(a)-suf, pre, len(b)-suf)...)
	for i := 0; i < suf; i++ {
		edits = append(edits, edit{equal, len(a) - suf + i, len(b) - suf + i})
	}
	return edits
}

// middle aligns a[a0:a1] with b[b0:b1] by longest common subsequence.
func middle(a, b []string, a0, a1, b0, b1 int) []edit {
	n, m := a1-a0, b1-b0
	var edits []edit
	if n*m > maxCells {
		for i := a0; i < a1; i++ {
			edits = append(edits, edit{delete, i, b0})
		}
		for j := b0; j < b1; j++ {
			edits = append(edits, edit{insert, a1, j})
		}
		return edits
	}
	// lcs[i][j] is the length of the LCS of a[a0+i:a1] and b[b0+j:b1].
	lcs := make([][]int32, n+1)
	for i := range lcs {
		lcs[i] = make([]int32, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[a0+i] == b[b0+j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && a[a0+i] == b[b0+j]:
			edits = append(edits, edit{equal, a0 + i, b0 + j})
			i, j = i+1, j+1
		case j < m && (i == n || lcs[i][j+1] > lcs[i+1][j]):
			edits = append(edits, edit{insert, a0 + i, b0 + j})
			j++
		default:
			edits = append(edits, edit{delete, a0 + i, b0 + j})
			i++
		}
	}
	return edits
}

// hunks groups the edits into hunks: each run of changes with up to
// context equal lines around it, merging runs that are close.
func hunks(edits []edit) [][]edit {
	var out [][]edit
	for i := 0; i < len(edits); {
		if edits[i].op == equal {
			i++
			continue
		}
		start := max(i-context, 0)
		end := i
		for end < len(edits) {
			if edits[end].op != equal {
				end++
				continue
			}
			run := end
			for run < len(edits) && edits[run].op == equal {
				run++
			}
			if run == len(edits) || run-end > 2*context {
				end = min(end+context, len(edits))
				break
			}
			end = run
		}
		out = append(out, edits[start:end])
		i = end
	}
	return out
}

func writeHunk(out *bytes.Buffer, h []edit, a, b []string) {
	var aStart, aLen, bStart, bLen int
	aStart, bStart = h[0].a, h[0].b
	for _, e := range h {
		if e.op != insert {
			aLen++
		}
		if e.op != delete {
			bLen++
		}
	}
	fmt.Fprintf(out, "@@ -%s +%s @@\n", hunkRange(aStart, aLen), hunkRange(bStart, bLen))
	for _, e := range h {
		line := ""
		switch e.op {
		case delete, equal:
			line = a[e.a]
		case insert:
			line = b[e.b]
		}
		out.WriteByte(byte(e.op))
		out.WriteString(line)
		if !strings.HasSuffix(line, "\n") {
			out.WriteString("\n\\ No newline at end of file\n")
		}
	}
}

// hunkRange formats the line range of a hunk: 1-based start and length,
// where an empty range names the line before it.
func hunkRange(start, length int) string {
	switch length {
	case 0:
		return fmt.Sprintf("%d,0", start)
	case 1:
		return fmt.Sprintf("%d", start+1)
	}
	return fmt.Sprintf("%d,%d", start+1, length)
}
