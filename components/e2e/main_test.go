package e2e

import (
	"os"
	"testing"

	"github.com/cdpstats/cdpstats/internal/testfixtures/pgtest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	pgtest.StopShared()
	os.Exit(code)
}
