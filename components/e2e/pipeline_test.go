package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/components/cdp"
	"github.com/cdpstats/cdpstats/components/consumer/jsonlines"
	"github.com/cdpstats/cdpstats/components/processor/contractevent"
	"github.com/cdpstats/cdpstats/components/processor/filterpayments"
	"github.com/cdpstats/cdpstats/components/source/bufferedstorage"
	"github.com/cdpstats/cdpstats/internal/testfixtures/ledgers"
	"github.com/cdpstats/cdpstats/runtime"
)

// stat reads one stat of a component through its generated GetStats.
func stat(t testing.TB, p runtime.StatsProvider, key string) float64 {
	t.Helper()
	v, ok := p.GetStats().Stats[key]
	require.True(t, ok, "%T has no stat %q", p, key)
	switch x := v.(type) {
	case uint64:
		return float64(x)
	case int64:
		return float64(x)
	case float64:
		return x
	}
	t.Fatalf("stat %q is a %T", key, v)
	return 0
}

// statsOn reports whether stats are compiled in; under -tags cdpstats_off
// every stat stays 0, and tests skip their checks of stats.
func statsOn(t testing.TB) bool {
	t.Helper()
	if !runtime.Enabled {
		t.Log("stats are compiled out (cdpstats_off); not checking them")
	}
	return runtime.Enabled
}

// snapshot reads every stat of a component through its typed snapshot,
// keyed like GetStats.
func snapshot(p runtime.SnapshotProvider) map[string]float64 {
	stats := runtime.StatsOf(p).Stats
	out := make(map[string]float64, len(stats))
	for k, v := range stats {
		switch v := v.(type) {
		case uint64:
			out[k] = float64(v)
		case float64:
			out[k] = v
		}
	}
	return out
}

// TestPipelineToJSONFile runs source → FilterPayments → ContractEvent →
// SaveToJSONFile over a datastore of real and synthetic ledgers, and checks
// the file and every component's stats against the ledgers walked
// independently.
func TestPipelineToJSONFile(t *testing.T) {
	// Synthetic ledgers 1000..1004 (meta V4) in files of two ledgers.
	lcms := syntheticRange(t, 1000, 1004)
	dir := ledgers.NewDatastore(t, ledgers.SyntheticPassphrase, ledgers.Schema{LedgersPerFile: 2, FilesPerPartition: 2}, lcms...)
	var want walked
	for _, l := range lcms {
		w := walk(t, l, ledgers.SyntheticPassphrase)
		want.Payments = append(want.Payments, w.Payments...)
		want.Events = append(want.Events, w.Events...)
		want.FailedTxs += w.FailedTxs
	}
	var fileBytes uint64
	require.NoError(t, filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		require.NoError(t, err)
		if !d.IsDir() && filepath.Ext(path) == ".zst" {
			info, err := d.Info()
			require.NoError(t, err)
			fileBytes += uint64(info.Size())
		}
		return nil
	}))

	src, err := bufferedstorage.New(sourceConfig(dir, 1000, 1004))
	require.NoError(t, err)
	fp, err := filterpayments.New(map[string]interface{}{"min_amount": "1"})
	require.NoError(t, err)
	ce, err := contractevent.New(nil)
	require.NoError(t, err)
	out := filepath.Join(t.TempDir(), "out.jsonl")
	sink, err := jsonlines.NewFile(map[string]interface{}{"path": out})
	require.NoError(t, err)
	require.NoError(t, sink.Start(testContext(t), cdp.Env{}))
	src.Subscribe(fp)
	fp.Subscribe(ce)
	ce.Subscribe(sink)

	require.NoError(t, src.Run(testContext(t)))
	require.NoError(t, sink.Close())

	var passedPayments int
	for _, p := range want.Payments {
		if cmpDecimal(p.Amount, "1") >= 0 {
			passedPayments++
		}
	}
	raw, err := os.ReadFile(out)
	require.NoError(t, err)
	lines := 0
	payments, events := 0, 0
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for sc.Scan() {
		lines++
		var obj map[string]interface{}
		require.NoError(t, json.Unmarshal(sc.Bytes(), &obj), "line %d is a JSON object", lines)
		if _, ok := obj["event_index"]; ok {
			events++
		} else {
			payments++
			assert.GreaterOrEqual(t, cmpDecimal(obj["amount"].(string), "1"), 0)
		}
	}
	assert.Equal(t, passedPayments, payments)
	assert.Equal(t, len(want.Events), events)

	if !statsOn(t) {
		return
	}
	assert.Equal(t, map[string]float64{
		"ledgers_processed": 5, "bytes_read": float64(fileBytes), "errors": 0,
		"last_ledger": 1004, "buffer_size": 4, "num_workers": 2,
	}, pick(snapshot(src), "ledgers_processed", "bytes_read", "errors", "last_ledger", "buffer_size", "num_workers"))
	assert.Greater(t, stat(t, src, "last_processed_at"), float64(1.7e9))
	assert.Equal(t, float64(5), stat(t, src, "fetch_latency_count"))

	assert.Equal(t, map[string]float64{
		"payments_found":        float64(len(want.Payments)),
		"payments_filtered":     float64(len(want.Payments) - passedPayments),
		"payments_emitted":      float64(passedPayments),
		"errors":                0,
		"filter_ratio":          float64(len(want.Payments)-passedPayments) / float64(len(want.Payments)),
		"process_latency_count": 5,
	}, pick(snapshot(fp), "payments_found", "payments_filtered", "payments_emitted", "errors", "filter_ratio", "process_latency_count"))
	assert.Equal(t, paymentsByType(want.Payments), pick(snapshot(fp), paymentsByTypeKeys...))

	assert.Equal(t, map[string]float64{
		"ledgers_processed": 5, "events_found": float64(len(want.Events)), "events_emitted": float64(len(want.Events)),
		"failed_transactions": float64(want.FailedTxs), "errors": 0, "last_ledger": 1004, "process_latency_count": 5,
	}, pick(snapshot(ce), "ledgers_processed", "events_found", "events_emitted", "failed_transactions", "errors", "last_ledger", "process_latency_count"))

	assert.Equal(t, map[string]float64{
		"messages_written": float64(lines), "bytes_written": float64(len(raw)), "errors": 0,
	}, snapshot(sink))
}

// paymentsByTypeKeys are the keys of FilterPayments' labelled counter
// payments_by_operation, one per payment operation type.
var paymentsByTypeKeys = []string{
	"payments_by_operation_payment", "payments_by_operation_path_payment_strict_send", "payments_by_operation_path_payment_strict_receive",
}

// paymentsByType counts payments by operation type, from the ledger walk
// rather than the processor, under the keys of payments_by_operation.
func paymentsByType(ps []wantPayment) map[string]float64 {
	out := make(map[string]float64, len(paymentsByTypeKeys))
	for _, k := range paymentsByTypeKeys {
		out[k] = 0
	}
	for _, p := range ps {
		out["payments_by_operation_"+p.Type]++
	}
	return out
}

func pick(m map[string]float64, keys ...string) map[string]float64 {
	out := make(map[string]float64, len(keys))
	for _, k := range keys {
		out[k] = m[k]
	}
	return out
}

func TestStdoutConsumer(t *testing.T) {
	var buf bytes.Buffer
	c := jsonlines.NewWriter(&buf)
	fp, err := filterpayments.New(nil)
	require.NoError(t, err)
	fp.Subscribe(c)
	lcm := ledgers.MustPubnet(t)
	require.NoError(t, fp.Process(testContext(t), ledgerMessage(lcm, ledgers.PubnetPassphrase)))
	require.NoError(t, c.Close())

	want := walk(t, lcm, ledgers.PubnetPassphrase)
	lines := bytes.Split(bytes.TrimSuffix(buf.Bytes(), []byte("\n")), []byte("\n"))
	assert.Len(t, lines, len(want.Payments))
	for _, l := range lines {
		var p filterpayments.Payment
		require.NoError(t, json.Unmarshal(l, &p))
		assert.Equal(t, lcm.LedgerSequence(), p.LedgerSequence)
	}
	if statsOn(t) {
		assert.Equal(t, float64(len(want.Payments)), stat(t, c, "messages_written"))
		assert.Equal(t, float64(buf.Len()), stat(t, c, "bytes_written"))
	}
}

func TestJSONFileErrors(t *testing.T) {
	notADir := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(notADir, nil, 0o644))
	c, err := jsonlines.NewFile(map[string]interface{}{"path": filepath.Join(notADir, "out.jsonl")})
	require.NoError(t, err, "building touches nothing")
	err = c.Start(testContext(t), cdp.Env{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `config key "path": cannot create the directory`)

	_, err = jsonlines.ParseFileConfig(map[string]interface{}{"path": t.TempDir()})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `is a directory`)

	nested := filepath.Join(t.TempDir(), "new", "dir", "out.jsonl")
	c, err = jsonlines.NewFile(map[string]interface{}{"path": nested})
	require.NoError(t, err)
	require.NoError(t, c.Start(testContext(t), cdp.Env{}), "missing directories are created")
	require.NoError(t, c.Close())
	assert.FileExists(t, nested)

	_, err = jsonlines.NewFile(map[string]interface{}{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `config key "path": is required`)

	_, err = jsonlines.NewStdout(map[string]interface{}{"pretty": true})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `unknown config key "pretty"`)

	sink, err := jsonlines.NewFile(map[string]interface{}{"path": filepath.Join(t.TempDir(), "out.jsonl")})
	require.NoError(t, err)
	err = sink.Process(testContext(t), msgOf(1))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "used before Start")
	require.NoError(t, sink.Start(testContext(t), cdp.Env{}))
	err = sink.Process(testContext(t), ledgerMessage(ledgers.MustPubnet(t), ledgers.PubnetPassphrase))
	require.NoError(t, err, "ledger messages are not written, only flushed at")
	err = sink.Process(testContext(t), msgOf(func() {}))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "encoding func() as JSON")
	if statsOn(t) {
		assert.Equal(t, float64(1), stat(t, sink, "errors"), "the message before Start is not an error of the file")
		assert.Equal(t, float64(0), stat(t, sink, "messages_written"))
	}
	require.NoError(t, sink.Close())
	require.NoError(t, sink.Close(), "Close is idempotent")
}
