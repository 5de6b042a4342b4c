package runner

import (
	"fmt"
	"maps"

	"github.com/cdpstats/cdpstats/internal/shard"
	"github.com/cdpstats/cdpstats/runtime"
	"github.com/cdpstats/cdpstats/runtime/flowctl"
)

// flowctlConfig is the config's flowctl section with the env vars flowctl
// sets laid over it, validated.
func (r *Runner) flowctlConfig() (flowctl.Config, error) {
	fc, err := r.Config.Flowctl.WithEnv(r.Env)
	if err != nil {
		return fc, err
	}
	if err := fc.Validate(); err != nil {
		return fc, fmt.Errorf("%s: %w", r.Config.File, err)
	}
	return fc, nil
}

// warnFlowctlEnv logs, once per run or validation, the flowctl env vars
// that conflict: an older name set to another value than the newer name
// that wins.
func (r *Runner) warnFlowctlEnv() {
	for _, w := range flowctl.EnvWarnings(r.Env) {
		r.logger().Warn("flowctl: conflicting env vars", "detail", w)
	}
}

// newFlowctlClients returns one flowctl client per pipeline when flowctl
// is enabled. Creating one connects to nothing but loads the TLS files, so
// a missing or bad file fails the run before anything is built.
func (r *Runner) newFlowctlClients(fc flowctl.Config, stats []*runtime.PipelineStats) ([]*flowctl.Client, error) {
	if !fc.Enabled {
		return nil, nil
	}
	clients := make([]*flowctl.Client, 0, len(stats))
	for _, ps := range stats {
		cfg := fc
		cfg.ComponentID = flowctlComponentID(fc.ComponentID, ps.PipelineID(), len(stats))
		if !r.Shard.IsZero() {
			cfg.ComponentID += "-shard-" + r.Shard.Label()
			cfg.Metadata = withShard(fc.Metadata, r.Shard)
		}
		client, err := flowctl.New(cfg, ps, flowctl.WithLogger(r.logger().With("pipeline", ps.PipelineID())))
		if err != nil {
			return nil, invalidConfig{fmt.Errorf("%s: %w", r.Config.File, err)}
		}
		clients = append(clients, client)
	}
	return clients, nil
}

// flowctlComponentID names a pipeline to flowctl: the configured ID, with
// the pipeline name added when one process runs several pipelines. A
// sharded process adds -shard-I (newFlowctlClients), so that the N
// processes of one backfill, which share a config, register as N
// services.
func flowctlComponentID(configured, pipeline string, pipelines int) string {
	switch {
	case configured == "":
		return pipeline
	case pipelines > 1:
		return configured + "-" + pipeline
	default:
		return configured
	}
}

// withShard returns a copy of metadata with the key shard set to I/N,
// unless metadata sets it.
func withShard(metadata map[string]string, s shard.Shard) map[string]string {
	out := map[string]string{shardLabel: s.String()}
	maps.Copy(out, metadata)
	return out
}
