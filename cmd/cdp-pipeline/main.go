// Command cdp-pipeline runs Stellar CDP pipelines from a YAML config and
// reports their stats live on stderr, to flowctl and to Prometheus.
//
// Usage:
//
//	cdp-pipeline run -config FILE [-pipeline NAME] [-shard I/N] [-from-scratch] [-report FILE.json] [-log-format text|json] [-log-level LEVEL]
//	cdp-pipeline validate -config FILE [-pipeline NAME] [-shard I/N]
//	cdp-pipeline compare A.json B.json
//	cdp-pipeline version
//
// -shard I/N runs shard I of N of every pipeline's ledger range (see
// docs/scale.md); the env vars CDP_SHARD=I/N, or JOB_COMPLETION_INDEX with
// CDP_SHARD_COUNT=N, say the same without the flag.
//
// Exit codes: 0 when the pipelines ran to the end of their range or
// stopped cleanly on SIGINT/SIGTERM, 1 when a pipeline failed, 2 for a
// usage or config error.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"golang.org/x/sys/unix"
	"google.golang.org/grpc/grpclog"

	"github.com/cdpstats/cdpstats/internal/runner"
	"github.com/cdpstats/cdpstats/internal/shard"
	"github.com/cdpstats/cdpstats/runtime/flowctl"
)

// version is set at link time with -ldflags "-X main.version=v1.2.3";
// otherwise the module version from the build info is used.
var version = ""

// Exit codes.
const (
	exitOK     = 0
	exitFailed = 1
	exitUsage  = 2
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	switch args[0] {
	case "run":
		return runCommand(args[1:], stderr, true)
	case "validate":
		return runCommand(args[1:], stderr, false)
	case "compare":
		return compareCommand(args[1:], stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "cdp-pipeline", buildVersion())
		return exitOK
	case "-h", "-help", "--help", "help":
		usage(stdout)
		return exitOK
	default:
		fmt.Fprintf(stderr, "cdp-pipeline: unknown command %q\n", args[0])
		usage(stderr)
		return exitUsage
	}
}

func usage(w io.Writer) {
	fmt.Fprint(w, `usage:
  cdp-pipeline run -config FILE [-pipeline NAME] [-shard I/N] [-from-scratch] [-report FILE.json] [-log-format text|json] [-log-level debug|info|warn|error]
  cdp-pipeline validate -config FILE [-pipeline NAME] [-shard I/N]
  cdp-pipeline compare A.json B.json
  cdp-pipeline version
`)
}

func runCommand(args []string, stderr io.Writer, execute bool) int {
	name := "validate"
	if execute {
		name = "run"
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", "", "pipeline config `file` (YAML)")
	pipelineName := fs.String("pipeline", "", "run only the pipeline `name`d (default: all pipelines in the file)")
	logFormat := fs.String("log-format", "text", "log format: text or json")
	logLevel := fs.String("log-level", "info", "log level: debug, info, warn or error")
	var reportFile *string
	if execute {
		reportFile = fs.String("report", "", "write the run report, JSON (docs/report.schema.json), to `file` at the end")
	}
	shardFlag := fs.String(shard.Flag, "", "run shard `I/N` of the ledger range, I counted from 0 (default: $"+shard.EnvShard+", or $"+shard.EnvIndex+" of $"+shard.EnvCount+", or the whole range)")
	var fromScratch *bool
	if execute {
		fromScratch = fs.Bool("from-scratch", false, "ignore the checkpoints of earlier runs: start at start_ledger and replace the output")
	}
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if *configPath == "" || fs.NArg() > 0 {
		fmt.Fprintf(stderr, "cdp-pipeline %s: -config is required and takes no other arguments\n", name)
		fs.Usage()
		return exitUsage
	}
	// The logs and the live line share stderr through a Console, so that
	// on a terminal log lines scroll above the live line.
	console := runner.NewConsole(stderr, isTerminal(stderr))
	logger, err := newLogger(console, *logFormat, *logLevel)
	if err != nil {
		fmt.Fprintf(stderr, "cdp-pipeline %s: %v\n", name, err)
		return exitUsage
	}
	// gRPC's own logs (the flowctl client's transport) take the same
	// format and level, instead of gRPC's plain text on stderr.
	grpclog.SetLoggerV2(flowctl.GRPCLogger(logger))

	sh, shardFrom, err := shard.Resolve(*shardFlag, os.Getenv)
	if err != nil {
		fmt.Fprintf(stderr, "cdp-pipeline %s: %v\n", name, err)
		return exitUsage
	}
	if execute && !sh.IsZero() {
		logger.Info("running one shard of the range", "shard", sh.String(), "from", shardFrom)
	}

	cfg, err := runner.LoadConfig(*configPath)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitUsage
	}
	r := &runner.Runner{
		Config:   cfg,
		Pipeline: *pipelineName,
		Logger:   logger,
		Status:   console,
		Version:  buildVersion(),
		Shard:    sh,
	}
	if reportFile != nil {
		r.ReportFile = *reportFile
	}
	if fromScratch != nil {
		r.FromScratch = *fromScratch
	}
	if !execute {
		if err := r.Validate(); err != nil {
			fmt.Fprintln(stderr, err)
			return exitUsage
		}
		fmt.Fprintf(stderr, "%s: ok\n", *configPath)
		return exitOK
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		stop() // a second signal kills the process the default way
	}()
	if err := r.Run(ctx); err != nil {
		if errors.Is(err, runner.ErrInvalidConfig) {
			fmt.Fprintln(stderr, err)
			return exitUsage
		}
		logger.Error("pipeline failed", "error", err)
		return exitFailed
	}
	return exitOK
}

func newLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("-log-level %q: want debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lvl}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	default:
		return nil, fmt.Errorf("-log-format %q: want text or json", format)
	}
}

func buildVersion() string {
	if version != "" {
		return version
	}
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" {
		return info.Main.Version
	}
	return "(devel)"
}

// isTerminal reports whether w is a terminal, where the live line
// may redraw in place, and TERM does not say the terminal cannot.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok || os.Getenv("TERM") == "dumb" {
		return false
	}
	// A terminal answers the termios ioctl; /dev/null, also a character
	// device, does not.
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}
