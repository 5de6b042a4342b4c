package runtime

import (
	"bytes"
	goruntime "runtime"
	"testing"
	"time"
)

// requireRecording skips tests that check recorded values in a build with
// -tags cdpstats_off, where recording is compiled out.
func requireRecording(t testing.TB) {
	t.Helper()
	if !Enabled {
		t.Skip("recording is compiled out by -tags cdpstats_off")
	}
}

// requireNoCollectorGoroutines fails t when a goroutine started by this
// package is still running a few seconds after the call: a collector
// that outlives its context. It keeps the module free of a leak-checking
// dependency.
func requireNoCollectorGoroutines(t testing.TB) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		leaked := packageGoroutines()
		if len(leaked) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("goroutines started by package runtime are still running:\n%s", bytes.Join(leaked, []byte("\n\n")))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// packageGoroutines returns the stacks of the goroutines, other than the
// caller's, that were created by a function of this package.
func packageGoroutines() [][]byte {
	buf := make([]byte, 1<<20)
	for {
		n := goruntime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	var leaked [][]byte
	for i, g := range bytes.Split(buf, []byte("\n\n")) {
		if i > 0 && bytes.Contains(g, []byte("\ncreated by github.com/cdpstats/cdpstats/runtime.")) {
			leaked = append(leaked, g)
		}
	}
	return leaked
}
