package runner

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseCostConfig(t *testing.T) {
	const pipeline = `
pipelines:
  p:
    source: {type: BufferedStorageSourceAdapter}
    consumers: [{type: StdoutConsumer}]
`
	tests := []struct {
		name string
		cost string
		want *CostConfig
		err  string
	}{
		{name: "no section, no prices", cost: "", want: nil},
		{name: "both prices", cost: "cost: {vcpu_hour: 0.04, gib_hour: 0.005}", want: &CostConfig{VCPUHour: 0.04, GiBHour: 0.005}},
		{name: "free memory", cost: "cost: {vcpu_hour: 1, gib_hour: 0}", want: &CostConfig{VCPUHour: 1}},
		{name: "one price missing", cost: "cost: {vcpu_hour: 0.04}", err: "p.yaml:6:7: cost.gib_hour: is required"},
		{name: "negative", cost: "cost: {vcpu_hour: -1, gib_hour: 0}", err: "p.yaml:6:19: cost.vcpu_hour: must be a price of zero or more, such as 0.04, not -1"},
		{name: "infinite", cost: "cost: {vcpu_hour: 1, gib_hour: .inf}", err: "p.yaml:6:32: cost.gib_hour: must be a price of zero or more, such as 0.04, not +Inf"},
		{name: "not a number", cost: "cost: {vcpu_hour: .nan, gib_hour: 0}", err: "p.yaml:6:19: cost.vcpu_hour: must be a price of zero or more, such as 0.04, not NaN"},
		{name: "not a price", cost: "cost: {vcpu_hour: cheap, gib_hour: 0}", err: "p.yaml:6:19: cost.vcpu_hour: must be a number, got string \"cheap\""},
		{name: "unknown key", cost: "cost: {vcpu_hours: 1, gib_hour: 0}", err: "cost.vcpu_hours: unknown key \"vcpu_hours\"; did you mean \"vcpu_hour\"?"},
		{name: "not a mapping", cost: "cost: 3", err: "p.yaml:6:7: cost: must be a mapping"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := ParseConfig("p.yaml", []byte(pipeline+tt.cost+"\n"))
			if tt.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, cfg.Cost)
			assert.Regexp(t, `^sha256:[0-9a-f]{64}$`, cfg.Hash)
		})
	}
}

func TestConfigHashIsOfTheBytes(t *testing.T) {
	const base = "pipelines:\n  p:\n    source: {type: BufferedStorageSourceAdapter}\n    consumers: [{type: StdoutConsumer}]\n"
	a, err := ParseConfig("a.yaml", []byte(base))
	require.NoError(t, err)
	b, err := ParseConfig("b.yaml", []byte(base))
	require.NoError(t, err)
	c, err := ParseConfig("c.yaml", []byte(base+"# a comment\n"))
	require.NoError(t, err)
	assert.Equal(t, a.Hash, b.Hash, "the path does not matter")
	assert.NotEqual(t, a.Hash, c.Hash, "every byte does")
}
