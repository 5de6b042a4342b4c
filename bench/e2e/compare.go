package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/cdpstats/cdpstats/internal/testfixtures/ledgers"
)

// contender is one program measured.
type contender struct {
	name string
	// off runs the binary built with -tags cdpstats_off.
	off bool
	// floor runs the bare SDK loop instead of the runner.
	floor bool
	// source is extra source config, YAML lines.
	source string
}

// contenders are measured in this order, rotated every round.
var contenders = []contender{
	{name: "bare SDK loop (floor)", floor: true},
	{name: "runner"},
	{name: "runner, stats compiled out", off: true},
	{name: "runner, decode_workers: 1", source: "        decode_workers: 1\n"},
}

// dataset is a datastore and the ledger counts measured on it.
type dataset struct {
	name       string
	dir        string
	passphrase string
	start      uint32
	counts     []int
}

// sample is one measured process.
type sample struct {
	wall   time.Duration
	cpu    time.Duration // user + system
	maxRSS int64         // bytes
}

func compareCommand(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("compare", flag.ContinueOnError)
	dir := fs.String("dir", "", "directory of the datastores (written by gen when missing) and of the scratch files")
	off := fs.String("off", "", "this command built with -tags cdpstats_off; without it that contender is left out")
	rounds := fs.Int("rounds", 7, "rounds; every round runs every contender once per ledger count")
	countList := fs.String("counts", "500,2000,10000", "synthetic ledger counts")
	pubnet := fs.Int("pubnet", 200, "copies of the real pubnet ledger to read")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir == "" {
		return fmt.Errorf("compare: -dir is required")
	}
	var synthCounts []int
	for _, s := range strings.Split(*countList, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return fmt.Errorf("compare: -counts: %q is not a ledger count", s)
		}
		synthCounts = append(synthCounts, n)
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	// gen runs as its own process: on Linux a child's max RSS starts at
	// its parent's peak (exec after a vfork), so this process must stay
	// small.
	fmt.Fprintln(stderr, "writing the datastores (once) ...")
	gen := exec.Command(self, "gen", "-dir", *dir, "-synthetic", fmt.Sprint(slices.Max(synthCounts)), "-pubnet", fmt.Sprint(*pubnet))
	gen.Stdout, gen.Stderr = stderr, stderr
	if err := gen.Run(); err != nil {
		return fmt.Errorf("gen: %w", err)
	}
	sets := []dataset{
		{"synthetic", filepath.Join(*dir, syntheticDir), ledgers.SyntheticPassphrase, ledgers.SyntheticStart, synthCounts},
		{"pubnet", filepath.Join(*dir, pubnetDir), ledgers.PubnetPassphrase, ledgers.PubnetSequence, []int{*pubnet}},
	}
	active := contenders
	if *off == "" {
		active = slices.DeleteFunc(slices.Clone(contenders), func(c contender) bool { return c.off })
	}
	// results[set][count][contender] are the samples of every round.
	results := map[string]map[int]map[string][]sample{}
	for round := range *rounds {
		for _, set := range sets {
			for _, n := range set.counts {
				for i := range active {
					c := active[(i+round)%len(active)]
					bin := self
					if c.off {
						bin = *off
					}
					s, err := measure(bin, *dir, set, n, c)
					if err != nil {
						return fmt.Errorf("%s, %s, %d ledgers: %w", c.name, set.name, n, err)
					}
					if results[set.name] == nil {
						results[set.name] = map[int]map[string][]sample{}
					}
					if results[set.name][n] == nil {
						results[set.name][n] = map[string][]sample{}
					}
					results[set.name][n][c.name] = append(results[set.name][n][c.name], s)
					fmt.Fprintf(stderr, "round %d: %s %d ledgers, %s: %.0f ledgers/s, %.1f µs CPU/ledger, %.1f MiB\n",
						round+1, set.name, n, c.name, float64(n)/s.wall.Seconds(), perLedger(s.cpu, n), mib(s.maxRSS))
				}
			}
		}
	}
	report(stdout, sets, active, results, *rounds)
	return nil
}

// measure runs contender c over the first n ledgers of set as its own
// process, checks that it found what the floor finds, and returns what
// it cost.
func measure(bin, dir string, set dataset, n int, c contender) (sample, error) {
	end := set.start + uint32(n) - 1
	var args []string
	out := filepath.Join(dir, "out.jsonl")
	if c.floor {
		args = []string{"floor", "-path", set.dir, "-network", set.passphrase, "-start", fmt.Sprint(set.start), "-end", fmt.Sprint(end)}
	} else {
		// One config per dataset and count, kept for profiling runs.
		name := fmt.Sprintf("pipeline-%s-%d", set.name, n)
		for _, line := range strings.Fields(strings.ReplaceAll(c.source, ":", "")) {
			name += "-" + line
		}
		cfg := filepath.Join(dir, name+".yaml")
		if err := os.Remove(out); err != nil && !os.IsNotExist(err) {
			return sample{}, err
		}
		if err := writeConfig(cfg, set.dir, set.start, end, c.source, out); err != nil {
			return sample{}, err
		}
		args = []string{"pipeline", "-config", cfg}
	}
	cmd := exec.Command(bin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	started := time.Now()
	err := cmd.Run()
	wall := time.Since(started)
	if err != nil {
		return sample{}, fmt.Errorf("%w: %s", err, stderr.String())
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return sample{}, fmt.Errorf("no rusage on this system")
	}
	s := sample{
		wall:   wall,
		cpu:    time.Duration(ru.Utime.Nano() + ru.Stime.Nano()),
		maxRSS: ru.Maxrss * 1024, // KiB on Linux
	}
	if !c.floor {
		got, err := countLines(out)
		if err != nil {
			return s, err
		}
		if want := expected(set.name, n); want >= 0 && got != want {
			return s, fmt.Errorf("wrote %d lines, want %d (one per payment and per event)", got, want)
		}
	}
	return s, nil
}

// countLines counts the lines of a file in a fixed buffer: this process
// must stay small (see compareCommand).
func countLines(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	buf := make([]byte, 64<<10)
	lines := 0
	for {
		n, err := f.Read(buf)
		lines += bytes.Count(buf[:n], []byte{'\n'})
		if err == io.EOF {
			return lines, nil
		}
		if err != nil {
			return lines, err
		}
	}
}

// expected is the number of payments and events in the first n ledgers
// of a dataset, or -1 when not known.
func expected(set string, n int) int {
	switch set {
	case "synthetic":
		return n * (10*2 + 2)
	case "pubnet":
		return n * (159 + 18)
	}
	return -1
}

// report prints the tables of docs/benchmarks.md: per dataset and
// count, the median of the rounds for each contender and its ratio to
// the floor; then max RSS by ledger count.
func report(w io.Writer, sets []dataset, active []contender, results map[string]map[int]map[string][]sample, rounds int) {
	floorName := contenders[0].name
	for _, set := range sets {
		n := slices.Max(set.counts)
		fmt.Fprintf(w, "\n%s, %d ledgers, median of %d rounds:\n\n", set.name, n, rounds)
		fmt.Fprintln(w, "| | ledgers/s | CPU µs/ledger | max RSS | wall vs floor | CPU vs floor |")
		fmt.Fprintln(w, "|---|---|---|---|---|---|")
		floor := medians(results[set.name][n][floorName])
		for _, c := range active {
			m := medians(results[set.name][n][c.name])
			fmt.Fprintf(w, "| %s | %.0f | %.1f | %.1f MiB | %.2f× | %.2f× |\n", c.name,
				float64(n)/m.wall.Seconds(), perLedger(m.cpu, n), mib(m.maxRSS),
				floor.wall.Seconds()/m.wall.Seconds(), m.cpu.Seconds()/floor.cpu.Seconds())
		}
		if len(set.counts) < 2 {
			continue
		}
		fmt.Fprintf(w, "\n%s, max RSS by ledger count (median):\n\n", set.name)
		fmt.Fprint(w, "|")
		for _, n := range set.counts {
			fmt.Fprintf(w, " | %d", n)
		}
		fmt.Fprintln(w, " |")
		fmt.Fprintln(w, "|---"+strings.Repeat("|---", len(set.counts))+"|")
		for _, c := range active {
			fmt.Fprintf(w, "| %s", c.name)
			for _, n := range set.counts {
				fmt.Fprintf(w, " | %.1f MiB", mib(medians(results[set.name][n][c.name]).maxRSS))
			}
			fmt.Fprintln(w, " |")
		}
	}
}

// medians returns the median of each measure of samples, taken apart.
func medians(samples []sample) sample {
	var m sample
	if len(samples) == 0 {
		return m
	}
	walls, cpus, rss := make([]time.Duration, len(samples)), make([]time.Duration, len(samples)), make([]int64, len(samples))
	for i, s := range samples {
		walls[i], cpus[i], rss[i] = s.wall, s.cpu, s.maxRSS
	}
	slices.Sort(walls)
	slices.Sort(cpus)
	slices.Sort(rss)
	mid := len(samples) / 2
	return sample{wall: walls[mid], cpu: cpus[mid], maxRSS: rss[mid]}
}

func perLedger(d time.Duration, n int) float64 { return float64(d.Microseconds()) / float64(n) }

func mib(b int64) float64 { return float64(b) / (1 << 20) }
