package controlplane

import (
	"maps"
	"slices"
	"strings"
	"time"
)

// Mode selects which real flowctl server the fixture behaves like. The
// behaviours were measured on the real binaries; docs/flowctl.md
// tabulates what each shows.
type Mode string

// The modes. The zero Mode serves both APIs, answers an unknown service
// with the NotFound code, replaces the metrics on a legacy heartbeat and
// merges them on a v1 one: a recorder for unit tests, not a real server.
const (
	// ModeV005 is flowctl v0.0.5, the version CDP pins: the legacy API
	// only (v1 calls get gRPC's Unimplemented, "unknown service
	// flowctl.v1.ControlPlaneService"); each heartbeat replaces the
	// service's metrics map and marks it healthy; an unknown service gets
	// code Unknown, "service X not found". `flowctl list` shows every
	// service with its type, health and metrics.
	ModeV005 Mode = "v0.0.5"
	// ModeCurrent is flowctl's current main branch: both APIs over one v1
	// registry. A legacy registration is converted (PIPELINE becomes
	// UNSPECIFIED, SINK becomes CONSUMER) and a legacy heartbeat keeps
	// only the service ID, dropping its metrics; a v1 heartbeat merges its
	// string metrics into the held ones and sets the status; v1
	// UnregisterComponent deletes. `flowctl status` lists only sources,
	// processors and consumers (UNSPECIFIED is counted, not listed); `flowctl list` shows types but every service UNHEALTHY and
	// no metrics.
	ModeCurrent Mode = "current"
)

// WithMode makes the server behave like the flowctl version m.
func WithMode(m Mode) Option { return func(o *options) { o.mode = m } }

// Service is one registration as the server holds it.
type Service struct {
	ID string
	// Type is the enum name held: the legacy name (SERVICE_TYPE_SOURCE …)
	// in ModeV005, and in ModeCurrent the v1 name (COMPONENT_TYPE_SOURCE
	// …), legacy registrations converted. The zero mode holds the name as
	// it came.
	Type     string
	Name     string
	Metadata map[string]string
	// Status is the v1 health status name held; ModeV005 has none and
	// keeps Healthy instead.
	Status  string
	Healthy bool
	// Metrics are the metrics held, parsed where they are v1 strings.
	Metrics map[string]float64
	// Text are the v1 string metrics as held; nil in ModeV005.
	Text          map[string]string
	RegisteredAt  time.Time
	LastHeartbeat time.Time
}

func (s *Service) clone() Service {
	c := *s
	c.Metadata = maps.Clone(s.Metadata)
	c.Metrics = maps.Clone(s.Metrics)
	c.Text = maps.Clone(s.Text)
	return c
}

// Services returns a copy of the registry, by service ID.
func (s *Server) Services() []Service {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Service, 0, len(s.services))
	for _, svc := range s.services {
		out = append(out, svc.clone())
	}
	slices.SortFunc(out, func(a, b Service) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// Listed is one row of `flowctl list`.
type Listed struct {
	ID      string
	Type    string // as list prints it: SOURCE, PROCESSOR, SINK, PIPELINE, UNSPECIFIED
	Healthy bool
	Metrics map[string]float64
}

// List returns what `flowctl list` shows, through the legacy
// ListServices. In ModeCurrent that call converts each v1 component back
// to a legacy type, never sets is_healthy and carries no metrics.
func (s *Server) List() []Listed {
	var out []Listed
	mode := s.mode()
	for _, svc := range s.Services() {
		l := Listed{ID: svc.ID, Type: svc.Type, Healthy: svc.Healthy, Metrics: svc.Metrics}
		if mode == ModeCurrent {
			l = Listed{ID: svc.ID, Type: legacyTypeOf(svc.Type)}
		}
		l.Type = strings.TrimPrefix(strings.TrimPrefix(l.Type, "SERVICE_TYPE_"), "COMPONENT_TYPE_")
		out = append(out, l)
	}
	return out
}

// StatusView is what current flowctl's `flowctl status` shows.
type StatusView struct {
	// Total and Healthy are the header's "Components: N total (M
	// healthy)": every component, UNSPECIFIED ones included.
	Total, Healthy int
	// Sources, Processors and Consumers are the sections listed, each
	// component with its status and metrics.
	Sources, Processors, Consumers []Service
}

// Status returns what `flowctl status` shows by default
// (--include-unhealthy is on): every component is counted, but only
// sources, processors and consumers are listed.
func (s *Server) Status() StatusView {
	var v StatusView
	for _, svc := range s.Services() {
		v.Total++
		if svc.Status == "HEALTH_STATUS_HEALTHY" {
			v.Healthy++
		}
		switch svc.Type {
		case "COMPONENT_TYPE_SOURCE":
			v.Sources = append(v.Sources, svc)
		case "COMPONENT_TYPE_PROCESSOR":
			v.Processors = append(v.Processors, svc)
		case "COMPONENT_TYPE_CONSUMER":
			v.Consumers = append(v.Consumers, svc)
		}
	}
	return v
}

// v1TypeOf converts a legacy service type name as current flowctl does.
func v1TypeOf(legacy string) string {
	switch legacy {
	case "SERVICE_TYPE_SOURCE":
		return "COMPONENT_TYPE_SOURCE"
	case "SERVICE_TYPE_PROCESSOR":
		return "COMPONENT_TYPE_PROCESSOR"
	case "SERVICE_TYPE_SINK":
		return "COMPONENT_TYPE_CONSUMER"
	}
	return "COMPONENT_TYPE_UNSPECIFIED"
}

// legacyTypeOf converts a v1 component type name back, as current
// flowctl's ListServices does.
func legacyTypeOf(v1 string) string {
	switch v1 {
	case "COMPONENT_TYPE_SOURCE":
		return "SERVICE_TYPE_SOURCE"
	case "COMPONENT_TYPE_PROCESSOR":
		return "SERVICE_TYPE_PROCESSOR"
	case "COMPONENT_TYPE_CONSUMER":
		return "SERVICE_TYPE_SINK"
	}
	return "SERVICE_TYPE_UNSPECIFIED"
}
