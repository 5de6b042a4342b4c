package e2e

import (
	"encoding/json"
	"sort"
	"testing"

	"github.com/stellar/go-stellar-sdk/network"
	"github.com/stellar/go-stellar-sdk/strkey"
	"github.com/stellar/go-stellar-sdk/xdr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/components/cdp"
	"github.com/cdpstats/cdpstats/components/config"
	"github.com/cdpstats/cdpstats/components/processor/contractevent"
	"github.com/cdpstats/cdpstats/components/processor/filterpayments"
	"github.com/cdpstats/cdpstats/internal/testfixtures/ledgers"
)

func paymentKeys(ps []filterpayments.Payment) []wantPayment {
	out := make([]wantPayment, len(ps))
	for i, p := range ps {
		out[i] = wantPayment{Hash: p.TransactionHash, OpIndex: p.OperationIndex, Type: p.OperationType, To: p.To, Asset: p.Asset, Amount: p.Amount}
	}
	return out
}

func eventKeys(t testing.TB, es []contractevent.Event) []wantEvent {
	out := make([]wantEvent, len(es))
	for i, e := range es {
		raw, err := strkey.Decode(strkey.VersionByteContract, e.ContractID)
		require.NoError(t, err)
		out[i] = wantEvent{Hash: e.TransactionHash, OpIndex: e.OperationIndex, EventIndex: e.EventIndex, Contract: xdr.ContractId(raw)}
	}
	return out
}

func sortPayments(ps []wantPayment) {
	sort.Slice(ps, func(i, j int) bool {
		if ps[i].Hash != ps[j].Hash {
			return ps[i].Hash < ps[j].Hash
		}
		return ps[i].OpIndex < ps[j].OpIndex
	})
}

func TestFilterPaymentsMatchesLedger(t *testing.T) {
	tests := []struct {
		name       string
		lcm        xdr.LedgerCloseMeta
		passphrase string
	}{
		{"pubnet 58752000", ledgers.MustPubnet(t), network.PublicNetworkPassphrase},
		{"pubnet 53312000 (galexie)", ledgers.MustGalexie(t), network.PublicNetworkPassphrase},
		{"synthetic V4", buildScenario(t, 1000, 4), ledgers.SyntheticPassphrase},
		{"synthetic V3", buildScenario(t, 1000, 3), ledgers.SyntheticPassphrase},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := walk(t, tt.lcm, tt.passphrase)
			require.NotEmpty(t, want.Payments, "the ledger must have payments for the test to mean anything")

			fp, err := filterpayments.New(nil)
			require.NoError(t, err)
			rec := &recorder{}
			fp.Subscribe(rec)
			require.NoError(t, fp.Process(testContext(t), ledgerMessage(tt.lcm, tt.passphrase)))

			got := paymentKeys(rec.payments())
			sortPayments(got)
			sortPayments(want.Payments)
			assert.Equal(t, want.Payments, got)
			assert.Equal(t, []uint32{tt.lcm.LedgerSequence()}, rec.ledgers(), "the ledger is passed on after the payments")
			if statsOn(t) {
				assert.Equal(t, paymentsByType(want.Payments), pick(snapshot(fp), paymentsByTypeKeys...),
					"payments_by_operation counts every payment examined under its operation type")
			}
			for _, p := range rec.payments() {
				assert.Equal(t, tt.lcm.LedgerSequence(), p.LedgerSequence)
				assert.True(t, p.ClosedAt.Equal(tt.lcm.ClosedAt()))
				assert.Regexp(t, `^[GM][A-Z2-7]{55}([A-Z2-7]{13})?$`, p.From)
				assert.Regexp(t, `^-?\d+\.\d{7}$`, p.Amount)
			}
		})
	}
}

func TestFilterPaymentsSyntheticFields(t *testing.T) {
	lcm := buildScenario(t, 1000, 4)
	fp, err := filterpayments.New(nil)
	require.NoError(t, err)
	rec := &recorder{}
	fp.Subscribe(rec)
	require.NoError(t, fp.Process(testContext(t), ledgerMessage(lcm, ledgers.SyntheticPassphrase)))

	got := rec.payments()
	require.Len(t, got, 4, "two payments, two path payments; the failed transaction's payment is skipped")
	usdcName := "USDC:" + addr(ledgers.Account(9))
	eurtName := "EURT:" + addr(ledgers.Account(9))
	type view struct{ Type, From, To, Asset, Amount, SourceAsset, SourceAmount string }
	var views []view
	for _, p := range got {
		views = append(views, view{p.OperationType, p.From, p.To, p.Asset, p.Amount, p.SourceAsset, p.SourceAmount})
	}
	assert.Equal(t, []view{
		{"payment", addr(alice), addr(bobMux), "native", "12.5000000", "", ""},
		{"payment", addr(carlMux), addr(dave), usdcName, "0.0000001", "", ""},
		{"path_payment_strict_send", addr(erin), addr(frank), usdcName, "3.3333333", "native", "100.0000000"},
		{"path_payment_strict_receive", addr(erin), addr(frank), eurtName, "2.0000000", usdcName, "7.0000000"},
	}, views)
	assert.Equal(t, []uint32{0, 1, 0, 1}, []uint32{got[0].OperationIndex, got[1].OperationIndex, got[2].OperationIndex, got[3].OperationIndex})

	line, err := json.Marshal(got[0])
	require.NoError(t, err)
	assert.JSONEq(t, `{"ledger_sequence":1000,"closed_at":"2025-09-03T13:23:20Z","transaction_hash":"`+got[0].TransactionHash+`",
		"operation_index":0,"operation_type":"payment","from":"`+addr(alice)+`","to":"`+addr(bobMux)+`","asset":"native","amount":"12.5000000"}`, string(line))
}

func TestFilterPaymentsFilters(t *testing.T) {
	lcm := ledgers.MustPubnet(t)
	all := walk(t, lcm, network.PublicNetworkPassphrase).Payments
	// The most frequent asset makes the asset filter bite.
	counts := map[string]int{}
	for _, p := range all {
		counts[p.Asset]++
	}
	top := ""
	for a, n := range counts {
		if top == "" || n > counts[top] || n == counts[top] && a < top {
			top = a
		}
	}
	tests := []struct {
		name string
		cfg  map[string]interface{}
		keep func(p wantPayment) bool
	}{
		{"no filter", nil, func(wantPayment) bool { return true }},
		{"asset", map[string]interface{}{"asset": top}, func(p wantPayment) bool { return p.Asset == top }},
		{"native", map[string]interface{}{"asset": "native"}, func(p wantPayment) bool { return p.Asset == "native" }},
		{"min_amount", map[string]interface{}{"min_amount": "100"}, func(p wantPayment) bool { return ratGE(p.Amount, "100") }},
		{"min_amount integer", map[string]interface{}{"min_amount": 5}, func(p wantPayment) bool { return ratGE(p.Amount, "5") }},
		{"both", map[string]interface{}{"asset": top, "min_amount": "0.5"}, func(p wantPayment) bool { return p.Asset == top && ratGE(p.Amount, "0.5") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var want []wantPayment
			for _, p := range all {
				if tt.keep(p) {
					want = append(want, p)
				}
			}
			fp, err := filterpayments.New(tt.cfg)
			require.NoError(t, err)
			rec := &recorder{}
			fp.Subscribe(rec)
			require.NoError(t, fp.Process(testContext(t), ledgerMessage(lcm, network.PublicNetworkPassphrase)))
			got := paymentKeys(rec.payments())
			sortPayments(got)
			sortPayments(want)
			assert.Equal(t, want, got)
		})
	}
}

func TestContractEventMatchesLedger(t *testing.T) {
	tests := []struct {
		name       string
		lcm        xdr.LedgerCloseMeta
		passphrase string
		wantCount  int
	}{
		{"pubnet 58752000 (meta V3)", ledgers.MustPubnet(t), network.PublicNetworkPassphrase, -1},
		{"synthetic V4", buildScenario(t, 1000, 4), ledgers.SyntheticPassphrase, 4},
		{"synthetic V3", buildScenario(t, 1000, 3), ledgers.SyntheticPassphrase, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := walk(t, tt.lcm, tt.passphrase)
			require.NotEmpty(t, want.Events)
			if tt.wantCount >= 0 {
				require.Len(t, want.Events, tt.wantCount, "the walker agrees with how the scenario was built")
			}
			ce, err := contractevent.New(nil)
			require.NoError(t, err)
			rec := &recorder{}
			ce.Subscribe(rec)
			require.NoError(t, ce.Process(testContext(t), ledgerMessage(tt.lcm, tt.passphrase)))
			got := rec.events()
			assert.Equal(t, want.Events, eventKeys(t, got))

			for _, e := range got {
				require.Len(t, e.TopicsXDR, len(e.Topics))
				for i, raw := range e.TopicsXDR {
					var v xdr.ScVal
					require.NoError(t, xdr.SafeUnmarshalBase64(raw, &v))
					decoded, err := contractevent.DecodeScVal(v)
					require.NoError(t, err)
					assert.Equal(t, decoded, e.Topics[i], "topic %d decodes from its raw XDR", i)
				}
				_, err := json.Marshal(e)
				assert.NoError(t, err)
			}
		})
	}
}

func TestContractEventSyntheticValues(t *testing.T) {
	lcm := buildScenario(t, 1000, 4)
	ce, err := contractevent.New(map[string]interface{}{
		"contract_ids": []interface{}{strkey.MustEncode(strkey.VersionByteContract, mintContract[:])},
	})
	require.NoError(t, err)
	rec := &recorder{}
	ce.Subscribe(rec)
	require.NoError(t, ce.Process(testContext(t), ledgerMessage(lcm, ledgers.SyntheticPassphrase)))
	got := rec.events()
	require.Len(t, got, 1, "only the mint contract's CONTRACT event passes the filter")
	line, err := json.Marshal(got[0])
	require.NoError(t, err)
	var obj map[string]interface{}
	require.NoError(t, json.Unmarshal(line, &obj))
	assert.Equal(t, []interface{}{"mint", addr(alice), "1152921504606846976"}, obj["topics"])
	assert.Equal(t, map[string]interface{}{"amount": "-5", "memo": "hi"}, obj["data"])
	assert.Equal(t, float64(0), obj["event_index"])
	assert.Equal(t, strkey.MustEncode(strkey.VersionByteContract, mintContract[:]), obj["contract_id"])
}

func TestProcessorsPassThrough(t *testing.T) {
	fp, err := filterpayments.New(nil)
	require.NoError(t, err)
	ce, err := contractevent.New(nil)
	require.NoError(t, err)
	rec := &recorder{}
	fp.Subscribe(ce)
	ce.Subscribe(rec)
	ctx := testContext(t)
	require.NoError(t, fp.Process(ctx, cdp.Message{Payload: "not a ledger"}))
	require.NoError(t, fp.Process(ctx, ledgerMessage(buildScenario(t, 1000, 4), ledgers.SyntheticPassphrase)))

	var kinds []string
	for _, m := range rec.messages {
		switch m.Payload.(type) {
		case string:
			kinds = append(kinds, "other")
		case filterpayments.Payment:
			kinds = append(kinds, "payment")
		case contractevent.Event:
			kinds = append(kinds, "event")
		case xdr.LedgerCloseMeta:
			kinds = append(kinds, "ledger")
		}
	}
	assert.Equal(t, []string{"other", "payment", "payment", "payment", "payment", "event", "event", "event", "event", "ledger"}, kinds)
}

func TestProcessorErrors(t *testing.T) {
	t.Run("wrong network", func(t *testing.T) {
		fp, err := filterpayments.New(nil)
		require.NoError(t, err)
		err = fp.Process(testContext(t), ledgerMessage(ledgers.MustPubnet(t), network.TestNetworkPassphrase))
		require.Error(t, err)
		assert.Contains(t, err.Error(), "ledger 58752000")
		assert.Contains(t, err.Error(), "network passphrase")
	})
	t.Run("no network", func(t *testing.T) {
		ce, err := contractevent.New(nil)
		require.NoError(t, err)
		err = ce.Process(testContext(t), cdp.Message{Payload: ledgers.MustPubnet(t)})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "network")
	})
	t.Run("network from config", func(t *testing.T) {
		ce, err := contractevent.New(map[string]interface{}{"network": "pubnet"})
		require.NoError(t, err)
		assert.NoError(t, ce.Process(testContext(t), cdp.Message{Payload: ledgers.MustPubnet(t)}))
	})
}

func TestProcessorConfigErrors(t *testing.T) {
	tests := []struct {
		name    string
		build   func() error
		key     string
		wantMsg string
	}{
		{"non-numeric min_amount", func() error { _, err := filterpayments.New(map[string]interface{}{"min_amount": "lots"}); return err },
			"min_amount", `config key "min_amount": must be a decimal amount such as "100.5"`},
		{"float min_amount", func() error { _, err := filterpayments.New(map[string]interface{}{"min_amount": 1.5}); return err },
			"min_amount", "quoted decimal string"},
		{"negative min_amount", func() error { _, err := filterpayments.New(map[string]interface{}{"min_amount": "-1"}); return err },
			"min_amount", "must not be negative"},
		{"unknown key", func() error { _, err := filterpayments.New(map[string]interface{}{"min_amonut": "1"}); return err },
			"min_amonut", `unknown config key "min_amonut"; did you mean "min_amount"? (valid: asset, min_amount, network)`},
		{"bad asset", func() error { _, err := filterpayments.New(map[string]interface{}{"asset": "XLM"}); return err },
			"asset", `write the native asset as "native"`},
		{"bad issuer", func() error { _, err := filterpayments.New(map[string]interface{}{"asset": "USDC:GNOPE"}); return err },
			"asset", "not a valid G... account address"},
		{"bad contract id", func() error {
			_, err := contractevent.New(map[string]interface{}{"contract_ids": []interface{}{"CNOPE"}})
			return err
		}, "contract_ids", `element 0, "CNOPE", is not a contract address`},
		{"contract_ids not a list", func() error { _, err := contractevent.New(map[string]interface{}{"contract_ids": "C"}); return err },
			"contract_ids", "must be a list of strings"},
		{"unknown network", func() error { _, err := contractevent.New(map[string]interface{}{"network": "pubnett"}); return err },
			"network", `unknown network "pubnett"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.build()
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantMsg)
			var ke *config.KeyError
			require.ErrorAs(t, err, &ke)
			assert.Equal(t, tt.key, ke.Key)
		})
	}
}

// ratGE compares decimal strings exactly.
func ratGE(a, b string) bool {
	return cmpDecimal(a, b) >= 0
}
