// Package promtest starts a throwaway Prometheus server for tests and
// queries its HTTP API.
//
// [Start] runs the prometheus binary on a free loopback port, with its
// storage in a temporary directory and a scrape and rule evaluation
// interval of one second, scraping the static targets the test gives; it
// registers the server's stop with the test. [Server.Query] runs an
// instant query; [Server.WaitFor] polls one until it gives what the test
// wants, within a bounded time.
//
// The binaries come from $PROMETHEUS_BIN (a directory), else PATH; Debian's
// prometheus package, which scripts/setup.sh installs, puts prometheus and
// promtool in /usr/bin. Without them a test is skipped, except under
// CI=true, where a missing dependency is a failure.
package promtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// Job is the job label of the targets that [Start] scrapes.
const Job = "cdp"

// ScrapeInterval is how often the server scrapes its targets and evaluates
// its rules.
const ScrapeInterval = time.Second

// WaitTimeout bounds [Server.WaitFor] and the wait for the server to be
// ready: long enough for a loaded CI machine, short enough to fail a test
// that will never pass.
const WaitTimeout = 60 * time.Second

// Target is a /metrics endpoint for the server to scrape.
type Target struct {
	// Address is host:port; the server scrapes http://Address/metrics.
	Address string
	// Labels are added to every series of the target, such as a shard.
	Labels map[string]string
}

// Config is what [Start] runs.
type Config struct {
	// Targets are scraped every [ScrapeInterval] under the job [Job].
	Targets []Target
	// RuleFiles are recording and alerting rule files to load, if any.
	RuleFiles []string
	// ScrapeConfig holds further keys of the job's scrape config, such as
	// relabel_configs or honor_labels, as they would be written in
	// prometheus.yml. It may not set job_name or static_configs.
	ScrapeConfig map[string]any
}

// Server is a running throwaway Prometheus.
type Server struct {
	url     string
	dir     string
	logFile string
	cmd     *exec.Cmd
	exited  chan struct{} // closed when the process has exited
	stop    sync.Once
}

// Prometheus returns the path of the prometheus binary, or skips t (fails
// it under CI=true) when there is none.
func Prometheus(t testing.TB) string {
	t.Helper()
	return binOrSkip(t, "prometheus")
}

// Promtool returns the path of the promtool binary, or skips t (fails it
// under CI=true) when there is none.
func Promtool(t testing.TB) string {
	t.Helper()
	return binOrSkip(t, "promtool")
}

// binOrSkip finds a binary, or skips t (fails it under CI=true).
func binOrSkip(t testing.TB, name string) string {
	t.Helper()
	path, err := findBin(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("promtest: %v (CI=true: Prometheus is required; scripts/setup.sh installs it)", err)
		}
		t.Skipf("promtest: %v (scripts/setup.sh installs it)", err)
	}
	return path
}

// findBin looks for name in $PROMETHEUS_BIN, else PATH.
func findBin(name string) (string, error) {
	if dir := os.Getenv("PROMETHEUS_BIN"); dir != "" {
		path := filepath.Join(dir, name)
		if _, err := os.Stat(path); err != nil {
			return "", fmt.Errorf("%s not found in $PROMETHEUS_BIN: %w", name, err)
		}
		return path, nil
	}
	path, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Errorf("%s not found in $PROMETHEUS_BIN or PATH", name)
	}
	return path, nil
}

// Start starts a server of t's own for cfg and waits until it is ready; it
// stops when t ends. It skips t when prometheus is not installed, unless
// CI=true.
func Start(t testing.TB, cfg Config) *Server {
	t.Helper()
	bin := Prometheus(t)
	dir := t.TempDir()
	if err := writeConfig(filepath.Join(dir, "prometheus.yml"), cfg); err != nil {
		t.Fatalf("promtest: %v", err)
	}
	// The free port is found by listening and closing, so another process
	// may take it before prometheus binds it: then try again.
	var errs []error
	for range 3 {
		s, err := start(bin, dir)
		if err == nil {
			t.Cleanup(s.Stop)
			return s
		}
		errs = append(errs, err)
		if !errors.Is(err, errAddrInUse) {
			break
		}
	}
	t.Fatalf("promtest: %v", errors.Join(errs...))
	return nil
}

// errAddrInUse is start's error when the port was taken.
var errAddrInUse = errors.New("the port was taken")

// start runs prometheus in dir on a free port until it is ready.
func start(bin, dir string) (*Server, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	logFile := filepath.Join(dir, "prometheus.log")
	log, err := os.Create(logFile)
	if err != nil {
		return nil, err
	}
	defer log.Close()
	cmd := exec.Command(bin,
		"--config.file="+filepath.Join(dir, "prometheus.yml"),
		"--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr,
		"--log.level=warn",
	)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", bin, err)
	}
	s := &Server{url: "http://" + addr, dir: dir, logFile: logFile, cmd: cmd, exited: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		close(s.exited)
	}()
	if err := s.waitReady(); err != nil {
		s.Stop()
		if strings.Contains(s.Log(), "address already in use") {
			return nil, fmt.Errorf("%w: %v", errAddrInUse, err)
		}
		return nil, err
	}
	return s, nil
}

// freeAddr returns a loopback address with a port that was free a moment
// ago.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("finding a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// waitReady polls /-/ready until the server answers 200, exits, or
// WaitTimeout passes.
func (s *Server) waitReady() error {
	deadline := time.Now().Add(WaitTimeout)
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		resp, err := client.Get(s.url + "/-/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-s.exited:
			return fmt.Errorf("prometheus exited before it was ready: %s\n%s", s.cmd.ProcessState, s.Log())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("prometheus not ready after %s\n%s", WaitTimeout, s.Log())
		}
	}
}

// fileConfig is the part of prometheus.yml that Start writes.
type fileConfig struct {
	Global struct {
		ScrapeInterval     string `yaml:"scrape_interval"`
		ScrapeTimeout      string `yaml:"scrape_timeout"`
		EvaluationInterval string `yaml:"evaluation_interval"`
	} `yaml:"global"`
	RuleFiles     []string         `yaml:"rule_files,omitempty"`
	ScrapeConfigs []map[string]any `yaml:"scrape_configs"`
}

type staticConfig struct {
	Targets []string          `yaml:"targets"`
	Labels  map[string]string `yaml:"labels,omitempty"`
}

// writeConfig writes the prometheus.yml of cfg to path.
func writeConfig(path string, cfg Config) error {
	var fc fileConfig
	interval := ScrapeInterval.String()
	fc.Global.ScrapeInterval, fc.Global.ScrapeTimeout, fc.Global.EvaluationInterval = interval, interval, interval
	for _, f := range cfg.RuleFiles {
		abs, err := filepath.Abs(f)
		if err != nil {
			return err
		}
		fc.RuleFiles = append(fc.RuleFiles, abs)
	}
	static := []staticConfig{}
	for _, tg := range cfg.Targets {
		static = append(static, staticConfig{Targets: []string{tg.Address}, Labels: tg.Labels})
	}
	job := map[string]any{"job_name": Job, "static_configs": static}
	for k, v := range cfg.ScrapeConfig {
		if _, taken := job[k]; taken {
			return fmt.Errorf("Config.ScrapeConfig: %s is set by promtest", k)
		}
		job[k] = v
	}
	fc.ScrapeConfigs = []map[string]any{job}
	b, err := yaml.Marshal(fc)
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

// URL is the server's base URL, such as http://127.0.0.1:40123.
func (s *Server) URL() string { return s.url }

// Log returns the end of the server's log, for failure messages.
func (s *Server) Log() string {
	b, _ := os.ReadFile(s.logFile)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return strings.TrimSpace(string(b))
}

// Stop stops the server (SIGTERM, then SIGKILL after 10 s) and waits for
// it to exit. It may be called more than once; Start registers it with
// the test.
func (s *Server) Stop() {
	s.stop.Do(func() {
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.exited:
		case <-time.After(10 * time.Second):
			_ = s.cmd.Process.Kill()
			<-s.exited
		}
	})
}

// Sample is one element of an instant vector.
type Sample struct {
	Labels map[string]string
	Value  float64
}

// Vector is the result of an instant query. A scalar result is a Vector
// of one Sample without labels.
type Vector []Sample

// Query runs expr as an instant query at the server's current time.
func (s *Server) Query(ctx context.Context, expr string) (Vector, error) {
	return s.query(ctx, url.Values{"query": {expr}})
}

// QueryAt runs expr as an instant query at time at.
func (s *Server) QueryAt(ctx context.Context, expr string, at time.Time) (Vector, error) {
	ts := strconv.FormatFloat(float64(at.UnixNano())/1e9, 'f', 3, 64)
	return s.query(ctx, url.Values{"query": {expr}, "time": {ts}})
}

// apiResponse is the envelope of Prometheus's HTTP API.
type apiResponse struct {
	Status    string          `json:"status"`
	ErrorType string          `json:"errorType"`
	Error     string          `json:"error"`
	Data      json.RawMessage `json:"data"`
}

type queryData struct {
	ResultType string          `json:"resultType"`
	Result     json.RawMessage `json:"result"`
}

type vectorSample struct {
	Metric map[string]string `json:"metric"`
	Value  [2]any            `json:"value"`
}

// query calls /api/v1/query with params.
func (s *Server) query(ctx context.Context, params url.Values) (Vector, error) {
	expr := params.Get("query")
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url+"/api/v1/query", strings.NewReader(params.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("query %q: %w", expr, err)
	}
	defer resp.Body.Close()
	var r apiResponse
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return nil, fmt.Errorf("query %q: HTTP %s: decoding the answer: %w", expr, resp.Status, err)
	}
	if r.Status != "success" {
		return nil, fmt.Errorf("query %q: %s: %s", expr, r.ErrorType, r.Error)
	}
	var d queryData
	if err := json.Unmarshal(r.Data, &d); err != nil {
		return nil, fmt.Errorf("query %q: decoding data: %w", expr, err)
	}
	switch d.ResultType {
	case "vector":
		var samples []vectorSample
		if err := json.Unmarshal(d.Result, &samples); err != nil {
			return nil, fmt.Errorf("query %q: decoding the vector: %w", expr, err)
		}
		v := make(Vector, 0, len(samples))
		for _, vs := range samples {
			f, err := sampleValue(vs.Value)
			if err != nil {
				return nil, fmt.Errorf("query %q: %w", expr, err)
			}
			v = append(v, Sample{Labels: vs.Metric, Value: f})
		}
		return v, nil
	case "scalar":
		var pair [2]any
		if err := json.Unmarshal(d.Result, &pair); err != nil {
			return nil, fmt.Errorf("query %q: decoding the scalar: %w", expr, err)
		}
		f, err := sampleValue(pair)
		if err != nil {
			return nil, fmt.Errorf("query %q: %w", expr, err)
		}
		return Vector{{Labels: map[string]string{}, Value: f}}, nil
	default:
		return nil, fmt.Errorf("query %q: result type %q, want vector or scalar", expr, d.ResultType)
	}
}

// sampleValue reads the value of a [time, "value"] pair.
func sampleValue(pair [2]any) (float64, error) {
	text, ok := pair[1].(string)
	if !ok {
		return 0, fmt.Errorf("sample value %v is not a string", pair[1])
	}
	return strconv.ParseFloat(text, 64)
}

// WaitFor runs expr as an instant query every 100 ms until ok accepts its
// result, and returns that result. It fails t, with the last result or
// error and the server's log, when [WaitTimeout] passes first.
func (s *Server) WaitFor(t testing.TB, expr string, ok func(Vector) bool) Vector {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), WaitTimeout)
	defer cancel()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	var last Vector
	var lastErr error
	for {
		last, lastErr = s.Query(ctx, expr)
		if lastErr == nil && ok(last) {
			return last
		}
		select {
		case <-ctx.Done():
			t.Fatalf("promtest: %q did not give what the test waits for within %s; last result %v, error %v\n%s", expr, WaitTimeout, last, lastErr, s.Log())
			return nil
		case <-tick.C:
		}
	}
}
