package promexport

import "github.com/cdpstats/cdpstats/runtime"

// Catalog finds the description of a component type's stats, for
// components that report through plain GetStats and so carry no
// description of their own. statsgen's generated/ package lists every
// annotated component; [NewCatalog] indexes such a list.
type Catalog interface {
	// Lookup returns the description of the component with role
	// componentType ("source", "processor", "consumer") and type name
	// componentName, or nil.
	Lookup(componentType, componentName string) *runtime.ComponentDesc
}

// CatalogFunc adapts a function to a [Catalog].
type CatalogFunc func(componentType, componentName string) *runtime.ComponentDesc

// Lookup calls f.
func (f CatalogFunc) Lookup(componentType, componentName string) *runtime.ComponentDesc {
	return f(componentType, componentName)
}

// NewCatalog returns a catalog of descs, indexed by their Type and Name.
// A later description of the same component replaces an earlier one.
func NewCatalog(descs ...*runtime.ComponentDesc) Catalog {
	idx := make(map[[2]string]*runtime.ComponentDesc, len(descs))
	for _, d := range descs {
		if d != nil {
			idx[[2]string{d.Type, d.Name}] = d
		}
	}
	return CatalogFunc(func(componentType, componentName string) *runtime.ComponentDesc {
		return idx[[2]string{componentType, componentName}]
	})
}
