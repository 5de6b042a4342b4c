package bufferedstorage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/stellar/go-stellar-sdk/support/datastore"
)

// manifestFile is where galexie keeps the datastore manifest.
const manifestFile = ".config.json"

// datastoreConfig is the SDK's configuration for c's datastore.
func (c Config) datastoreConfig(passphrase string) datastore.DataStoreConfig {
	params := map[string]string{}
	switch c.DatastoreType {
	case Filesystem:
		params["destination_path"] = c.Path
	case GCS, S3:
		params["destination_bucket_path"] = c.BucketName
		if c.Region != "" {
			params["region"] = c.Region
		}
		if c.EndpointURL != "" {
			params["endpoint_url"] = c.EndpointURL
		}
	}
	return datastore.DataStoreConfig{
		Type:              c.DatastoreType,
		Params:            params,
		NetworkPassphrase: passphrase,
		Schema: datastore.DataStoreSchema{
			LedgersPerFile:    c.LedgersPerFile,
			FilesPerPartition: c.FilesPerPartition,
		},
	}
}

// location names the datastore in messages.
func (c Config) location() string {
	if c.DatastoreType == Filesystem {
		return c.Path
	}
	return strings.ToLower(c.DatastoreType) + "://" + c.BucketName
}

// readManifest returns the datastore's manifest, or nil when it has none.
func readManifest(ctx context.Context, ds datastore.DataStore) (*datastore.DatastoreManifest, error) {
	r, _, err := ds.GetFile(ctx, manifestFile)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the datastore manifest %s: %w", manifestFile, err)
	}
	defer r.Close()
	var m datastore.DatastoreManifest
	if err := json.NewDecoder(r).Decode(&m); err != nil {
		return nil, fmt.Errorf("the datastore manifest %s is not valid JSON: %w", manifestFile, err)
	}
	return &m, nil
}

// countingStore counts the bytes read from the files of a datastore. The
// source's downloaders read concurrently, so add must be safe for that.
type countingStore struct {
	datastore.DataStore
	add func(n uint64)
}

// GetFile returns the file with a reader that counts what it reads.
func (s countingStore) GetFile(ctx context.Context, path string) (io.ReadCloser, int64, error) {
	r, size, err := s.DataStore.GetFile(ctx, path)
	if err != nil {
		return nil, size, err
	}
	return &countingReader{ReadCloser: r, add: s.add}, size, nil
}

type countingReader struct {
	io.ReadCloser
	add func(n uint64)
}

func (r *countingReader) Read(p []byte) (int, error) {
	n, err := r.ReadCloser.Read(p)
	if n > 0 {
		r.add(uint64(n))
	}
	return n, err
}
