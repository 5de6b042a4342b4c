package runner

import (
	"bytes"
	"context"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/cdpstats/cdpstats/components/cdp"
)

// resumingSource records where it was told to resume.
type resumingSource struct {
	after   uint32
	resumed bool
}

func (s *resumingSource) Run(context.Context) error { return nil }
func (s *resumingSource) Subscribe(cdp.Processor)   {}
func (s *resumingSource) ResumeAfter(ledger uint32) { s.after, s.resumed = ledger, true }

// plainConsumer keeps no checkpoint.
type plainConsumer struct{}

func (plainConsumer) Process(context.Context, cdp.Message) error { return nil }
func (plainConsumer) Subscribe(cdp.Processor)                    {}
func (plainConsumer) Close() error                               { return nil }

// checkpointConsumer has a checkpoint when ok.
type checkpointConsumer struct {
	plainConsumer
	last uint32
	ok   bool
}

func (c checkpointConsumer) Checkpoint() (uint32, bool) { return c.last, c.ok }

func TestPipelineResume(t *testing.T) {
	tests := []struct {
		name      string
		consumers []cdp.Consumer
		resumed   bool
		after     uint32
		log       string
	}{
		{"no consumer keeps checkpoints", []cdp.Consumer{plainConsumer{}}, false, 0, ""},
		{"no checkpoint yet", []cdp.Consumer{checkpointConsumer{}}, false, 0, ""},
		{"one checkpoint", []cdp.Consumer{checkpointConsumer{last: 500, ok: true}}, true, 500,
			`msg="resuming after ledger 500 (checkpoints: c0=500)" pipeline=p`},
		{"the lowest checkpoint", []cdp.Consumer{checkpointConsumer{last: 500, ok: true}, checkpointConsumer{last: 420, ok: true}}, true, 420,
			`msg="resuming after ledger 420 (checkpoints: c0=500, c1=420)" pipeline=p`},
		{"a consumer without one", []cdp.Consumer{checkpointConsumer{last: 500, ok: true}, checkpointConsumer{}, plainConsumer{}}, false, 0,
			`msg="starting at the configured start: no checkpoint for c1, c2 (checkpoints: c0=500, c1=none, c2=none)" pipeline=p`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := &resumingSource{}
			p := &pipeline{cfg: &PipelineConfig{Name: "p"}, source: &timedSource{Source: src}}
			for _, c := range tt.consumers {
				p.consumers = append(p.consumers, &timedConsumer{c: c})
			}
			for i := range tt.consumers {
				p.cfg.Consumers = append(p.cfg.Consumers, ComponentConfig{Type: "T", ID: "c" + string(rune('0'+i))})
			}
			var logs bytes.Buffer
			p.resume(slog.New(slog.NewTextHandler(&logs, nil)))
			assert.Equal(t, tt.resumed, src.resumed)
			assert.Equal(t, tt.after, src.after)
			if tt.log == "" {
				assert.Empty(t, logs.String())
			} else {
				assert.Contains(t, logs.String(), tt.log)
			}
		})
	}
}
