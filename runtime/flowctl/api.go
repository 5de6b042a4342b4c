package flowctl

import (
	"context"
	"math"
	"strconv"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	flowctlpb "github.com/cdpstats/cdpstats/proto/flowctl"
	flowctlv1 "github.com/cdpstats/cdpstats/proto/flowctl/v1"
)

// registration is what the client registers, in API-neutral form.
type registration struct {
	serviceID   string
	componentID string
	name        string
	// kind is the component's role, "source", "processor" or "consumer";
	// empty for the pipeline's own registration.
	kind           string
	healthEndpoint string
	metadata       map[string]string
}

// health is a registration's state as a v1 heartbeat reports it.
type health int

const (
	healthStarting health = iota
	healthHealthy
	healthDegraded
	healthUnhealthy
	healthStopping
)

// controlPlane is one control-plane API. register returns the service ID
// to heartbeat under.
type controlPlane interface {
	api() API
	register(ctx context.Context, r registration) (string, error)
	heartbeat(ctx context.Context, serviceID string, metrics map[string]float64, h health) error
	// unregister removes a registration; a no-op where the API has no
	// such call.
	unregister(ctx context.Context, serviceID string) error
}

func newControlPlane(api API, conn grpc.ClientConnInterface) controlPlane {
	if api == APIV1 {
		return v1API{flowctlv1.NewControlPlaneServiceClient(conn)}
	}
	return legacyAPI{flowctlpb.NewControlPlaneClient(conn)}
}

// legacyAPI speaks flowctl.ControlPlane.
type legacyAPI struct{ c flowctlpb.ControlPlaneClient }

func (legacyAPI) api() API { return APILegacy }

func (a legacyAPI) register(ctx context.Context, r registration) (string, error) {
	ack, err := a.c.Register(ctx, &flowctlpb.ServiceInfo{
		ServiceId:      r.serviceID,
		ServiceType:    legacyServiceType(r.kind),
		HealthEndpoint: r.healthEndpoint,
		Metadata:       r.metadata,
		ComponentId:    r.componentID,
	})
	if err != nil {
		return "", err
	}
	return ack.GetServiceId(), nil
}

// legacyServiceType maps a role to the legacy enum; the pipeline's own
// registration is SERVICE_TYPE_PIPELINE, a source, processors and sinks
// in one process.
func legacyServiceType(kind string) flowctlpb.ServiceType {
	switch kind {
	case kindSource:
		return flowctlpb.ServiceType_SERVICE_TYPE_SOURCE
	case kindProcessor:
		return flowctlpb.ServiceType_SERVICE_TYPE_PROCESSOR
	case kindConsumer:
		return flowctlpb.ServiceType_SERVICE_TYPE_SINK
	}
	return flowctlpb.ServiceType_SERVICE_TYPE_PIPELINE
}

func (a legacyAPI) heartbeat(ctx context.Context, serviceID string, metrics map[string]float64, _ health) error {
	// The legacy API has no health status; the "healthy" keys in the
	// metrics carry it.
	_, err := a.c.Heartbeat(ctx, &flowctlpb.ServiceHeartbeat{
		ServiceId: serviceID,
		Timestamp: timestamppb.New(time.Now()),
		Metrics:   metrics,
	})
	return err
}

func (legacyAPI) unregister(context.Context, string) error { return nil }

// v1API speaks flowctl.v1.ControlPlaneService.
type v1API struct {
	c flowctlv1.ControlPlaneServiceClient
}

func (v1API) api() API { return APIV1 }

func (a v1API) register(ctx context.Context, r registration) (string, error) {
	resp, err := a.c.RegisterComponent(ctx, &flowctlv1.RegisterRequest{
		Component: &flowctlv1.ComponentInfo{
			Id:       r.serviceID,
			Name:     r.name,
			Type:     v1ComponentType(r.kind),
			Endpoint: r.healthEndpoint,
			Metadata: r.metadata,
		},
		ComponentId: r.componentID,
	})
	if err != nil {
		return "", err
	}
	return resp.GetServiceId(), nil
}

// v1ComponentType maps a role to the v1 enum. v1 has no pipeline type:
// the pipeline's own registration is UNSPECIFIED, which is also what
// flowctl maps the legacy SERVICE_TYPE_PIPELINE to.
func v1ComponentType(kind string) flowctlv1.ComponentType {
	switch kind {
	case kindSource:
		return flowctlv1.ComponentType_COMPONENT_TYPE_SOURCE
	case kindProcessor:
		return flowctlv1.ComponentType_COMPONENT_TYPE_PROCESSOR
	case kindConsumer:
		return flowctlv1.ComponentType_COMPONENT_TYPE_CONSUMER
	}
	return flowctlv1.ComponentType_COMPONENT_TYPE_UNSPECIFIED
}

func (a v1API) unregister(ctx context.Context, serviceID string) error {
	_, err := a.c.UnregisterComponent(ctx, &flowctlv1.UnregisterRequest{ServiceId: serviceID})
	return err
}

func (a v1API) heartbeat(ctx context.Context, serviceID string, metrics map[string]float64, h health) error {
	_, err := a.c.Heartbeat(ctx, &flowctlv1.HeartbeatRequest{
		ServiceId: serviceID,
		Status:    v1Status(h),
		Metrics:   formatMetrics(metrics),
	})
	return err
}

func v1Status(h health) flowctlv1.HealthStatus {
	switch h {
	case healthStarting:
		return flowctlv1.HealthStatus_HEALTH_STATUS_STARTING
	case healthHealthy:
		return flowctlv1.HealthStatus_HEALTH_STATUS_HEALTHY
	case healthDegraded:
		return flowctlv1.HealthStatus_HEALTH_STATUS_DEGRADED
	case healthUnhealthy:
		return flowctlv1.HealthStatus_HEALTH_STATUS_UNHEALTHY
	case healthStopping:
		return flowctlv1.HealthStatus_HEALTH_STATUS_STOPPING
	}
	return flowctlv1.HealthStatus_HEALTH_STATUS_UNKNOWN
}

// formatMetrics renders every value with [formatValue].
func formatMetrics(m map[string]float64) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = formatValue(v)
	}
	return out
}

// formatValue is the one way a metric value is written as text in the v1
// API: an integral value as an integer, without an exponent
// ("58752000"), and any other value in the shortest form that parses
// back to the same float64 ("0.25", "1.5e-07"). flowctl shows the string
// as it is.
func formatValue(v float64) string {
	switch {
	case v == 0:
		return "0" // and not "-0"
	case v == math.Trunc(v): // integral; false for NaN and ±Inf
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// isNotFound reports whether err says the control plane does not know the
// service. flowctl's own server answers an unknown service with a plain
// error ("service X not found", code Unknown) rather than NotFound, so
// both count.
func isNotFound(err error) bool {
	s, ok := status.FromError(err)
	if !ok {
		return false
	}
	switch s.Code() {
	case codes.NotFound:
		return true
	case codes.Unknown:
		return strings.Contains(strings.ToLower(s.Message()), "not found")
	}
	return false
}

// isUnimplemented reports whether err says the control plane does not
// serve the API: gRPC's Unimplemented ("unknown service
// flowctl.v1.ControlPlaneService" from a flowctl that predates v1), or
// that text under another code, as a proxy in between may answer.
func isUnimplemented(err error) bool {
	s, ok := status.FromError(err)
	if !ok {
		return false
	}
	return s.Code() == codes.Unimplemented || strings.Contains(strings.ToLower(s.Message()), "unknown service")
}
