package cdp

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
)

type recordingProcessor struct {
	name string
	log  *[]string
	err  error
}

func (r recordingProcessor) Process(_ context.Context, msg Message) error {
	*r.log = append(*r.log, r.name+":"+msg.Payload.(string))
	return r.err
}

func (r recordingProcessor) Subscribe(Processor) {}

func TestSubscribersSend(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name    string
		errs    []error
		want    []string
		wantErr error
	}{
		{"none", nil, nil, nil},
		{"in order", []error{nil, nil}, []string{"0:m", "1:m"}, nil},
		{"stops at the first error", []error{nil, boom, nil}, []string{"0:m", "1:m"}, boom},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var log []string
			var s Subscribers
			for i, err := range tt.errs {
				s.Subscribe(recordingProcessor{name: string(rune('0' + i)), log: &log, err: err})
			}
			assert.Equal(t, len(tt.errs), s.Len())
			err := s.Send(context.Background(), Message{Payload: "m"})
			assert.ErrorIs(t, err, tt.wantErr)
			assert.Equal(t, tt.want, log)
		})
	}
}
