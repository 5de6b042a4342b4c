package flowctl

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	grpcbackoff "google.golang.org/grpc/backoff"
	"google.golang.org/grpc/credentials"

	"github.com/cdpstats/cdpstats/runtime"
)

// Client registers a pipeline with a flowctl control plane and sends it
// heartbeats carrying the pipeline's stats. Create one with [New] and
// start it with [Client.Run] in its own goroutine.
type Client struct {
	cfg    Config
	stats  *runtime.PipelineStats
	logger *slog.Logger
	creds  credentials.TransportCredentials
	reg    registration

	started atomic.Bool

	registrations        atomic.Uint64
	registrationFailures atomic.Uint64
	reregistrations      atomic.Uint64
	heartbeatsSent       atomic.Uint64
	heartbeatsFailed     atomic.Uint64

	mu        sync.Mutex
	serviceID string
}

// Option customises a [Client].
type Option func(*Client)

// WithLogger sets the logger the client reports registrations and failures
// to. The default discards everything.
func WithLogger(l *slog.Logger) Option {
	return func(c *Client) {
		if l != nil {
			c.logger = l
		}
	}
}

// New returns a client that reports stats to the control plane cfg
// describes. It validates cfg and loads its TLS files but does not
// connect: [Client.Run] does.
func New(cfg Config, stats *runtime.PipelineStats, opts ...Option) (*Client, error) {
	if stats == nil {
		return nil, errors.New("flowctl: nil PipelineStats")
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.WithDefaults()
	creds, err := cfg.TLS.transportCredentials()
	if err != nil {
		return nil, err
	}
	c := &Client{
		cfg:    cfg,
		stats:  stats,
		logger: slog.New(slog.DiscardHandler),
		creds:  creds,
	}
	for _, o := range opts {
		o(c)
	}
	c.logger = c.logger.With("component", "flowctl", "endpoint", cfg.Endpoint, "api", string(cfg.API))
	c.reg = c.registration()
	return c, nil
}

func (c *Client) registration() registration {
	pipelineID := c.stats.PipelineID()
	md := make(map[string]string, len(c.cfg.Metadata)+1)
	maps.Copy(md, c.cfg.Metadata)
	if _, ok := md["pipeline_id"]; !ok {
		md["pipeline_id"] = pipelineID
	}
	id := c.cfg.ComponentID
	if id == "" {
		id = pipelineID
	}
	return registration{
		serviceID:      id,
		componentID:    c.cfg.ComponentID,
		name:           pipelineID,
		healthEndpoint: c.cfg.HealthEndpoint,
		metadata:       md,
	}
}

// Counters are a client's own counts, for diagnostics and tests.
type Counters struct {
	// Registrations counts registrations the control plane accepted,
	// re-registrations included.
	Registrations uint64
	// RegistrationFailures counts registration attempts that failed and
	// were retried after a backoff.
	RegistrationFailures uint64
	// Reregistrations counts heartbeats answered "not found", each of
	// which made the client register again.
	Reregistrations uint64
	// HeartbeatsSent counts heartbeats the control plane accepted.
	HeartbeatsSent uint64
	// HeartbeatsFailed counts heartbeats that failed or timed out,
	// "not found" answers included.
	HeartbeatsFailed uint64
}

// Counters returns the client's counts so far.
func (c *Client) Counters() Counters {
	return Counters{
		Registrations:        c.registrations.Load(),
		RegistrationFailures: c.registrationFailures.Load(),
		Reregistrations:      c.reregistrations.Load(),
		HeartbeatsSent:       c.heartbeatsSent.Load(),
		HeartbeatsFailed:     c.heartbeatsFailed.Load(),
	}
}

// ServiceID returns the ID the control plane assigned at the last
// registration, or "" before the first.
func (c *Client) ServiceID() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.serviceID
}

// Run registers, then heartbeats every interval until ctx ends, when it
// sends one final heartbeat bounded by [Config.RPCTimeout] and returns
// nil. It never gives up on an unreachable control plane: it keeps
// retrying until ctx ends. It returns an error only when it cannot start,
// and may be called once.
//
// Take the pipeline's last stats collection before ending ctx, so that the
// final heartbeat carries the final numbers.
func (c *Client) Run(ctx context.Context) error {
	if !c.started.CompareAndSwap(false, true) {
		return errors.New("flowctl: Client.Run called twice")
	}
	conn, err := grpc.NewClient(c.cfg.Endpoint,
		grpc.WithTransportCredentials(c.creds),
		// gRPC's own reconnection backoff grows to two minutes by default;
		// bounding it by RetryMax lets heartbeats resume soon after the
		// control plane comes back.
		grpc.WithConnectParams(grpc.ConnectParams{
			Backoff: grpcbackoff.Config{
				BaseDelay:  c.cfg.RetryInitial,
				Multiplier: 1.6,
				Jitter:     0.2,
				MaxDelay:   c.cfg.RetryMax,
			},
			MinConnectTimeout: c.cfg.RPCTimeout,
		}),
	)
	if err != nil {
		return fmt.Errorf("flowctl: endpoint %q: %w", c.cfg.Endpoint, err)
	}
	defer conn.Close()
	cp := newControlPlane(c.cfg.API, conn)

	retry := newBackoff(c.cfg.RetryInitial, c.cfg.RetryMax)
	for {
		id, ok := c.register(ctx, cp, retry)
		if !ok {
			c.logger.Info("flowctl: stopped before the control plane accepted a registration")
			return nil
		}
		if !c.heartbeatUntilNotFound(ctx, cp, id) {
			c.finalHeartbeat(ctx, cp, id)
			return nil
		}
	}
}

// register tries until the control plane accepts the registration, and
// returns the service ID to heartbeat under; false when ctx ended first.
func (c *Client) register(ctx context.Context, cp controlPlane, retry *backoff) (string, bool) {
	defer retry.reset()
	for {
		// An attempt in flight when ctx ends runs to its own time-out: a
		// pipeline that ends before its first registration is answered
		// still gets registered, and so still sends its final heartbeat.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.cfg.RPCTimeout)
		id, err := cp.register(rctx, c.reg)
		cancel()
		if err == nil {
			if id == "" {
				id = c.reg.serviceID
			}
			c.registrations.Add(1)
			c.mu.Lock()
			c.serviceID = id
			c.mu.Unlock()
			c.logger.Info("flowctl: registered", "service_id", id)
			return id, true
		}
		if ctx.Err() != nil {
			return "", false
		}
		c.registrationFailures.Add(1)
		wait := retry.next()
		c.logger.Warn("flowctl: registration failed; retrying", "error", err, "attempt", retry.attempt, "retry_in", wait)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return "", false
		case <-t.C:
		}
	}
}

// heartbeatUntilNotFound sends a heartbeat at once and then every
// interval. It returns true when the control plane no longer knows the
// service, so that the caller registers again, and false when ctx ends.
func (c *Client) heartbeatUntilNotFound(ctx context.Context, cp controlPlane, id string) bool {
	t := time.NewTicker(c.cfg.HeartbeatInterval)
	defer t.Stop()
	failing := 0 // consecutive failures, to log a outage once rather than every beat
	for ctx.Err() == nil {
		err := c.heartbeat(ctx, cp, id, c.health())
		switch {
		case ctx.Err() != nil:
			return false
		case err == nil:
			if failing > 0 {
				c.logger.Info("flowctl: heartbeats resumed", "failed_heartbeats", failing)
			}
			failing = 0
		case isNotFound(err):
			c.reregistrations.Add(1)
			c.logger.Warn("flowctl: control plane does not know this service; registering again", "service_id", id, "error", err)
			return true
		default:
			failing++
			level := slog.LevelWarn
			if failing > 1 {
				level = slog.LevelDebug
			}
			c.logger.Log(ctx, level, "flowctl: heartbeat failed", "service_id", id, "error", err, "consecutive_failures", failing)
		}
		select {
		case <-ctx.Done():
			return false
		case <-t.C:
		}
	}
	return false
}

// finalHeartbeat reports the last stats after ctx ended, bounded by the
// RPC timeout rather than by the ended ctx.
func (c *Client) finalHeartbeat(ctx context.Context, cp controlPlane, id string) {
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.cfg.RPCTimeout)
	defer cancel()
	if err := c.heartbeat(fctx, cp, id, healthStopping); err != nil {
		c.logger.Warn("flowctl: final heartbeat failed", "service_id", id, "error", err)
		return
	}
	c.logger.Info("flowctl: sent final heartbeat", "service_id", id)
}

// heartbeat sends one heartbeat with the current stats, bounded by the
// RPC timeout but not cut short by ctx ending: a heartbeat cancelled at
// shutdown could still reach the control plane after the final one and
// leave it with stale numbers. A failure while ctx has ended is not
// counted: it is shutdown, not the control plane failing.
func (c *Client) heartbeat(ctx context.Context, cp controlPlane, id string, h health) error {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.cfg.RPCTimeout)
	defer cancel()
	err := cp.heartbeat(rctx, id, c.stats.GetMetrics(), h)
	switch {
	case err == nil:
		c.heartbeatsSent.Add(1)
	case ctx.Err() == nil:
		c.heartbeatsFailed.Add(1)
	}
	return err
}

// health summarises the freshness of every component's stats.
func (c *Client) health() health {
	r := c.stats.HealthDetails()
	if len(r.Components) == 0 {
		return healthStarting
	}
	fresh := 0
	for _, comp := range r.Components {
		if comp.Healthy {
			fresh++
		}
	}
	switch fresh {
	case len(r.Components):
		return healthHealthy
	case 0:
		return healthUnhealthy
	}
	return healthDegraded
}
