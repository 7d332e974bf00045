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
