package controlplane

import "time"

// API names the control-plane API a request came in on.
type API string

// The APIs the server serves.
const (
	Legacy API = "legacy" // flowctl.ControlPlane
	V1     API = "v1"     // flowctl.v1.ControlPlaneService
)

// Registration is one registration the server received and accepted.
type Registration struct {
	API API
	// ServiceID is the ID the server assigned and answered with.
	ServiceID string
	// RequestedID is the service ID in the request (legacy service_id,
	// v1 component.id).
	RequestedID string
	// ComponentID is the component_id field of the request.
	ComponentID string
	// ServiceType is the enum name of the legacy service_type or the v1
	// component.type, such as "SERVICE_TYPE_PIPELINE".
	ServiceType    string
	Name           string // v1 component.name; empty for legacy
	HealthEndpoint string // legacy health_endpoint or v1 component.endpoint
	Metadata       map[string]string
	Received       time.Time
}

// Heartbeat is one heartbeat the server received, accepted or not.
type Heartbeat struct {
	API       API
	ServiceID string
	// Metrics are the heartbeat's metrics. v1 values, which are strings on
	// the wire, are parsed; those that do not parse are in BadMetrics.
	Metrics    map[string]float64
	BadMetrics map[string]string
	// Text is a v1 heartbeat's metrics as sent, strings; nil for legacy.
	Text map[string]string
	// Status is the v1 health status name, such as "HEALTH_STATUS_HEALTHY";
	// empty for legacy heartbeats, which have none.
	Status string
	// Timestamp is the legacy heartbeat's timestamp; zero for v1.
	Timestamp time.Time
	// Accepted is false when the server answered with an error: an
	// unknown service, or an error from the heartbeat hook.
	Accepted bool
	Received time.Time
}

// Unregistration is one v1 UnregisterComponent the server received.
type Unregistration struct {
	ServiceID string
	// Known says whether the service was registered; flowctl answers
	// success either way.
	Known    bool
	Received time.Time
}

// Snapshot is a copy of everything the server has recorded, in the order
// it arrived, across restarts.
type Snapshot struct {
	Registrations   []Registration
	Heartbeats      []Heartbeat
	Unregistrations []Unregistration
}

// AcceptedFor returns the accepted heartbeats of one service ID.
func (s Snapshot) AcceptedFor(serviceID string) []Heartbeat {
	var out []Heartbeat
	for _, h := range s.Heartbeats {
		if h.Accepted && h.ServiceID == serviceID {
			out = append(out, h)
		}
	}
	return out
}

// Accepted returns the accepted heartbeats.
func (s Snapshot) Accepted() []Heartbeat {
	var out []Heartbeat
	for _, h := range s.Heartbeats {
		if h.Accepted {
			out = append(out, h)
		}
	}
	return out
}

// LastAccepted returns the latest accepted heartbeat, or false.
func (s Snapshot) LastAccepted() (Heartbeat, bool) {
	for i := len(s.Heartbeats) - 1; i >= 0; i-- {
		if s.Heartbeats[i].Accepted {
			return s.Heartbeats[i], true
		}
	}
	return Heartbeat{}, false
}
