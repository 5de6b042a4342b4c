// Package flowctl reports a pipeline's stats to a flowctl control plane.
//
// A [Client] registers the pipeline with the control plane and then sends
// a heartbeat every [Config.HeartbeatInterval] carrying
// [runtime.PipelineStats.GetMetrics]: every component's stats under
// "<kind>.<id>.<stat>", each component's "healthy" and
// "stats_age_seconds", and the "pipeline.*" keys. docs/flowctl.md lists
// them all.
//
// The client speaks either of the two public control-plane APIs: the
// legacy flowctl.ControlPlane service (the default; metrics as doubles)
// or flowctl.v1.ControlPlaneService (metrics as decimal strings, plus a
// health status). [Config.API] picks one.
//
// The control plane must never hold the pipeline back, so the client:
//   - runs in its own goroutine and reads only the [runtime.PipelineStats]
//     snapshot, never a component;
//   - bounds every RPC with [Config.RPCTimeout];
//   - retries registration with exponential backoff and jitter while the
//     control plane is down;
//   - registers again when a heartbeat is answered "not found", as happens
//     after the control plane restarts and forgets its registry.
package flowctl
