// Package config is the one decoder of configuration: a component's
// `config` map, as read from the pipeline YAML (or JSON), and the runner's
// own sections of the config file (stats, metrics, flowctl, cost), which it
// decodes straight into their structs.
//
// A struct field takes part when it has a `yaml:"key"` tag; the option
// `yaml:"key,required"` makes the key mandatory. Fields keep their value
// when the key is absent, so a caller sets its defaults before calling
// [Decode] or [DecodeNode]. Nested structs and maps decode by the same
// rules, so a new option is one tagged field.
//
// Every problem is reported as a [*KeyError] naming the key path and, when
// decoded from YAML with [DecodeNode], its line and column; a caller that
// knows where a plain map came from (the pipeline runner knows the YAML
// line and column of each key) can place it itself. Unknown keys get a
// "did you mean" suggestion from internal/suggest and the list of valid
// keys.
package config
