// Package bufferedstorage provides BufferedStorageSourceAdapter, the source
// that reads ledgers from a galexie datastore (a local directory, a GCS
// bucket or an S3 bucket) through the SDK's BufferedStorageBackend and
// emits one message per ledger.
package bufferedstorage

//go:generate go tool statsgen
