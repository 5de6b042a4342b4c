// Package bufferedstorage provides BufferedStorageSourceAdapter, the source
// that reads ledgers from a galexie datastore (a local directory, a GCS
// bucket or an S3 bucket) with its own read-ahead (downloads, then decoding
// on decode workers) and emits one message per ledger, in order.
package bufferedstorage

//go:generate go tool statsgen
