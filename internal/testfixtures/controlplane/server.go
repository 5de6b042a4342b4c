package controlplane

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"maps"
	"net"
	"strconv"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/status"

	flowctlpb "github.com/cdpstats/cdpstats/proto/flowctl"
	flowctlv1 "github.com/cdpstats/cdpstats/proto/flowctl/v1"
)

// Server is a flowctl control plane on a loopback port. Its methods are
// safe for concurrent use.
type Server struct {
	opts options

	mu        sync.Mutex
	addr      string
	grpc      *grpc.Server
	serveDone chan struct{}
	services  map[string]*Service // the registry; forgotten on Restart
	nextID    int
	rec       Snapshot
	changed   chan struct{} // closed and replaced whenever rec changes
	hook      func(ctx context.Context, api API, serviceID string) error
}

type options struct {
	tls           *tls.Config
	plainNotFound bool
	mode          Mode
}

// Option configures a [Server].
type Option func(*options)

// WithTLS serves TLS with cfg; set cfg.ClientAuth for mutual TLS.
func WithTLS(cfg *tls.Config) Option { return func(o *options) { o.tls = cfg } }

// WithPlainNotFound answers a heartbeat from an unknown service the way
// flowctl's own server does, with a plain error ("service X not found",
// code Unknown), instead of the NotFound status code.
func WithPlainNotFound() Option { return func(o *options) { o.plainNotFound = true } }

// Start starts a server on a free port of 127.0.0.1.
func Start(opts ...Option) (*Server, error) {
	s := &Server{services: make(map[string]*Service), changed: make(chan struct{})}
	for _, o := range opts {
		o(&s.opts)
	}
	if err := s.listen("127.0.0.1:0"); err != nil {
		return nil, err
	}
	return s, nil
}

// Addr returns the server's host:port. It stays the same across Stop and
// Restart.
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

func (s *Server) listen(addr string) error {
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("control plane: listen on %s: %w", addr, err)
	}
	var sopts []grpc.ServerOption
	if s.opts.tls != nil {
		sopts = append(sopts, grpc.Creds(credentials.NewTLS(s.opts.tls)))
	}
	g := grpc.NewServer(sopts...)
	flowctlpb.RegisterControlPlaneServer(g, legacyService{s: s})
	if s.mode() != ModeV005 { // v0.0.5 predates v1: gRPC answers Unimplemented
		flowctlv1.RegisterControlPlaneServiceServer(g, v1Service{s: s})
	}
	done := make(chan struct{})

	s.mu.Lock()
	s.addr = lis.Addr().String()
	s.grpc = g
	s.serveDone = done
	s.mu.Unlock()

	go func() {
		defer close(done)
		_ = g.Serve(lis) // returns when Stop closes the listener
	}()
	return nil
}

// Stop stops the server at once, as if it had crashed: it closes the
// listener and every connection, and cancels the RPCs in flight. The
// recorded history is kept. Stop on a stopped server does nothing.
func (s *Server) Stop() {
	s.mu.Lock()
	g, done := s.grpc, s.serveDone
	s.grpc, s.serveDone = nil, nil
	s.mu.Unlock()
	if g == nil {
		return
	}
	g.Stop()
	<-done
}

// Restart starts a stopped server again on the same address, with an
// empty registry, as flowctl's in-memory registry comes back: the next
// heartbeat of a service registered before is answered "not found". opts
// apply over the server's options, as when another flowctl version takes
// over the address; they may not change TLS.
func (s *Server) Restart(opts ...Option) error {
	s.mu.Lock()
	running := s.grpc != nil
	addr := s.addr
	if !running {
		s.services = make(map[string]*Service)
		for _, o := range opts {
			o(&s.opts)
		}
	}
	s.mu.Unlock()
	if running {
		return errors.New("control plane: Restart while running; Stop it first")
	}
	return s.listen(addr)
}

// mode returns the server's mode; a Restart may change it.
func (s *Server) mode() Mode {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.opts.mode
}

// Forget drops every registration, so that the next heartbeat of any
// service is answered "not found", without stopping the server.
func (s *Server) Forget() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.services = make(map[string]*Service)
}

// SetHeartbeatHook installs fn to run at the start of every heartbeat,
// before it is checked or recorded; nil removes it. An error from fn is
// the heartbeat's answer. ctx is the RPC's context: a hook that waits on
// ctx.Done() makes the control plane hang until the caller gives up.
func (s *Server) SetHeartbeatHook(fn func(ctx context.Context, api API, serviceID string) error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hook = fn
}

// Snapshot returns a copy of everything recorded so far.
func (s *Server) Snapshot() Snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Snapshot{
		Registrations:   append([]Registration(nil), s.rec.Registrations...),
		Heartbeats:      append([]Heartbeat(nil), s.rec.Heartbeats...),
		Unregistrations: append([]Unregistration(nil), s.rec.Unregistrations...),
	}
}

// WaitFor waits until cond holds for the recorded history and returns the
// snapshot it held for. It returns an error naming what when ctx ends
// first.
func (s *Server) WaitFor(ctx context.Context, what string, cond func(Snapshot) bool) (Snapshot, error) {
	for {
		s.mu.Lock()
		changed := s.changed
		s.mu.Unlock()
		snap := s.Snapshot()
		if cond(snap) {
			return snap, nil
		}
		select {
		case <-ctx.Done():
			return snap, fmt.Errorf("control plane: waiting for %s: %w (have %d registrations, %d heartbeats)",
				what, ctx.Err(), len(snap.Registrations), len(snap.Heartbeats))
		case <-changed:
		}
	}
}

// WaitForRegistrations waits until at least n registrations were accepted.
func (s *Server) WaitForRegistrations(ctx context.Context, n int) (Snapshot, error) {
	return s.WaitFor(ctx, strconv.Itoa(n)+" registrations", func(snap Snapshot) bool {
		return len(snap.Registrations) >= n
	})
}

// WaitForAccepted waits until at least n heartbeats were accepted.
func (s *Server) WaitForAccepted(ctx context.Context, n int) (Snapshot, error) {
	return s.WaitFor(ctx, strconv.Itoa(n)+" accepted heartbeats", func(snap Snapshot) bool {
		return len(snap.Accepted()) >= n
	})
}

// record appends under the lock and wakes every waiter.
func (s *Server) record(fn func(*Snapshot)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn(&s.rec)
	close(s.changed)
	s.changed = make(chan struct{})
}

// register accepts a registration, holds svc as the service's state, and
// returns the assigned service ID: the first non-empty of the given IDs,
// else a generated one, "<prefix>-<n>".
func (s *Server) register(r Registration, svc Service, prefix string, ids ...string) string {
	s.mu.Lock()
	id := ""
	for _, c := range ids {
		if c != "" {
			id = c
			break
		}
	}
	if id == "" {
		s.nextID++
		id = prefix + "-" + strconv.Itoa(s.nextID)
	}
	r.Received = time.Now()
	svc.ID = id
	svc.Metadata = maps.Clone(svc.Metadata)
	svc.RegisteredAt = r.Received
	s.services[id] = &svc
	s.mu.Unlock()

	r.ServiceID = id
	r.Metadata = maps.Clone(r.Metadata)
	s.record(func(rec *Snapshot) { rec.Registrations = append(rec.Registrations, r) })
	return id
}

// heartbeat runs the hook, checks that the service is known, applies the
// heartbeat to its state and records the heartbeat with its answer.
func (s *Server) heartbeat(ctx context.Context, h Heartbeat, apply func(*Service)) error {
	s.mu.Lock()
	hook := s.hook
	s.mu.Unlock()
	var err error
	if hook != nil {
		err = hook(ctx, h.API, h.ServiceID)
	}
	h.Received = time.Now()
	if err == nil {
		s.mu.Lock()
		svc := s.services[h.ServiceID]
		if svc != nil {
			svc.LastHeartbeat = h.Received
			apply(svc)
		} else {
			err = s.notFound(h.ServiceID)
		}
		s.mu.Unlock()
	}
	h.Accepted = err == nil
	s.record(func(rec *Snapshot) { rec.Heartbeats = append(rec.Heartbeats, h) })
	return err
}

// unregister drops a service, known or not, as flowctl does.
func (s *Server) unregister(id string) {
	s.mu.Lock()
	_, known := s.services[id]
	delete(s.services, id)
	s.mu.Unlock()
	u := Unregistration{ServiceID: id, Known: known, Received: time.Now()}
	s.record(func(rec *Snapshot) { rec.Unregistrations = append(rec.Unregistrations, u) })
}

// notFound answers a heartbeat from an unknown service: flowctl's own
// servers answer with a plain error, which gRPC sends with code Unknown.
// s.mu is held.
func (s *Server) notFound(id string) error {
	if s.opts.plainNotFound || s.opts.mode != "" {
		return fmt.Errorf("service %s not found", id)
	}
	return status.Errorf(codes.NotFound, "service %s not found", id)
}
