// Package registry maps the component type names of a pipeline config to
// the constructors of this project's components, so that a runner can
// build a pipeline from YAML.
package registry

import (
	"fmt"
	"sort"
	"strings"

	"github.com/cdpstats/cdpstats/components/cdp"
	"github.com/cdpstats/cdpstats/components/consumer/jsonlines"
	"github.com/cdpstats/cdpstats/components/consumer/postgres"
	"github.com/cdpstats/cdpstats/components/processor/contractevent"
	"github.com/cdpstats/cdpstats/components/processor/filterpayments"
	"github.com/cdpstats/cdpstats/components/processor/ledgerreader"
	"github.com/cdpstats/cdpstats/components/source/bufferedstorage"
	"github.com/cdpstats/cdpstats/internal/suggest"
	"github.com/cdpstats/cdpstats/runtime"
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
	// Type is the config `type` name, such as "FilterPayments": the type of
	// Desc.
	Type string
	// Kind is the kind of Desc.
	Kind Kind
	// Desc describes the component's stats: what its StatsDesc returns.
	Desc *runtime.ComponentDesc
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

// entry returns the entry of the component that desc describes, its type
// and kind taken from desc, which statsgen generates from the
// //cdp:component marker.
func entry(desc *runtime.ComponentDesc, summary string, validate func(map[string]interface{}) error,
	build func(map[string]interface{}) (interface{}, error)) Entry {
	return Entry{Type: desc.Type, Kind: Kind(desc.Kind), Desc: desc, Summary: summary, Validate: validate, New: build}
}

// withDestinations sets e.Destinations to destinations.
func withDestinations(e Entry, destinations func(map[string]interface{}) ([]cdp.Destination, error)) Entry {
	e.Destinations = destinations
	return e
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
	entry((*bufferedstorage.BufferedStorageSourceAdapter)(nil).StatsDesc(),
		"reads ledgers from a galexie datastore (Filesystem, GCS or S3)",
		validator(bufferedstorage.ParseConfig),
		func(cfg map[string]interface{}) (interface{}, error) { return bufferedstorage.New(cfg) }),
	entry((*ledgerreader.LedgerReader)(nil).StatsDesc(),
		"emits each transaction of a ledger as its own message, for the processors after it",
		validator(ledgerreader.ParseConfig),
		func(cfg map[string]interface{}) (interface{}, error) { return ledgerreader.New(cfg) }),
	entry((*filterpayments.FilterPayments)(nil).StatsDesc(),
		"emits the payments of successful transactions, filtered by asset and minimum amount",
		validator(filterpayments.ParseConfig),
		func(cfg map[string]interface{}) (interface{}, error) { return filterpayments.New(cfg) }),
	entry((*contractevent.ContractEvent)(nil).StatsDesc(),
		"emits the contract events of successful transactions, filtered by contract",
		validator(contractevent.ParseConfig),
		func(cfg map[string]interface{}) (interface{}, error) { return contractevent.New(cfg) }),
	withDestinations(entry((*postgres.SaveToPostgreSQL)(nil).StatsDesc(),
		"writes payments and contract events to PostgreSQL in batches",
		validator(postgres.ParseConfig),
		func(cfg map[string]interface{}) (interface{}, error) { return postgres.New(cfg) }),
		postgres.Destinations),
	entry((*jsonlines.StdoutConsumer)(nil).StatsDesc(),
		"writes each message to standard output as a JSON line",
		validator(jsonlines.ParseStdoutConfig),
		func(cfg map[string]interface{}) (interface{}, error) { return jsonlines.NewStdout(cfg) }),
	withDestinations(entry((*jsonlines.SaveToJSONFile)(nil).StatsDesc(),
		"writes each message to a file as a JSON line",
		validator(jsonlines.ParseFileConfig),
		func(cfg map[string]interface{}) (interface{}, error) { return jsonlines.NewFile(cfg) }),
		func(cfg map[string]interface{}) ([]cdp.Destination, error) {
			d, err := jsonlines.FileDestination(cfg)
			if err != nil {
				return nil, err
			}
			return []cdp.Destination{d}, nil
		}),
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
	err := &UnknownTypeError{Type: typ, Kind: kind, Suggestion: suggest.Nearest(typ, valid), Valid: valid}
	if e, ok := entries[typ]; ok {
		err.Actual = e.Kind
	}
	return Entry{}, err
}
