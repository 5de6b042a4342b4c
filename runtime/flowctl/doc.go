// Package flowctl reports a pipeline's stats to a flowctl control plane.
//
// A [Client] registers the pipeline with the control plane, and each of
// its components ([Client.SetComponents]) as a component of its own typed
// by its role, then sends a heartbeat per registration every
// [Config.HeartbeatInterval]. The pipeline's carries
// [runtime.PipelineStats.GetMetrics]: every component's stats under
// "<kind>.<id>.<stat>", each component's "healthy" and
// "stats_age_seconds", and the "pipeline.*" keys. A component's carries
// its own keys of these. docs/flowctl.md lists them all.
//
// The client speaks either of the two public control-plane APIs: the
// legacy flowctl.ControlPlane service (metrics as doubles) or
// flowctl.v1.ControlPlaneService (metrics as decimal strings, plus a
// health status). [Config.API] picks one; the default, [APIAuto], tries
// v1 and falls back to legacy on a flowctl that predates it.
//
// The control plane must never hold the pipeline back, so the client:
//   - runs in its own goroutine and reads only the [runtime.PipelineStats]
//     snapshot, never a component;
//   - bounds every RPC with [Config.RPCTimeout];
//   - retries registration with exponential backoff and jitter while the
//     control plane is down, logging the outage once rather than per
//     attempt;
//   - registers again when a heartbeat is answered "not found", as happens
//     after the control plane restarts and forgets its registry.
package flowctl
