package runner

import (
	"testing"
	"time"

	"github.com/cdpstats/cdpstats/components/config"
	"github.com/cdpstats/cdpstats/runtime/flowctl"
	"github.com/cdpstats/cdpstats/runtime/promexport"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseConfig(t *testing.T) {
	cfg, err := ParseConfig("p.yaml", []byte(`
pipelines:
  payments:
    source:
      type: BufferedStorageSourceAdapter
      config:
        path: data
        start_ledger: 5
    processors:
      - type: FilterPayments
        id: usdc
        config: {asset: "USDC:GA5ZSEJYB37JRC5AVCIA5MOP4RHTM335X2KGX3IHOJAPP5RE34K4KZVN"}
    consumers:
      - type: StdoutConsumer
        config:
stats:
  interval: 250ms
  health_timeout: 30s
  live: false
metrics:
  enabled: true
  address: 127.0.0.1:0
flowctl:
  enabled: true
  endpoint: localhost:8080
  api: v1
  heartbeat_interval: 2s
  tls: {enabled: true, ca_file: ca.pem}
`))
	require.NoError(t, err)
	require.Len(t, cfg.Pipelines, 1)
	p := cfg.Pipelines[0]
	assert.Equal(t, "payments", p.Name)
	assert.Equal(t, "BufferedStorageSourceAdapter", p.Source.Type)
	assert.Equal(t, map[string]interface{}{"path": "data", "start_ledger": 5}, p.Source.Config)
	assert.Equal(t, Pos{Line: 8, Column: 9}, p.Source.KeyPos["start_ledger"])
	require.Len(t, p.Processors, 1)
	assert.Equal(t, "usdc", p.Processors[0].ID)
	assert.Equal(t, "pipelines.payments.processors[0]", p.Processors[0].Path)
	assert.Equal(t, Pos{Line: 10, Column: 15}, p.Processors[0].TypePos)
	require.Len(t, p.Consumers, 1)
	assert.Empty(t, p.Consumers[0].Config)

	assert.Equal(t, StatsConfig{Interval: 250 * time.Millisecond, HealthTimeout: 30 * time.Second, Live: false}, cfg.Stats)
	assert.Equal(t, promexport.Config{Enabled: true, Address: "127.0.0.1:0"}, cfg.Metrics)
	assert.Equal(t, flowctl.Config{Enabled: true, Endpoint: "localhost:8080", API: flowctl.APIV1, HeartbeatInterval: 2 * time.Second,
		TLS: flowctl.TLSConfig{Enabled: true, CAFile: "ca.pem"}}, cfg.Flowctl)
}

func TestParseConfigDefaults(t *testing.T) {
	cfg, err := ParseConfig("p.yaml", []byte("pipelines:\n  p:\n    source: {type: S}\n    consumers: [{type: C}]\n"))
	require.NoError(t, err)
	assert.Equal(t, StatsConfig{Interval: time.Second, Live: true}, cfg.Stats)
	assert.Equal(t, promexport.Config{Address: promexport.DefaultAddress}, cfg.Metrics)
	assert.False(t, cfg.Flowctl.Enabled)
}

func TestParseConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want string
	}{
		{"empty file", ``, `p.yaml:1:1: pipelines: the config is empty`},
		{"a second document", "pipelines:\n  p:\n    source: {type: S}\n    consumers: [{type: C}]\n\n---\nstats: {live: false}\n",
			`p.yaml:6:1: ---: a second YAML document; a config file holds one document, and nothing of a second one is read`},
		{"an empty second document", "---\npipelines:\n  p:\n    source: {type: S}\n    consumers: [{type: C}]\n--- # more\n",
			`p.yaml:6:1: ---: a second YAML document; a config file holds one document, and nothing of a second one is read`},
		{"a second document that does not parse", "# c\n---\npipelines:\n  p:\n    source: {type: S}\n    consumers: [{type: C}]\n---\nstats: [\n",
			`p.yaml:7:1: ---: a second YAML document; a config file holds one document, and nothing of a second one is read`},
		{"unknown top-level key", "pipelines:\n  p:\n    source: {type: S}\n    consumers: [{type: C}]\npipeline: {}\n",
			`p.yaml:5:1: pipeline: unknown key "pipeline"; did you mean "pipelines"? (valid: cost, flowctl, metrics, pipelines, stats)`},
		{"missing pipelines", "stats: {live: true}\n", `p.yaml:1:1: pipelines: missing: a config needs at least one pipeline`},
		{"no source or consumers", "pipelines:\n  p:\n    processors: []\n",
			"p.yaml:2:3: pipelines.p.source: missing: every pipeline needs a source\n" +
				"p.yaml:2:3: pipelines.p.consumers: missing: every pipeline needs at least one consumer"},
		{"unknown component key", "pipelines:\n  p:\n    source: {type: S, confg: {}}\n    consumers: [{type: C}]\n",
			`p.yaml:3:23: pipelines.p.source.confg: unknown key "confg"; did you mean "config"? (valid: config, id, type)`},
		{"missing type", "pipelines:\n  p:\n    source: {type: S}\n    consumers: [{id: x}]\n",
			`p.yaml:4:17: pipelines.p.consumers[0].type: missing: every component needs a type`},
		{"processors not a list", "pipelines:\n  p:\n    source: {type: S}\n    processors: {type: P}\n    consumers: [{type: C}]\n",
			`p.yaml:4:17: pipelines.p.processors: must be a list, got a map`},
		{"bad duration", "pipelines:\n  p:\n    source: {type: S}\n    consumers: [{type: C}]\nstats: {interval: soon}\n",
			`p.yaml:5:19: stats.interval: must be a duration such as "5s" or "1m30s", got "soon"`},
		{"zero interval", "pipelines:\n  p:\n    source: {type: S}\n    consumers: [{type: C}]\nstats: {interval: 0s}\n",
			`p.yaml:5:19: stats.interval: must be positive, got 0s`},
		{"unknown nested flowctl key", "pipelines:\n  p:\n    source: {type: S}\n    consumers: [{type: C}]\nflowctl: {tls: {ca_fil: x}}\n",
			`p.yaml:5:17: flowctl.tls.ca_fil: unknown key "ca_fil"; did you mean "ca_file"? (valid: ca_file, cert_file, enabled, key_file, server_name)`},
		{"flowctl metadata value", "pipelines:\n  p:\n    source: {type: S}\n    consumers: [{type: C}]\nflowctl: {metadata: {team: [a]}}\n",
			`p.yaml:5:28: flowctl.metadata.team: must be a string, got a list`},
		{"flowctl check placed at its key", "pipelines:\n  p:\n    source: {type: S}\n    consumers: [{type: C}]\nflowctl:\n  retry_initial: 1m\n  retry_max: 2s\n",
			`p.yaml:7:14: flowctl.retry_max: 2s is less than retry_initial 1m0s`},
		{"bad bool", "pipelines:\n  p:\n    source: {type: S}\n    consumers: [{type: C}]\nmetrics: {enabled: maybe}\n",
			`p.yaml:5:20: metrics.enabled: must be true or false, got string "maybe"`},
		{"bad flowctl api", "pipelines:\n  p:\n    source: {type: S}\n    consumers: [{type: C}]\nflowctl: {api: v2}\n",
			`p.yaml:5:16: flowctl.api: unknown API "v2"; did you mean "v1"? (valid: auto, legacy, v1)`},
		{"every problem at once, in file order", "pipelines:\n  p:\n    source: {type: S, confg: {}}\n    consumers: [{id: x}]\nstats: {interval: soon}\n",
			`p.yaml:3:23: pipelines.p.source.confg: unknown key "confg"; did you mean "config"? (valid: config, id, type)` + "\n" +
				`p.yaml:4:17: pipelines.p.consumers[0].type: missing: every component needs a type` + "\n" +
				`p.yaml:5:19: stats.interval: must be a duration such as "5s" or "1m30s", got "soon"`},
		{"type not a string", "pipelines:\n  p:\n    source: {type: [S]}\n    consumers: [{type: C}]\n",
			`p.yaml:3:20: pipelines.p.source.type: must be a string, got a list`},
		{"duplicate key", "pipelines:\n  p:\n    source: {type: S}\n    source: {type: S}\n    consumers: [{type: C}]\n",
			`p.yaml:4:5: pipelines.p.source: duplicate key`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseConfig("p.yaml", []byte(tt.yaml))
			require.Error(t, err)
			assert.Equal(t, tt.want, err.Error())
		})
	}
}

func TestParseConfigSyntaxError(t *testing.T) {
	_, err := ParseConfig("p.yaml", []byte("pipelines: [\n"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "p.yaml: yaml: line")
}

func TestConfigPipeline(t *testing.T) {
	cfg := &Config{File: "p.yaml", Pipelines: []PipelineConfig{{Name: "payments"}, {Name: "events"}}}
	p, err := cfg.Pipeline("events")
	require.NoError(t, err)
	assert.Equal(t, "events", p.Name)
	_, err = cfg.Pipeline("payment")
	assert.EqualError(t, err, `p.yaml: no pipeline "payment"; did you mean "payments"? (valid: events, payments)`)
}

// TestParseConfigTakesEveryTaggedKey checks that each section decodes by
// its struct's yaml tags, so a new field needs nothing in the runner.
func TestParseConfigTakesEveryTaggedKey(t *testing.T) {
	sections := map[string][]string{
		"stats":   config.Keys(&StatsConfig{}),
		"metrics": config.Keys(&promexport.Config{}),
		"flowctl": config.Keys(&flowctl.Config{}),
	}
	for section, keys := range sections {
		require.NotEmpty(t, keys, section)
		for _, key := range keys {
			t.Run(section+"."+key, func(t *testing.T) {
				yaml := "pipelines:\n  p:\n    source: {type: S}\n    consumers: [{type: C}]\n" + section + ": {" + key + ": null}\n"
				_, err := ParseConfig("p.yaml", []byte(yaml))
				assert.NoError(t, err)
			})
		}
	}
}
