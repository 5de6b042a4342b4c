//go:build !cdpstats_count

package runtime

// Counting reports whether this build counts the recording work
// ([RecordedWork]). Build with -tags cdpstats_count to count it.
const Counting = false

// count counts one recording operation; this build counts nothing, and
// the compiler removes the call.
func count(workOp) {}

// RecordedWork returns the recording work of the process so far; this
// build counts nothing, so it is always zero.
func RecordedWork() RecordingWork { return RecordingWork{} }
