package bench

import (
	"context"
	"testing"

	otelmetric "go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
)

// newOTelMeter returns a meter of a real SDK MeterProvider with a
// ManualReader, so instruments record through the SDK's aggregation
// pipeline exactly as in an application, without an exporter running in
// the background. The provider shuts down with the benchmark.
func newOTelMeter(b *testing.B) otelmetric.Meter {
	b.Helper()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	b.Cleanup(func() {
		if err := mp.Shutdown(context.Background()); err != nil {
			b.Error(err)
		}
	})
	return mp.Meter("github.com/cdpstats/cdpstats/bench")
}
