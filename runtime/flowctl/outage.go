package flowctl

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// summaryEvery is the least time between two WARN summaries of one
// outage.
const summaryEvery = 5 * time.Minute

// outage logs one kind of failure with discipline, so that a control
// plane that stays down for hours costs a few lines rather than one per
// attempt: the first failure is a WARN, the repeats DEBUG, a WARN summary
// at most every [summaryEvery] ("still unreachable after N attempts, last
// error …"), and the recovery one INFO with the outage's length. It is
// used from one goroutine.
type outage struct {
	logger *slog.Logger
	now    func() time.Time
	// failMsg is logged for each failure, recoverMsg once at the end.
	failMsg, recoverMsg string

	failures    int // failed attempts of the current outage; 0 when none
	start       time.Time
	lastSummary time.Time
	lastErr     error
}

func newOutage(logger *slog.Logger, now func() time.Time, failMsg, recoverMsg string) *outage {
	return &outage{logger: logger, now: now, failMsg: failMsg, recoverMsg: recoverMsg}
}

// failed logs one failed attempt, with attrs.
func (o *outage) failed(err error, attrs ...any) {
	now := o.now()
	o.failures++
	o.lastErr = err
	attrs = append(attrs, "error", err, "attempt", o.failures)
	if o.failures == 1 {
		o.start, o.lastSummary = now, now
		o.logger.Warn(o.failMsg, attrs...)
		return
	}
	o.logger.Debug(o.failMsg, attrs...)
	if now.Sub(o.lastSummary) >= summaryEvery {
		o.lastSummary = now
		o.logger.Warn(fmt.Sprintf("flowctl: still unreachable after %d attempts, last error: %v", o.failures, err),
			"attempts", o.failures, "since", o.start, "outage", now.Sub(o.start).Round(time.Millisecond))
	}
}

// succeeded ends the outage, if any, with an INFO line stating how long
// it lasted, and reports whether there was one.
func (o *outage) succeeded(ctx context.Context, attrs ...any) bool {
	if o.failures == 0 {
		return false
	}
	attrs = append(attrs, "outage", o.now().Sub(o.start).Round(time.Millisecond), "failed_attempts", o.failures, "last_error", o.lastErr)
	o.logger.Log(ctx, slog.LevelInfo, o.recoverMsg, attrs...)
	o.failures = 0
	o.lastErr = nil
	return true
}
