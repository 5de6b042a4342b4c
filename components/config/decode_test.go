package config

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

// level is a field type that decodes itself.
type level int

func (l *level) UnmarshalConfig(v interface{}) error {
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("must be low or high, got %T", v)
	}
	switch s {
	case "low":
		*l = 1
	case "high":
		*l = 2
	default:
		return fmt.Errorf("must be low or high, got %q", s)
	}
	return nil
}

type sample struct {
	Name    string        `yaml:"name,required"`
	Enabled bool          `yaml:"enabled"`
	Count   int           `yaml:"count"`
	Small   uint8         `yaml:"small"`
	Big     uint32        `yaml:"big"`
	Signed  int16         `yaml:"signed"`
	Wait    time.Duration `yaml:"wait"`
	Tags    []string      `yaml:"tags"`
	Level   level         `yaml:"level"`
	// Untagged takes no part: "Untagged" is an unknown key.
	Untagged string
	Skipped  string `yaml:"-"`
}

func TestDecode(t *testing.T) {
	tests := []struct {
		name string
		raw  map[string]interface{}
		want sample
	}{
		{"defaults kept", map[string]interface{}{"name": "a"}, sample{Name: "a", Count: 7}},
		{"every type", map[string]interface{}{
			"name": "a", "enabled": true, "count": int64(-3), "small": 255, "big": uint64(4_000_000_000), "signed": -32768,
			"wait": "1m30s", "tags": []interface{}{"x", "y"}, "level": "high",
		}, sample{Name: "a", Enabled: true, Count: -3, Small: 255, Big: 4_000_000_000, Signed: -32768, Wait: 90 * time.Second, Tags: []string{"x", "y"}, Level: 2}},
		{"JSON numbers", map[string]interface{}{"name": "a", "count": float64(12), "wait": float64(3)}, sample{Name: "a", Count: 12, Wait: 3 * time.Second}},
		{"integer seconds", map[string]interface{}{"name": "a", "wait": 5}, sample{Name: "a", Count: 7, Wait: 5 * time.Second}},
		{"nil is absent", map[string]interface{}{"name": "a", "count": nil}, sample{Name: "a", Count: 7}},
		{"[]string", map[string]interface{}{"name": "a", "tags": []string{"z"}}, sample{Name: "a", Count: 7, Tags: []string{"z"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := sample{Count: 7}
			require.NoError(t, Decode(tt.raw, &got))
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name string
		raw  map[string]interface{}
		want []string // one message per error, sorted by key
	}{
		{"unknown key with suggestion", map[string]interface{}{"name": "a", "enabeld": true},
			[]string{`unknown config key "enabeld"; did you mean "enabled"? (valid: big, count, enabled, level, name, signed, small, tags, wait)`}},
		{"unknown key, CamelCase", map[string]interface{}{"name": "a", "Wait": "1s"},
			[]string{`unknown config key "Wait"; did you mean "wait"?`}},
		{"untagged field", map[string]interface{}{"name": "a", "Untagged": "x"},
			[]string{`unknown config key "Untagged"`}},
		{"unknown key, nothing near", map[string]interface{}{"name": "a", "zzzzzzzzzz": 1},
			[]string{`unknown config key "zzzzzzzzzz" (valid:`}},
		{"missing required", map[string]interface{}{}, []string{`config key "name": is required`}},
		{"required but nil", map[string]interface{}{"name": nil}, []string{`config key "name": is required`}},
		{"string for int", map[string]interface{}{"name": "a", "count": "ten"}, []string{`config key "count": must be an integer, got string "ten"`}},
		{"fraction for int", map[string]interface{}{"name": "a", "count": 1.5}, []string{`config key "count": must be an integer, got 1.5`}},
		{"overflow", map[string]interface{}{"name": "a", "small": 256}, []string{`config key "small": 256 is out of range (at most 255)`}},
		{"signed overflow", map[string]interface{}{"name": "a", "signed": 40000}, []string{`config key "signed": 40000 is out of range`}},
		{"negative unsigned", map[string]interface{}{"name": "a", "big": -1}, []string{`config key "big": must not be negative, got -1`}},
		{"huge uint64", map[string]interface{}{"name": "a", "count": uint64(math.MaxUint64)}, []string{`config key "count": 18446744073709551615 is out of range`}},
		{"bool", map[string]interface{}{"name": "a", "enabled": "yes"}, []string{`config key "enabled": must be true or false, got string "yes"`}},
		{"int for string", map[string]interface{}{"name": 5}, []string{`config key "name": must be a string, got integer 5`}},
		{"bad duration", map[string]interface{}{"name": "a", "wait": "soon"}, []string{`config key "wait": must be a duration such as "5s" or "1m30s", got "soon"`}},
		{"negative duration", map[string]interface{}{"name": "a", "wait": "-1s"}, []string{`config key "wait": must not be negative`}},
		{"list element", map[string]interface{}{"name": "a", "tags": []interface{}{"x", 3}}, []string{`config key "tags": element 1 must be a string, got integer 3`}},
		{"not a list", map[string]interface{}{"name": "a", "tags": "x"}, []string{`config key "tags": must be a list of strings, got string "x"`}},
		{"map value", map[string]interface{}{"name": "a", "tags": map[string]interface{}{}}, []string{`config key "tags": must be a list of strings, got a map`}},
		{"unmarshaler", map[string]interface{}{"name": "a", "level": "medium"}, []string{`config key "level": must be low or high, got "medium"`}},
		{"several at once, sorted", map[string]interface{}{"count": "x", "nme": "a"},
			[]string{`config key "count": must be an integer`, `config key "name": is required`, `unknown config key "nme"; did you mean "name"?`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got sample
			err := Decode(tt.raw, &got)
			require.Error(t, err)
			var errs Errors
			require.True(t, errors.As(err, &errs))
			require.Len(t, errs, len(tt.want), "errors: %v", err)
			for i, want := range tt.want {
				assert.True(t, strings.HasPrefix(errs[i].Error(), want), "error %d\n got: %s\nwant: %s...", i, errs[i], want)
			}
			var ke *KeyError
			assert.True(t, errors.As(err, &ke), "errors.As finds the first *KeyError")
		})
	}
}

func TestKeyErrorFields(t *testing.T) {
	var got sample
	err := Decode(map[string]interface{}{"name": "a", "cuont": 1}, &got)
	var ke *KeyError
	require.True(t, errors.As(err, &ke))
	assert.Equal(t, "cuont", ke.Key)
	assert.True(t, ke.Unknown)
	assert.Equal(t, "count", ke.Suggestion)
	assert.Equal(t, Keys(&sample{}), ke.Valid)
}

func TestErrorf(t *testing.T) {
	cause := errors.New("disk on fire")
	err := Errorf("path", "cannot open: %w", cause)
	assert.Equal(t, `config key "path": cannot open: disk on fire`, err.Error())
	assert.ErrorIs(t, err, cause)
	assert.Nil(t, Errors(nil).Err())
}

// section is a struct with nested parts, as the runner's sections are.
type section struct {
	Enabled  bool              `yaml:"enabled"`
	Wait     time.Duration     `yaml:"wait"`
	Labels   map[string]string `yaml:"labels"`
	TLS      tlsPart           `yaml:"tls"`
	Rest     yaml.Node         `yaml:"rest"`
	Ratio    float64           `yaml:"ratio"`
	Auto     *bool             `yaml:"auto"`
	Untagged string
}

type tlsPart struct {
	CAFile string `yaml:"ca_file"`
	Name   string `yaml:"name,required"`
}

func TestDecodeNode(t *testing.T) {
	var n yaml.Node
	require.NoError(t, yaml.Unmarshal([]byte("enabled: true\nwait: 2s\nlabels: {a: x}\ntls: {ca_file: ca.pem, name: n}\nrest: [1, 2]\nratio: 2\nauto: false\n"), &n))
	got := section{Labels: map[string]string{"b": "y"}}
	require.NoError(t, DecodeNode(&n, &got))
	assert.True(t, got.Enabled)
	assert.Equal(t, 2*time.Second, got.Wait)
	assert.Equal(t, map[string]string{"a": "x", "b": "y"}, got.Labels)
	assert.Equal(t, tlsPart{CAFile: "ca.pem", Name: "n"}, got.TLS)
	assert.Equal(t, yaml.SequenceNode, got.Rest.Kind)
	assert.Equal(t, 5, got.Rest.Line)
	assert.Equal(t, 2.0, got.Ratio)
	require.NotNil(t, got.Auto)
	assert.False(t, *got.Auto)
}

func TestDecodeNodeErrors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string // "line:col key: detail", in file order
	}{
		{"unknown nested key", "tls: {ca_fil: x, name: n}\n",
			[]string{`1:7 tls.ca_fil: unknown key "ca_fil"; did you mean "ca_file"? (valid: ca_file, name)`}},
		{"unknown top-level key", "enabeld: true\n",
			[]string{`1:1 enabeld: unknown key "enabeld"; did you mean "enabled"? (valid: auto, enabled, labels, ratio, rest, tls, wait)`}},
		{"bad values in file order", "wait: soon\nenabled: maybe\n", []string{
			`1:7 wait: must be a duration such as "5s" or "1m30s", got "soon"`,
			`2:10 enabled: must be true or false, got string "maybe"`}},
		{"map value", "labels: {a: [1]}\n", []string{`1:13 labels.a: must be a string, got a list`}},
		{"not a mapping", "tls: [x]\n", []string{`1:6 tls: must be a mapping, got a list`}},
		{"required nested", "tls: {ca_file: x}\n", []string{`1:6 tls.name: is required`}},
		{"duplicate", "wait: 1s\nwait: 2s\n", []string{`2:1 wait: duplicate key`}},
		{"not a number", "ratio: x\n", []string{`1:8 ratio: must be a number, got string "x"`}},
		{"pointer", "auto: 3\n", []string{`1:7 auto: must be true or false, got integer 3`}},
		{"untagged", "Untagged: x\n", []string{`1:1 Untagged: unknown key "Untagged"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var n yaml.Node
			require.NoError(t, yaml.Unmarshal([]byte(tt.yaml), &n))
			var got section
			err := DecodeNode(&n, &got)
			var errs Errors
			require.True(t, errors.As(err, &errs), "error: %v", err)
			require.Len(t, errs, len(tt.want), "errors: %v", err)
			for i, want := range tt.want {
				text := fmt.Sprintf("%d:%d %s: %s", errs[i].Pos.Line, errs[i].Pos.Column, errs[i].Key, errs[i].Detail())
				assert.True(t, strings.HasPrefix(text, want), "error %d\n got: %s\nwant: %s...", i, text, want)
			}
		})
	}
}

func TestDecodeNodeFieldFromMap(t *testing.T) {
	var got section
	err := Decode(map[string]interface{}{"rest": 1}, &got)
	assert.EqualError(t, err, `config key "rest": config: a yaml.Node field decodes only from YAML`)
}

func TestDecodeNested(t *testing.T) {
	var got section
	err := Decode(map[string]interface{}{"tls": map[string]interface{}{"name": "n", "ca_fil": "x"}, "labels": map[string]interface{}{"a": "b"}}, &got)
	assert.EqualError(t, err, `unknown config key "tls.ca_fil"; did you mean "ca_file"? (valid: ca_file, name)`)
	var ke *KeyError
	require.True(t, errors.As(err, &ke))
	assert.Equal(t, "tls.ca_fil", ke.Key)
	assert.Equal(t, map[string]string{"a": "b"}, got.Labels)
}

func TestDecodePanicsOnNonStruct(t *testing.T) {
	var n int
	assert.Panics(t, func() { _ = Decode(nil, &n) })
	assert.Panics(t, func() { _ = Decode(nil, sample{}) })
}

func TestParse(t *testing.T) {
	type cfg struct {
		Size int    `yaml:"size"`
		Name string `yaml:"name"`
	}
	mustBeSmall := func(c *cfg) error {
		if c.Size > 10 {
			return Errorf("size", "must be at most 10, got %d", c.Size)
		}
		return nil
	}
	defaults := cfg{Size: 5, Name: "default"}

	got, err := Parse(map[string]interface{}{"name": "x"}, defaults, mustBeSmall)
	require.NoError(t, err)
	assert.Equal(t, cfg{Size: 5, Name: "x"}, got, "unset keys keep their defaults")

	got, err = Parse(map[string]interface{}{"size": 11}, defaults, mustBeSmall)
	assert.EqualError(t, err, `config key "size": must be at most 10, got 11`)
	assert.Zero(t, got)

	got, err = Parse(map[string]interface{}{"sise": 1}, defaults, mustBeSmall)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `did you mean "size"?`)
	assert.Zero(t, got)
}

// vault is a config with keys that may hold secrets, some nested.
type vault struct {
	Password string        `yaml:"password"`
	APIKey   int           `yaml:"API_Key"`
	Wait     time.Duration `yaml:"wait"`
	Auth     struct {
		User string `yaml:"user"`
	} `yaml:"auth"`
	Headers map[string]string `yaml:"headers"`
	Level   level             `yaml:"secret_level"`
	Name    string            `yaml:"name"`
}

func TestSecretValuesAreNeverShown(t *testing.T) {
	tests := []struct {
		name   string
		yaml   string
		secret string // must not appear
		want   string
	}{
		{"a numeric password", "password: 987654321", "987654321",
			`config key "password": must be a string, got an integer (the value is not shown: the key may hold a secret)`},
		{"a list as a password", "password: [hunter2]", "hunter2",
			`config key "password": must be a string, got a list (the value is not shown: the key may hold a secret)`},
		{"any case", "API_Key: s3cr3t-value", "s3cr3t-value",
			`config key "API_Key": must be an integer, got a string (the value is not shown: the key may hold a secret)`},
		{"nested under a secret key", "auth: {user: 424242}", "424242",
			`config key "auth.user": must be a string, got an integer (the value is not shown: the key may hold a secret)`},
		{"a map key named token", "headers: {X-Token: 31337}", "31337",
			`config key "headers.X-Token": must be a string, got an integer (the value is not shown: the key may hold a secret)`},
		{"a mapping where a string is expected", "auth: 5551212", "5551212",
			`config key "auth": must be a mapping, got an integer (the value is not shown: the key may hold a secret)`},
		{"an Unmarshaler's message", "secret_level: topsecret", "topsecret",
			`config key "secret_level": must be low or high, got a string (the value is not shown: the key may hold a secret)`},
		{"another key is shown", "name: 987654321", "",
			`config key "name": must be a string, got integer 987654321`},
		{"a duration is shown", "wait: 5x", "",
			`config key "wait": must be a duration such as "5s" or "1m30s", got "5x"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var n yaml.Node
			require.NoError(t, yaml.Unmarshal([]byte(tt.yaml), &n))
			var raw map[string]interface{}
			require.NoError(t, yaml.Unmarshal([]byte(tt.yaml), &raw))
			for _, err := range []error{DecodeNode(&n, &vault{}), Decode(raw, &vault{})} {
				require.Error(t, err)
				assert.Equal(t, tt.want, err.Error())
				if tt.secret != "" {
					assert.NotContains(t, fmt.Sprintf("%+v %#v", err, err), tt.secret)
				}
			}
		})
	}
}
