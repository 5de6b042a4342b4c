package controlplane

import (
	"context"
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

// Register accepts every registration, answering with service_id, else
// component_id, else a generated ID, as flowctl does.
func (l legacyService) Register(_ context.Context, in *flowctlpb.ServiceInfo) (*flowctlpb.RegistrationAck, error) {
	id := l.s.register(Registration{
		API:            Legacy,
		RequestedID:    in.GetServiceId(),
		ComponentID:    in.GetComponentId(),
		ServiceType:    in.GetServiceType().String(),
		HealthEndpoint: in.GetHealthEndpoint(),
		Metadata:       in.GetMetadata(),
	}, in.GetServiceId(), in.GetComponentId())
	return &flowctlpb.RegistrationAck{ServiceId: id}, nil
}

// Heartbeat records the heartbeat and answers NotFound for an unknown
// service.
func (l legacyService) Heartbeat(ctx context.Context, in *flowctlpb.ServiceHeartbeat) (*emptypb.Empty, error) {
	h := Heartbeat{API: Legacy, ServiceID: in.GetServiceId(), Metrics: make(map[string]float64, len(in.GetMetrics()))}
	for k, v := range in.GetMetrics() {
		h.Metrics[k] = v
	}
	if ts := in.GetTimestamp(); ts != nil {
		h.Timestamp = ts.AsTime()
	}
	if err := l.s.heartbeat(ctx, h); err != nil {
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
func (v v1Service) RegisterComponent(_ context.Context, in *flowctlv1.RegisterRequest) (*flowctlv1.RegisterResponse, error) {
	c := in.GetComponent()
	id := v.s.register(Registration{
		API:            V1,
		RequestedID:    c.GetId(),
		ComponentID:    in.GetComponentId(),
		ServiceType:    c.GetType().String(),
		Name:           c.GetName(),
		HealthEndpoint: c.GetEndpoint(),
		Metadata:       c.GetMetadata(),
	}, in.GetComponentId(), c.GetId())
	return &flowctlv1.RegisterResponse{ServiceId: id}, nil
}

// Heartbeat records the heartbeat, parsing its string metrics, and
// answers NotFound for an unknown service.
func (v v1Service) Heartbeat(ctx context.Context, in *flowctlv1.HeartbeatRequest) (*emptypb.Empty, error) {
	h := Heartbeat{
		API:       V1,
		ServiceID: in.GetServiceId(),
		Status:    in.GetStatus().String(),
		Metrics:   make(map[string]float64, len(in.GetMetrics())),
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
	if err := v.s.heartbeat(ctx, h); err != nil {
		return nil, err
	}
	return &emptypb.Empty{}, nil
}
