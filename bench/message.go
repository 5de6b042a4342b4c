package bench

import "time"

// Message is one unit of work as a Processor and its Prometheus twin
// record it.
type Message struct {
	Bytes    uint64
	Filtered bool
	Failed   bool
	At       time.Time
	Latency  time.Duration
}

// messageEpoch is the time of message 0; later messages are 1 ms apart.
var messageEpoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// MessageAt returns the i-th message of a deterministic stream: a quarter
// filtered, about 1% failed, sizes from 200 to 2000 bytes, and the
// latencies of [Latencies].
func MessageAt(i int) Message {
	return Message{
		Bytes:    200 + uint64(i*37)%1800,
		Filtered: i%4 == 0,
		Failed:   i%97 == 0,
		At:       messageEpoch.Add(time.Duration(i) * time.Millisecond),
		Latency:  Latencies.Durations[i&SampleMask],
	}
}
