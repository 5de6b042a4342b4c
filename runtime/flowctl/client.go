package flowctl

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
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

	started atomic.Bool

	registrations        atomic.Uint64
	registrationFailures atomic.Uint64
	reregistrations      atomic.Uint64
	heartbeatsSent       atomic.Uint64
	heartbeatsFailed     atomic.Uint64

	mu         sync.Mutex
	components []Component
	serviceID  string
	api        API
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
	c.logger = c.logger.With("component", "flowctl", "endpoint", cfg.Endpoint)
	return c, nil
}

// Counters are a client's own counts, for diagnostics and tests.
type Counters struct {
	// Registrations counts registration attempts the control plane
	// accepted in full (the pipeline and every component),
	// re-registrations included.
	Registrations uint64
	// RegistrationFailures counts registration attempts that failed and
	// were retried after a backoff.
	RegistrationFailures uint64
	// Reregistrations counts the rounds of heartbeats answered "not
	// found", each of which made the client register again.
	Reregistrations uint64
	// HeartbeatsSent counts heartbeats the control plane accepted: one per
	// registration (the pipeline and each component) per interval.
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

// ServiceID returns the ID the control plane assigned to the pipeline's
// own registration at the last registration, or "" before the first.
func (c *Client) ServiceID() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.serviceID
}

// API returns the API of the last registration, [APILegacy] or [APIV1],
// or "" before the first. With [APIAuto] it is the one the probe chose.
func (c *Client) API() API {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.api
}

// Run registers the pipeline and its components, then heartbeats every
// interval until ctx ends, when it sends one final heartbeat per
// registration (marking the pipeline stopped), unregisters them with the
// v1 API, and returns nil. Each of those last rounds is bounded by
// [Config.RPCTimeout]. It never gives up on an unreachable control plane:
// it keeps retrying until ctx ends. It returns an error only when it
// cannot start, and may be called once.
//
// Take the pipeline's last stats collection before ending ctx, so that the
// final heartbeats carry the final numbers.
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

	s := &session{
		c:       c,
		targets: c.targets(),
		apis:    map[API]controlPlane{APILegacy: newControlPlane(APILegacy, conn), APIV1: newControlPlane(APIV1, conn)},
		retry:   newBackoff(c.cfg.RetryInitial, c.cfg.RetryMax),
		regOutage: newOutage(c.logger, time.Now,
			"flowctl: registration failed; retrying", "flowctl: control plane reachable again"),
		hbOutage: newOutage(c.logger, time.Now,
			"flowctl: heartbeat failed", "flowctl: heartbeats resumed"),
	}
	for {
		if !s.register(ctx) {
			c.logger.Info("flowctl: stopped before the control plane accepted a registration")
			return nil
		}
		if !s.heartbeatUntilReregister(ctx) {
			s.finish(ctx)
			return nil
		}
	}
}

// session is the state of one Run: the registrations and the API in use.
// Only Run's goroutine uses it.
type session struct {
	c       *Client
	targets []target
	apis    map[API]controlPlane
	retry   *backoff

	regOutage, hbOutage *outage

	cp     controlPlane // the API of the current registration
	ids    []string     // the service ID of each target, as assigned
	logged API          // the API whose choice was last logged
}

// register tries until the control plane accepts every registration;
// false when ctx ended first.
func (s *session) register(ctx context.Context) bool {
	c := s.c
	defer s.retry.reset()
	for {
		// An attempt in flight when ctx ends runs to its own time-out: a
		// pipeline that ends before its first registration is answered
		// still gets registered, and so still sends its final heartbeat.
		reason, err := s.registerOnce(ctx)
		if err == nil {
			c.registrations.Add(1)
			c.mu.Lock()
			c.serviceID, c.api = s.ids[0], s.cp.api()
			c.mu.Unlock()
			s.regOutage.succeeded(ctx)
			if s.cp.api() != s.logged {
				s.logged = s.cp.api()
				c.logger.Info("flowctl: using API "+string(s.logged), "api", s.logged, "reason", reason)
			}
			c.logger.Info("flowctl: registered", "service_id", s.ids[0], "components", len(s.ids)-1)
			return true
		}
		if ctx.Err() != nil {
			return false
		}
		c.registrationFailures.Add(1)
		wait := s.retry.next()
		s.regOutage.failed(err, "retry_in", wait)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return false
		case <-t.C:
		}
	}
}

// registerOnce registers the pipeline, then every component at once. With
// APIAuto the pipeline's registration is the probe: v1 first, legacy when
// the control plane does not serve v1. It returns why the API was chosen.
func (s *session) registerOnce(ctx context.Context) (reason string, err error) {
	c := s.c
	api, reason := c.cfg.API, "set by flowctl.api or "+EnvAPI
	if api == APIAuto {
		api, reason = APIV1, "auto: the control plane serves flowctl.v1.ControlPlaneService"
	}
	ids := make([]string, len(s.targets))
	err = s.registerAll(ctx, s.apis[api], s.targets[:1], ids[:1])
	if err != nil && c.cfg.API == APIAuto && isUnimplemented(err) {
		api, reason = APILegacy, fmt.Sprintf("auto: the control plane does not serve v1 (%v)", err)
		err = s.registerAll(ctx, s.apis[api], s.targets[:1], ids[:1])
	}
	if err != nil {
		return "", err
	}
	cp := s.apis[api]
	if err := s.registerAll(ctx, cp, s.targets[1:], ids[1:]); err != nil {
		return "", err
	}
	s.cp, s.ids = cp, ids
	return reason, nil
}

// registerAll registers every target with cp at once, storing the
// service ID each was assigned (its requested one when the answer names
// none) in ids, and returns the failures joined.
func (s *session) registerAll(ctx context.Context, cp controlPlane, targets []target, ids []string) error {
	return errors.Join(s.c.each(ctx, len(targets), func(rctx context.Context, i int) error {
		id, err := cp.register(rctx, targets[i].reg)
		ids[i] = cmp.Or(id, targets[i].reg.serviceID)
		return err
	})...)
}

// heartbeatUntilReregister sends heartbeats at once and then every
// interval. It returns true when the client must register again: the
// control plane no longer knows a registration, or, with APIAuto, it came
// back after an outage or stopped serving the API (it may be another
// version now). It returns false when ctx ends.
func (s *session) heartbeatUntilReregister(ctx context.Context) bool {
	c := s.c
	t := time.NewTicker(c.cfg.HeartbeatInterval)
	defer t.Stop()
	// An outage that ends on the first round after registering needs no
	// new probe: the registration was one.
	first := true
	for ctx.Err() == nil {
		errs := s.heartbeats(ctx, false)
		err := errors.Join(errs...)
		switch {
		case ctx.Err() != nil:
			return false
		case err == nil:
			if s.hbOutage.succeeded(ctx, "service_id", s.ids[0]) && !first && c.cfg.API == APIAuto {
				c.logger.Debug("flowctl: registering again to probe the API after the outage")
				return true
			}
		case anyOf(errs, isNotFound):
			c.reregistrations.Add(1)
			c.logger.Warn("flowctl: control plane does not know this service; registering again", "service_id", s.ids[0], "error", err)
			return true
		default:
			s.hbOutage.failed(err, "service_id", s.ids[0])
			if c.cfg.API == APIAuto && anyOf(errs, isUnimplemented) {
				return true
			}
		}
		first = false
		select {
		case <-ctx.Done():
			return false
		case <-t.C:
		}
	}
	return false
}

// finish sends the final heartbeats after ctx ended, marking the pipeline
// stopped, then unregisters with v1. A control plane that answers none of
// the final heartbeats is not asked to unregister: the exit is not held
// back for it.
func (s *session) finish(ctx context.Context) {
	c := s.c
	errs := s.heartbeats(ctx, true)
	if err := errors.Join(errs...); err != nil {
		c.logger.Warn("flowctl: final heartbeat failed", "service_id", s.ids[0], "error", err)
		if !slices.ContainsFunc(errs, func(err error) bool { return err == nil }) {
			return
		}
	} else {
		c.logger.Info("flowctl: sent final heartbeat", "service_id", s.ids[0])
	}
	if s.cp.api() != APIV1 {
		return
	}
	errs = c.each(ctx, len(s.ids), func(rctx context.Context, i int) error {
		return s.cp.unregister(rctx, s.ids[i])
	})
	if err := errors.Join(errs...); err != nil {
		c.logger.Warn("flowctl: unregistering failed", "service_id", s.ids[0], "error", err)
		return
	}
	c.logger.Info("flowctl: unregistered", "service_id", s.ids[0], "components", len(s.ids)-1)
}

// MetricStopped is the key the final heartbeat of every registration
// adds, set to 1, together with [runtime.MetricHealthy] set to 0: the
// pipeline has stopped, and nothing of it should look healthy.
const MetricStopped = "pipeline.stopped"

// heartbeats sends one heartbeat per registration, all at once, with the
// current stats, and returns each one's error. A final heartbeat marks the
// pipeline stopped. A failure while ctx has ended is not counted: it is
// shutdown, not the control plane failing.
func (s *session) heartbeats(ctx context.Context, final bool) []error {
	c := s.c
	return c.each(ctx, len(s.targets), func(rctx context.Context, i int) error {
		m, h := c.metrics(s.targets[i])
		if final {
			m[runtime.MetricHealthy] = 0
			m[MetricStopped] = 1
			h = healthStopping
		}
		err := s.cp.heartbeat(rctx, s.ids[i], m, h)
		switch {
		case err == nil:
			c.heartbeatsSent.Add(1)
		case ctx.Err() == nil:
			c.heartbeatsFailed.Add(1)
		}
		return err
	})
}

// each calls fn for i in [0, n) at once and returns the errors by i. Each
// call gets its own context bounded by the RPC timeout but not cut short
// by ctx ending: a heartbeat cancelled at shutdown could still reach the
// control plane after the final one and leave it with stale numbers.
func (c *Client) each(ctx context.Context, n int, fn func(ctx context.Context, i int) error) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.cfg.RPCTimeout)
			defer cancel()
			errs[i] = fn(rctx, i)
		})
	}
	wg.Wait()
	return errs
}

func anyOf(errs []error, is func(error) bool) bool {
	return slices.ContainsFunc(errs, func(err error) bool { return err != nil && is(err) })
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
