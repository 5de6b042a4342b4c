package postgres

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cdpstats/cdpstats/components/config"
	"github.com/cdpstats/cdpstats/internal/suggest"
)

// Config is the consumer's configuration, decoded from its config map.
// Give either DSN or the separate connection keys.
type Config struct {
	// DSN is a libpq connection string: a URL such as
	// "postgres://user:pass@host:5432/db" or "host=... dbname=...".
	DSN string `yaml:"dsn"`
	// Host is a host name, an IP address, or a directory holding the
	// server's unix socket.
	Host     string `yaml:"host"`
	Port     uint16 `yaml:"port"`
	Database string `yaml:"database"`
	User     string `yaml:"user"`
	Password string `yaml:"password"`
	// SSLMode is a libpq sslmode: disable, allow, prefer (the default),
	// require, verify-ca or verify-full.
	SSLMode string `yaml:"sslmode"`

	// BatchSize is how many rows a batch holds at most; a batch is written
	// when it is full.
	BatchSize int `yaml:"batch_size"`
	// FlushInterval is how long a row waits at most before its batch is
	// written, however full.
	FlushInterval time.Duration `yaml:"flush_interval"`
	// MaxConns is the size of the connection pool.
	MaxConns int32 `yaml:"max_conns"`
	// ConnectTimeout bounds each attempt to connect.
	ConnectTimeout time.Duration `yaml:"connect_timeout"`
	// WriteTimeout bounds each attempt to write a batch: a database that
	// stops answering in the middle of one (a TCP black hole) ends the
	// attempt, which is retried like any failure that may pass.
	WriteTimeout time.Duration `yaml:"write_timeout"`
	// MaxRetryWait caps the backoff between attempts to write a batch while
	// the database is away.
	MaxRetryWait time.Duration `yaml:"max_retry_wait"`
	// CloseTimeout bounds how long Close keeps trying to write the last
	// rows.
	CloseTimeout time.Duration `yaml:"close_timeout"`
}

// DefaultConfig returns the configuration that keys left out of a config
// map take.
func DefaultConfig() Config {
	return Config{
		BatchSize:      1000,
		FlushInterval:  time.Second,
		MaxConns:       4,
		ConnectTimeout: 10 * time.Second,
		WriteTimeout:   30 * time.Second,
		MaxRetryWait:   5 * time.Second,
		CloseTimeout:   time.Minute,
	}
}

var sslModes = []string{"disable", "allow", "prefer", "require", "verify-ca", "verify-full"}

// ParseConfig decodes and checks a config map. Every error names its key;
// none contains the password.
func ParseConfig(raw map[string]interface{}) (Config, error) {
	return config.Parse(raw, DefaultConfig(), (*Config).validate)
}

func (c *Config) validate() error {
	var errs config.Errors
	add := func(key, format string, args ...interface{}) {
		errs = append(errs, config.Errorf(key, format, args...))
	}
	separate := c.Host != "" || c.Port != 0 || c.Database != "" || c.User != "" || c.Password != "" || c.SSLMode != ""
	switch {
	case c.DSN != "" && separate:
		add("dsn", "give either dsn or host/port/database/user/password/sslmode, not both")
	case c.DSN == "" && c.Host == "":
		add("dsn", "is required, or else host with port/database/user/password/sslmode")
	}
	if c.SSLMode != "" && !contains(sslModes, c.SSLMode) {
		msg := fmt.Sprintf("unknown sslmode %q", c.SSLMode)
		if s := suggest.Nearest(c.SSLMode, sslModes); s != "" {
			msg += fmt.Sprintf("; did you mean %q?", s)
		}
		add("sslmode", "%s (valid: %s)", msg, strings.Join(sslModes, ", "))
	}
	if c.BatchSize < 1 {
		add("batch_size", "must be at least 1, got %d", c.BatchSize)
	}
	if c.FlushInterval <= 0 {
		add("flush_interval", "must be positive")
	}
	if c.MaxConns < 1 {
		add("max_conns", "must be at least 1, got %d", c.MaxConns)
	}
	if c.ConnectTimeout <= 0 {
		add("connect_timeout", "must be positive")
	}
	if c.WriteTimeout <= 0 {
		add("write_timeout", "must be positive")
	}
	if c.MaxRetryWait <= 0 {
		add("max_retry_wait", "must be positive")
	}
	if c.CloseTimeout <= 0 {
		add("close_timeout", "must be positive")
	}
	if len(errs) > 0 {
		return errs.Err()
	}
	if _, err := c.poolConfig(); err != nil {
		key := "dsn"
		if c.DSN == "" {
			key = "host"
		}
		return config.Errorf(key, "%s", redact(err, c.secret()).Error())
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// connString returns the DSN, or builds a keyword/value connection string
// from the separate keys.
func (c *Config) connString() string {
	if c.DSN != "" {
		return c.DSN
	}
	var parts []string
	add := func(k, v string) {
		if v != "" {
			parts = append(parts, k+"="+quote(v))
		}
	}
	add("host", c.Host)
	if c.Port != 0 {
		add("port", strconv.Itoa(int(c.Port)))
	}
	add("dbname", c.Database)
	add("user", c.User)
	add("password", c.Password)
	add("sslmode", c.SSLMode)
	return strings.Join(parts, " ")
}

// quote quotes a keyword/value connection string value.
func quote(v string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(v) + "'"
}

// poolConfig returns the pgx pool configuration.
func (c *Config) poolConfig() (*pgxpool.Config, error) {
	pc, err := pgxpool.ParseConfig(c.connString())
	if err != nil {
		return nil, err
	}
	pc.MaxConns = c.MaxConns
	pc.MinConns = 0
	pc.ConnConfig.ConnectTimeout = c.ConnectTimeout
	return pc, nil
}

// secret returns the password, from the password key or from the DSN, so
// that it can be scrubbed from errors.
func (c *Config) secret() string {
	if c.Password != "" {
		return c.Password
	}
	if c.DSN != "" {
		if pc, err := pgxpool.ParseConfig(c.DSN); err == nil {
			return pc.ConnConfig.Password
		}
		return dsnPassword(c.DSN)
	}
	return ""
}

// dsnPassword digs the password out of a DSN that pgx could not parse, so
// that the parse error can still be scrubbed.
func dsnPassword(dsn string) string {
	if i := strings.Index(dsn, "://"); i >= 0 {
		rest := dsn[i+3:]
		if at := strings.LastIndex(rest, "@"); at >= 0 {
			if _, pw, ok := strings.Cut(rest[:at], ":"); ok {
				return pw
			}
		}
		return ""
	}
	for _, field := range strings.Fields(dsn) {
		if v, ok := strings.CutPrefix(field, "password="); ok {
			return strings.Trim(v, "'")
		}
	}
	return ""
}
