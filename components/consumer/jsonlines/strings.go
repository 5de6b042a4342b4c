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
// the form SaveToPostgreSQL writes (lossless.Payment, lossless.Event).
func losslessPayload(p interface{}) interface{} {
	switch x := p.(type) {
	case contractevent.Event:
		if e, changed := lossless.Event(x); changed {
			return e
		}
	case *contractevent.Event:
		if x != nil {
			if e, changed := lossless.Event(*x); changed {
				return e
			}
		}
	case filterpayments.Payment:
		if q, changed := lossless.Payment(x); changed {
			return q
		}
	case *filterpayments.Payment:
		if x != nil {
			if q, changed := lossless.Payment(*x); changed {
				return q
			}
		}
	}
	return p
}
