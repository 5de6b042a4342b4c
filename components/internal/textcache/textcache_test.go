package textcache

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCache(t *testing.T) {
	c := New[int](2)
	_, ok := c.Get(1)
	assert.False(t, ok, "empty cache")

	c.Put(1, "one")
	c.Put(2, "two")
	got, ok := c.Get(1)
	assert.True(t, ok)
	assert.Equal(t, "one", got)
	assert.Len(t, c.text, 2)

	c.Put(3, "three") // full: starts over
	assert.Len(t, c.text, 1)
	for _, dropped := range []int{1, 2} {
		_, ok = c.Get(dropped)
		assert.False(t, ok, "key %d is dropped when the cache starts over", dropped)
	}
	got, ok = c.Get(3)
	assert.True(t, ok)
	assert.Equal(t, "three", got)
}
