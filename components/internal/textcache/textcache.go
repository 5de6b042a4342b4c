// Package textcache keeps the text forms of values that recur ledger
// after ledger, such as the name of an asset or the strkey of a contract,
// so that a processor encodes each once, not once per payment or event,
// and its messages share one string.
package textcache

// Cache maps keys to their text, holding at most a fixed number of
// entries. When full it starts over empty: memory stays bounded over a
// long run through many distinct keys, and the keys that recur are back
// after one miss each.
//
// A Cache is not safe for concurrent use, as cdp processors are not.
type Cache[K comparable] struct {
	max  int
	text map[K]string
}

// New returns a cache of at most max entries.
func New[K comparable](max int) *Cache[K] {
	return &Cache[K]{max: max, text: make(map[K]string)}
}

// Get returns the text of key, and false when it is not cached.
func (c *Cache[K]) Get(key K) (string, bool) {
	s, ok := c.text[key]
	return s, ok
}

// Put caches text as the text of key, which is not cached.
func (c *Cache[K]) Put(key K, text string) {
	if len(c.text) >= c.max {
		clear(c.text)
	}
	c.text[key] = text
}
