package ledgers

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/stellar/go-stellar-sdk/support/compressxdr"
	"github.com/stellar/go-stellar-sdk/support/datastore"
	"github.com/stellar/go-stellar-sdk/xdr"
)

// Schema is the layout of a datastore: how many ledgers go in one file and
// how many files in one partition directory.
type Schema struct {
	LedgersPerFile    uint32
	FilesPerPartition uint32
}

// SingleLedgerFiles is the layout of galexie's pubnet datastores and of the
// datastores this package writes by default: one ledger per file, 64000
// files per partition.
var SingleLedgerFiles = Schema{LedgersPerFile: 1, FilesPerPartition: 64000}

func (s Schema) sdk() datastore.DataStoreSchema {
	return datastore.DataStoreSchema{LedgersPerFile: s.LedgersPerFile, FilesPerPartition: s.FilesPerPartition}
}

// ObjectKey returns the path, relative to the datastore root, of the file
// that holds ledger seq.
func (s Schema) ObjectKey(seq uint32) string {
	return s.sdk().GetObjectKeyFromSequenceNumber(seq)
}

// WriteDatastore writes ledgers into a filesystem datastore at dir, the way
// galexie does: zstd-compressed LedgerCloseMetaBatch files named by the
// SDK's schema, and the .config.json manifest. Ledgers that share a file
// must be consecutive; a file whose range is not fully covered holds the
// ledgers it has. dir is created if needed.
func WriteDatastore(dir, passphrase string, schema Schema, ledgers ...xdr.LedgerCloseMeta) error {
	ctx := context.Background()
	if schema.LedgersPerFile == 0 || schema.FilesPerPartition == 0 {
		return fmt.Errorf("ledgers per file and files per partition must be > 0")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	ds, err := datastore.NewFilesystemDataStoreWithPath(dir)
	if err != nil {
		return err
	}
	defer ds.Close()
	cfg := datastore.DataStoreConfig{
		Type:              "Filesystem",
		NetworkPassphrase: passphrase,
		Compression:       compressxdr.DefaultCompressor.Name(),
		Schema:            schema.sdk(),
	}
	if _, _, err := datastore.PublishConfig(ctx, ds, cfg); err != nil {
		return err
	}

	sorted := append([]xdr.LedgerCloseMeta(nil), ledgers...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].LedgerSequence() < sorted[j].LedgerSequence() })
	files := map[string]*xdr.LedgerCloseMetaBatch{}
	var order []string
	for _, lcm := range sorted {
		seq := lcm.LedgerSequence()
		key := schema.ObjectKey(seq)
		batch, ok := files[key]
		if !ok {
			batch = &xdr.LedgerCloseMetaBatch{StartSequence: xdr.Uint32(seq)}
			files[key] = batch
			order = append(order, key)
		}
		if last := uint32(batch.EndSequence); len(batch.LedgerCloseMetas) > 0 && seq != last+1 {
			return fmt.Errorf("ledgers %d and %d share file %s but are not consecutive", last, seq, key)
		}
		batch.EndSequence = xdr.Uint32(seq)
		batch.LedgerCloseMetas = append(batch.LedgerCloseMetas, lcm)
	}
	for _, key := range order {
		enc := compressxdr.NewXDREncoder(compressxdr.DefaultCompressor, files[key])
		if err := ds.PutFile(ctx, key, enc, nil); err != nil {
			return err
		}
	}
	return nil
}

// WriteGalexieFile copies the SDK's galexie file of ledger 53312000 into
// the datastore at dir, byte for byte, under its object key for
// [SingleLedgerFiles]. The key ends in .xdr.zst, the extension galexie
// writes today, where the SDK's copy of the file ends in .xdr.zstd.
func WriteGalexieFile(dir string) error {
	raw, err := GalexieBytes()
	if err != nil {
		return err
	}
	path := filepath.Join(dir, filepath.FromSlash(SingleLedgerFiles.ObjectKey(GalexieSequence)))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, raw, 0o644)
}

// NewDatastore writes ledgers into a fresh datastore in a temporary
// directory that t removes, and returns the directory.
func NewDatastore(t testing.TB, passphrase string, schema Schema, ledgers ...xdr.LedgerCloseMeta) string {
	t.Helper()
	dir := t.TempDir()
	if err := WriteDatastore(dir, passphrase, schema, ledgers...); err != nil {
		t.Fatal(err)
	}
	return dir
}
