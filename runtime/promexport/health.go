package promexport

import (
	"encoding/json"
	"net/http"
	"slices"
	"time"

	"github.com/cdpstats/cdpstats/runtime"
)

// The status words of a health response.
const (
	StatusOK       = "ok"       // every component's stats are fresh
	StatusStarting = "starting" // some pipeline has no component that reported yet
	StatusStalled  = "stalled"  // some pipeline made no progress within its stall timeout
	StatusStale    = "stale"    // some component's stats are older than the health timeout
)

// HealthResponse is the JSON body of /healthz and /readyz.
type HealthResponse struct {
	// Status is the worst of the pipelines' statuses: stale, then
	// stalled, then starting, then ok.
	Status    string           `json:"status"`
	Pipelines []PipelineHealth `json:"pipelines"`
}

// PipelineHealth is one pipeline's freshness in a [HealthResponse].
type PipelineHealth struct {
	Pipeline string `json:"pipeline"`
	Status   string `json:"status"`
	// Healthy is [runtime.PipelineStats.IsHealthy]: at least one component
	// reported and every component's stats are fresh.
	Healthy        bool              `json:"healthy"`
	TimeoutSeconds float64           `json:"timeout_seconds"`
	Components     []ComponentHealth `json:"components"`
	// Stalled says why the pipeline makes no progress
	// ([runtime.Stall.String]), when it is stalled.
	Stalled string `json:"stalled,omitempty"`
}

// ComponentHealth is one component's freshness in a [PipelineHealth].
type ComponentHealth struct {
	// Kind is the component's role: source, processor or consumer.
	Kind string `json:"kind"`
	// Type is the component's type name, such as FilterPayments.
	Type string `json:"type"`
	// ID is the instance ID, or Type when the instance has none.
	ID         string  `json:"id"`
	Healthy    bool    `json:"healthy"`
	AgeSeconds float64 `json:"age_seconds"`
	// LastUpdated is RFC 3339; empty when the component never reported.
	LastUpdated string `json:"last_updated,omitempty"`
}

func healthResponse(pipelines []*runtime.PipelineStats) HealthResponse {
	resp := HealthResponse{Status: StatusOK, Pipelines: make([]PipelineHealth, 0, len(pipelines))}
	if len(pipelines) == 0 {
		resp.Status = StatusStarting
	}
	for _, ps := range pipelines {
		ph := pipelineHealth(ps.HealthDetails())
		resp.Pipelines = append(resp.Pipelines, ph)
		if rank(ph.Status) > rank(resp.Status) {
			resp.Status = ph.Status
		}
	}
	return resp
}

// rank orders statuses from best to worst.
func rank(status string) int {
	return slices.Index([]string{StatusOK, StatusStarting, StatusStalled, StatusStale}, status)
}

func pipelineHealth(r runtime.HealthReport) PipelineHealth {
	ph := PipelineHealth{
		Pipeline:       r.PipelineID,
		Status:         StatusOK,
		Healthy:        r.Healthy,
		TimeoutSeconds: r.Timeout.Seconds(),
		Components:     make([]ComponentHealth, 0, len(r.Components)),
	}
	for _, c := range r.Components {
		ch := ComponentHealth{
			Kind:       c.Kind,
			Type:       c.Type,
			ID:         c.ID,
			Healthy:    c.Healthy,
			AgeSeconds: max(c.Age.Seconds(), 0),
		}
		if !c.LastUpdated.IsZero() {
			ch.LastUpdated = c.LastUpdated.UTC().Format(time.RFC3339Nano)
		}
		if !c.Healthy {
			ph.Status = StatusStale
		}
		ph.Components = append(ph.Components, ch)
	}
	switch {
	case len(r.Components) == 0:
		ph.Status = StatusStarting
	case r.Stall != nil && ph.Status == StatusOK:
		ph.Status = StatusStalled
	}
	if r.Stall != nil {
		ph.Stalled = r.Stall.String()
	}
	return ph
}

// healthHandler serves the pipelines' freshness as JSON. The liveness
// check (/healthz) fails only on stale stats: a pipeline that has not
// reported yet is starting, not dead, and a stalled one waits for a
// ledger that a restart would not bring. The readiness check (/readyz)
// also fails until every pipeline has a component that reported, and
// while a pipeline is stalled.
func healthHandler(pipelines []*runtime.PipelineStats, readiness bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		resp := healthResponse(pipelines)
		code := http.StatusOK
		if resp.Status == StatusStale || readiness && resp.Status != StatusOK {
			code = http.StatusServiceUnavailable
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(code)
		if r.Method == http.MethodGet {
			_ = json.NewEncoder(w).Encode(resp)
		}
	})
}
