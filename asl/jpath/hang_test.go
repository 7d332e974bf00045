package jpath

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestCompileUnterminatedBracket pins a hang the intrinsic fuzzer found:
// an unterminated bracket after a quoted name must be an error.
func TestCompileUnterminatedBracket(t *testing.T) {
	for _, src := range []string{"$['a,b'", "$['a'x", "$['a',", "$[", "$['a'"} {
		_, err := Compile(src)
		require.Error(t, err, src)
	}
}

// TestCompileExplodingDescent pins the fuzzer's second find: a run of dots
// is a chain of descents whose evaluation explodes, so it is rejected at
// compile time, as is a path with too many descents.
func TestCompileExplodingDescent(t *testing.T) {
	for _, src := range []string{"$...", "$..a...b", "$....................", "$..a..b..c..d..e"} {
		_, err := Compile(src)
		require.Error(t, err, src)
	}
	for _, src := range []string{"$..a", "$..a..b", "$..*", "$..['a']"} {
		_, err := Compile(src)
		require.NoError(t, err, src)
	}
}
