package main_test

import (
	"fmt"
	"os/exec"
	"sort"
	"testing"
	"time"

	"github.com/cdpstats/cdpstats/internal/statsgen/testmod"
)

// benchPackages is the size of the synthetic tree.
const benchPackages = 200

// benchComponent is one synthetic component package: a component with
// every kind of stat, and code that uses the helpers, like a real one.
const benchComponent = `package %[1]s

import (
	"fmt"
	"strings"
	"time"
)

// Config configures Component%[2]d.
type Config struct {
	BufferSize int
	Workers    uint32
}

// Component%[2]d is synthetic component number %[2]d.
//
//cdp:component kind=processor name=component-%[2]d
type Component%[2]d struct {
	cfg Config

	//cdp:stat counter   name=messages_processed help="Messages examined" unit=messages
	//cdp:stat counter   name=messages_passed
	//cdp:stat counter   name=errors
	//cdp:stat ratio     name=pass_ratio num=messages_passed den=messages_processed
	//cdp:stat gauge     name=in_flight
	//cdp:stat gauge     name=buffer_size field=cfg.BufferSize
	//cdp:stat gauge     name=workers field=cfg.Workers
	//cdp:stat gauge     name=queue_depth func=queueDepth
	//cdp:stat timestamp name=last_processed_at
	//cdp:stat latency   name=process_latency help="Time to process one message"
	stats component%[2]dStats

	queue []string
}

func (c *Component%[2]d) queueDepth() int { return len(c.queue) }

// Process handles one message.
func (c *Component%[2]d) Process(msg string) error {
	start := time.Now()
	c.stats.AddInFlight(1)
	defer c.stats.AddInFlight(-1)
	defer func() { c.stats.ObserveProcessLatency(time.Since(start)) }()
	c.stats.RecordMessagesProcessed()
	c.stats.MarkLastProcessedAt()
	if strings.TrimSpace(msg) == "" {
		c.stats.RecordErrors()
		return fmt.Errorf("component %[2]d: empty message")
	}
	if len(msg)%%2 == 0 {
		c.stats.RecordMessagesPassed()
		c.queue = append(c.queue, msg)
	}
	return nil
}
`

// syntheticTree returns the files of a module with n component packages.
func syntheticTree(n int) map[string][]byte {
	files := map[string][]byte{}
	for i := range n {
		name := fmt.Sprintf("comp%03d", i)
		files["components/"+name+"/component.go"] = fmt.Appendf(nil, benchComponent, name, i)
	}
	return files
}

// benchReps is how many times each benchmark iteration runs each tool;
// the median of the runs is reported, since the machine is shared.
const benchReps = 5

// BenchmarkStatsgenVsVet times statsgen on a synthetic tree of 200
// annotated component packages against go vet on the same tree, which is
// the floor of loading and type-checking those packages. On an up-to-date
// tree with a warm build cache (the everyday case of go generate and CI),
// each iteration runs go vet ./..., statsgen ./... (which regenerates
// everything and writes nothing, since nothing changed) and
// statsgen -check ./..., interleaved, benchReps times each, and reports
// the median wall times and their ratios to go vet. The target is
// statsgen/vet <= 1.5 and check/vet no higher.
//
//	make bench-statsgen
//	go test -run '^$' -bench StatsgenVsVet -benchtime 1x -count 3 ./cmd/statsgen
func BenchmarkStatsgenVsVet(b *testing.B) {
	bin := testmod.BuildStatsgen(b, b.TempDir())
	dir := testmod.New(b, "example.com/bench", syntheticTree(benchPackages))
	goTool := testmod.GoTool(b)
	timed := func(name string, args ...string) time.Duration {
		b.Helper()
		start := time.Now()
		out, code := testmod.Run(b, dir, testmod.Env(), name, args...)
		if code != 0 {
			b.Fatalf("%s %v: exit %d\n%s", name, args, code, out)
		}
		return time.Since(start)
	}
	// Generate the code, then let each tool fill the build cache, as in a
	// project where the generated code is committed and built.
	timed(bin, "./...")
	timed(bin, "-check", "./...")
	timed(goTool, "vet", "./...")

	var vet, gen, check []time.Duration
	b.ResetTimer()
	for range b.N {
		for range benchReps {
			vet = append(vet, timed(goTool, "vet", "./..."))
			gen = append(gen, timed(bin, "./..."))
			check = append(check, timed(bin, "-check", "./..."))
		}
	}
	b.StopTimer()
	v, g, c := median(vet), median(gen), median(check)
	b.ReportMetric(v.Seconds(), "vet-s")
	b.ReportMetric(g.Seconds(), "statsgen-s")
	b.ReportMetric(c.Seconds(), "check-s")
	b.ReportMetric(g.Seconds()/v.Seconds(), "statsgen/vet")
	b.ReportMetric(c.Seconds()/v.Seconds(), "check/vet")
}

// BenchmarkStatsgenVsVetColdCache is BenchmarkStatsgenVsVet with an empty
// build cache for every run, as on a fresh CI machine: both tools then
// compile the standard library and the dependencies, and statsgen also
// the packages themselves, since go list -export compiles them.
func BenchmarkStatsgenVsVetColdCache(b *testing.B) {
	bin := testmod.BuildStatsgen(b, b.TempDir())
	dir := testmod.New(b, "example.com/bench", syntheticTree(benchPackages))
	goTool := testmod.GoTool(b)
	timed := func(name string, args ...string) time.Duration {
		b.Helper()
		cmd := exec.Command(name, args...)
		cmd.Dir = dir
		cmd.Env = append(testmod.Env(), "GOCACHE="+b.TempDir())
		start := time.Now()
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%s %v: %v\n%s", name, args, err, out)
		}
		return time.Since(start)
	}
	timed(bin, "./...")

	var vet, check time.Duration
	b.ResetTimer()
	for range b.N {
		vet += timed(goTool, "vet", "./...")
		check += timed(bin, "-check", "./...")
	}
	b.StopTimer()
	b.ReportMetric(vet.Seconds()/float64(b.N), "vet-s")
	b.ReportMetric(check.Seconds()/float64(b.N), "check-s")
	b.ReportMetric(check.Seconds()/vet.Seconds(), "check/vet")
}

func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}
