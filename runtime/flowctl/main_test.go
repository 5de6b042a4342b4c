package flowctl_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package when any test leaves a goroutine behind: the
// client's, gRPC's or the control plane's.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
