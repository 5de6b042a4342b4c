package markers

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// WriteHelp writes the help for every marker, kind and option, from the
// same tables the parser uses. It is what statsgen -markers prints.
func WriteHelp(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	p := func(format string, args ...any) { fmt.Fprintf(tw, format, args...) }

	p("MARKERS\n\n")
	for _, v := range verbs {
		p("%s\n", v.syntax)
		p("    %s\n\n", v.help)
	}

	p("//cdp:component OPTIONS\n\n")
	for _, o := range componentOptions {
		p("  %s\t%s%s\n", o.syntax, o.help, requiredNote(o.required))
	}
	p("\n")

	p("//cdp:stat KINDS (X is the CamelCase of the stat name)\n\n")
	for _, k := range kinds {
		p("  %s\t%s\n", k.kind, k.help)
		helpers := k.helpers
		if len(helpers) == 0 {
			helpers = []string{"none"}
		}
		for i, h := range helpers {
			label := ""
			if i == 0 {
				label = "helpers:"
			}
			p("  \t  %-9s%s\n", label, h)
		}
		p("  \t  %-9s%s\n", "keys:", k.keys)
		var own []string
		for _, o := range statOptions {
			if o.kinds != nil && o.appliesTo(k.kind) {
				own = append(own, o.syntax)
			}
		}
		if len(own) > 0 {
			p("  \t  %-9s%s\n", "options:", strings.Join(own, " "))
		}
	}
	p("\n")

	p("//cdp:stat OPTIONS\n\n")
	for _, o := range statOptions {
		scope := "every kind"
		if o.kinds != nil {
			scope = kindList(o.kinds)
		}
		p("  %s\t%s For: %s.%s\n", o.syntax, o.help, scope, requiredNote(o.required))
	}
	p("\n")

	p("NOTES\n\n")
	p("  X in helper names is the CamelCase of the stat name: messages_processed gives\n")
	p("  RecordMessagesProcessed. Values with spaces are quoted Go strings: help=\"Payments seen\".\n")
	p("  The names %q and %q are reserved: the pipeline adds them to every component.\n",
		reservedNames[0], reservedNames[1])
	p("  A labelled counter, such as\n")
	p("    //cdp:stat counter name=payments_by_operation label=operation values=payment,path_payment\n")
	p("  has the helpers RecordPaymentsByOperationPayment(), RecordPaymentsByOperation(\"payment\")\n")
	p("  and so on, and the keys payments_by_operation_payment and\n")
	p("  payments_by_operation_path_payment; Prometheus gets one counter\n")
	p("  payments_by_operation_total with a label operation. Its label may\n")
	p("  not be %s, and a ratio cannot divide it.\n", strings.Join(ReservedLabels, ", "))
	return tw.Flush()
}

func requiredNote(required bool) string {
	if required {
		return " Required."
	}
	return ""
}
