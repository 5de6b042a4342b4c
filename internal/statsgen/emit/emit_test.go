package emit

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDocComment(t *testing.T) {
	assert.Equal(t, "// short", docComment("short"))
	assert.Equal(t, "// one\n//\n// two", docComment("one\n\ntwo"))
	long := "aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj kkkk llll mmmm nnnn oooo pppp qqqq"
	assert.Equal(t, "// aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj kkkk llll mmmm nnnn oooo\n// pppp qqqq",
		docComment(long))
}

func TestGroupImports(t *testing.T) {
	src := "package x\n\nimport (\n\t\"example.com/a\"\n\tr \"github.com/x/runtime\"\n\t\"time\"\n)\n\nvar _ = 1\n"
	assert.Equal(t, "package x\n\nimport (\n\t\"time\"\n\n\t\"example.com/a\"\n\tr \"github.com/x/runtime\"\n)\n\nvar _ = 1\n",
		string(groupImports([]byte(src))))
	single := "package x\n\nimport \"time\"\n"
	assert.Equal(t, single, string(groupImports([]byte(single))))
}
