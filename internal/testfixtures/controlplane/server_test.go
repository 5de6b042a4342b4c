package controlplane_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/cdpstats/cdpstats/internal/testfixtures/controlplane"
	flowctlpb "github.com/cdpstats/cdpstats/proto/flowctl"
	flowctlv1 "github.com/cdpstats/cdpstats/proto/flowctl/v1"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func start(t *testing.T, opts ...controlplane.Option) (*controlplane.Server, *grpc.ClientConn) {
	t.Helper()
	srv, err := controlplane.Start(opts...)
	require.NoError(t, err)
	t.Cleanup(srv.Stop)
	conn, err := grpc.NewClient(srv.Addr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	return srv, conn
}

func rpcCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestLegacyAPIIsRecorded(t *testing.T) {
	srv, conn := start(t)
	client := flowctlpb.NewControlPlaneClient(conn)
	ctx := rpcCtx(t)

	ack, err := client.Register(ctx, &flowctlpb.ServiceInfo{
		ServiceId:      "svc",
		ServiceType:    flowctlpb.ServiceType_SERVICE_TYPE_PIPELINE,
		HealthEndpoint: "http://127.0.0.1:9464",
		Metadata:       map[string]string{"k": "v"},
		ComponentId:    "comp",
	})
	require.NoError(t, err)
	assert.Equal(t, "svc", ack.GetServiceId())

	at := time.Unix(1_700_000_000, 0).UTC()
	_, err = client.Heartbeat(ctx, &flowctlpb.ServiceHeartbeat{
		ServiceId: "svc", Timestamp: timestamppb.New(at), Metrics: map[string]float64{"a.b.c": 1.5},
	})
	require.NoError(t, err)

	snap := srv.Snapshot()
	require.Len(t, snap.Registrations, 1)
	assert.Equal(t, controlplane.Registration{
		API: controlplane.Legacy, ServiceID: "svc", RequestedID: "svc", ComponentID: "comp",
		ServiceType: "SERVICE_TYPE_PIPELINE", HealthEndpoint: "http://127.0.0.1:9464",
		Metadata: map[string]string{"k": "v"}, Received: snap.Registrations[0].Received,
	}, snap.Registrations[0])
	require.Len(t, snap.Heartbeats, 1)
	hb := snap.Heartbeats[0]
	assert.True(t, hb.Accepted)
	assert.Equal(t, map[string]float64{"a.b.c": 1.5}, hb.Metrics)
	assert.Equal(t, at, hb.Timestamp.UTC())
	assert.Empty(t, hb.Status)
}

func TestV1APIIsRecorded(t *testing.T) {
	srv, conn := start(t)
	client := flowctlv1.NewControlPlaneServiceClient(conn)
	ctx := rpcCtx(t)

	resp, err := client.RegisterComponent(ctx, &flowctlv1.RegisterRequest{
		Component: &flowctlv1.ComponentInfo{Id: "info-id", Name: "pipe", Endpoint: "e"},
	})
	require.NoError(t, err)
	assert.Equal(t, "info-id", resp.GetServiceId(), "component.id when component_id is empty")

	_, err = client.Heartbeat(ctx, &flowctlv1.HeartbeatRequest{
		ServiceId: "info-id",
		Status:    flowctlv1.HealthStatus_HEALTH_STATUS_HEALTHY,
		Metrics:   map[string]string{"good": "2.5", "bad": "many"},
	})
	require.NoError(t, err)

	snap := srv.Snapshot()
	require.Len(t, snap.Registrations, 1)
	assert.Equal(t, "pipe", snap.Registrations[0].Name)
	assert.Equal(t, "COMPONENT_TYPE_UNSPECIFIED", snap.Registrations[0].ServiceType)
	hb := snap.Heartbeats[0]
	assert.Equal(t, "HEALTH_STATUS_HEALTHY", hb.Status)
	assert.Equal(t, map[string]float64{"good": 2.5}, hb.Metrics)
	assert.Equal(t, map[string]string{"bad": "many"}, hb.BadMetrics)
}

func TestAssignedServiceIDs(t *testing.T) {
	_, conn := start(t)
	legacy := flowctlpb.NewControlPlaneClient(conn)
	v1 := flowctlv1.NewControlPlaneServiceClient(conn)
	ctx := rpcCtx(t)
	tests := []struct {
		name     string
		register func() (string, error)
		want     string
	}{
		{"legacy service_id first", func() (string, error) {
			a, err := legacy.Register(ctx, &flowctlpb.ServiceInfo{ServiceId: "s", ComponentId: "c"})
			return a.GetServiceId(), err
		}, "s"},
		{"legacy component_id next", func() (string, error) {
			a, err := legacy.Register(ctx, &flowctlpb.ServiceInfo{ComponentId: "c"})
			return a.GetServiceId(), err
		}, "c"},
		{"legacy generated", func() (string, error) {
			a, err := legacy.Register(ctx, &flowctlpb.ServiceInfo{})
			return a.GetServiceId(), err
		}, "SERVICE_TYPE_UNSPECIFIED-1"},
		{"v1 component_id first", func() (string, error) {
			r, err := v1.RegisterComponent(ctx, &flowctlv1.RegisterRequest{ComponentId: "c", Component: &flowctlv1.ComponentInfo{Id: "i"}})
			return r.GetServiceId(), err
		}, "c"},
		{"v1 generated", func() (string, error) {
			r, err := v1.RegisterComponent(ctx, &flowctlv1.RegisterRequest{})
			return r.GetServiceId(), err
		}, "COMPONENT_TYPE_UNSPECIFIED-2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.register()
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestUnknownServiceIsNotFound(t *testing.T) {
	tests := []struct {
		name string
		opts []controlplane.Option
		code codes.Code
	}{
		{"NotFound", nil, codes.NotFound},
		{"flowctl's plain error", []controlplane.Option{controlplane.WithPlainNotFound()}, codes.Unknown},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, conn := start(t, tc.opts...)
			ctx := rpcCtx(t)
			_, err := flowctlpb.NewControlPlaneClient(conn).Heartbeat(ctx, &flowctlpb.ServiceHeartbeat{ServiceId: "ghost"})
			assert.Equal(t, tc.code, status.Code(err))
			assert.Contains(t, status.Convert(err).Message(), "service ghost not found")
			_, err = flowctlv1.NewControlPlaneServiceClient(conn).Heartbeat(ctx, &flowctlv1.HeartbeatRequest{ServiceId: "ghost"})
			assert.Equal(t, tc.code, status.Code(err))
			snap := srv.Snapshot()
			require.Len(t, snap.Heartbeats, 2)
			assert.False(t, snap.Heartbeats[0].Accepted)
			assert.Empty(t, snap.Accepted())
		})
	}
}

func TestStopRestartKeepsAddressAndForgetsRegistry(t *testing.T) {
	srv, conn := start(t)
	client := flowctlpb.NewControlPlaneClient(conn)
	addr := srv.Addr()
	ctx := rpcCtx(t)
	_, err := client.Register(ctx, &flowctlpb.ServiceInfo{ServiceId: "svc"})
	require.NoError(t, err)

	srv.Stop()
	srv.Stop() // idempotent
	_, err = client.Heartbeat(ctx, &flowctlpb.ServiceHeartbeat{ServiceId: "svc"})
	assert.Equal(t, codes.Unavailable, status.Code(err), "nothing serves while stopped")

	require.NoError(t, srv.Restart())
	assert.Error(t, srv.Restart(), "Restart while running")
	assert.Equal(t, addr, srv.Addr())
	// WaitForReady: the client reconnects on its own backoff schedule.
	_, err = client.Heartbeat(ctx, &flowctlpb.ServiceHeartbeat{ServiceId: "svc"}, grpc.WaitForReady(true))
	assert.Equal(t, codes.NotFound, status.Code(err), "the registry is empty after a restart")
	assert.Len(t, srv.Snapshot().Registrations, 1, "the recorded history survives")
}

func TestHeartbeatHookAndWaits(t *testing.T) {
	srv, conn := start(t)
	client := flowctlpb.NewControlPlaneClient(conn)
	ctx := rpcCtx(t)
	_, err := client.Register(ctx, &flowctlpb.ServiceInfo{ServiceId: "svc"})
	require.NoError(t, err)
	_, err = srv.WaitForRegistrations(ctx, 1)
	require.NoError(t, err)

	srv.SetHeartbeatHook(func(context.Context, controlplane.API, string) error {
		return status.Error(codes.ResourceExhausted, "slow down")
	})
	_, err = client.Heartbeat(ctx, &flowctlpb.ServiceHeartbeat{ServiceId: "svc"})
	assert.Equal(t, codes.ResourceExhausted, status.Code(err))

	srv.SetHeartbeatHook(nil)
	go func() { _, _ = client.Heartbeat(ctx, &flowctlpb.ServiceHeartbeat{ServiceId: "svc"}) }()
	snap, err := srv.WaitForAccepted(ctx, 1)
	require.NoError(t, err)
	assert.Len(t, snap.Heartbeats, 2)

	short, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
	defer cancel()
	_, err = srv.WaitForAccepted(short, 5)
	require.Error(t, err)
	assert.True(t, errors.Is(err, context.DeadlineExceeded))
	assert.Contains(t, err.Error(), "5 accepted heartbeats")
}

func TestModeV005(t *testing.T) {
	srv, conn := start(t, controlplane.WithMode(controlplane.ModeV005))
	legacy := flowctlpb.NewControlPlaneClient(conn)
	ctx := rpcCtx(t)

	_, err := flowctlv1.NewControlPlaneServiceClient(conn).RegisterComponent(ctx, &flowctlv1.RegisterRequest{Component: &flowctlv1.ComponentInfo{Id: "x"}})
	assert.Equal(t, codes.Unimplemented, status.Code(err), "v0.0.5 predates v1")
	assert.Contains(t, status.Convert(err).Message(), "unknown service flowctl.v1.ControlPlaneService")

	ack, err := legacy.Register(ctx, &flowctlpb.ServiceInfo{ComponentId: "ignored", ServiceType: flowctlpb.ServiceType_SERVICE_TYPE_SINK})
	require.NoError(t, err)
	assert.Equal(t, "SERVICE_TYPE_SINK-1", ack.GetServiceId(), "v0.0.5 ignores component_id when it picks the ID")
	_, err = legacy.Register(ctx, &flowctlpb.ServiceInfo{ServiceId: "p", ServiceType: flowctlpb.ServiceType_SERVICE_TYPE_PIPELINE})
	require.NoError(t, err)

	for _, m := range []map[string]float64{{"a": 1, "b": 2}, {"b": 3}} {
		_, err = legacy.Heartbeat(ctx, &flowctlpb.ServiceHeartbeat{ServiceId: "p", Metrics: m})
		require.NoError(t, err)
	}
	_, err = legacy.Heartbeat(ctx, &flowctlpb.ServiceHeartbeat{ServiceId: "ghost"})
	assert.Equal(t, codes.Unknown, status.Code(err))
	assert.Equal(t, "service ghost not found", status.Convert(err).Message())

	assert.Equal(t, []controlplane.Listed{
		{ID: "SERVICE_TYPE_SINK-1", Type: "SINK", Healthy: true, Metrics: map[string]float64{}},
		{ID: "p", Type: "PIPELINE", Healthy: true, Metrics: map[string]float64{"b": 3}},
	}, srv.List(), "each heartbeat replaces the metrics")
}

func TestModeCurrent(t *testing.T) {
	srv, conn := start(t, controlplane.WithMode(controlplane.ModeCurrent))
	legacy := flowctlpb.NewControlPlaneClient(conn)
	v1 := flowctlv1.NewControlPlaneServiceClient(conn)
	ctx := rpcCtx(t)

	_, err := legacy.Register(ctx, &flowctlpb.ServiceInfo{ServiceId: "pipe", ServiceType: flowctlpb.ServiceType_SERVICE_TYPE_PIPELINE})
	require.NoError(t, err)
	_, err = legacy.Register(ctx, &flowctlpb.ServiceInfo{ServiceId: "sink", ServiceType: flowctlpb.ServiceType_SERVICE_TYPE_SINK, Metadata: map[string]string{"name": "out"}})
	require.NoError(t, err)
	_, err = legacy.Heartbeat(ctx, &flowctlpb.ServiceHeartbeat{ServiceId: "sink", Metrics: map[string]float64{"a": 1}})
	require.NoError(t, err)
	_, err = v1.RegisterComponent(ctx, &flowctlv1.RegisterRequest{Component: &flowctlv1.ComponentInfo{Id: "src", Type: flowctlv1.ComponentType_COMPONENT_TYPE_SOURCE}})
	require.NoError(t, err)
	for _, m := range []map[string]string{{"a": "1", "b": "2"}, {"b": "3"}} {
		_, err = v1.Heartbeat(ctx, &flowctlv1.HeartbeatRequest{ServiceId: "src", Status: flowctlv1.HealthStatus_HEALTH_STATUS_HEALTHY, Metrics: m})
		require.NoError(t, err)
	}
	_, err = v1.Heartbeat(ctx, &flowctlv1.HeartbeatRequest{ServiceId: "ghost"})
	assert.Equal(t, codes.Unknown, status.Code(err))

	byID := map[string]controlplane.Service{}
	for _, s := range srv.Services() {
		byID[s.ID] = s
	}
	assert.Equal(t, "COMPONENT_TYPE_UNSPECIFIED", byID["pipe"].Type, "PIPELINE is converted")
	assert.Equal(t, "COMPONENT_TYPE_CONSUMER", byID["sink"].Type, "SINK is converted")
	assert.Equal(t, "out", byID["sink"].Name)
	assert.Empty(t, byID["sink"].Metrics, "legacy heartbeats drop their metrics")
	assert.Equal(t, map[string]string{"a": "1", "b": "3"}, byID["src"].Text, "v1 heartbeats merge")

	st := srv.Status()
	assert.Equal(t, 3, st.Total)
	assert.Equal(t, 3, st.Healthy)
	require.Len(t, st.Sources, 1)
	assert.Equal(t, "src", st.Sources[0].ID)
	require.Len(t, st.Consumers, 1)
	assert.Empty(t, st.Processors)

	assert.Equal(t, []controlplane.Listed{
		{ID: "pipe", Type: "UNSPECIFIED"}, {ID: "sink", Type: "SINK"}, {ID: "src", Type: "SOURCE"},
	}, srv.List(), "list: types, no health, no metrics")

	_, err = v1.UnregisterComponent(ctx, &flowctlv1.UnregisterRequest{ServiceId: "src"})
	require.NoError(t, err)
	_, err = v1.UnregisterComponent(ctx, &flowctlv1.UnregisterRequest{ServiceId: "ghost"})
	require.NoError(t, err, "unknown IDs are no error")
	assert.Len(t, srv.Services(), 2)
	unregs := srv.Snapshot().Unregistrations
	require.Len(t, unregs, 2)
	assert.True(t, unregs[0].Known)
	assert.False(t, unregs[1].Known)
}
