package promexport_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package when a test leaves a goroutine behind, such
// as an HTTP server that did not shut down.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
