package cdp

// Ranged is a source that reads a configured range of ledgers from a
// datastore of files, such as a galexie datastore, so that a runner can
// split the range across processes (cdp-pipeline run -shard I/N) and have
// each read its own part.
//
// Range is known from the config, when the source is built; LedgersPerFile
// only once Start has read the datastore's layout. SetRange is called
// after Start and before Run.
type Ranged interface {
	// Range returns the configured range, start and end included; end 0
	// means unbounded: run until stopped.
	Range() (start, end uint32)
	// LedgersPerFile returns how many ledgers each file of the datastore
	// holds, or 0 before Start.
	LedgersPerFile() uint32
	// SetRange makes Run read the ledgers start to end only, a bounded
	// part of the configured range.
	SetRange(start, end uint32)
}
