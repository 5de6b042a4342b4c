package bufferedstorage

import (
	"fmt"
	"os"
	"runtime"
	"time"

	"github.com/cdpstats/cdpstats/components/config"
	"github.com/cdpstats/cdpstats/components/internal/ledgerx"
	"github.com/cdpstats/cdpstats/internal/suggest"
)

// Datastore types.
const (
	Filesystem = "Filesystem"
	GCS        = "GCS"
	S3         = "S3"
)

var datastoreTypes = []string{Filesystem, GCS, S3}

// DefaultStallTimeout is ten closes of a Stellar ledger (about 5 s each):
// following the tip, a ledger later than that is not just slow.
const DefaultStallTimeout = 50 * time.Second

// The values of on_gap.
const (
	OnGapFail = "fail"
	OnGapWait = "wait"
)

// Config is the source's configuration, decoded from its config map.
type Config struct {
	// DatastoreType is Filesystem (the default), GCS or S3.
	DatastoreType string `yaml:"datastore_type"`
	// Path is the datastore directory, for Filesystem.
	Path string `yaml:"path"`
	// BucketName is the bucket and optional prefix, "bucket/prefix", for
	// GCS and S3.
	BucketName string `yaml:"bucket_name"`
	// Region is the S3 region.
	Region string `yaml:"region"`
	// EndpointURL is an S3-compatible endpoint; empty means AWS.
	EndpointURL string `yaml:"endpoint_url"`
	// Network is pubnet, testnet, futurenet or a full passphrase. It
	// defaults to the passphrase in the datastore manifest.
	Network string `yaml:"network"`
	// StartLedger is the first ledger to emit.
	StartLedger uint32 `yaml:"start_ledger,required"`
	// EndLedger is the last ledger to emit; 0 means run until stopped,
	// waiting for new ledgers as they are written.
	EndLedger uint32 `yaml:"end_ledger"`
	// BufferSize is how many downloaded files the source holds ahead of
	// the ledger being processed, compressed as stored.
	BufferSize uint32 `yaml:"buffer_size"`
	// NumWorkers is how many files the source downloads at once.
	NumWorkers uint32 `yaml:"num_workers"`
	// DecodeWorkers is how many files the source decodes (decompresses and
	// unmarshals) at once, ahead of the ledger being processed; 0 means
	// GOMAXPROCS.
	DecodeWorkers uint32 `yaml:"decode_workers"`
	// DecodeAhead is how many files each decode worker may hold decoded
	// ahead of the ledger being processed. At most
	// decode_workers×decode_ahead+1 files are held decoded, so memory
	// stays bounded whatever the range. More than one keeps the workers
	// busy while the pipeline works, instead of waking them file by file.
	DecodeAhead uint32 `yaml:"decode_ahead"`
	// ReadTransactions has the decode workers also read each ledger's
	// transactions (matching results to envelopes, which hashes every
	// envelope), so that the processors after find them read. Turn it off
	// for pipelines whose processors do not look at transactions.
	ReadTransactions bool `yaml:"read_transactions"`
	// RetryLimit is how often a failed download is retried.
	RetryLimit uint32 `yaml:"retry_limit"`
	// RetryWait is the pause between retries, and between polls for a
	// ledger that is not written yet.
	RetryWait time.Duration `yaml:"retry_wait"`
	// OnGap is what to do when a ledger's file is missing while a later
	// ledger's file exists: OnGapFail stops the run with an error naming
	// the ledger and the file, OnGapWait keeps waiting for the file (and
	// reports the gap). Either way the gap is logged at ERROR. It defaults
	// to fail for a bounded range and wait for an unbounded one.
	OnGap string `yaml:"on_gap"`
	// StallTimeout is how long the source may wait for one ledger before
	// its pipeline is reported stalled. It defaults to DefaultStallTimeout,
	// ten ledger closes, or to 10×retry_wait when that is longer (a poll
	// interval longer than a ledger close makes waits longer too).
	StallTimeout time.Duration `yaml:"stall_timeout"`
	// LedgersPerFile and FilesPerPartition describe the datastore layout.
	// They default from the datastore manifest, and must match it when set.
	LedgersPerFile    uint32 `yaml:"ledgers_per_file"`
	FilesPerPartition uint32 `yaml:"files_per_partition"`

	// passphrase is Network resolved, or "" to take the manifest's.
	passphrase string
}

// DefaultDecodeAhead is the decode_ahead a config leaves out: files a
// decode worker holds decoded ahead. On files of one small ledger, four
// instead of one cut the wall time of a run by about a fifth
// (docs/benchmarks.md); on large ledgers it only costs memory.
const DefaultDecodeAhead = 4

// DefaultConfig returns the configuration that keys left out of a config
// map take.
func DefaultConfig() Config {
	return Config{
		DatastoreType:    Filesystem,
		BufferSize:       100,
		NumWorkers:       10,
		DecodeAhead:      DefaultDecodeAhead,
		ReadTransactions: true,
		RetryLimit:       3,
		RetryWait:        5 * time.Second,
	}
}

// ParseConfig decodes and checks a config map. Every error names its key
// (see config.KeyError).
func ParseConfig(raw map[string]interface{}) (Config, error) {
	return config.Parse(raw, DefaultConfig(), (*Config).validate)
}

func (c *Config) validate() error {
	var errs config.Errors
	add := func(key, format string, args ...interface{}) {
		errs = append(errs, config.Errorf(key, format, args...))
	}
	switch c.DatastoreType {
	case Filesystem:
		if c.Path == "" {
			add("path", "is required for datastore_type %s", Filesystem)
		} else if info, err := os.Stat(c.Path); err != nil {
			add("path", "datastore directory %q does not exist or cannot be read: %w", c.Path, err)
		} else if !info.IsDir() {
			add("path", "datastore path %q is not a directory", c.Path)
		}
	case GCS, S3:
		if c.BucketName == "" {
			add("bucket_name", "is required for datastore_type %s", c.DatastoreType)
		}
		if c.DatastoreType == S3 && c.Region == "" {
			add("region", "is required for datastore_type %s", S3)
		}
	default:
		msg := fmt.Sprintf("unknown datastore type %q", c.DatastoreType)
		if s := suggest.Nearest(c.DatastoreType, datastoreTypes); s != "" {
			msg += fmt.Sprintf("; did you mean %q?", s)
		}
		add("datastore_type", "%s (valid: %s, %s, %s)", msg, Filesystem, GCS, S3)
	}
	c.passphrase = ledgerx.NetworkKey(c.Network, &errs)
	if c.StartLedger < 2 {
		add("start_ledger", "must be at least 2, the first ledger with metadata; got %d", c.StartLedger)
	}
	if c.EndLedger != 0 && c.EndLedger < c.StartLedger {
		add("end_ledger", "%d is before start_ledger %d (use 0 to run until stopped)", c.EndLedger, c.StartLedger)
	}
	if c.OnGap != "" && c.OnGap != OnGapFail && c.OnGap != OnGapWait {
		add("on_gap", "must be %s or %s, got %q", OnGapFail, OnGapWait, c.OnGap)
	}
	if c.StallTimeout < 0 {
		add("stall_timeout", "must not be negative")
	}
	if c.BufferSize == 0 {
		add("buffer_size", "must be at least 1")
	}
	if c.NumWorkers == 0 {
		add("num_workers", "must be at least 1")
	} else if c.NumWorkers > c.BufferSize && c.BufferSize > 0 {
		add("num_workers", "%d is more than buffer_size %d; the source downloads at most buffer_size files ahead, so num_workers <= buffer_size", c.NumWorkers, c.BufferSize)
	}
	if c.DecodeAhead == 0 {
		add("decode_ahead", "must be at least 1")
	}
	if (c.LedgersPerFile == 0) != (c.FilesPerPartition == 0) {
		if c.LedgersPerFile == 0 {
			add("ledgers_per_file", "must be set together with files_per_partition")
		} else {
			add("files_per_partition", "must be set together with ledgers_per_file")
		}
	}
	return errs.Err()
}

// decodeWorkers is DecodeWorkers with its default.
func (c Config) decodeWorkers() int {
	if c.DecodeWorkers > 0 {
		return int(c.DecodeWorkers)
	}
	return runtime.GOMAXPROCS(0)
}

// bounded reports whether the range has an end.
func (c Config) bounded() bool { return c.EndLedger != 0 }

// stallTimeout is StallTimeout with its default.
func (c Config) stallTimeout() time.Duration {
	if c.StallTimeout > 0 {
		return c.StallTimeout
	}
	return max(DefaultStallTimeout, 10*c.RetryWait)
}

// onGap is OnGap with its default.
func (c Config) onGap() string {
	switch {
	case c.OnGap != "":
		return c.OnGap
	case c.bounded():
		return OnGapFail
	}
	return OnGapWait
}
