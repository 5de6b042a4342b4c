package promexport

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/cdpstats/cdpstats/runtime"
)

// DefaultAddress is where the endpoint listens unless configured: the
// loopback interface only, so that nothing is exposed by accident.
const DefaultAddress = "127.0.0.1:9464"

// Config configures the HTTP endpoint. Its yaml keys are the ones a
// pipeline config file uses under its metrics section.
type Config struct {
	// Enabled says whether the pipeline serves the endpoint at all; the
	// runner decides, the server does not look at it.
	Enabled bool `yaml:"enabled"`
	// Address is host:port to listen on; DefaultAddress when empty. Use
	// ":9464" or "0.0.0.0:9464" to listen on every interface.
	Address string `yaml:"address"`
	// Linger is how long the endpoint keeps serving after the pipelines
	// ended, until Prometheus has scraped the final numbers once; the
	// runner waits, the server does not look at it. Zero ends at once.
	// Set it above the scrape interval where every count matters, as in
	// a backfill whose shards Prometheus adds up.
	Linger time.Duration `yaml:"linger"`
}

// WithDefaults returns c with an empty Address set to DefaultAddress.
func (c Config) WithDefaults() Config {
	if c.Address == "" {
		c.Address = DefaultAddress
	}
	return c
}

// Validate reports an invalid address, naming the config key.
func (c Config) Validate() error {
	c = c.WithDefaults()
	if _, port, err := net.SplitHostPort(c.Address); err != nil {
		return fmt.Errorf("metrics.address: %q is not host:port: %v", c.Address, err)
	} else if port == "" {
		return fmt.Errorf("metrics.address: %q has no port", c.Address)
	}
	if c.Linger < 0 {
		return fmt.Errorf("metrics.linger: must not be negative, got %v", c.Linger)
	}
	return nil
}

// NewHandler returns a handler serving /metrics (the pipelines' stats,
// see [Collector], plus any WithCollectors), /healthz and /readyz (see
// [HealthResponse]).
func NewHandler(pipelines []*runtime.PipelineStats, opts ...Option) (http.Handler, error) {
	if slices.Contains(pipelines, nil) {
		return nil, errors.New("promexport: nil PipelineStats")
	}
	o := buildOptions(opts)
	reg := prometheus.NewRegistry()
	var to prometheus.Registerer = reg
	if len(o.constLabels) > 0 {
		to = prometheus.WrapRegistererWith(o.constLabels, reg)
	}
	c := NewCollector(pipelines, opts...)
	for _, c := range append([]prometheus.Collector{c, c.Undescribed()}, o.collectors...) {
		if err := to.Register(c); err != nil {
			return nil, fmt.Errorf("promexport: %w", err)
		}
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{
		// A broken series is left out and logged; the rest is still served.
		ErrorHandling: promhttp.ContinueOnError,
		ErrorLog:      slogPrinter{o.logger},
	}))
	mux.Handle("/healthz", healthHandler(pipelines, false))
	mux.Handle("/readyz", healthHandler(pipelines, true))
	return mux, nil
}

// slogPrinter adapts a slog.Logger to promhttp's error log.
type slogPrinter struct{ l *slog.Logger }

func (p slogPrinter) Println(v ...any) {
	p.l.Error("promexport: serving /metrics: " + fmt.Sprint(v...))
}

// Server serves [NewHandler]'s endpoints over HTTP.
type Server struct {
	addr            string
	handler         http.Handler
	logger          *slog.Logger
	shutdownTimeout time.Duration

	mu sync.Mutex
	ln net.Listener
}

// NewServer returns a server for the pipelines as cfg describes. It does
// not listen yet.
func NewServer(cfg Config, pipelines []*runtime.PipelineStats, opts ...Option) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	h, err := NewHandler(pipelines, opts...)
	if err != nil {
		return nil, err
	}
	o := buildOptions(opts)
	return &Server{
		addr:            cfg.WithDefaults().Address,
		handler:         h,
		logger:          o.logger,
		shutdownTimeout: o.shutdownTimeout,
	}, nil
}

// Listen binds the configured address, so that a port in use fails before
// the pipeline starts and Addr is known (port 0 picks a free port). Serve
// calls it when it was not called before.
func (s *Server) Listen() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln != nil {
		return nil
	}
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		return fmt.Errorf("metrics.address: %w", err)
	}
	s.ln = ln
	return nil
}

// Addr returns the bound address, or nil before Listen.
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln == nil {
		return nil
	}
	return s.ln.Addr()
}

// Serve serves until ctx ends, then shuts down: it stops accepting, waits
// up to the shutdown timeout for requests in flight, closes the listener
// and returns nil. It returns an error when it cannot listen or serving
// fails. Call it from one goroutine at a time.
func (s *Server) Serve(ctx context.Context) error {
	if err := s.Listen(); err != nil {
		return err
	}
	s.mu.Lock()
	ln := s.ln
	s.mu.Unlock()

	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.logger.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	s.logger.Info("promexport: serving", "address", ln.Addr().String())

	select {
	case err := <-errc:
		return fmt.Errorf("promexport: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.shutdownTimeout)
	defer cancel()
	err := srv.Shutdown(sctx) // closes ln
	s.mu.Lock()
	s.ln = nil
	s.mu.Unlock()
	if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) && serr != nil {
		err = errors.Join(err, serr)
	}
	if err != nil {
		// Requests still running past the timeout are cut off.
		_ = srv.Close()
		return fmt.Errorf("promexport: shutdown: %w", err)
	}
	return nil
}
