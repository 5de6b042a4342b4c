package e2e

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/components/cdp"
	"github.com/cdpstats/cdpstats/components/config"
	"github.com/cdpstats/cdpstats/components/registry"
	"github.com/cdpstats/cdpstats/internal/testfixtures/ledgers"
	"github.com/cdpstats/cdpstats/internal/testfixtures/pgtest"
	"github.com/cdpstats/cdpstats/runtime"
	"github.com/cdpstats/cdpstats/runtime/promexport"
)

func TestRegistryTypes(t *testing.T) {
	assert.Equal(t, []string{"BufferedStorageSourceAdapter"}, registry.Types(registry.KindSource))
	assert.Equal(t, []string{"ContractEvent", "FilterPayments", "LedgerReader"}, registry.Types(registry.KindProcessor))
	assert.Equal(t, []string{"SaveToJSONFile", "SaveToPostgreSQL", "StdoutConsumer"}, registry.Types(registry.KindConsumer))
	assert.Len(t, registry.Types(""), 7)
	assert.Len(t, registry.Entries(), 7)
}

func TestRegistryLookupErrors(t *testing.T) {
	tests := []struct {
		kind    registry.Kind
		typ     string
		wantMsg string
	}{
		{registry.KindProcessor, "FilterPayment", `unknown processor type "FilterPayment"; did you mean "FilterPayments"? (valid processor types: ContractEvent, FilterPayments, LedgerReader)`},
		{registry.KindConsumer, "SaveToPostgres", `did you mean "SaveToPostgreSQL"?`},
		{registry.KindSource, "FilterPayments", `FilterPayments is a processor, not a source`},
		{registry.KindConsumer, "Kafka", `unknown consumer type "Kafka" (valid consumer types: SaveToJSONFile, SaveToPostgreSQL, StdoutConsumer)`},
	}
	for _, tt := range tests {
		_, err := registry.Lookup(tt.kind, tt.typ)
		require.Error(t, err)
		assert.Contains(t, err.Error(), tt.wantMsg)
		var ute *registry.UnknownTypeError
		require.ErrorAs(t, err, &ute)
		assert.Equal(t, tt.typ, ute.Type)
	}
}

// TestRegistryBuildsEveryComponent builds each component through the
// registry and checks it has the shape of its kind and generated stats.
func TestRegistryBuildsEveryComponent(t *testing.T) {
	dir := ledgers.NewDatastore(t, ledgers.PubnetPassphrase, ledgers.SingleLedgerFiles, ledgers.MustPubnet(t))
	pg := pgtest.Shared(t)
	db := pg.CreateDatabase(t)
	configs := map[string]map[string]interface{}{
		"BufferedStorageSourceAdapter": {"path": dir, "start_ledger": ledgers.PubnetSequence, "end_ledger": ledgers.PubnetSequence},
		"LedgerReader":                 {"successful_only": true},
		"FilterPayments":               {"asset": "native"},
		"ContractEvent":                {},
		"SaveToPostgreSQL":             {"dsn": pg.DSN(db)},
		"StdoutConsumer":               nil,
		"SaveToJSONFile":               {"path": filepath.Join(t.TempDir(), "out.jsonl")},
	}
	for _, e := range registry.Entries() {
		t.Run(e.Type, func(t *testing.T) {
			cfg, ok := configs[e.Type]
			require.True(t, ok, "the test has a config for every registered type")
			c, err := e.New(cfg)
			require.NoError(t, err)
			switch e.Kind {
			case registry.KindSource:
				assert.Implements(t, (*cdp.Source)(nil), c)
			case registry.KindProcessor:
				assert.Implements(t, (*cdp.Processor)(nil), c)
			case registry.KindConsumer:
				require.Implements(t, (*cdp.Consumer)(nil), c)
				t.Cleanup(func() { c.(cdp.Consumer).Close() })
			default:
				t.Fatalf("unknown kind %q", e.Kind)
			}
			sp, ok := c.(runtime.SnapshotProvider)
			require.True(t, ok, "%s has generated stats", e.Type)
			assert.Same(t, e.Desc, sp.StatsDesc(), "the entry describes the component by its own StatsDesc")
			assert.Equal(t, e.Type, sp.StatsDesc().Type)
			assert.Equal(t, string(e.Kind), sp.StatsDesc().Kind, "the kind comes from the //cdp:component marker")
			assert.Equal(t, e.Type, sp.GetStats().ComponentName)
		})
	}
}

func TestRegistryConfigErrorsNameTheKey(t *testing.T) {
	e, err := registry.Lookup(registry.KindProcessor, "FilterPayments")
	require.NoError(t, err)
	_, err = e.New(map[string]interface{}{"min_amount": "ten"})
	var ke *config.KeyError
	require.ErrorAs(t, err, &ke)
	assert.Equal(t, "min_amount", ke.Key)
}

// TestRegisteredComponentsMakeConsistentFamilies registers a Prometheus
// collector that describes every registered component: client_golang's
// registry rejects it if two components make one family with another
// HELP or labels, so stats that share a name share a meaning.
func TestRegisteredComponentsMakeConsistentFamilies(t *testing.T) {
	var descs []*runtime.ComponentDesc
	for _, e := range registry.Entries() {
		descs = append(descs, e.Desc)
	}
	_, err := promexport.NewHandler(nil, promexport.WithComponents(descs...))
	require.NoError(t, err)
}
