package controlplane

import (
	"context"
	"maps"
	"strconv"

	"google.golang.org/protobuf/types/known/emptypb"

	flowctlpb "github.com/cdpstats/cdpstats/proto/flowctl"
	flowctlv1 "github.com/cdpstats/cdpstats/proto/flowctl/v1"
)

// legacyService serves flowctl.ControlPlane.
type legacyService struct {
	flowctlpb.UnimplementedControlPlaneServer
	s *Server
}

// Register accepts every registration. v0.0.5 answers with service_id,
// else a generated ID; current flowctl and the zero mode with service_id,
// else component_id, else a generated ID.
func (l legacyService) Register(_ context.Context, in *flowctlpb.ServiceInfo) (*flowctlpb.RegistrationAck, error) {
	typ := in.GetServiceType().String()
	svc := Service{Type: typ, Metadata: in.GetMetadata(), Healthy: true, Metrics: map[string]float64{}, Text: map[string]string{}}
	ids := []string{in.GetServiceId(), in.GetComponentId()}
	switch l.s.mode() {
	case ModeV005:
		ids = ids[:1]
		svc.Text = nil
	case ModeCurrent:
		svc.Type = v1TypeOf(typ)
		svc.Status = "HEALTH_STATUS_HEALTHY"
		md := in.GetMetadata()
		svc.Name = firstNonEmpty(md["processor_name"], md["source_name"], md["sink_name"], md["name"])
	}
	id := l.s.register(Registration{
		API:            Legacy,
		RequestedID:    in.GetServiceId(),
		ComponentID:    in.GetComponentId(),
		ServiceType:    typ,
		HealthEndpoint: in.GetHealthEndpoint(),
		Metadata:       in.GetMetadata(),
	}, svc, typ, ids...)
	return &flowctlpb.RegistrationAck{ServiceId: id}, nil
}

// Heartbeat records the heartbeat and answers "not found" for an unknown
// service. v0.0.5 and the zero mode replace the held metrics with the
// heartbeat's; current flowctl drops them.
func (l legacyService) Heartbeat(ctx context.Context, in *flowctlpb.ServiceHeartbeat) (*emptypb.Empty, error) {
	h := Heartbeat{API: Legacy, ServiceID: in.GetServiceId(), Metrics: maps.Clone(in.GetMetrics())}
	if h.Metrics == nil {
		h.Metrics = map[string]float64{}
	}
	if ts := in.GetTimestamp(); ts != nil {
		h.Timestamp = ts.AsTime()
	}
	mode := l.s.mode()
	err := l.s.heartbeat(ctx, h, func(svc *Service) {
		if mode == ModeCurrent {
			return // the legacy adapter passes on the service ID alone
		}
		svc.Metrics = maps.Clone(h.Metrics)
		svc.Healthy = true
	})
	if err != nil {
		return nil, err
	}
	return &emptypb.Empty{}, nil
}

// v1Service serves flowctl.v1.ControlPlaneService.
type v1Service struct {
	flowctlv1.UnimplementedControlPlaneServiceServer
	s *Server
}

// RegisterComponent accepts every registration, answering with
// component_id, else component.id, else a generated ID, as flowctl does.
// The component starts HEALTHY with no metrics, also when it registers
// again.
func (v v1Service) RegisterComponent(_ context.Context, in *flowctlv1.RegisterRequest) (*flowctlv1.RegisterResponse, error) {
	c := in.GetComponent()
	typ := c.GetType().String()
	id := v.s.register(Registration{
		API:            V1,
		RequestedID:    c.GetId(),
		ComponentID:    in.GetComponentId(),
		ServiceType:    typ,
		Name:           c.GetName(),
		HealthEndpoint: c.GetEndpoint(),
		Metadata:       c.GetMetadata(),
	}, Service{
		Type: typ, Name: c.GetName(), Metadata: c.GetMetadata(),
		Status: "HEALTH_STATUS_HEALTHY", Healthy: true,
		Metrics: map[string]float64{}, Text: map[string]string{},
	}, typ, in.GetComponentId(), c.GetId())
	return &flowctlv1.RegisterResponse{ServiceId: id}, nil
}

// Heartbeat records the heartbeat, parsing its string metrics, merges
// them into the held ones, sets the status unless it is UNKNOWN, and
// answers "not found" for an unknown service.
func (v v1Service) Heartbeat(ctx context.Context, in *flowctlv1.HeartbeatRequest) (*emptypb.Empty, error) {
	h := Heartbeat{
		API:       V1,
		ServiceID: in.GetServiceId(),
		Status:    in.GetStatus().String(),
		Metrics:   make(map[string]float64, len(in.GetMetrics())),
		Text:      maps.Clone(in.GetMetrics()),
	}
	for k, s := range in.GetMetrics() {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			if h.BadMetrics == nil {
				h.BadMetrics = make(map[string]string)
			}
			h.BadMetrics[k] = s
			continue
		}
		h.Metrics[k] = f
	}
	err := v.s.heartbeat(ctx, h, func(svc *Service) {
		maps.Copy(svc.Text, h.Text)
		maps.Copy(svc.Metrics, h.Metrics)
		if in.GetStatus() != flowctlv1.HealthStatus_HEALTH_STATUS_UNKNOWN {
			svc.Status = h.Status
			svc.Healthy = in.GetStatus() == flowctlv1.HealthStatus_HEALTH_STATUS_HEALTHY
		}
	})
	if err != nil {
		return nil, err
	}
	return &emptypb.Empty{}, nil
}

// UnregisterComponent deletes the registration, answering success whether
// or not the service was known.
func (v v1Service) UnregisterComponent(_ context.Context, in *flowctlv1.UnregisterRequest) (*emptypb.Empty, error) {
	v.s.unregister(in.GetServiceId())
	return &emptypb.Empty{}, nil
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
