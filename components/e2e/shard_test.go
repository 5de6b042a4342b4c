package e2e

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stellar/go-stellar-sdk/support/datastore"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/components/cdp"
	"github.com/cdpstats/cdpstats/components/source/bufferedstorage"
	"github.com/cdpstats/cdpstats/internal/shard"
	"github.com/cdpstats/cdpstats/internal/testfixtures/ledgers"
)

// TestShardSplitFollowsTheSDKSchema checks that every shard of a split
// starts and ends on the file boundaries of the Stellar SDK's datastore
// schema, the layout the source reads, and that no two shards share a
// file.
func TestShardSplitFollowsTheSDKSchema(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 1))
	for range 300 {
		perFile := []uint32{1, 8, 64, 64000}[rng.IntN(4)]
		start := 2 + rng.Uint32N(1_000_000)
		end := start + rng.Uint32N(2_000_000)
		n := 1 + rng.IntN(40)
		name := fmt.Sprintf("%d-%d/%d per %d", start, end, n, perFile)
		ranges, err := shard.Split(start, end, n, perFile)
		require.NoError(t, err, name)
		schema := datastore.DataStoreSchema{LedgersPerFile: perFile, FilesPerPartition: 64000}
		var prev shard.Range
		for i, r := range ranges {
			if r.Empty() {
				continue
			}
			if r.Start != start {
				assert.Equal(t, schema.GetSequenceNumberStartBoundary(r.Start), r.Start, "%s: shard %d start", name, i)
			}
			if r.End != end {
				assert.Equal(t, schema.GetSequenceNumberEndBoundary(r.End), r.End, "%s: shard %d end", name, i)
			}
			if !prev.Empty() {
				assert.NotEqual(t, schema.GetObjectKeyFromSequenceNumber(prev.End), schema.GetObjectKeyFromSequenceNumber(r.Start),
					"%s: shard %d shares a file with the one before", name, i)
			}
			prev = r
		}
	}
}

// TestSourceRange checks the source's cdp.Ranged side: the configured
// range, the layout once started, and SetRange narrowing what Run reads.
func TestSourceRange(t *testing.T) {
	layout := ledgers.Schema{LedgersPerFile: 4, FilesPerPartition: 8}
	dir := ledgers.NewDatastore(t, ledgers.SyntheticPassphrase, layout, syntheticRange(t, 8, 23)...)
	src, err := bufferedstorage.New(sourceConfig(dir, 8, 23))
	require.NoError(t, err)
	var ranged cdp.Ranged = src
	start, end := ranged.Range()
	assert.Equal(t, [2]uint32{8, 23}, [2]uint32{start, end})
	assert.Zero(t, ranged.LedgersPerFile(), "unknown before Start")

	require.NoError(t, src.Start(testContext(t), cdp.Env{}))
	assert.Equal(t, uint32(4), ranged.LedgersPerFile(), "from the manifest")
	ranged.SetRange(12, 19)
	rec := &recorder{}
	src.Subscribe(rec)
	require.NoError(t, src.Run(testContext(t)))
	assert.Equal(t, []uint32{12, 13, 14, 15, 16, 17, 18, 19}, rec.ledgers())
}
