package markers_test

import (
	"reflect"
	"testing"

	"github.com/cdpstats/cdpstats/internal/statsgen/markers"
)

// FuzzParse checks that the parser never panics, that every error points
// inside the comment, and that a marker that parses cleanly survives a
// round trip through its canonical form. The seed corpus is in
// testdata/fuzz/FuzzParse, plus the seeds below.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"//cdp:component kind=processor name=FilterPayments",
		`//cdp:stat counter   name=messages_processed help="Payments examined"`,
		"//cdp:stat ratio name=filter_ratio num=messages_filtered den=messages_processed",
		"//cdp:stat gauge name=buffer_size field=cfg.BufferSize",
		"//cdp:stat gauge name=open_connections func=openConnections",
		"//cdp:stat timestamp name=last_processed_at unit=s",
		"//cdp:stat latency name=process_latency",
		"//cdp:stat counter name=payments_by_type label=operation values=payment,path_payment_strict_send unit=payments",
		`//cdp:stat counter name=by_kind label=kind values="a,b,c"`,
		"//cdp:stat counter name=x label=operation values=a,,b,",
		"//cdp:catalog",
		`//cdp:stat counter name=x help="unterminated`,
		`//cdp:stat counter name=x help="a\"b" unit="\u00e9"`,
		"//cdp:stat countr name=X hlp=y num=",
		"//cdp:",
		"//cdp:stat",
		"//cdp:stat =",
		`//cdp:stat counter name="" help=""`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, comment string) {
		m, errs := markers.Parse(comment)
		for _, e := range errs {
			if e.Offset < 0 || e.Offset > len(comment) {
				t.Fatalf("error offset %d outside the comment of %d bytes: %v", e.Offset, len(comment), e)
			}
			if e.Msg == "" {
				t.Fatalf("error without a message at offset %d", e.Offset)
			}
		}
		if len(errs) > 0 {
			return
		}
		if m == nil {
			t.Fatalf("no marker and no error for %q", comment)
		}
		canonical := m.String()
		again, errs := markers.Parse(canonical)
		if len(errs) > 0 {
			t.Fatalf("canonical form %q of %q does not parse: %v", canonical, comment, errs)
		}
		if again.String() != canonical {
			t.Fatalf("canonical form is not stable: %q, then %q", canonical, again.String())
		}
		if !sameMarker(m, again) {
			t.Fatalf("round trip changed the marker:\n%#v\n%#v", m, again)
		}
	})
}

// sameMarker compares two markers without their offsets.
func sameMarker(a, b markers.Marker) bool {
	return reflect.DeepEqual(stripOffsets(a), stripOffsets(b))
}

func stripOffsets(m markers.Marker) markers.Marker {
	clear := func(v *markers.Value) { v.Offset = 0 }
	switch m := m.(type) {
	case *markers.Component:
		c := *m
		c.Offset = 0
		clear(&c.Kind)
		clear(&c.Name)
		return &c
	case *markers.Stat:
		s := *m
		s.Offset, s.KindOffset = 0, 0
		for _, v := range []*markers.Value{&s.Name, &s.Help, &s.Unit, &s.Field, &s.Func, &s.Num, &s.Den, &s.Label, &s.Values} {
			clear(v)
		}
		s.LabelValues = append([]markers.Value(nil), s.LabelValues...)
		for i := range s.LabelValues {
			clear(&s.LabelValues[i])
		}
		return &s
	case *markers.Catalog:
		return &markers.Catalog{}
	}
	return m
}
