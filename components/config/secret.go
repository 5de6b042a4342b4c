package config

import (
	"fmt"
	"reflect"
	"strings"
)

// secretWords are the parts of a key that mark its value as a secret, in
// lower case: a key holding one of them, or nested under one that does
// ("auth.user"), never has its value shown in an error.
var secretWords = []string{"password", "passwd", "secret", "token", "dsn", "key", "credential", "auth", "private", "cookie"}

// SecretKey reports whether the value of the key path (dotted, such as
// "tls.ca_file") may be a secret: whether one of its elements contains,
// in any case, password, passwd, secret, token, dsn, key, credential,
// auth, private or cookie. Errors about such a value name only its type.
func SecretKey(path string) bool {
	lower := strings.ToLower(path)
	for _, w := range secretWords {
		if strings.Contains(lower, w) {
			return true
		}
	}
	return false
}

// redacted is the message of an error about a secret value: what the
// value must be, when the message says it before showing the value, and
// the value's type, never the value.
func redacted(msg string, in value) string {
	want, _, found := strings.Cut(msg, ", got ")
	if !found || !strings.HasPrefix(want, "must ") && !strings.HasPrefix(want, "element ") {
		want = "is not valid"
	}
	return fmt.Sprintf("%s, got %s (the value is not shown: the key may hold a secret)", want, typeOf(in))
}

// typeOf names a value's type without showing it.
func typeOf(in value) string {
	if shape, ok := nodeShape(in); ok {
		return shape
	}
	raw, err := in.raw()
	if err != nil {
		return "a value that does not decode"
	}
	switch raw.(type) {
	case nil:
		return "nothing"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case float32, float64:
		return "a number"
	case []interface{}, []string:
		return "a list"
	case map[string]interface{}, map[interface{}]interface{}, map[string]string:
		return "a map"
	}
	switch reflect.ValueOf(raw).Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	}
	return fmt.Sprintf("%T", raw)
}
