// Package kubernetes holds the example Indexed Job and its Prometheus
// configuration; its tests check that they parse, agree with each other,
// and that the scrape config labels each pod with its shard.
package kubernetes

import (
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/cdpstats/cdpstats/internal/shard"
	"github.com/cdpstats/cdpstats/internal/testfixtures/promtest"
)

// object is the part of a Kubernetes object that the tests read.
type object struct {
	Kind     string `yaml:"kind"`
	Metadata struct {
		Name      string `yaml:"name"`
		Namespace string `yaml:"namespace"`
	} `yaml:"metadata"`
	Data map[string]string `yaml:"data"`
	Spec struct {
		CompletionMode string `yaml:"completionMode"`
		Completions    int    `yaml:"completions"`
		Parallelism    int    `yaml:"parallelism"`
		Template       struct {
			Spec struct {
				RestartPolicy string      `yaml:"restartPolicy"`
				Containers    []container `yaml:"containers"`
				Volumes       []struct {
					Name      string `yaml:"name"`
					ConfigMap struct {
						Name string `yaml:"name"`
					} `yaml:"configMap"`
				} `yaml:"volumes"`
			} `yaml:"spec"`
		} `yaml:"template"`
	} `yaml:"spec"`
}

type container struct {
	Args []string `yaml:"args"`
	Env  []struct {
		Name  string `yaml:"name"`
		Value string `yaml:"value"`
	} `yaml:"env"`
	Ports []struct {
		Name          string `yaml:"name"`
		ContainerPort int    `yaml:"containerPort"`
	} `yaml:"ports"`
	VolumeMounts []struct {
		Name      string `yaml:"name"`
		MountPath string `yaml:"mountPath"`
	} `yaml:"volumeMounts"`
}

func (c container) env(name string) string {
	for _, e := range c.Env {
		if e.Name == name {
			return e.Value
		}
	}
	return ""
}

// pipelineConfig is the part of the runner's config that the tests read.
type pipelineConfig struct {
	Pipelines map[string]struct {
		Source struct {
			Config struct {
				StartLedger    uint32 `yaml:"start_ledger"`
				EndLedger      uint32 `yaml:"end_ledger"`
				LedgersPerFile uint32 `yaml:"ledgers_per_file"`
			} `yaml:"config"`
		} `yaml:"source"`
	} `yaml:"pipelines"`
	Metrics struct {
		Enabled bool          `yaml:"enabled"`
		Address string        `yaml:"address"`
		Linger  time.Duration `yaml:"linger"`
	} `yaml:"metrics"`
}

// readObjects decodes every document of a manifest file.
func readObjects(t *testing.T, path string) map[string]object {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	objects := make(map[string]object)
	dec := yaml.NewDecoder(bytes.NewReader(b))
	for {
		var o object
		err := dec.Decode(&o)
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err, path)
		objects[o.Kind] = o
	}
	return objects
}

func TestIndexedJob(t *testing.T) {
	objects := readObjects(t, "backfill.yaml")
	require.Contains(t, objects, "Job")
	require.Contains(t, objects, "ConfigMap")
	job, configMap := objects["Job"], objects["ConfigMap"]

	assert.Equal(t, "Indexed", job.Spec.CompletionMode)
	assert.Equal(t, job.Spec.Completions, job.Spec.Parallelism, "every shard runs at once")
	assert.Equal(t, "Never", job.Spec.Template.Spec.RestartPolicy, "backoffLimitPerIndex needs restartPolicy Never")
	require.Len(t, job.Spec.Template.Spec.Containers, 1)
	c := job.Spec.Template.Spec.Containers[0]

	// The shard comes from Kubernetes' JOB_COMPLETION_INDEX and the
	// manifest's CDP_SHARD_COUNT, which must equal the completions.
	index := "0"
	s, from, err := shard.Resolve("", func(key string) string {
		if key == shard.EnvIndex {
			return index
		}
		return c.env(key)
	})
	require.NoError(t, err)
	assert.Equal(t, "JOB_COMPLETION_INDEX and CDP_SHARD_COUNT", from)
	assert.Equal(t, job.Spec.Completions, s.Count, "CDP_SHARD_COUNT = completions")

	// The config the pods read is the ConfigMap's, mounted where -config
	// says, and its range splits into as many shards as there are pods.
	require.Len(t, c.VolumeMounts, 1)
	require.Len(t, job.Spec.Template.Spec.Volumes, 1)
	assert.Equal(t, configMap.Metadata.Name, job.Spec.Template.Spec.Volumes[0].ConfigMap.Name)
	configPath := filepath.Join(c.VolumeMounts[0].MountPath, "pipeline.yaml")
	assert.Contains(t, strings.Join(c.Args, " "), "-config "+configPath)
	require.Contains(t, configMap.Data, "pipeline.yaml")
	var cfg pipelineConfig
	require.NoError(t, yaml.Unmarshal([]byte(configMap.Data["pipeline.yaml"]), &cfg), "the ConfigMap's pipeline.yaml")
	require.Len(t, cfg.Pipelines, 1)
	for name, p := range cfg.Pipelines {
		src := p.Source.Config
		ranges, err := shard.Split(src.StartLedger, src.EndLedger, s.Count, src.LedgersPerFile)
		require.NoError(t, err, "pipeline %s", name)
		for i, r := range ranges {
			assert.False(t, r.Empty(), "shard %d of pipeline %s is empty", i, name)
		}
	}

	// Prometheus scrapes the port the runner serves on, on every interface.
	assert.True(t, cfg.Metrics.Enabled)
	host, port, err := net.SplitHostPort(cfg.Metrics.Address)
	require.NoError(t, err)
	assert.Equal(t, "0.0.0.0", host)
	require.Len(t, c.Ports, 1)
	assert.Equal(t, "metrics", c.Ports[0].Name, "the scrape config keeps the port named metrics")
	assert.Equal(t, port, strconv.Itoa(c.Ports[0].ContainerPort))

	// A finished pod keeps /metrics up until Prometheus has scraped its
	// final numbers, cdp_pipeline_done among them, which
	// CDPBackfillFinished waits for.
	global, _ := readPrometheusConfig(t)
	interval, err := time.ParseDuration(global["global"].(map[string]any)["scrape_interval"].(string))
	require.NoError(t, err)
	assert.GreaterOrEqual(t, cfg.Metrics.Linger, 2*interval, "metrics.linger covers two scrape intervals")

	assert.Equal(t, job.Metadata.Namespace, configMap.Metadata.Namespace)
}

// readPrometheusConfig decodes prometheus.yml and returns it with its one
// scrape config.
func readPrometheusConfig(t *testing.T) (map[string]any, map[string]any) {
	t.Helper()
	b, err := os.ReadFile("prometheus.yml")
	require.NoError(t, err)
	var cfg map[string]any
	require.NoError(t, yaml.Unmarshal(b, &cfg))
	scrapes, ok := cfg["scrape_configs"].([]any)
	require.True(t, ok, "scrape_configs is a list")
	require.Len(t, scrapes, 1)
	job, ok := scrapes[0].(map[string]any)
	require.True(t, ok, "scrape_configs[0] is a map")
	return cfg, job
}

// TestPrometheusConfig runs promtool check config on prometheus.yml, the
// rules it loads included. Debian's prometheus is built without Kubernetes
// discovery (its Go client is not packaged), so the check runs on a copy
// whose kubernetes_sd_configs is replaced by a static target; everything
// else is checked as written.
func TestPrometheusConfig(t *testing.T) {
	promtool := promtest.Promtool(t)
	cfg, job := readPrometheusConfig(t)
	assert.Equal(t, "cdp-backfill", job["job_name"], "the job the rules' examples name")
	require.Contains(t, job, "kubernetes_sd_configs")
	delete(job, "kubernetes_sd_configs")
	job["static_configs"] = []any{map[string]any{"targets": []any{"127.0.0.1:9464"}}}

	rules, ok := cfg["rule_files"].([]any)
	require.True(t, ok, "rule_files is a list")
	for i, r := range rules {
		abs, err := filepath.Abs(r.(string))
		require.NoError(t, err)
		rules[i] = abs
	}
	b, err := yaml.Marshal(cfg)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "prometheus.yml")
	require.NoError(t, os.WriteFile(path, b, 0o644))
	out, err := exec.Command(promtool, "check", "config", path).CombinedOutput()
	assert.NoError(t, err, "promtool check config:\n%s", out)
}

// TestScrapeLabelsShards runs prometheus with the scrape config's
// relabeling on static targets that carry the labels Kubernetes discovery
// would give three pods of the Job, and checks the targets it keeps and
// the shard each one gets.
func TestScrapeLabelsShards(t *testing.T) {
	_, job := readPrometheusConfig(t)
	delete(job, "job_name")
	delete(job, "kubernetes_sd_configs")

	// The runner's series carry its shard label too; honor_labels keeps it
	// as shard rather than exported_shard.
	metrics := func(shard string) string {
		return "# TYPE cdp_source_ledgers_processed_total counter\n" +
			`cdp_source_ledgers_processed_total{pipeline="backfill",shard="` + shard + `"} 10` + "\n"
	}
	pod := func(name, phase string, meta map[string]string, body string) promtest.Target {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			_, _ = io.WriteString(w, body)
		}))
		t.Cleanup(srv.Close)
		labels := map[string]string{
			"__meta_kubernetes_namespace":               "cdp",
			"__meta_kubernetes_pod_name":                name,
			"__meta_kubernetes_pod_phase":               phase,
			"__meta_kubernetes_pod_container_port_name": "metrics",
		}
		for k, v := range meta {
			labels[k] = v
		}
		return promtest.Target{Address: strings.TrimPrefix(srv.URL, "http://"), Labels: labels}
	}
	const (
		annotation = "__meta_kubernetes_pod_annotation_batch_kubernetes_io_job_completion_index"
		label      = "__meta_kubernetes_pod_label_batch_kubernetes_io_job_completion_index"
	)
	s := promtest.Start(t, promtest.Config{
		ScrapeConfig: job,
		Targets: []promtest.Target{
			pod("cdp-backfill-3-x7k2p", "Running", map[string]string{annotation: "3", label: "3"}, metrics("3")),
			pod("cdp-backfill-5-q9w8e", "Running", map[string]string{annotation: "5"}, metrics("5")), // before Kubernetes 1.28: no label
			pod("cdp-backfill-1-m4n5b", "Succeeded", map[string]string{annotation: "1", label: "1"}, metrics("1")),
		},
	})

	up := s.WaitFor(t, "up", func(v promtest.Vector) bool { return len(v) == 2 })
	got := make(map[string]string) // pod -> shard
	for _, sample := range up {
		assert.Equal(t, "cdp", sample.Labels["namespace"])
		got[sample.Labels["pod"]] = sample.Labels["shard"]
	}
	assert.Equal(t, map[string]string{"cdp-backfill-3-x7k2p": "3", "cdp-backfill-5-q9w8e": "5"}, got, "running pods only, each with its shard")

	series := s.WaitFor(t, "cdp_source_ledgers_processed_total", func(v promtest.Vector) bool { return len(v) == 2 })
	for _, sample := range series {
		assert.NotContains(t, sample.Labels, "exported_shard")
		assert.Equal(t, map[string]string{"cdp-backfill-3-x7k2p": "3", "cdp-backfill-5-q9w8e": "5"}[sample.Labels["pod"]], sample.Labels["shard"])
	}
}
