package runner_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package when any test leaves a goroutine behind: Run
// must stop every collector, exporter, gRPC connection and backend it
// started, whatever way it ends.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		// Started by an init function of OpenCensus, which the SDK's cloud
		// datastores import; it lives as long as the process.
		goleak.IgnoreTopFunction("go.opencensus.io/stats/view.(*worker).start"),
	)
}
