// Package config decodes a component's `config` map, as read from the
// pipeline YAML, into the component's typed configuration struct.
//
// A struct field takes part when it has a `config:"key"` tag; the option
// `config:"key,required"` makes the key mandatory. Fields keep their value
// when the key is absent, so a component sets its defaults before calling
// [Decode].
//
// Every problem is reported as a [*KeyError] naming the config key, so that
// a caller that knows where the map came from (the pipeline runner knows the
// YAML line and column of each key) can wrap it with that place. Unknown keys
// get a "did you mean" suggestion and the list of valid keys.
package config
