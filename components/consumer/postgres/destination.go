package postgres

import (
	"fmt"
	"sort"

	"github.com/cdpstats/cdpstats/components/cdp"
)

// Destinations returns the tables a SaveToPostgreSQL config map writes,
// without connecting: one cdp.Destination per table, keyed by server,
// database and table, shareable (consumers writing one table deduplicate
// on its natural key), with the natural key as Settings, which every
// consumer of a table must agree on.
func Destinations(raw map[string]interface{}) ([]cdp.Destination, error) {
	cfg, err := ParseConfig(raw)
	if err != nil {
		return nil, err
	}
	pc, err := cfg.poolConfig()
	if err != nil {
		return nil, err
	}
	cc := pc.ConnConfig
	tables := make([]string, 0, len(naturalKeys))
	for t := range naturalKeys {
		tables = append(tables, t)
	}
	sort.Strings(tables)
	out := make([]cdp.Destination, 0, len(tables))
	for _, t := range tables {
		out = append(out, cdp.Destination{
			Kind:      cdp.DestinationTable,
			Key:       fmt.Sprintf("postgresql://%s:%d/%s/%s", cc.Host, cc.Port, cc.Database, t),
			Shareable: true,
			Settings:  "natural key (" + naturalKeys[t] + ")",
		})
	}
	return out, nil
}
