package e2e

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stellar/go-stellar-sdk/xdr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/components/cdp"
	"github.com/cdpstats/cdpstats/components/consumer/jsonlines"
	"github.com/cdpstats/cdpstats/internal/testfixtures/ledgers"
	"github.com/cdpstats/cdpstats/internal/testfixtures/pgtest"
)

// Strings of the contract event of oddStringsLedger.
const (
	withNUL   = "a\x00b"
	notUTF8   = "\xff\xfeok"
	nulKey    = "memo\x00"
	plainText = "plain"
)

// oddStringsLedger is a ledger with one contract event whose strings
// hold NUL and bytes that are not UTF-8: topics ["note", notUTF8] and
// data {nulKey: withNUL, bad: notUTF8, ok: plainText}, also returned.
func oddStringsLedger() (xdr.LedgerCloseMeta, xdr.ScVal) {
	data := mapVal(
		xdr.ScMapEntry{Key: strVal(nulKey), Val: strVal(withNUL)},
		xdr.ScMapEntry{Key: ledgers.Symbol("bad"), Val: strVal(notUTF8)},
		xdr.ScMapEntry{Key: ledgers.Symbol("ok"), Val: strVal(plainText)},
	)
	event := ledgers.Event(mintContract, xdr.ContractEventTypeContract, data, ledgers.Symbol("note"), strVal(notUTF8))
	return ledgers.MustBuild(ledgers.LedgerSpec{
		Sequence:    1000,
		CloseTime:   time.Date(2025, 9, 3, 12, 0, 0, 0, time.UTC),
		MetaVersion: 4,
		Transactions: []ledgers.TxSpec{{Source: erin, Operations: []ledgers.Op{
			ledgers.InvokeContract(mintContract, "note", event),
		}}},
	}), data
}

// TestJSONFileKeepsEveryContractString writes the same event to a JSON
// file: each string JSON cannot carry (not UTF-8) or SaveToPostgreSQL
// could not store (NUL) is written in the base64 form SaveToPostgreSQL
// uses, and decodes back to its bytes; nothing becomes U+FFFD.
func TestJSONFileKeepsEveryContractString(t *testing.T) {
	lcm, data := oddStringsLedger()
	path := filepath.Join(t.TempDir(), "events.jsonl")
	c, err := jsonlines.NewFile(map[string]interface{}{"path": path})
	require.NoError(t, err)
	require.NoError(t, c.Start(testContext(t), cdp.Env{}))
	feed(t, c, ledgers.SyntheticPassphrase, lcm)
	require.NoError(t, c.Close())

	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.NotContains(t, string(raw), `\ufffd`, "no string was replaced")
	var line struct {
		Topics  []interface{}          `json:"topics"`
		Data    map[string]interface{} `json:"data"`
		DataXDR string                 `json:"data_xdr"`
	}
	require.NoError(t, json.Unmarshal(raw, &line), string(raw))
	require.Len(t, line.Topics, 2)
	assert.Equal(t, "note", line.Topics[0])
	assert.Equal(t, notUTF8, unb64(t, base64Of(t, line.Topics[1])))
	assert.Equal(t, withNUL, unb64(t, base64Of(t, line.Data["base64:"+b64(nulKey)])))
	assert.Equal(t, notUTF8, unb64(t, base64Of(t, line.Data["bad"])))
	assert.Equal(t, plainText, line.Data["ok"], "a safe string is written as it is")
	wantXDR, err := xdr.MarshalBase64(data)
	require.NoError(t, err)
	assert.Equal(t, wantXDR, line.DataXDR, "the raw XDR stays as it is")
}

// base64Of returns the base64 text of a {"base64": …} object.
func base64Of(t *testing.T, v interface{}) string {
	t.Helper()
	m, ok := v.(map[string]interface{})
	require.True(t, ok, "%#v is not an object", v)
	require.Len(t, m, 1)
	s, ok := m["base64"].(string)
	require.True(t, ok, "%#v has no base64 string", m)
	return s
}

// TestPostgresStoresEveryContractString writes a contract event whose
// strings hold NUL and bytes that are not UTF-8, which jsonb and text
// refuse: the row is written, each such string is stored in base64 (the
// documented form) and decodes back to its bytes, and the raw XDR is as
// the ledger has it.
func TestPostgresStoresEveryContractString(t *testing.T) {
	lcm, data := oddStringsLedger()

	s := pgtest.Shared(t)
	db := s.CreateDatabase(t)
	c := startPostgres(t, pgConfig(s, db), cdp.Env{})
	feed(t, c, ledgers.SyntheticPassphrase, lcm)
	require.NoError(t, c.Close())

	conn := connect(t, s, db)
	var topic0, topic1, nul, bad, ok, keyB64, dataXDR string
	require.NoError(t, conn.QueryRow(testContext(t), `
		SELECT topics->>0, topics->1->>'base64',
		       data->$1::text->>'base64', data->'bad'->>'base64', data->>'ok',
		       (SELECT k FROM jsonb_object_keys(data) AS k WHERE k LIKE 'base64:%'),
		       data_xdr
		FROM contract_events`, "base64:"+b64(nulKey)).
		Scan(&topic0, &topic1, &nul, &bad, &ok, &keyB64, &dataXDR))
	assert.Equal(t, "note", topic0)
	assert.Equal(t, notUTF8, unb64(t, topic1))
	assert.Equal(t, withNUL, unb64(t, nul))
	assert.Equal(t, notUTF8, unb64(t, bad))
	assert.Equal(t, plainText, ok, "a storable string is stored as it is")
	assert.Equal(t, "base64:"+b64(nulKey), keyB64)
	wantXDR, err := xdr.MarshalBase64(data)
	require.NoError(t, err)
	assert.Equal(t, wantXDR, dataXDR, "the raw XDR stays as it is")
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func unb64(t *testing.T, s string) string {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	require.NoError(t, err)
	return string(b)
}
