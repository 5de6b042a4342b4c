//go:build !cdpstats_off

package runtime

// Enabled reports whether recording is compiled in. Build with
// `-tags cdpstats_off` to turn every Record/Add/Set/Mark/Observe into a
// no-op that the compiler removes, for measuring what stats cost.
const Enabled = true
