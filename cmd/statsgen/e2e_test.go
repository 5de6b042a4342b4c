package main_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/internal/statsgen/testmod"
)

const e2eComponent = "package comp\n\n//go:generate go run github.com/cdpstats/cdpstats/cmd/statsgen\n" + filterComponent

// filterComponent is an annotated processor after its package clause and
// go:generate directive: a blank line, then the type.
const filterComponent = `
// Filter passes every other message.
//
//cdp:component kind=processor name=Filter
type Filter struct {
	//cdp:stat counter name=messages_processed help="Messages examined"
	//cdp:stat counter name=messages_passed
	//cdp:stat ratio name=pass_ratio num=messages_passed den=messages_processed
	//cdp:stat latency name=process_latency
	stats filterStats
}

// Process handles message n.
func (f *Filter) Process(n int) {
	defer f.stats.StartProcessLatency().Stop()
	f.stats.RecordMessagesProcessed()
	if n%2 == 0 {
		f.stats.RecordMessagesPassed()
	}
}
`

const e2eCatalog = `// Package catalog holds the module's stats catalog.
//
//cdp:catalog
package catalog

//go:generate go run github.com/cdpstats/cdpstats/cmd/statsgen ../...
`

const e2eMain = `package main

import (
	"fmt"
	"sort"
	"testing"
	"time"

	"example.com/e2e/comp"
	"github.com/cdpstats/cdpstats/runtime"
)

func main() {
	f := &comp.Filter{}
	for n := 0; n < 10; n++ {
		f.Process(n)
	}
	ps := runtime.NewPipelineStats("e2e")
	runtime.NewStatsCollector(ps, time.Hour).Prepare([]runtime.StatsProvider{f}).Collect()
	m := ps.GetMetrics()
	var keys []string
	for k := range m {
		if len(k) > 10 && k[:10] == "processor." {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range []string{"processor.Filter.messages_processed", "processor.Filter.messages_passed", "processor.Filter.pass_ratio", "processor.Filter.process_latency_count"} {
		fmt.Printf("%s=%v\n", k, m[k])
	}
	s, ok := f.StatsDesc().Stat("messages_processed")
	fmt.Printf("help=%q %v\n", s.Help, ok)
	fmt.Printf("allocs per Process=%v\n", testing.AllocsPerRun(100, func() { f.Process(2) }))
}
`

// TestEndToEnd drives statsgen the way a project does, in a throwaway
// module: go generate ./... through //go:generate directives, build and
// run a program that collects the stats and checks that timing with the
// generated Stopwatch allocates nothing, then edit an annotation and
// watch -check fail until statsgen runs again.
func TestEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds statsgen and a program")
	}
	bin := testmod.BuildStatsgen(t, t.TempDir())
	dir := testmod.New(t, "example.com/e2e", map[string][]byte{
		"comp/comp.go":     []byte(e2eComponent),
		"catalog/doc.go":   []byte(e2eCatalog),
		"cmd/app/main.go":  []byte(e2eMain),
		"comp/comp_doc.go": []byte("// Package comp is a component.\npackage comp\n"),
	})

	out, code := testmod.Go(t, dir, "generate", "./...")
	require.Equal(t, 0, code, "go generate: %s", out)
	for _, f := range []string{"comp/stats_generated.go", "catalog/STATS.md"} {
		assert.FileExists(t, filepath.Join(dir, f))
	}

	out, code = testmod.Go(t, dir, "run", "./cmd/app")
	require.Equal(t, 0, code, "go run: %s", out)
	assert.Equal(t, "processor.Filter.messages_processed=10\n"+
		"processor.Filter.messages_passed=5\n"+
		"processor.Filter.pass_ratio=0.5\n"+
		"processor.Filter.process_latency_count=10\n"+
		"help=\"Messages examined\" true\n"+
		"allocs per Process=0\n", out)

	out, code = testmod.Run(t, dir, testmod.Env(), bin, "-check", "./...")
	require.Equal(t, 0, code, "fresh output must be current: %s", out)

	// Edit an annotation: the generated code is now stale.
	path := filepath.Join(dir, "comp", "comp.go")
	edited := strings.Replace(e2eComponent, `help="Messages examined"`, `help="Messages seen"`, 1)
	require.NoError(t, os.WriteFile(path, []byte(edited), 0o644))
	out, code = testmod.Run(t, dir, testmod.Env(), bin, "-check", "./...")
	assert.Equal(t, 3, code, "-check must exit 3 on stale code: %s", out)
	assert.Contains(t, out, `-	runtime.StatDesc{Name: "messages_processed", Kind: runtime.KindCounter, Help: "Messages examined"`)
	assert.Contains(t, out, `+	runtime.StatDesc{Name: "messages_processed", Kind: runtime.KindCounter, Help: "Messages seen"`)
	assert.Contains(t, out, "+++ b/catalog/STATS.md")

	out, code = testmod.Run(t, dir, testmod.Env(), bin, "./...")
	require.Equal(t, 0, code, "regenerate: %s", out)
	out, code = testmod.Run(t, dir, testmod.Env(), bin, "-check", "./...")
	assert.Equal(t, 0, code, "-check after regenerating: %s", out)

	// A bad annotation fails with a positioned error and exit code 1.
	broken := strings.Replace(edited, "counter name=messages_passed", "countr name=messages_passed", 1)
	require.NoError(t, os.WriteFile(path, []byte(broken), 0o644))
	out, code = testmod.Run(t, dir, testmod.Env(), bin, "./...")
	assert.Equal(t, 1, code)
	assert.Equal(t, "comp/comp.go:10:13: unknown stat kind \"countr\"; did you mean \"counter\"? "+
		"(valid: counter, gauge, latency, ratio, timestamp)\n", out)
}
