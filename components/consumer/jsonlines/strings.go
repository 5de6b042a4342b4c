package jsonlines

import (
	"github.com/cdpstats/cdpstats/components/internal/lossless"
	"github.com/cdpstats/cdpstats/components/processor/contractevent"
	"github.com/cdpstats/cdpstats/components/processor/filterpayments"
)

// losslessPayload returns the payload to marshal for p: p itself, or, for
// a payment or a contract event holding a string that JSON cannot carry
// (bytes that are not UTF-8) or that SaveToPostgreSQL could not store
// (NUL), a copy with such strings in the base64 form of package lossless,
// the form SaveToPostgreSQL writes. The raw XDR fields stay as they are.
func losslessPayload(p interface{}) interface{} {
	switch x := p.(type) {
	case contractevent.Event:
		if unsafeEvent(&x) {
			return losslessEvent(&x)
		}
	case *contractevent.Event:
		if x != nil && unsafeEvent(x) {
			return losslessEvent(x)
		}
	case filterpayments.Payment:
		if unsafePayment(&x) {
			return losslessPayment(&x)
		}
	case *filterpayments.Payment:
		if x != nil && unsafePayment(x) {
			return losslessPayment(x)
		}
	}
	return p
}

func unsafeEvent(e *contractevent.Event) bool {
	return !lossless.Safe(e.ContractID) || lossless.Unsafe(e.Topics) || lossless.Unsafe(e.Data)
}

func unsafePayment(p *filterpayments.Payment) bool {
	for _, s := range []string{p.OperationType, p.From, p.To, p.Asset, p.SourceAsset} {
		if !lossless.Safe(s) {
			return true
		}
	}
	return false
}

func losslessEvent(e *contractevent.Event) *contractevent.Event {
	out := *e
	out.ContractID = lossless.Text(e.ContractID)
	if topics, ok := lossless.JSON(e.Topics).([]interface{}); ok {
		out.Topics = topics
	}
	out.Data = lossless.JSON(e.Data)
	return &out
}

func losslessPayment(p *filterpayments.Payment) *filterpayments.Payment {
	out := *p
	for _, s := range []*string{&out.OperationType, &out.From, &out.To, &out.Asset, &out.SourceAsset} {
		*s = lossless.Text(*s)
	}
	return &out
}
