// Package prometheus holds the example alerting rules; its test checks them
// with promtool.
package prometheus

import (
	"os/exec"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/cdpstats/cdpstats/internal/testfixtures/promtest"
)

// TestRules runs promtool's checks of rules.yml and its unit tests in
// rules_test.yml, in which every alert fires and clears. Without promtool
// it skips, except under CI=true, where it fails.
func TestRules(t *testing.T) {
	promtool := promtest.Promtool(t)
	tests := []struct {
		name string
		args []string
	}{
		{name: "check", args: []string{"check", "rules", "rules.yml"}},
		{name: "unit tests", args: []string{"test", "rules", "rules_test.yml"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := exec.Command(promtool, tt.args...).CombinedOutput()
			assert.NoError(t, err, "promtool %v:\n%s", tt.args, out)
		})
	}
}
