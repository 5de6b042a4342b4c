package report_test

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/internal/report"
)

func TestDiagnose(t *testing.T) {
	tests := []struct {
		name      string
		self      []float64 // source, processor, consumer
		verdict   string
		id        string
		share     float64
		basisPart string
	}{
		{name: "slow source", self: []float64{8, 1, 1}, verdict: report.SourceBound, id: "src", share: 0.8, basisPart: "src 80%"},
		{name: "slow processor", self: []float64{1, 9, 0}, verdict: report.CPUBound, id: "proc", share: 0.9, basisPart: "proc 90%"},
		{name: "slow consumer", self: []float64{0.5, 0.5, 9}, verdict: report.SinkBound, id: "sink", share: 0.9, basisPart: "sink 90%"},
		{name: "nothing ran", self: []float64{0, 0, 0}, verdict: report.Idle},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs := []report.Component{
				{Kind: "source", ID: "src", SelfSeconds: tt.self[0]},
				{Kind: "processor", ID: "proc", SelfSeconds: tt.self[1]},
				{Kind: "consumer", ID: "sink", SelfSeconds: tt.self[2]},
			}
			b := report.Diagnose(cs)
			assert.Equal(t, tt.verdict, b.Verdict)
			assert.Equal(t, tt.id, b.ID)
			assert.InDelta(t, tt.share, b.SelfShare, 1e-9)
			assert.Contains(t, b.Basis, tt.basisPart)
			if tt.verdict != report.Idle {
				var sum float64
				for _, c := range cs {
					sum += c.SelfShare
				}
				assert.InDelta(t, 1, sum, 1e-9, "Diagnose fills in every share")
			}
		})
	}
}

func TestEstimate(t *testing.T) {
	p := report.Pipeline{StartLedger: 1, EndLedger: 2000, LedgersDone: 1000, CPUSeconds: 36,
		WallSeconds: 72, PeakResidentBytes: 2 << 30}
	tests := []struct {
		name     string
		p        report.Pipeline
		prices   report.Prices
		perMilln float64
		whole    *float64
	}{
		// 36 ms CPU a ledger = 10 vCPU hours a million; 2 GiB for 72 ms a ledger = 40 GiB hours a million.
		{name: "bounded", p: p, prices: report.Prices{VCPUHour: 0.04, GiBHour: 0.005}, perMilln: 10*0.04 + 40*0.005, whole: ptr((10*0.04 + 40*0.005) * 2000 / 1e6)},
		{name: "unbounded", p: func() report.Pipeline { q := p; q.EndLedger = 0; return q }(), prices: report.Prices{VCPUHour: 1}, perMilln: 10},
		{name: "a shard's part costs the whole configured range", p: func() report.Pipeline {
			q := p
			q.Shard, q.StartLedger, q.EndLedger = "0/4", 1, 1000
			q.ConfiguredStartLedger, q.ConfiguredEndLedger = 1, 4000
			return q
		}(), prices: report.Prices{VCPUHour: 1}, perMilln: 10, whole: ptr(10 * 4000 / 1e6)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := report.Estimate(&tt.p, tt.prices)
			require.NotNil(t, c)
			assert.InDelta(t, tt.perMilln, c.PerMillionLedgers, 1e-9)
			if tt.whole == nil {
				assert.Nil(t, c.ConfiguredRange)
			} else {
				require.NotNil(t, c.ConfiguredRange)
				assert.InDelta(t, *tt.whole, *c.ConfiguredRange, 1e-12)
			}
			assert.Contains(t, c.Basis, "CPU s")
		})
	}
	assert.Nil(t, report.Estimate(&report.Pipeline{}, report.Prices{VCPUHour: 1}), "no ledgers, no estimate")
}

func ptr(f float64) *float64 { return &f }

// sample returns a report of one pipeline whose bottleneck is id.
func sample(version string, ledgersPerSecond, cpuPer1000 float64, kind, id, verdict string) *report.Report {
	return &report.Report{
		SchemaVersion: report.SchemaVersion, Version: version, ConfigFile: "p.yaml",
		ConfigHash: "sha256:" + string(bytes.Repeat([]byte("ab"), 32)),
		Started:    "2026-11-30T04:00:00Z", Finished: "2026-11-30T04:01:00Z", WallSeconds: 60,
		Pipelines: []report.Pipeline{{
			Name: "main", StartLedger: 1, EndLedger: 2000, LedgersDone: 2000, WallSeconds: 60,
			LedgersPerSecond: ledgersPerSecond, CPUSeconds: 2 * cpuPer1000, CPUAttribution: "whole process",
			CPUSecondsPer1000Ledgers: cpuPer1000, PeakResidentBytes: 64 << 20,
			Components: []report.Component{
				{Kind: "source", Type: "BufferedStorageSourceAdapter", ID: "BufferedStorageSourceAdapter", MessagesOut: 2000, SelfSeconds: 1},
				{Kind: "consumer", Type: "SaveToJSONFile", ID: "SaveToJSONFile", MessagesIn: 2000, SelfSeconds: 1},
			},
			Bottleneck: report.Bottleneck{Verdict: verdict, Kind: kind, ID: id, SelfShare: 0.8, Basis: "self time shares"},
		}},
	}
}

func TestCompare(t *testing.T) {
	a := sample("v1", 100, 20, "processor", "FilterPayments", report.CPUBound)
	b := sample("v2", 150, 10, "source", "BufferedStorageSourceAdapter", report.SourceBound)
	var out bytes.Buffer
	require.NoError(t, report.Compare(&out, a, b))
	got := out.String()
	assert.Contains(t, got, "same config")
	assert.Regexp(t, `main\s+ledgers/s\s+100\.00\s+150\.00\s+\+50\.0%`, got)
	assert.Regexp(t, `main\s+CPU s per 1000 ledgers\s+20\.000\s+10\.000\s+-50\.0%`, got)
	assert.Regexp(t, `main\s+bottleneck\s+cpu-bound in processor FilterPayments \(80% of self time\)\s+source-bound \(waiting on I/O\) in source BufferedStorageSourceAdapter \(80% of self time\)\s+changed`, got)

	c := sample("v2", 100, 20, "processor", "FilterPayments", report.CPUBound)
	c.Pipelines[0].Name = "other"
	out.Reset()
	require.NoError(t, report.Compare(&out, a, c))
	assert.Contains(t, out.String(), "main      (only in A)")
	assert.Contains(t, out.String(), "other     (only in B)")
}

// TestCompareFlagsDifferentLedgers checks that compare says when the two
// runs of a pipeline read different ledgers, such as two shards of a range.
func TestCompareFlagsDifferentLedgers(t *testing.T) {
	sharded := func(shard string, start, end uint32) *report.Report {
		r := sample("v1", 100, 20, "processor", "FilterPayments", report.CPUBound)
		p := &r.Pipelines[0]
		p.Shard, p.StartLedger, p.EndLedger = shard, start, end
		p.ConfiguredStartLedger, p.ConfiguredEndLedger = 1, 2000
		return r
	}
	whole := sample("v1", 100, 20, "processor", "FilterPayments", report.CPUBound)
	tests := []struct {
		name string
		a, b *report.Report
		want string // "" for no flag
	}{
		{name: "same shard", a: sharded("1/3", 701, 1400), b: sharded("1/3", 701, 1400)},
		{name: "not sharded", a: whole, b: whole},
		{name: "different shards", a: sharded("0/3", 1, 700), b: sharded("1/3", 701, 1400),
			want: "main: different ledgers: A read shard 0/3: ledgers 1-700 of 1-2000, B read shard 1/3: ledgers 701-1400 of 1-2000"},
		{name: "a shard and the whole range", a: whole, b: sharded("2/3", 1401, 2000),
			want: "main: different ledgers: A read ledgers 1-2000, B read shard 2/3: ledgers 1401-2000 of 1-2000"},
		{name: "a shard with no file", a: sharded("0/3", 1, 700), b: sharded("7/8", 0, 0),
			want: "B read shard 7/8: ledgers none of 1-2000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			require.NoError(t, report.Compare(&out, tt.a, tt.b))
			if tt.want == "" {
				assert.NotContains(t, out.String(), "different ledgers")
			} else {
				assert.Contains(t, out.String(), tt.want)
			}
		})
	}
}

func TestWriteAndReadFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.json")
	r := sample("v1", 100, 20, "processor", "FilterPayments", report.CPUBound)
	require.NoError(t, r.WriteFile(path))
	got, err := report.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, r, got)

	_, err = report.ReadFile(filepath.Join(t.TempDir(), "missing.json"))
	assert.ErrorContains(t, err, "missing.json")
}
