package runtime

import "testing"

// requireRecording skips tests that check recorded values in a build with
// -tags cdpstats_off, where recording is compiled out.
func requireRecording(t testing.TB) {
	t.Helper()
	if !Enabled {
		t.Skip("recording is compiled out by -tags cdpstats_off")
	}
}
