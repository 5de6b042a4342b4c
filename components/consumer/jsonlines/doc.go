// Package jsonlines provides the JSON lines consumers: StdoutConsumer,
// which writes to standard output, and SaveToJSONFile, which writes to a
// file. Each message's payload becomes one JSON object on one line.
//
// Ledger messages, which processors pass on after their output, are not
// written: they mark the end of a ledger's output, and the consumers flush
// their buffer there, so that output appears ledger by ledger.
package jsonlines

//go:generate go tool statsgen
