// Package registry maps the component type names of a pipeline config to
// the constructors of this project's components, so that a runner can
// build a pipeline from YAML.
package registry

import (
	"fmt"
	"sort"
	"strings"

	"github.com/cdpstats/cdpstats/components/cdp"
	"github.com/cdpstats/cdpstats/components/config"
	"github.com/cdpstats/cdpstats/components/consumer/jsonlines"
	"github.com/cdpstats/cdpstats/components/consumer/postgres"
	"github.com/cdpstats/cdpstats/components/processor/contractevent"
	"github.com/cdpstats/cdpstats/components/processor/filterpayments"
	"github.com/cdpstats/cdpstats/components/processor/ledgerreader"
	"github.com/cdpstats/cdpstats/components/source/bufferedstorage"
)

// Kind is where a component sits in a pipeline.
type Kind string

// The component kinds, as in a pipeline config's sections.
const (
	KindSource    Kind = "source"
	KindProcessor Kind = "processor"
	KindConsumer  Kind = "consumer"
)

// Entry describes one component type.
type Entry struct {
	// Type is the config `type` name, such as "FilterPayments".
	Type string
	Kind Kind
	// Summary is one line on what the component does.
	Summary string
	// Validate checks a config map without building anything: no file is
	// opened and no connection is made. Errors are *config.KeyError values,
	// or config.Errors, that name the key.
	Validate func(cfg map[string]interface{}) error
	// New builds the component from its config map. The result is a
	// cdp.Source, cdp.Processor or cdp.Consumer according to Kind. Like
	// Validate it touches nothing: a component that opens files or
	// connects does so in Start (cdp.Starter), which the caller must call
	// before running it.
	New func(cfg map[string]interface{}) (interface{}, error)
	// Destinations returns where a consumer of this config map writes,
	// without building anything, so that a runner can refuse two
	// consumers that would clobber each other. Nil for components that
	// write nowhere another consumer could.
	Destinations func(cfg map[string]interface{}) ([]cdp.Destination, error)
}

// validator adapts a package's ParseConfig to Entry.Validate.
func validator[C any](parse func(map[string]interface{}) (C, error)) func(map[string]interface{}) error {
	return func(cfg map[string]interface{}) error {
		_, err := parse(cfg)
		return err
	}
}

// all is every component this project provides.
var all = []Entry{
	{Type: "BufferedStorageSourceAdapter", Kind: KindSource,
		Summary:  "reads ledgers from a galexie datastore (Filesystem, GCS or S3)",
		Validate: validator(bufferedstorage.ParseConfig),
		New:      func(cfg map[string]interface{}) (interface{}, error) { return bufferedstorage.New(cfg) }},
	{Type: "LedgerReader", Kind: KindProcessor,
		Summary:  "emits each transaction of a ledger as its own message, for the processors after it",
		Validate: validator(ledgerreader.ParseConfig),
		New:      func(cfg map[string]interface{}) (interface{}, error) { return ledgerreader.New(cfg) }},
	{Type: "FilterPayments", Kind: KindProcessor,
		Summary:  "emits the payments of successful transactions, filtered by asset and minimum amount",
		Validate: validator(filterpayments.ParseConfig),
		New:      func(cfg map[string]interface{}) (interface{}, error) { return filterpayments.New(cfg) }},
	{Type: "ContractEvent", Kind: KindProcessor,
		Summary:  "emits the contract events of successful transactions, filtered by contract",
		Validate: validator(contractevent.ParseConfig),
		New:      func(cfg map[string]interface{}) (interface{}, error) { return contractevent.New(cfg) }},
	{Type: "SaveToPostgreSQL", Kind: KindConsumer,
		Summary:      "writes payments and contract events to PostgreSQL in batches",
		Validate:     validator(postgres.ParseConfig),
		New:          func(cfg map[string]interface{}) (interface{}, error) { return postgres.New(cfg) },
		Destinations: postgres.Destinations},
	{Type: "StdoutConsumer", Kind: KindConsumer,
		Summary:  "writes each message to standard output as a JSON line",
		Validate: validator(jsonlines.ParseStdoutConfig),
		New:      func(cfg map[string]interface{}) (interface{}, error) { return jsonlines.NewStdout(cfg) }},
	{Type: "SaveToJSONFile", Kind: KindConsumer,
		Summary:  "writes each message to a file as a JSON line",
		Validate: validator(jsonlines.ParseFileConfig),
		New:      func(cfg map[string]interface{}) (interface{}, error) { return jsonlines.NewFile(cfg) },
		Destinations: func(cfg map[string]interface{}) ([]cdp.Destination, error) {
			d, err := jsonlines.FileDestination(cfg)
			if err != nil {
				return nil, err
			}
			return []cdp.Destination{d}, nil
		}},
}

// entries indexes all by type name.
var entries = func() map[string]Entry {
	m := make(map[string]Entry, len(all))
	for _, e := range all {
		m[e.Type] = e
	}
	return m
}()

// Entries returns every component type, in a stable order.
func Entries() []Entry { return append([]Entry(nil), all...) }

// Types returns the type names of one kind, sorted; an empty kind means
// every kind.
func Types(kind Kind) []string {
	var names []string
	for _, e := range entries {
		if kind == "" || e.Kind == kind {
			names = append(names, e.Type)
		}
	}
	sort.Strings(names)
	return names
}

// UnknownTypeError is returned for a type name that is not registered, or
// not of the kind asked for.
type UnknownTypeError struct {
	Type string
	Kind Kind
	// Actual is the kind of Type when it exists but is of another kind.
	Actual Kind
	// Suggestion is the nearest valid type name of Kind, or "".
	Suggestion string
	// Valid lists the type names of Kind.
	Valid []string
}

// Error names the type, the nearest valid one and the valid choices.
func (e *UnknownTypeError) Error() string {
	var b strings.Builder
	if e.Actual != "" {
		fmt.Fprintf(&b, "%s is a %s, not a %s", e.Type, e.Actual, e.Kind)
	} else {
		fmt.Fprintf(&b, "unknown %s type %q", e.Kind, e.Type)
	}
	if e.Suggestion != "" {
		fmt.Fprintf(&b, "; did you mean %q?", e.Suggestion)
	}
	fmt.Fprintf(&b, " (valid %s types: %s)", e.Kind, strings.Join(e.Valid, ", "))
	return b.String()
}

// Lookup returns the entry for a type name of the given kind.
func Lookup(kind Kind, typ string) (Entry, error) {
	if e, ok := entries[typ]; ok && e.Kind == kind {
		return e, nil
	}
	valid := Types(kind)
	err := &UnknownTypeError{Type: typ, Kind: kind, Suggestion: config.Suggest(typ, valid), Valid: valid}
	if e, ok := entries[typ]; ok {
		err.Actual = e.Kind
	}
	return Entry{}, err
}

// NewSource builds the source of type typ from its config map.
func NewSource(typ string, cfg map[string]interface{}) (cdp.Source, error) {
	c, err := build(KindSource, typ, cfg)
	if err != nil {
		return nil, err
	}
	return c.(cdp.Source), nil
}

// NewProcessor builds the processor of type typ from its config map.
func NewProcessor(typ string, cfg map[string]interface{}) (cdp.Processor, error) {
	c, err := build(KindProcessor, typ, cfg)
	if err != nil {
		return nil, err
	}
	return c.(cdp.Processor), nil
}

// NewConsumer builds the consumer of type typ from its config map.
func NewConsumer(typ string, cfg map[string]interface{}) (cdp.Consumer, error) {
	c, err := build(KindConsumer, typ, cfg)
	if err != nil {
		return nil, err
	}
	return c.(cdp.Consumer), nil
}

func build(kind Kind, typ string, cfg map[string]interface{}) (interface{}, error) {
	e, err := Lookup(kind, typ)
	if err != nil {
		return nil, err
	}
	if cfg == nil {
		cfg = map[string]interface{}{}
	}
	return e.New(cfg)
}
