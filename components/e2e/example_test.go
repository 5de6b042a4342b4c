package e2e

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/components/processor/contractevent"
	"github.com/cdpstats/cdpstats/components/processor/filterpayments"
	"github.com/cdpstats/cdpstats/internal/testfixtures/ledgers"
)

// exampleDir is the checked-in example datastore.
const exampleDir = "../../examples/datastore"

// TestExampleDatastoreIsReproducible rebuilds the example datastore and
// compares it with the checked-in files, byte for byte.
func TestExampleDatastoreIsReproducible(t *testing.T) {
	fresh := t.TempDir()
	require.NoError(t, ledgers.WriteExample(fresh))
	want := files(t, fresh)
	got := files(t, exampleDir)
	delete(got, "README.md")
	require.Equal(t, keys(want), keys(got), "the checked-in datastore has the files mkdatastore writes; rerun: go run ./internal/testfixtures/cmd/mkdatastore -out examples/datastore")
	for name, content := range want {
		assert.True(t, string(content) == string(got[name]), "%s differs from what mkdatastore writes", name)
	}
}

func files(t *testing.T, root string) map[string][]byte {
	out := map[string][]byte{}
	require.NoError(t, filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		out[filepath.ToSlash(rel)], err = os.ReadFile(path)
		return err
	}))
	return out
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return sortedStrings(out)
}

// TestExampleDatastoreReads reads the example datastore with the config its
// README gives, for each of its ledgers.
func TestExampleDatastoreReads(t *testing.T) {
	for _, seq := range []uint32{ledgers.PubnetSequence, ledgers.GalexieSequence} {
		fp, err := filterpayments.New(nil)
		require.NoError(t, err)
		ce, err := contractevent.New(nil)
		require.NoError(t, err)
		rec := &recorder{}
		fp.Subscribe(ce)
		ce.Subscribe(rec)
		err = runSource(t, map[string]interface{}{"path": exampleDir, "network": "pubnet", "start_ledger": int(seq), "end_ledger": int(seq)}, fp)
		require.NoError(t, err)
		require.Equal(t, []uint32{seq}, rec.ledgers())

		lcm := ledgers.MustPubnet(t)
		if seq == ledgers.GalexieSequence {
			lcm = ledgers.MustGalexie(t)
		}
		want := walk(t, lcm, ledgers.PubnetPassphrase)
		assert.Len(t, rec.payments(), len(want.Payments))
		assert.Len(t, rec.events(), len(want.Events))
	}
}
