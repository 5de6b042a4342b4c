package emit

import (
	"sort"

	"github.com/cdpstats/cdpstats/internal/statsgen/model"
)

// CatalogMDName is the name of the catalog statsgen writes into the
// //cdp:catalog package: documentation only, for people.
const CatalogMDName = "STATS.md"

// CatalogEntry is one component in the catalog.
type CatalogEntry struct {
	// Package is the import path of the package that declares it.
	Package string
	// Component is the checked component.
	Component *model.Component
}

// SortCatalog sorts entries by component kind, then name, then package.
func SortCatalog(entries []CatalogEntry) {
	sort.Slice(entries, func(i, j int) bool {
		a, b := entries[i], entries[j]
		if a.Component.Kind != b.Component.Kind {
			return a.Component.Kind < b.Component.Kind
		}
		if a.Component.Name != b.Component.Name {
			return a.Component.Name < b.Component.Name
		}
		return a.Package < b.Package
	})
}
