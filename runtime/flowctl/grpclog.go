package flowctl

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"google.golang.org/grpc/grpclog"
)

// GRPCLogger returns a grpclog.LoggerV2 that writes gRPC's own logs to l,
// so that they take the process's format and level instead of gRPC's
// default, plain text on stderr: gRPC's errors at ERROR, its warnings at
// WARN and its info, which is chatty, at DEBUG, each with the attribute
// component=grpc. Install it once, before any gRPC call, with
// grpclog.SetLoggerV2.
func GRPCLogger(l *slog.Logger) grpclog.LoggerV2 {
	return grpcLogger{l.With("component", "grpc")}
}

type grpcLogger struct{ l *slog.Logger }

func (g grpcLogger) log(level slog.Level, msg string) {
	g.l.Log(context.Background(), level, msg)
}

// Info logs at DEBUG, as do Infoln and Infof.
func (g grpcLogger) Info(args ...any) { g.log(slog.LevelDebug, fmt.Sprint(args...)) }

// Infoln logs at DEBUG.
func (g grpcLogger) Infoln(args ...any) { g.log(slog.LevelDebug, sprintln(args...)) }

// Infof logs at DEBUG.
func (g grpcLogger) Infof(format string, args ...any) {
	g.log(slog.LevelDebug, fmt.Sprintf(format, args...))
}

// Warning logs at WARN, as do Warningln and Warningf.
func (g grpcLogger) Warning(args ...any) { g.log(slog.LevelWarn, fmt.Sprint(args...)) }

// Warningln logs at WARN.
func (g grpcLogger) Warningln(args ...any) { g.log(slog.LevelWarn, sprintln(args...)) }

// Warningf logs at WARN.
func (g grpcLogger) Warningf(format string, args ...any) {
	g.log(slog.LevelWarn, fmt.Sprintf(format, args...))
}

// Error logs at ERROR, as do Errorln and Errorf.
func (g grpcLogger) Error(args ...any) { g.log(slog.LevelError, fmt.Sprint(args...)) }

// Errorln logs at ERROR.
func (g grpcLogger) Errorln(args ...any) { g.log(slog.LevelError, sprintln(args...)) }

// Errorf logs at ERROR.
func (g grpcLogger) Errorf(format string, args ...any) {
	g.log(slog.LevelError, fmt.Sprintf(format, args...))
}

// Fatal logs at ERROR and exits with status 1, as gRPC requires, as do
// Fatalln and Fatalf.
func (g grpcLogger) Fatal(args ...any) { g.Error(args...); os.Exit(1) }

// Fatalln logs at ERROR and exits with status 1.
func (g grpcLogger) Fatalln(args ...any) { g.Errorln(args...); os.Exit(1) }

// Fatalf logs at ERROR and exits with status 1.
func (g grpcLogger) Fatalf(format string, args ...any) { g.Errorf(format, args...); os.Exit(1) }

// V reports whether gRPC's verbosity level l is enabled: only level 0,
// and only when the logger takes DEBUG.
func (g grpcLogger) V(l int) bool {
	return l <= 0 && g.l.Enabled(context.Background(), slog.LevelDebug)
}

// sprintln is fmt.Sprintln without the trailing newline.
func sprintln(args ...any) string {
	s := fmt.Sprintln(args...)
	return s[:len(s)-1]
}
