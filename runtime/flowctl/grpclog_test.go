package flowctl_test

import (
	"bytes"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"google.golang.org/grpc/grpclog"

	"github.com/cdpstats/cdpstats/runtime/flowctl"
)

func TestGRPCLogger(t *testing.T) {
	tests := []struct {
		name  string
		log   func(l grpclog.LoggerV2)
		level slog.Level
		want  string
	}{
		{"info is debug", func(l grpclog.LoggerV2) {
			l.Info("picked ", "pick_first")
		}, slog.LevelDebug, `level=DEBUG msg="picked pick_first" component=grpc` + "\n"},
		{"info is dropped above debug", func(l grpclog.LoggerV2) {
			l.Info("chatty")
		}, slog.LevelInfo, ""},
		{"warning", func(l grpclog.LoggerV2) {
			l.Warningf("retry %d", 2)
		}, slog.LevelInfo, `level=WARN msg="retry 2" component=grpc` + "\n"},
		{"error", func(l grpclog.LoggerV2) {
			l.Errorln("bad", "thing")
		}, slog.LevelError, `level=ERROR msg="bad thing" component=grpc` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			h := slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: tt.level, ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
				if a.Key == slog.TimeKey {
					return slog.Attr{}
				}
				return a
			}})
			l := flowctl.GRPCLogger(slog.New(h))
			tt.log(l)
			assert.Equal(t, tt.want, buf.String())
			assert.Equal(t, tt.level == slog.LevelDebug, l.V(0))
			assert.False(t, l.V(1))
		})
	}
}
