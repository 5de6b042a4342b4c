package runner_test

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/internal/runner"
)

// errorConfig is a pipeline over a real ledger whose processors (each
// line indented by six spaces, starting on line 7) and extra top-level
// sections a test sets. The consumer writes to out.
func errorConfig(dir, out, processors, extra string) string {
	return fmt.Sprintf(`pipelines:
  p:
    source:
      type: BufferedStorageSourceAdapter
      config: {path: %s, start_ledger: 58752000, end_ledger: 58752000}
    processors:
%s    consumers:
      - type: SaveToJSONFile
        config: {path: %s}
stats: {live: false}
%s`, q(dir), processors, q(out), extra)
}

// TestConfigErrors checks what Validate and Run report for bad configs,
// and that Run builds nothing then: the consumer's output file is never
// created.
func TestConfigErrors(t *testing.T) {
	dir := pubnetDatastore(t)
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer busy.Close()

	const filterPayments = "      - type: FilterPayments\n"
	tests := []struct {
		name       string
		processors string
		extra      string
		env        map[string]string
		pipeline   string
		// validate is Validate's error, with the config path as FILE; empty
		// when Validate passes and only Run finds the problem.
		validate string
		// run is what Run's error holds; validate's text when empty.
		run string
		// invalid says whether Run's error matches ErrInvalidConfig.
		invalid bool
	}{
		{
			name:       "unknown component type",
			processors: "      - type: FilterPayment\n",
			validate:   `FILE:7:15: pipelines.p.processors[0].type: unknown processor type "FilterPayment"; did you mean "FilterPayments"? (valid processor types: ContractEvent, FilterPayments, LedgerReader)`,
			invalid:    true,
		},
		{
			name:       "unknown component config key",
			processors: filterPayments + "        config: {min_amout: \"1\"}\n",
			validate:   `FILE:8:18: pipelines.p.processors[0].config.min_amout: unknown key "min_amout"; did you mean "min_amount"? (valid: asset, min_amount, network)`,
			invalid:    true,
		},
		{
			name:       "non-numeric min_amount",
			processors: filterPayments + "        config: {min_amount: lots}\n",
			validate:   `FILE:8:18: pipelines.p.processors[0].config.min_amount: must be a decimal amount such as "100.5"`,
			invalid:    true,
		},
		{
			name:       "two instances of a type without distinct ids",
			processors: filterPayments + "      - type: FilterPayments\n        config: {asset: native}\n",
			validate:   `FILE:8:9: pipelines.p.processors[1].id: reports under the same name as pipelines.p.processors[0]; give one of them a distinct id`,
			invalid:    true,
		},
		{
			name:       "every problem at once, in file order",
			processors: "      - type: FilterPayment\n      - type: ContractEvent\n        config: {contract_id: x}\n",
			validate: `FILE:7:15: pipelines.p.processors[0].type: unknown processor type "FilterPayment"; did you mean "FilterPayments"? (valid processor types: ContractEvent, FilterPayments, LedgerReader)` + "\n" +
				`FILE:9:18: pipelines.p.processors[1].config.contract_id: unknown key "contract_id"; did you mean "contract_ids"? (valid: contract_ids, network)`,
			invalid: true,
		},
		{
			name:       "bad flowctl env var",
			processors: filterPayments,
			env:        map[string]string{"ENABLE_FLOWCTL": "true", "FLOWCTL_HEARTBEAT_INTERVAL": "abc"},
			validate:   `FLOWCTL_HEARTBEAT_INTERVAL="abc": want a duration such as 10s, or a number of seconds`,
			invalid:    true,
		},
		{
			name:       "unknown pipeline",
			processors: filterPayments,
			pipeline:   "pp",
			validate:   `FILE: no pipeline "pp"; did you mean "p"? (valid: p)`,
			invalid:    true,
		},
		{
			name:       "flowctl TLS file missing",
			processors: filterPayments,
			extra:      "flowctl: {enabled: true, endpoint: \"127.0.0.1:1\", tls: {enabled: true, ca_file: /nonexistent/ca.pem}}\n",
			run:        "FILE: flowctl.tls.ca_file: open /nonexistent/ca.pem: no such file or directory",
			invalid:    true,
		},
		{
			name:       "metrics port in use",
			processors: filterPayments,
			extra:      fmt.Sprintf("metrics: {enabled: true, address: %q}\n", busy.Addr().String()),
			run:        "FILE: metrics.address: listen tcp " + busy.Addr().String() + ": bind: address already in use",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out.jsonl")
			cfg := writeConfig(t, errorConfig(dir, out, tt.processors, tt.extra))
			r := newRunner(t, cfg)
			r.Pipeline = tt.pipeline
			if tt.env != nil {
				r.Env = envOf(tt.env)
			}
			text := func(err error) string { return strings.ReplaceAll(err.Error(), cfg.File, "FILE") }

			err := r.Validate()
			if tt.validate == "" {
				assert.NoError(t, err)
			} else if assert.Error(t, err) {
				assert.True(t, errors.Is(err, runner.ErrInvalidConfig))
				assert.True(t, strings.HasPrefix(text(err), tt.validate), "got:\n%s\nwant a prefix:\n%s", text(err), tt.validate)
			}

			err = r.Run(t.Context())
			require.Error(t, err)
			want := tt.run
			if want == "" {
				want = tt.validate
			}
			assert.True(t, strings.HasPrefix(text(err), want), "got:\n%s\nwant a prefix:\n%s", text(err), want)
			assert.Equal(t, tt.invalid, errors.Is(err, runner.ErrInvalidConfig))
			_, statErr := os.Stat(out)
			assert.True(t, os.IsNotExist(statErr), "nothing runs on a bad config: the output file was created")
		})
	}
}

// TestParsedValueErrors checks the values the config parser itself checks
// with their place in the file.
func TestParsedValueErrors(t *testing.T) {
	tests := []struct {
		name  string
		extra string
		want  string
	}{
		{"metrics address without port", "metrics: {enabled: true, address: localhost}\n",
			`FILE:6:35: metrics.address: "localhost" is not host:port: address localhost: missing port in address`},
		{"negative metrics linger", "metrics: {enabled: true, linger: -1s}\n",
			`FILE:6:34: metrics.linger: must not be negative, got "-1s"`},
		{"flowctl endpoint without port", "flowctl: {enabled: true, endpoint: flowctl}\n",
			`FILE:6:36: flowctl.endpoint: "flowctl" is not host:port: address flowctl: missing port in address`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "p.yaml")
			yaml := "pipelines:\n  p:\n    source: {type: S}\n    consumers: [{type: C}]\nstats: {live: false}\n" + tt.extra
			require.NoError(t, os.WriteFile(path, []byte(yaml), 0o644))
			_, err := runner.LoadConfig(path)
			require.Error(t, err)
			assert.Equal(t, tt.want, strings.ReplaceAll(err.Error(), path, "FILE"))
		})
	}
}

// TestValidateWarnsOfConflictingFlowctlEnv sets an older flowctl variable
// to another value than its newer name: validation passes, and logs one
// WARN naming both.
func TestValidateWarnsOfConflictingFlowctlEnv(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want []string // the detail of each WARN
	}{
		{"as flowctl sets them", map[string]string{"FLOWCTL_SERVICE_ID": "a", "FLOWCTL_COMPONENT_ID": "a"}, nil},
		{"different values", map[string]string{"FLOWCTL_SERVICE_ID": "a", "FLOWCTL_COMPONENT_ID": "b"}, []string{
			`FLOWCTL_SERVICE_ID=\"a\" and FLOWCTL_COMPONENT_ID=\"b\" are both set; using FLOWCTL_SERVICE_ID (FLOWCTL_COMPONENT_ID is its older name)`,
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := writeConfig(t, errorConfig(t.TempDir(), filepath.Join(t.TempDir(), "out.jsonl"), "      - type: FilterPayments\n", ""))
			var logs strings.Builder
			r := &runner.Runner{Config: cfg, Env: envOf(tc.env), Logger: slog.New(slog.NewTextHandler(&logs, nil))}
			require.NoError(t, r.Validate())
			var got []string
			for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
				if strings.Contains(line, "level=WARN") {
					assert.Contains(t, line, `msg="flowctl: conflicting env vars"`)
					_, detail, _ := strings.Cut(line, `detail="`)
					got = append(got, strings.TrimSuffix(detail, `"`))
				}
			}
			assert.Equal(t, tc.want, got)
		})
	}
}
