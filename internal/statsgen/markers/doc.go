// Package markers parses the //cdp: comments that drive statsgen.
//
// A marker is one line comment that starts with "//cdp:" and a verb:
//
//	//cdp:component kind=processor name=FilterPayments
//	//cdp:stat counter name=messages_processed help="Payments examined"
//	//cdp:catalog
//
// The grammar, in EBNF over the text of the comment:
//
//	marker = "//cdp:" verb { space arg } [ space ] .
//	arg    = word | key "=" value .
//	value  = bare | quoted .
//	bare   = non-space bytes, without '"' .
//	quoted = a Go interpreted string literal, such as "Payments \"seen\"" .
//
// A //cdp:stat marker takes the stat kind as its first arg, a bare word;
// every other arg is a key=value option. Which verbs, kinds and options
// exist, and which option belongs to which kind, is defined in one table
// (see [Verbs] and [Kinds]), which also produces the -markers help, so the
// parser and its documentation cannot drift apart.
//
// Parse checks everything that can be checked from the comment alone:
// unknown verbs, kinds and options (with a "did you mean" hint), missing
// and duplicate options, and the syntax of every value. Checks that need
// the surrounding Go code, such as whether a field= path exists, are done
// by the model package. Every error carries the byte offset of the
// offending token in the comment, so callers can point at the exact column.
package markers
