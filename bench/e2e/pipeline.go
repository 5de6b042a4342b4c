package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/pprof"

	"github.com/cdpstats/cdpstats/internal/runner"
)

// pipelineConfig is the runner config of the measured pipeline: source →
// FilterPayments → ContractEvent → SaveToJSONFile, every component with
// its defaults, no live line.
const pipelineConfig = `pipelines:
  bench:
    source:
      type: BufferedStorageSourceAdapter
      config:
        path: %q
        start_ledger: %d
        end_ledger: %d
%s    processors:
      - type: FilterPayments
      - type: ContractEvent
    consumers:
      - type: SaveToJSONFile
        config:
          path: %q
stats:
  live: false
`

// writeConfig writes the config of the pipeline over ledgers start to end
// of the datastore at path, writing to out, with extra source keys (YAML
// lines indented for the source's config), into file.
func writeConfig(file, path string, start, end uint32, extra, out string) error {
	return os.WriteFile(file, fmt.Appendf(nil, pipelineConfig, path, start, end, extra, out), 0o644)
}

// pipelineCommand runs a config with the runner, as cdp-pipeline run does,
// logging only errors, optionally under the CPU profiler.
func pipelineCommand(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("pipeline", flag.ContinueOnError)
	configPath := fs.String("config", "", "runner config file")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := runner.LoadConfig(*configPath)
	if err != nil {
		return err
	}
	stop, err := startProfile(*cpuProfile)
	if err != nil {
		return err
	}
	defer stop()
	r := &runner.Runner{
		Config: cfg,
		Logger: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelError})),
	}
	return r.Run(context.Background())
}

// startProfile starts the CPU profiler writing to file, unless file is
// "", and returns what stops it.
func startProfile(file string) (stop func(), err error) {
	if file == "" {
		return func() {}, nil
	}
	f, err := os.Create(file)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}
