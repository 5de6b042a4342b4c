package runner_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/internal/report"
	"github.com/cdpstats/cdpstats/internal/runner"
	"github.com/cdpstats/cdpstats/internal/shard"
)

const schemaPath = "../../docs/report.schema.json"

// compileSchema compiles docs/report.schema.json, checking it against the
// JSON Schema 2020-12 meta-schema, with formats asserted.
func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(schemaPath)
	require.NoError(t, err)
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	require.NoError(t, err)
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	require.NoError(t, c.AddResource("report.schema.json", doc))
	sch, err := c.Compile("report.schema.json")
	require.NoError(t, err)
	return sch
}

// validate checks JSON data against the schema.
func validate(t *testing.T, sch *jsonschema.Schema, data []byte) error {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	require.NoError(t, err)
	return sch.Validate(inst)
}

func marshal(t *testing.T, r *report.Report) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, r.Write(&buf))
	return buf.Bytes()
}

func TestSchemaAcceptsAndRejects(t *testing.T) {
	sch := compileSchema(t)
	tests := []struct {
		name  string
		edit  func(r *report.Report)
		valid bool
	}{
		{name: "as written", edit: func(*report.Report) {}, valid: true},
		{name: "with prices and cost", edit: func(r *report.Report) {
			r.Prices = &report.Prices{VCPUHour: 0.04, GiBHour: 0.005}
			r.Pipelines[0].Cost = report.Estimate(&r.Pipelines[0], *r.Prices)
		}, valid: true},
		{name: "idle bottleneck names nothing", edit: func(r *report.Report) {
			r.Pipelines[0].Bottleneck = report.Bottleneck{Verdict: report.Idle, Basis: "no component has self time yet"}
		}, valid: true},
		{name: "sharded", edit: func(r *report.Report) { shardOf(&r.Pipelines[0], "1/3", 701, 1400, 1, 2000) }, valid: true},
		{name: "sharded with no file of the range", edit: func(r *report.Report) { shardOf(&r.Pipelines[0], "7/8", 0, 0, 1, 2000) }, valid: true},
		{name: "shard without the configured range", edit: func(r *report.Report) { r.Pipelines[0].Shard = "1/3" }},
		{name: "configured range without a shard", edit: func(r *report.Report) { shardOf(&r.Pipelines[0], "", 701, 1400, 1, 2000) }},
		{name: "shard not I/N", edit: func(r *report.Report) { shardOf(&r.Pipelines[0], "1 of 3", 701, 1400, 1, 2000) }},
		{name: "busy ratio above 1", edit: func(r *report.Report) { r.Pipelines[0].Components[0].BusyRatio = 1.5 }},
		{name: "unknown verdict", edit: func(r *report.Report) { r.Pipelines[0].Bottleneck.Verdict = "slow" }},
		{name: "verdict without a component", edit: func(r *report.Report) { r.Pipelines[0].Bottleneck.ID, r.Pipelines[0].Bottleneck.Kind = "", "" }},
		{name: "bad config hash", edit: func(r *report.Report) { r.ConfigHash = "md5:00" }},
		{name: "bad time", edit: func(r *report.Report) { r.Started = "yesterday" }},
		{name: "no pipelines", edit: func(r *report.Report) { r.Pipelines = nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := validReport()
			tt.edit(r)
			err := validate(t, sch, marshal(t, r))
			if tt.valid {
				assert.NoError(t, err)
			} else {
				assert.Error(t, err)
			}
		})
	}
}

// shardOf makes p the part start-end of the configured range from-to
// that shard read.
func shardOf(p *report.Pipeline, shard string, start, end, from, to uint32) {
	p.Shard = shard
	p.StartLedger, p.EndLedger = start, end
	p.ConfiguredStartLedger, p.ConfiguredEndLedger = from, to
}

// validReport returns a report that follows the schema: one pipeline,
// cpu-bound in FilterPayments.
func validReport() *report.Report {
	return &report.Report{
		SchemaVersion: report.SchemaVersion, Version: "v1", ConfigFile: "p.yaml",
		ConfigHash: "sha256:" + string(bytes.Repeat([]byte("ab"), 32)),
		Started:    "2026-11-30T04:00:00Z", Finished: "2026-11-30T04:01:00Z", WallSeconds: 60,
		Pipelines: []report.Pipeline{{
			Name: "main", StartLedger: 1, EndLedger: 2000, LedgersDone: 2000, WallSeconds: 60,
			LedgersPerSecond: 100, CPUSeconds: 40, CPUAttribution: "whole process",
			CPUSecondsPer1000Ledgers: 20, PeakResidentBytes: 64 << 20,
			Components: []report.Component{
				{Kind: "source", Type: "BufferedStorageSourceAdapter", ID: "BufferedStorageSourceAdapter", MessagesOut: 2000, SelfSeconds: 1},
				{Kind: "consumer", Type: "SaveToJSONFile", ID: "SaveToJSONFile", MessagesIn: 2000, SelfSeconds: 1},
			},
			Bottleneck: report.Bottleneck{Verdict: report.CPUBound, Kind: "processor", ID: "FilterPayments", SelfShare: 0.8, Basis: "self time shares"},
		}},
	}
}

// TestRealReportValidates runs the shipped ledgers with prices and checks
// the report the runner writes against the schema and against the run.
func TestRealReportValidates(t *testing.T) {
	dir := t.TempDir()
	datastore, err := filepath.Abs("../../examples/datastore")
	require.NoError(t, err)
	path := filepath.Join(dir, "pipeline.yaml")
	require.NoError(t, os.WriteFile(path, []byte(fmt.Sprintf(`
pipelines:
  sample:
    source:
      type: BufferedStorageSourceAdapter
      config: {path: %q, start_ledger: 58752000, end_ledger: 58752000}
    processors:
      - type: FilterPayments
      - type: ContractEvent
    consumers:
      - type: SaveToJSONFile
        config: {path: %q}
stats: {live: false}
cost: {vcpu_hour: 0.04, gib_hour: 0.005}
`, datastore, filepath.Join(dir, "out.jsonl"))), 0o644))
	cfg, err := runner.LoadConfig(path)
	require.NoError(t, err)
	out := filepath.Join(dir, "report.json")
	r := &runner.Runner{Config: cfg, ReportFile: out, Version: "v0.0.0-test",
		Env: func(string) (string, bool) { return "", false }}
	require.NoError(t, r.Run(t.Context()))

	data, err := os.ReadFile(out)
	require.NoError(t, err)
	require.NoError(t, validate(t, compileSchema(t), data), string(data))

	var rep report.Report
	require.NoError(t, json.Unmarshal(data, &rep))
	assert.Equal(t, "v0.0.0-test", rep.Version)
	assert.Equal(t, cfg.Hash, rep.ConfigHash)
	require.Len(t, rep.Pipelines, 1)
	p := rep.Pipelines[0]
	assert.Equal(t, uint64(1), p.LedgersDone)
	assert.Equal(t, uint32(58752000), p.StartLedger)
	assert.Positive(t, p.BytesPerLedger)
	assert.Equal(t, "whole process", p.CPUAttribution)
	require.Len(t, p.Components, 4)
	assert.Equal(t, uint64(160), p.Components[1].MessagesOut, "FilterPayments: 159 payments and the ledger")
	require.NotNil(t, p.Components[1].Latency)
	assert.Equal(t, "process_latency", p.Components[1].Latency.Stat)
	require.NotNil(t, p.Cost)
	require.NotNil(t, p.Cost.ConfiguredRange)
	assert.InDelta(t, p.Cost.PerMillionLedgers/1e6, *p.Cost.ConfiguredRange, 1e-12, "a range of one ledger")
}

// TestShardedReport runs shards of a range with -report and checks that
// each report validates and carries the shard, the part it read and the
// whole configured range; a shard with nothing to read reports too.
func TestShardedReport(t *testing.T) {
	dir := paymentsDatastore(t, 13, 50) // files 8-15, 16-23, 24-31, 32-39, 40-47, 48-55
	tests := []struct {
		name       string
		shard      shard.Shard
		start, end uint32
		done       uint64
	}{
		{name: "not sharded", start: 13, end: 50, done: 38},
		{name: "shard 1 of 3", shard: shard.Shard{Index: 1, Count: 3}, start: 24, end: 39, done: 16},
		{name: "a shard with no file of the range", shard: shard.Shard{Index: 0, Count: 8}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "report.json")
			s := spec{Pipelines: []pipelineSpec{{Dir: dir, Source: "start_ledger: 13, end_ledger: 50"}}}
			_, err := s.runToEnd(t, func(r *runner.Runner) {
				r.Shard = tt.shard
				r.ReportFile = out
			})
			require.NoError(t, err)
			data, err := os.ReadFile(out)
			require.NoError(t, err)
			require.NoError(t, validate(t, compileSchema(t), data), string(data))

			rep, err := report.ReadFile(out)
			require.NoError(t, err)
			require.Len(t, rep.Pipelines, 1)
			p := rep.Pipelines[0]
			assert.Equal(t, tt.done, p.LedgersDone)
			assert.Equal(t, [2]uint32{tt.start, tt.end}, [2]uint32{p.StartLedger, p.EndLedger}, "the range read")
			from, to := p.ConfiguredRange()
			assert.Equal(t, [2]uint32{13, 50}, [2]uint32{from, to}, "the whole configured range")
			if tt.shard.IsZero() {
				assert.Empty(t, p.Shard)
				assert.NotContains(t, string(data), `"shard"`)
				assert.NotContains(t, string(data), `"configured_start_ledger"`)
			} else {
				assert.Equal(t, tt.shard.String(), p.Shard)
			}
		})
	}
}
