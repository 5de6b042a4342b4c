// Package controlplane is a real flowctl control plane for tests: a gRPC
// server on loopback that serves both public control-plane APIs (the
// legacy flowctl.ControlPlane and flowctl.v1.ControlPlaneService) with the
// generated code, and records every registration and heartbeat it
// receives.
//
// Like flowctl's in-memory registry, it forgets registered services when
// it restarts, and answers a heartbeat from a service it does not know
// with "not found". Tests can stop it and start it again on the same
// port, make heartbeats hang, and wait for what it received.
//
// [WithMode] makes it behave like a real flowctl version, [ModeV005] or
// [ModeCurrent], down to what each keeps of a heartbeat; [Server.List]
// and [Server.Status] then show what `flowctl list` and `flowctl status`
// would.
package controlplane
