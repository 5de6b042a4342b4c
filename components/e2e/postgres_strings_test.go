package e2e

import (
	"encoding/base64"
	"testing"
	"time"

	"github.com/stellar/go-stellar-sdk/xdr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/components/cdp"
	"github.com/cdpstats/cdpstats/internal/testfixtures/ledgers"
	"github.com/cdpstats/cdpstats/internal/testfixtures/pgtest"
)

// TestPostgresStoresEveryContractString writes a contract event whose
// strings hold NUL and bytes that are not UTF-8, which jsonb and text
// refuse: the row is written, each such string is stored in base64 (the
// documented form) and decodes back to its bytes, and the raw XDR is as
// the ledger has it.
func TestPostgresStoresEveryContractString(t *testing.T) {
	const (
		withNUL   = "a\x00b"
		notUTF8   = "\xff\xfeok"
		nulKey    = "memo\x00"
		plainText = "plain"
	)
	data := mapVal(
		xdr.ScMapEntry{Key: strVal(nulKey), Val: strVal(withNUL)},
		xdr.ScMapEntry{Key: ledgers.Symbol("bad"), Val: strVal(notUTF8)},
		xdr.ScMapEntry{Key: ledgers.Symbol("ok"), Val: strVal(plainText)},
	)
	event := ledgers.Event(mintContract, xdr.ContractEventTypeContract, data, ledgers.Symbol("note"), strVal(notUTF8))
	lcm := ledgers.MustBuild(ledgers.LedgerSpec{
		Sequence:    1000,
		CloseTime:   time.Date(2025, 9, 3, 12, 0, 0, 0, time.UTC),
		MetaVersion: 4,
		Transactions: []ledgers.TxSpec{{Source: erin, Operations: []ledgers.Op{
			ledgers.InvokeContract(mintContract, "note", event),
		}}},
	})

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
