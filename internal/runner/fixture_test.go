package runner_test

import (
	"context"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"text/template"

	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/internal/runner"
	"github.com/cdpstats/cdpstats/internal/testfixtures/controlplane"
)

// spec is the config of a runner test, written from a template: pipelines
// of source → processors → SaveToJSONFile over datastores, and the
// runner's own sections. Zero fields take the common case: one pipeline
// "e2e" through FilterPayments and ContractEvent, collected every 20ms
// without the live line, no /metrics, no flowctl.
type spec struct {
	Pipelines []pipelineSpec
	// Stats is the body of the stats section's flow mapping.
	Stats string
	// Metrics serves /metrics on a port the system picks.
	Metrics bool
	// Flowctl is the control plane's address, with short intervals so
	// that a test sees heartbeats and reconnections soon; "" for none.
	Flowctl string
	API     controlplane.API
}

// pipelineSpec is one pipeline of a spec.
type pipelineSpec struct {
	// Name defaults to "e2e".
	Name string
	// Dir is the datastore the source reads.
	Dir string
	// Source holds the source's config keys after path, such as
	// "start_ledger: 5, end_ledger: 5".
	Source string
	// Processors are flow mappings, such as "{type: FilterPayments, id: a}";
	// FilterPayments then ContractEvent when empty.
	Processors []string
	// Out is the file SaveToJSONFile writes; a fresh one when empty.
	Out string
	// OutConfig holds SaveToJSONFile's config keys after path, such as
	// "append: true".
	OutConfig string
}

var specTemplate = template.Must(template.New("config").Funcs(template.FuncMap{"q": q, "join": strings.Join}).Parse(`pipelines:
{{- range .Pipelines}}
  {{.Name}}:
    source:
      type: BufferedStorageSourceAdapter
      config: {path: {{q .Dir}}, {{.Source}}}
    processors: [{{join .Processors ", "}}]
    consumers: [{type: SaveToJSONFile, config: {path: {{q .Out}}{{if .OutConfig}}, {{.OutConfig}}{{end}}}}]
{{- end}}
stats: { {{- .Stats -}} }
{{- if .Metrics}}
metrics: {enabled: true, address: "127.0.0.1:0"}
{{- end}}
{{- if .Flowctl}}{{template "flowctl" .}}{{end}}
{{define "flowctl"}}
flowctl:
  enabled: true
  endpoint: {{q .Flowctl}}
  api: {{.API}}
  heartbeat_interval: 20ms
  rpc_timeout: 5s
  retry_initial: 10ms
  retry_max: 100ms
{{- end}}
`))

// flowctlYAML is the spec's flowctl section for the control plane at
// addr, for a test that writes the rest of its config itself (with
// components that are not in the template).
func flowctlYAML(t *testing.T, addr string, api controlplane.API) string {
	t.Helper()
	var b strings.Builder
	require.NoError(t, specTemplate.ExecuteTemplate(&b, "flowctl", spec{Flowctl: addr, API: api}))
	return b.String()
}

// config fills in the defaults, writes the config and loads it.
func (s *spec) config(t *testing.T) *runner.Config {
	t.Helper()
	if len(s.Pipelines) == 0 {
		t.Fatal("spec: no pipeline")
	}
	if s.Stats == "" {
		s.Stats = "interval: 20ms, live: false"
	}
	if s.Flowctl != "" && s.API == "" {
		s.API = controlplane.Legacy
	}
	for i := range s.Pipelines {
		p := &s.Pipelines[i]
		if p.Name == "" {
			p.Name = "e2e"
		}
		if len(p.Processors) == 0 {
			p.Processors = []string{"{type: FilterPayments}", "{type: ContractEvent}"}
		}
		if p.Out == "" {
			p.Out = filepath.Join(t.TempDir(), p.Name+".jsonl")
		}
	}
	var b strings.Builder
	require.NoError(t, specTemplate.Execute(&b, s))
	return writeConfig(t, b.String())
}

// run is a runner started in the background by [spec.start].
type run struct {
	*runner.Runner
	// Out is the output file of each pipeline, in spec order.
	Out []string
	// Addr is where /metrics listens, when the spec serves it.
	Addr   string
	done   <-chan error
	cancel context.CancelFunc
}

// start writes the config and runs it in the background until the run
// ends or [run.stop]; configure, when not nil, sets up the runner first.
// With Metrics, start returns once /metrics listens.
func (s *spec) start(t *testing.T, configure func(*runner.Runner)) *run {
	t.Helper()
	r := &run{Runner: newRunner(t, s.config(t))}
	for _, p := range s.Pipelines {
		r.Out = append(r.Out, p.Out)
	}
	bound := make(chan net.Addr, 1)
	if s.Metrics {
		r.MetricsListening = func(a net.Addr) { bound <- a }
	}
	if configure != nil {
		configure(r.Runner)
	}
	ctx, cancel := context.WithCancel(waitCtx(t))
	t.Cleanup(cancel)
	r.cancel = cancel
	done := make(chan error, 1)
	r.done = done
	go func() { done <- r.Run(ctx) }()
	if s.Metrics {
		select {
		case a := <-bound:
			r.Addr = a.String()
		case err := <-done:
			t.Fatalf("Run returned before serving metrics: %v", err)
		}
	}
	return r
}

// runToEnd runs the spec's config until its sources end and returns Run's
// error; configure as for start.
func (s *spec) runToEnd(t *testing.T, configure func(*runner.Runner)) (*run, error) {
	t.Helper()
	r := s.start(t, configure)
	return r, r.wait(t)
}

// wait waits for Run's result.
func (r *run) wait(t *testing.T) error {
	t.Helper()
	return waitRun(t, r.done)
}

// stop cancels the run, as a signal does, and returns Run's result.
func (r *run) stop(t *testing.T) error {
	t.Helper()
	r.cancel()
	return r.wait(t)
}
