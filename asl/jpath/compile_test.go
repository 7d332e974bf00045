package jpath

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCompile(t *testing.T) {
	t.Parallel()
	tests := []struct {
		src        string
		root       Root
		varName    string
		definite   bool
		normalized string
	}{
		// The three roots.
		{src: "$", root: Input, definite: true, normalized: "$"},
		{src: "$$", root: Context, definite: true, normalized: "$$"},
		{src: "$$.Execution.Id", root: Context, definite: true, normalized: "$$['Execution']['Id']"},
		{src: "$$.Map.Item.Index", root: Context, definite: true, normalized: "$$['Map']['Item']['Index']"},
		{src: "$order", root: Variable, varName: "order", definite: true, normalized: "$order"},
		{src: "$order.items[0]", root: Variable, varName: "order", definite: true, normalized: "$order['items'][0]"},
		{src: "$_x1", root: Variable, varName: "_x1", definite: true, normalized: "$_x1"},
		{src: "$über.a", root: Variable, varName: "über", definite: true, normalized: "$über['a']"},

		// Dotted names: AWS accepts names beyond JSONPath's shorthand.
		{src: "$.a", root: Input, definite: true, normalized: "$['a']"},
		{src: "$.delivery-partner", root: Input, definite: true, normalized: "$['delivery-partner']"},
		{src: "$.sub-values.x-y", root: Input, definite: true, normalized: "$['sub-values']['x-y']"},
		{src: "$.a$b", root: Input, definite: true, normalized: "$['a$b']"},
		{src: "$.@timestamp", root: Input, definite: true, normalized: "$['@timestamp']"},
		{src: "$.1", root: Input, definite: true, normalized: "$['1']"},
		{src: "$._private", root: Input, definite: true, normalized: "$['_private']"},
		{src: "$.名前", root: Input, definite: true, normalized: "$['名前']"},
		{src: "$.abc.['def ghi']", root: Input, definite: true, normalized: "$['abc']['def ghi']"},

		// Bracket names, quotes and escapes.
		{src: "$['a']", root: Input, definite: true, normalized: "$['a']"},
		{src: `$["a"]["b"]`, root: Input, definite: true, normalized: "$['a']['b']"},
		{src: "$['x y']", root: Input, definite: true, normalized: "$['x y']"},
		{src: "$['a.b']", root: Input, definite: true, normalized: "$['a.b']"},
		{src: "$['a[0]']", root: Input, definite: true, normalized: "$['a[0]']"},
		{src: `$['it\'s']`, root: Input, definite: true, normalized: "$['it's']"},
		{src: `$["say \"hi\""]`, root: Input, definite: true, normalized: `$['say "hi"']`},
		{src: `$['a\b']`, root: Input, definite: true, normalized: `$['a\b']`},
		{src: `$['Test\""Name"']`, root: Input, definite: true, normalized: `$['Test\""Name"']`},
		{src: "$.a['b'].c", root: Input, definite: true, normalized: "$['a']['b']['c']"},

		// Indexes.
		{src: "$[0]", root: Input, definite: true, normalized: "$[0]"},
		{src: "$.items[10]", root: Input, definite: true, normalized: "$['items'][10]"},
		{src: "$.items[-1]", root: Input, definite: true, normalized: "$['items'][-1]"},
		{src: "$.m[1][-2]", root: Input, definite: true, normalized: "$['m'][1][-2]"},

		// Indefinite paths render as written.
		{src: "$[*]", root: Input, normalized: "$[*]"},
		{src: "$.*", root: Input, normalized: "$.*"},
		{src: "$.items[*].v", root: Input, normalized: "$.items[*].v"},
		{src: "$.items[1:]", root: Input, normalized: "$.items[1:]"},
		{src: "$.items[:1]", root: Input, normalized: "$.items[:1]"},
		{src: "$.items[1:5]", root: Input, normalized: "$.items[1:5]"},
		{src: "$.items[::2]", root: Input, normalized: "$.items[::2]"},
		{src: "$.items[0,2]", root: Input, normalized: "$.items[0,2]"},
		{src: "$['a','b']", root: Input, normalized: "$['a','b']"},
		{src: "$.users[?(@.status == 0)]", root: Input, normalized: "$.users[?(@.status == 0)]"},
		{src: "$..v", root: Input, normalized: "$..v"},
		{src: "$$.Execution.*", root: Context, normalized: "$$.Execution.*"},
		{src: "$v[*]", root: Variable, varName: "v", normalized: "$v[*]"},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			t.Parallel()
			p, err := Compile(tt.src)
			require.NoError(t, err)
			require.Equal(t, tt.src, p.String())
			require.Equal(t, tt.root, p.Root())
			require.Equal(t, tt.varName, p.VarName())
			require.Equal(t, tt.definite, p.Definite())
			require.Equal(t, tt.definite, p.IsSimple())
			require.Equal(t, tt.normalized, p.Normalized())
		})
	}
}

func TestCompileInvalid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		src     string
		message string // a part of the error
	}{
		{src: "", message: "must start with '$'"},
		{src: "a.b", message: "must start with '$'"},
		{src: " $.a", message: "must start with '$'"},
		{src: "$1", message: "must start with '$'"},
		{src: "$-x", message: "must start with '$'"},
		{src: "$.", message: "empty name"},
		{src: "$.a.", message: "empty name"},
		{src: "$.a b", message: "unexpected character in name"},
		{src: "$.a'b", message: "unexpected character in name"},
		{src: "$.a(b", message: "unexpected character in name"},
		{src: "$a b", message: "unexpected character ' '"},
		{src: "$$var", message: "unexpected character 'v'"},
		{src: "$$$", message: "unexpected character '$'"},
		{src: "$[", message: "unterminated '['"},
		{src: "$.a[0", message: "unterminated '['"},
		{src: "$['a'", message: "unterminated '['"},
		{src: "$['a", message: "unterminated quoted name"},
		{src: "$['a,b'", message: "unterminated '['"},
		{src: "$.a[?(@.x", message: "unterminated '['"},
		{src: "$[]", message: "empty '[]'"},
		{src: "$[ ]", message: "empty '[]'"},
		{src: "$.a[x]", message: "parse error"},
		{src: "$[+1]", message: "parse error"},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			t.Parallel()
			p, err := Compile(tt.src)
			require.Error(t, err)
			require.Nil(t, p)
			require.Contains(t, err.Error(), "invalid JSONPath")
			require.Contains(t, err.Error(), tt.message)
		})
	}
}

func TestCompileReference(t *testing.T) {
	t.Parallel()
	for _, src := range []string{"$", "$.a.b[0]", "$['x y'][-1]", "$$.Execution.Id", "$var.x"} {
		p, err := CompileReference(src)
		require.NoError(t, err, src)
		require.True(t, p.Definite(), src)
	}
	for _, src := range []string{"$[*]", "$.a.*", "$..a", "$.a[1:]", "$.a[0,1]", "$['a','b']", "$.a[?(@.x == 1)]", "$$.Execution.*"} {
		p, err := CompileReference(src)
		require.Error(t, err, src)
		require.Nil(t, p)
		require.Contains(t, err.Error(), "invalid reference path")
	}
	// An invalid path is reported as such, not as an indefinite one.
	_, err := CompileReference("$.")
	require.ErrorContains(t, err, "invalid JSONPath")
}

func TestMustCompile(t *testing.T) {
	t.Parallel()
	require.Equal(t, "$.a", MustCompile("$.a").String())
	require.Panics(t, func() { MustCompile("a") })
}
