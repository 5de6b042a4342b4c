package postgres

import "strings"

// redactedError is an error whose message has the password scrubbed out.
// It keeps the cause for errors.Is and errors.As, whose own messages a
// caller should not print.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// redact returns err with every occurrence of secret in its message
// replaced. pgx already masks passwords in the connection strings it
// quotes; this also covers messages that echo a password some other way.
func redact(err error, secret string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if secret != "" {
		msg = strings.ReplaceAll(msg, secret, "xxxxx")
	}
	return &redactedError{msg: msg, err: err}
}
