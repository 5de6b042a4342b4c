package bufferedstorage

import "github.com/cdpstats/cdpstats/components/cdp"

var _ cdp.Ranged = (*BufferedStorageSourceAdapter)(nil)

// Range returns the range Run reads: start_ledger and end_ledger, unless
// SetRange changed them.
func (s *BufferedStorageSourceAdapter) Range() (start, end uint32) {
	return s.cfg.StartLedger, s.cfg.EndLedger
}

// LedgersPerFile returns the datastore's ledgers per file, read from its
// manifest (or ledgers_per_file) by Start; 0 before Start.
func (s *BufferedStorageSourceAdapter) LedgersPerFile() uint32 {
	if s.opened == nil {
		return 0
	}
	return s.opened.schema.LedgersPerFile
}

// SetRange makes Run read the ledgers start to end instead of the
// configured range. Call it after Start and before Run.
func (s *BufferedStorageSourceAdapter) SetRange(start, end uint32) {
	s.cfg.StartLedger, s.cfg.EndLedger = start, end
}
