package config

import (
	"fmt"
	"sort"
	"strings"

	"github.com/cdpstats/cdpstats/internal/suggest"
)

// Pos is a line and column in a config file, 1-based; the zero Pos means
// the place is not known (the value came from a plain map).
type Pos struct{ Line, Column int }

// Less orders positions in file order.
func (p Pos) Less(q Pos) bool {
	return p.Line < q.Line || (p.Line == q.Line && p.Column < q.Column)
}

// KeyError is a problem with one config key.
type KeyError struct {
	// Key is the config key as written in the config map, or the dotted
	// path of a nested key, such as "tls.ca_file".
	Key string
	// Pos is where the key (for unknown and duplicate keys) or its value is
	// written; zero when decoded from a plain map.
	Pos Pos
	// Msg says what is wrong, without the key: "must be a positive integer".
	Msg string
	// Unknown is true when the key is not a key of the component at all.
	Unknown bool
	// Suggestion is the valid key nearest to an unknown Key, or "".
	Suggestion string
	// Valid lists every valid key, for unknown keys.
	Valid []string
	// Err is the underlying cause, if any.
	Err error
}

// Error returns a one-line message that names the key.
func (e *KeyError) Error() string {
	if e.Unknown {
		return fmt.Sprintf("unknown config key %q", e.Key) + suggest.Format(e.Suggestion, e.Valid)
	}
	return fmt.Sprintf("config key %q: %s", e.Key, e.Msg)
}

// Detail is the message without the key path, for callers that show the
// path themselves (as "file:line:col: path: detail"). For an unknown key
// it names the key as written, the suggestion and the valid keys.
func (e *KeyError) Detail() string {
	if !e.Unknown {
		return e.Msg
	}
	return fmt.Sprintf("unknown key %q", e.name()) + suggest.Format(e.Suggestion, e.Valid)
}

// name is the last element of the key path: the key as written.
func (e *KeyError) name() string {
	return e.Key[strings.LastIndex(e.Key, ".")+1:]
}

// Unwrap returns the underlying cause.
func (e *KeyError) Unwrap() error { return e.Err }

// Errorf returns a KeyError for key with a formatted message. Components use
// it for checks that Decode cannot do, such as a range that must be
// ordered. A %w verb in format sets Err.
func Errorf(key, format string, args ...interface{}) *KeyError {
	err := fmt.Errorf(format, args...)
	return &KeyError{Key: key, Msg: err.Error(), Err: unwrapOnce(err)}
}

func unwrapOnce(err error) error {
	if u, ok := err.(interface{ Unwrap() error }); ok {
		return u.Unwrap()
	}
	return nil
}

// Errors is every problem found in one config map, in file order when the
// positions are known and else by key. It is returned as an error only
// when it is not empty.
type Errors []*KeyError

// Error joins the messages of all errors, one per line.
func (es Errors) Error() string {
	msgs := make([]string, len(es))
	for i, e := range es {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
}

// Unwrap returns the errors, so that errors.As finds a *KeyError in them.
func (es Errors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// Err returns es as an error in file order and then by key, or nil when
// es is empty.
func (es Errors) Err() error {
	if len(es) == 0 {
		return nil
	}
	sort.SliceStable(es, func(i, j int) bool {
		if es[i].Pos != es[j].Pos {
			return es[i].Pos.Less(es[j].Pos)
		}
		return es[i].Key < es[j].Key
	})
	return es
}
