// Package report is the machine-readable account of a pipeline run that
// `cdp-pipeline run -report FILE.json` writes: per pipeline, the ledgers
// done, throughput, the resources they took, each component's flow, self
// time and latency, the bottleneck, and, given prices, what a million
// ledgers cost. docs/report.schema.json describes the JSON; [Compare] says
// what changed between two reports.
package report

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
)

// SchemaVersion is the version of the report's layout, bumped on any
// change that is not an addition.
const SchemaVersion = 1

// Report is one run of a config file.
type Report struct {
	// SchemaVersion is [SchemaVersion].
	SchemaVersion int `json:"schema_version"`
	// Version is the version of cdp-pipeline that ran.
	Version string `json:"version"`
	// ConfigFile is the config's path as given.
	ConfigFile string `json:"config_file"`
	// ConfigHash is "sha256:" and the hex SHA-256 of the config file's bytes.
	ConfigHash string `json:"config_hash"`
	// Started and Finished are RFC 3339 times.
	Started  string `json:"started"`
	Finished string `json:"finished"`
	// WallSeconds is the run's wall time, all pipelines side by side.
	WallSeconds float64 `json:"wall_seconds"`
	// Process is the resource usage of the whole process.
	Process Process `json:"process"`
	// Prices are the config's cost: section; nil without one.
	Prices *Prices `json:"prices,omitempty"`
	// Pipelines are the pipelines run, in config order.
	Pipelines []Pipeline `json:"pipelines"`
}

// Process is the resource usage of the process at the end of the run.
type Process struct {
	CPUUserSeconds    float64 `json:"cpu_user_seconds"`
	CPUSystemSeconds  float64 `json:"cpu_system_seconds"`
	PeakResidentBytes float64 `json:"peak_resident_bytes"`
	GCCPUFraction     float64 `json:"gc_cpu_fraction"`
	GCPauseP99Ms      float64 `json:"gc_pause_p99_ms"`
}

// Prices are what the resources cost, from the config's cost: section.
type Prices struct {
	// VCPUHour is the price of one vCPU for one hour.
	VCPUHour float64 `json:"vcpu_hour"`
	// GiBHour is the price of one GiB of memory for one hour.
	GiBHour float64 `json:"gib_hour"`
}

// Pipeline is one pipeline's part of a run.
type Pipeline struct {
	Name string `json:"name"`
	// Shard is the shard this process ran, "I/N" (cdp-pipeline run
	// -shard); empty when the run was not sharded.
	Shard string `json:"shard,omitempty"`
	// StartLedger and EndLedger are the range the pipeline read: the
	// configured range, or the shard's part of it when sharded (both 0
	// when the shard got no datastore file of the range). EndLedger 0 is
	// otherwise unbounded (the source follows the network).
	StartLedger uint32 `json:"start_ledger"`
	EndLedger   uint32 `json:"end_ledger"`
	// ConfiguredStartLedger and ConfiguredEndLedger are the whole
	// configured range of a sharded run, beside the shard's part; 0 when
	// the run was not sharded.
	ConfiguredStartLedger uint32 `json:"configured_start_ledger,omitempty"`
	ConfiguredEndLedger   uint32 `json:"configured_end_ledger,omitempty"`
	// LedgersDone counts the ledgers the source emitted.
	LedgersDone uint64 `json:"ledgers_done"`
	// WallSeconds runs from the source's start to the consumers' close.
	WallSeconds      float64 `json:"wall_seconds"`
	LedgersPerSecond float64 `json:"ledgers_per_second"`
	// CPUSeconds is the process's CPU time attributed to this pipeline:
	// all of it for a run of one pipeline, else a share in proportion to
	// the pipeline's self time (CPUAttribution says which).
	CPUSeconds               float64 `json:"cpu_seconds"`
	CPUAttribution           string  `json:"cpu_attribution"`
	CPUSecondsPer1000Ledgers float64 `json:"cpu_seconds_per_1000_ledgers"`
	// PeakResidentBytes is the process's peak RSS.
	PeakResidentBytes float64 `json:"peak_resident_bytes"`
	// BytesRead is what the source read (its bytes_read stat), and
	// BytesPerLedger that over LedgersDone.
	BytesRead      float64 `json:"bytes_read"`
	BytesPerLedger float64 `json:"bytes_per_ledger"`
	// RunnerSeconds is the wall time not inside any component: the
	// runner's own edges and drain.
	RunnerSeconds float64     `json:"runner_seconds"`
	Components    []Component `json:"components"`
	Bottleneck    Bottleneck  `json:"bottleneck"`
	Cost          *Cost       `json:"cost,omitempty"`
}

// ConfiguredRange returns the pipeline's whole configured range: the
// configured ledgers of a sharded run, else the range it read.
func (p *Pipeline) ConfiguredRange() (start, end uint32) {
	if p.Shard != "" {
		return p.ConfiguredStartLedger, p.ConfiguredEndLedger
	}
	return p.StartLedger, p.EndLedger
}

// Ledgers says which ledgers the pipeline read, such as "ledgers
// 1000-2999", "ledgers from 1000" (unbounded) or "shard 1/3: ledgers
// 24-39 of 13-50".
func (p *Pipeline) Ledgers() string {
	read := ledgerRange(p.StartLedger, p.EndLedger)
	if p.Shard == "" {
		return "ledgers " + read
	}
	if p.StartLedger == 0 && p.EndLedger == 0 {
		read = "none"
	}
	return fmt.Sprintf("shard %s: ledgers %s of %s", p.Shard, read, ledgerRange(p.ConfiguredRange()))
}

// ledgerRange is "start-end", or "from start" when end is 0 (unbounded).
func ledgerRange(start, end uint32) string {
	if end == 0 {
		return fmt.Sprintf("from %d", start)
	}
	return fmt.Sprintf("%d-%d", start, end)
}

// Component is one component's part of a pipeline's run.
type Component struct {
	// Kind is "source", "processor" or "consumer".
	Kind string `json:"kind"`
	// Type is the config type, such as "FilterPayments".
	Type string `json:"type"`
	// ID is the instance ID: the config id, or the type.
	ID string `json:"id"`
	// MessagesIn and MessagesOut count messages at the component's edges
	// (a source has no in, a consumer no out: 0).
	MessagesIn  uint64  `json:"messages_in"`
	MessagesOut uint64  `json:"messages_out"`
	Errors      float64 `json:"errors"`
	// Latency is the component's first latency stat, nil when it has none.
	Latency *Latency `json:"latency,omitempty"`
	// SelfSeconds is the time inside the component minus the time in the
	// components after it; for the source, its wait for the next ledger.
	SelfSeconds float64 `json:"self_seconds"`
	// BusyRatio is SelfSeconds over the pipeline's wall time.
	BusyRatio float64 `json:"busy_ratio"`
	// SelfShare is SelfSeconds over the sum of the pipeline's self times.
	SelfShare float64 `json:"self_share"`
}

// Latency is a latency stat's quantiles, in milliseconds.
type Latency struct {
	// Stat names the stat, such as "process_latency".
	Stat  string  `json:"stat"`
	P50Ms float64 `json:"p50_ms"`
	P99Ms float64 `json:"p99_ms"`
	MaxMs float64 `json:"max_ms"`
}

// Cost is the estimated cost of a pipeline's ledgers at the config's prices.
type Cost struct {
	// PerMillionLedgers is CPU time plus peak memory for the time a
	// million ledgers take at the measured rate.
	PerMillionLedgers float64 `json:"per_million_ledgers"`
	// ConfiguredRange is the same for the whole configured range (all
	// shards' parts of a sharded run); nil when the range is unbounded.
	ConfiguredRange *float64 `json:"configured_range,omitempty"`
	// Basis says how it was computed.
	Basis string `json:"basis"`
}

// Write writes r as indented JSON.
func (r *Report) Write(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteFile writes r to path.
func (r *Report) WriteFile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if err := r.Write(f); err != nil {
		f.Close()
		return fmt.Errorf("report: %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

// ReadFile reads a report that WriteFile wrote.
func ReadFile(path string) (*Report, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	var r Report
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("report: %s: %w", path, err)
	}
	if r.SchemaVersion != SchemaVersion {
		return nil, fmt.Errorf("report: %s: schema_version %d, want %d", path, r.SchemaVersion, SchemaVersion)
	}
	return &r, nil
}
