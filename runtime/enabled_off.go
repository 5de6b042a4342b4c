//go:build cdpstats_off

package runtime

// Enabled reports whether recording is compiled in; this build has
// `-tags cdpstats_off`, so every recording call is a no-op.
const Enabled = false
