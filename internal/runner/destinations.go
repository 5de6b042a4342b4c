package runner

import (
	"fmt"

	"github.com/cdpstats/cdpstats/components/cdp"
	"github.com/cdpstats/cdpstats/components/registry"
)

// checkDestinations refuses two consumers, in one pipeline or across the
// selected pipelines, that write to one destination (a file path, a table)
// unless both may share it and agree on its settings. The error is at the
// second consumer, naming the first.
func checkDestinations(file string, pipelines []*PipelineConfig, lookup lookupFunc) ConfigErrors {
	type writer struct {
		cc   *ComponentConfig
		dest cdp.Destination
	}
	var errs ConfigErrors
	seen := map[string]writer{}
	for _, pc := range pipelines {
		for i := range pc.Consumers {
			cc := &pc.Consumers[i]
			entry, err := lookup(registry.KindConsumer, cc.Type)
			if err != nil || entry.Destinations == nil {
				continue // an unknown type is reported by checkComponent
			}
			dests, err := entry.Destinations(cc.Config)
			if err != nil {
				continue // reported by checkComponent
			}
			for _, d := range dests {
				id := d.Kind + " " + d.Key
				first, dup := seen[id]
				if !dup {
					seen[id] = writer{cc: cc, dest: d}
					continue
				}
				if msg := conflict(first.dest, d, first.cc.Path); msg != "" {
					errs = append(errs, &ConfigError{File: file, Pos: destinationPos(cc, d), Key: cc.Path, Msg: msg})
				}
			}
		}
	}
	return errs
}

// conflict says why a consumer cannot write to d alongside the one at
// firstPath that writes to prev, or "" when they can share it.
func conflict(prev, d cdp.Destination, firstPath string) string {
	switch {
	case !prev.Shareable || !d.Shareable:
		if d.Kind == cdp.DestinationFile {
			return fmt.Sprintf("writes to the same file as %s (%s): each would replace the other's lines; give one another path, or set append: true on both", firstPath, d.Key)
		}
		return fmt.Sprintf("writes to the same %s as %s (%s)", d.Kind, firstPath, d.Key)
	case prev.Settings != d.Settings:
		return fmt.Sprintf("writes to the same %s as %s (%s) with other settings: %s here, %s there", d.Kind, firstPath, d.Key, d.Settings, prev.Settings)
	}
	return ""
}

// destinationPos is where a consumer names its destination: the path key
// of a file, else the component.
func destinationPos(cc *ComponentConfig, d cdp.Destination) Pos {
	if d.Kind == cdp.DestinationFile {
		if pos, ok := cc.KeyPos["path"]; ok {
			return pos
		}
	}
	return cc.Pos
}
