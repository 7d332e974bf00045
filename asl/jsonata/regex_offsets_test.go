package jsonata

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// Match offsets are counted in characters, on from the previous match;
// replacements splice by bytes for a regex and by characters for a custom
// matcher, whose offsets may lie outside the string.
func TestMatchAndReplaceOffsets(t *testing.T) {
	for _, c := range []struct{ expr, want string }{
		{`$match("é1 ü22 ñ333", /\d+/).index`, `[1,4,8]`},
		{`$replace("é1 ü22 ñ333", /\d+/, "<$0>")`, `"é<1> ü<22> ñ<333>"`},
		{`$replace("ééé", /é/, "e", 2)`, `"eeé"`},
		{`$replace("abc", function($s) { {"match": "x", "start": 10, "end": 11, "groups": []} }, "y")`, `"abcy"`},
		{`$replace("añc", function($s) { {"match": "ñ", "start": 1, "end": 2, "groups": []} }, "n")`, `"anc"`},
	} {
		v, err := MustCompile(c.expr).Eval(Undefined, nil)
		require.NoError(t, err, c.expr)
		got, err := stringify(v, false)
		require.NoError(t, err)
		require.Equal(t, c.want, got, c.expr)
	}
}
