package bufferedstorage

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/stellar/go-stellar-sdk/support/datastore"

	"github.com/cdpstats/cdpstats/components/cdp"
)

// GapError is returned by Run under on_gap: fail when the file holding a
// ledger is missing from the datastore although a later one exists.
type GapError struct {
	Ledger    uint32
	File      string
	Datastore string
}

// Error names the ledger, its file and the datastore.
func (e *GapError) Error() string {
	return fmt.Sprintf("ledger %d is missing from datastore %s: file %s does not exist, but later ledgers do (on_gap: fail)", e.Ledger, e.Datastore, e.File)
}

// progress tracks the ledger Run is fetching, for the watcher and for
// Progress. Run takes its lock twice per ledger.
type progress struct {
	mu       sync.Mutex
	seq      uint32    // the ledger being fetched, 0 between fetches
	started  time.Time // when fetching seq started
	waiting  bool      // the fetch has lasted a poll interval at least
	reason   string
	missing  string
	reported uint32 // the last ledger whose gap was logged
}

// begin records that Run starts fetching seq.
func (p *progress) begin(seq uint32) {
	p.mu.Lock()
	p.seq, p.started, p.waiting, p.reason, p.missing = seq, time.Now(), false, "", ""
	p.mu.Unlock()
}

// end records that the fetch returned.
func (p *progress) end() {
	p.mu.Lock()
	p.seq, p.waiting = 0, false
	p.mu.Unlock()
}

// Progress reports the ledger the source waits for: one it has been
// fetching for at least a poll interval (retry_wait), since when, and
// whether its file is missing although later ones exist. It implements
// cdp.ProgressReporter.
func (s *BufferedStorageSourceAdapter) Progress() cdp.Progress {
	p := &s.progress
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.waiting {
		return cdp.Progress{StallTimeout: s.cfg.stallTimeout()}
	}
	return cdp.Progress{WaitingFor: p.seq, Since: p.started, Reason: p.reason, Missing: p.missing, StallTimeout: s.cfg.stallTimeout()}
}

// watch checks every poll interval whether Run has been fetching one
// ledger for that long. Then it records the wait (stats and Progress) and
// looks in the datastore for a gap: the ledger's file missing while a
// later ledger's file exists. It logs a gap once per ledger, at ERROR, and
// under on_gap: fail calls fail with a *GapError. It returns when ctx
// ends.
func (s *BufferedStorageSourceAdapter) watch(ctx context.Context, ds datastore.DataStore, schema datastore.DataStoreSchema, fail func(error)) {
	t := time.NewTicker(s.cfg.RetryWait)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		p := &s.progress
		p.mu.Lock()
		seq, started := p.seq, p.started
		p.mu.Unlock()
		if seq == 0 || time.Since(started) < s.cfg.RetryWait {
			s.stats.SetWaitingForLedger(0)
			s.stats.SetWaitingSince(time.Time{})
			s.stats.SetWaitingForGap(0)
			s.stats.SetStalled(0)
			continue
		}
		file := schema.GetObjectKeyFromSequenceNumber(seq)
		gap, err := s.isGap(ctx, ds, seq, file)
		if err != nil {
			if ctx.Err() == nil {
				s.log.Warn("cannot look for a gap in the datastore", "ledger", seq, "error", err.Error())
			}
			continue
		}
		reason := cdp.WaitNotYetClosed
		if gap {
			reason = cdp.WaitGap
		}
		p.mu.Lock()
		if p.seq != seq { // the ledger came meanwhile
			p.mu.Unlock()
			continue
		}
		p.waiting, p.reason = true, reason
		p.missing = ""
		if gap {
			p.missing = file
		}
		report := gap && p.reported != seq
		if report {
			p.reported = seq
		}
		p.mu.Unlock()
		s.stats.SetWaitingForLedger(int64(seq))
		s.stats.SetWaitingSince(started)
		if time.Since(started) >= s.cfg.stallTimeout() {
			s.stats.SetStalled(1)
		}
		if gap {
			s.stats.SetWaitingForGap(1)
		} else {
			s.stats.SetWaitingForGap(0)
		}
		if report {
			s.stats.RecordGaps()
			s.log.Error("gap in the datastore: a ledger's file is missing while later ones exist",
				"ledger", seq, "file", file, "datastore", s.cfg.location(), "on_gap", s.cfg.onGap())
			if s.cfg.onGap() == OnGapFail {
				fail(&GapError{Ledger: seq, File: file, Datastore: s.cfg.location()})
				return
			}
		}
	}
}

// isGap reports whether the file that holds seq is missing while the
// datastore holds a later ledger.
func (s *BufferedStorageSourceAdapter) isGap(ctx context.Context, ds datastore.DataStore, seq uint32, file string) (bool, error) {
	exists, err := ds.Exists(ctx, file)
	if err != nil || exists {
		return false, err
	}
	latest, err := datastore.FindLatestLedgerSequence(ctx, ds)
	if errors.Is(err, datastore.ErrNoValidLedgerFiles) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return latest > seq, nil
}

// missingFile finds the first ledger from seq to end whose file is
// missing, after the backend reported a missing file while reading ahead:
// the backend's error comes at the ledger it was asked for, which may be
// before the missing one. It returns 0 when every file is there.
func missingFile(ctx context.Context, ds datastore.DataStore, schema datastore.DataStoreSchema, seq, end uint32) (uint32, string) {
	for next := seq; next <= end && next >= seq; {
		file := schema.GetObjectKeyFromSequenceNumber(next)
		exists, err := ds.Exists(ctx, file)
		if err != nil {
			return 0, ""
		}
		if !exists {
			return next, file
		}
		next = schema.GetSequenceNumberEndBoundary(next) + 1
	}
	return 0, ""
}
