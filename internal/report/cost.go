package report

import "fmt"

// Estimate returns what p's ledgers cost at prices: the CPU seconds per
// ledger at VCPUHour, plus the peak resident memory held for the wall time
// per ledger at GiBHour, for a million ledgers and for the configured
// range (the whole of it when p is one shard's part). It returns nil when no ledger was done.
func Estimate(p *Pipeline, prices Prices) *Cost {
	if p.LedgersDone == 0 {
		return nil
	}
	n := float64(p.LedgersDone)
	cpuHours := p.CPUSeconds / n / 3600
	gibHours := p.PeakResidentBytes / (1 << 30) * p.WallSeconds / n / 3600
	perLedger := cpuHours*prices.VCPUHour + gibHours*prices.GiBHour
	c := &Cost{
		PerMillionLedgers: perLedger * 1e6,
		Basis: fmt.Sprintf("%.6g CPU s and %.6g GiB·s of peak RSS a ledger, at %g a vCPU hour and %g a GiB hour",
			p.CPUSeconds/n, p.PeakResidentBytes/(1<<30)*p.WallSeconds/n, prices.VCPUHour, prices.GiBHour),
	}
	if start, end := p.ConfiguredRange(); end >= start && end != 0 {
		whole := perLedger * float64(end-start+1)
		c.ConfiguredRange = &whole
	}
	return c
}
