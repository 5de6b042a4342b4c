package config

import (
	"fmt"
	"sort"
	"strings"
)

// KeyError is a problem with one config key.
type KeyError struct {
	// Key is the config key, as written in the config map.
	Key string
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
	var b strings.Builder
	if e.Unknown {
		fmt.Fprintf(&b, "unknown config key %q", e.Key)
		if e.Suggestion != "" {
			fmt.Fprintf(&b, "; did you mean %q?", e.Suggestion)
		}
		if len(e.Valid) > 0 {
			fmt.Fprintf(&b, " (valid keys: %s)", strings.Join(e.Valid, ", "))
		}
		return b.String()
	}
	fmt.Fprintf(&b, "config key %q: %s", e.Key, e.Msg)
	return b.String()
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

// Errors is every problem found in one config map, sorted by key. It is
// returned as an error only when it is not empty.
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

// Err returns es as an error sorted by key, or nil when es is empty.
func (es Errors) Err() error {
	if len(es) == 0 {
		return nil
	}
	sort.SliceStable(es, func(i, j int) bool { return es[i].Key < es[j].Key })
	return es
}
