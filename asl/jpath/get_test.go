package jpath

import (
	"testing"

	"github.com/ohler55/ojg/oj"
	"github.com/stretchr/testify/require"
)

// decode parses a JSON test value as the rest of Signalbox does.
func decode(t testing.TB, src string) any {
	t.Helper()
	v, err := oj.ParseString(src)
	require.NoError(t, err)
	return v
}

const getDoc = `{
	"a": {"b": [1, 2, 3], "c-d": 4, "x y": 5, "n": null},
	"items": [{"v": 1, "status": 0}, {"v": 2, "status": 1}, {"v": 3, "status": 0}],
	"grid": [[1, 2], [3, 4]],
	"s": "text",
	"it's": 6,
	"a\\b": [7, 8]
}`

func TestGetDefinite(t *testing.T) {
	t.Parallel()
	doc := decode(t, getDoc)
	tests := []struct {
		src  string
		want string // JSON; "" when nothing is selected
	}{
		{src: "$.a.b", want: "[1,2,3]"},
		{src: "$.a.c-d", want: "4"},
		{src: "$['a']['x y']", want: "5"},
		{src: "$.a['x y']", want: "5"},
		{src: "$.a.['x y']", want: "5"},
		{src: "$.a.n", want: "null"},
		{src: "$.a.b[0]", want: "1"},
		{src: "$.a.b[2]", want: "3"},
		{src: "$.a.b[-1]", want: "3"},
		{src: "$.a.b[-3]", want: "1"},
		{src: "$.grid[1][0]", want: "3"},
		{src: "$.grid[-1][-1]", want: "4"},
		{src: `$['it\'s']`, want: "6"},
		{src: `$['a\b'][1]`, want: "8"},
		{src: "$.s", want: `"text"`},

		// Nothing selected.
		{src: "$.missing"},
		{src: "$.a.missing"},
		{src: "$.missing.deeper"},
		{src: "$.a.b[3]"},
		{src: "$.a.b[-4]"},
		{src: "$.a[0]"},       // an index into an object
		{src: "$.a.b.length"}, // a name on an array
		{src: "$.s.x"},        // a name on a string
		{src: "$.a.n.x"},      // a name on null
		{src: "$.s[0]"},       // an index into a string
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			t.Parallel()
			p := MustCompile(tt.src)
			require.True(t, p.Definite())
			v, ok := p.Get(Scope{Input: doc})
			if tt.want == "" {
				require.False(t, ok)
				require.Nil(t, v)
				return
			}
			require.True(t, ok)
			require.JSONEq(t, tt.want, oj.JSON(v))
		})
	}
}

func TestGetIndefinite(t *testing.T) {
	t.Parallel()
	doc := decode(t, getDoc)
	tests := []struct {
		src  string
		want string
		// unordered: ojg visits an object's members in Go map order.
		unordered bool
	}{
		{src: "$.a.b[*]", want: "[1,2,3]"},
		{src: "$.items[*].v", want: "[1,2,3]"},
		{src: "$.a.b[1:]", want: "[2,3]"},
		{src: "$.a.b[:1]", want: "[1]"},
		{src: "$.a.b[0:2]", want: "[1,2]"},
		{src: "$.a.b[-2:]", want: "[2,3]"},
		{src: "$.a.b[::2]", want: "[1,3]"},
		{src: "$.a.b[0,2]", want: "[1,3]"},
		{src: "$.grid[*][0]", want: "[1,3]"},
		{src: "$.items[?(@.status == 0)]", want: `[{"v":1,"status":0},{"v":3,"status":0}]`},
		{src: "$.items[?(@.v > 1)].v", want: "[2,3]"},
		{src: "$.a.b[?(@ >= 2)]", want: "[2,3]"},
		{src: "$['s','it\\'s']", want: `[{"s":"text","it's":6}]`}, // see TestGetMergedUnion
		{src: "$.a.b[0,2]['x','y']", want: "[]"},
		{src: `$['a\b'][*]`, want: "[7,8]"},
		{src: "$.a.*", want: `[[1,2,3],4,5,null]`, unordered: true},
		{src: "$.a[*]", want: `[[1,2,3],4,5,null]`, unordered: true},
		{src: "$..v", want: "[1,2,3]", unordered: true},
		{src: "$..b[0]", want: "[1]"},

		// No match: an empty array, never "not found".
		{src: "$.missing[*]", want: "[]"},
		{src: "$.item.items[1:5].itemValue", want: "[]"},
		{src: "$.a.b[5:]", want: "[]"},
		{src: "$.items[?(@.status == 9)]", want: "[]"},
		{src: "$..nothing", want: "[]"},
		{src: "$.s[*]", want: "[]"},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			t.Parallel()
			p := MustCompile(tt.src)
			require.False(t, p.Definite())
			v, ok := p.Get(Scope{Input: doc})
			require.True(t, ok)
			arr, isArr := v.([]any)
			require.True(t, isArr, "an indefinite path yields an array, got %T", v)
			if tt.unordered {
				require.ElementsMatch(t, decode(t, tt.want), arr)
				return
			}
			require.JSONEq(t, tt.want, oj.JSON(arr))
		})
	}
}

// TestGetMergedUnion checks Jayway's reading of a union of names that ends
// a path: one object per node, of the named members it has.
func TestGetMergedUnion(t *testing.T) {
	t.Parallel()
	doc := decode(t, `{
		"objects": [{"bucket": "b1", "key": "k1", "size": 3}, {"bucket": "b2"}, 7, {"other": 1}],
		"one": {"a": 1, "b": 2, "c": 3},
		"deep": [{"x": {"a": 1, "b": 2}}, {"x": {"a": 3}}]
	}`)
	tests := []struct{ src, want string }{
		// The published aws-samples s3-glacier-multi-file-restore-sam.
		{src: "$.objects.[*].['bucket', 'key']", want: `[{"bucket":"b1","key":"k1"},{"bucket":"b2"},{}]`},
		{src: "$.objects[*]['bucket','key']", want: `[{"bucket":"b1","key":"k1"},{"bucket":"b2"},{}]`},
		{src: "$.one['a','c']", want: `[{"a":1,"c":3}]`},
		{src: `$.one["a","c"]`, want: `[{"a":1,"c":3}]`},
		{src: "$.deep[*].x['a','b']", want: `[{"a":1,"b":2},{"a":3}]`},
		{src: "$.missing['a','b']", want: `[]`},
		// Not at the end, or with an index: the members one by one.
		{src: "$.one['a','c'].z", want: `[]`},
		{src: "$.deep[*]['x','y'].a", want: `[1,3]`},
		{src: "$.objects[0,1].bucket", want: `["b1","b2"]`},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			t.Parallel()
			p := MustCompile(tt.src)
			require.False(t, p.Definite())
			v, ok := p.Get(Scope{Input: doc})
			require.True(t, ok)
			require.JSONEq(t, tt.want, oj.JSON(v, &oj.Options{Sort: true}))
		})
	}
}

func TestGetRoots(t *testing.T) {
	t.Parallel()
	input := decode(t, `{"x": 1}`)
	ctxObj := decode(t, `{"Execution": {"Id": "arn:exec"}, "State": {"Name": "S"}}`)
	vars := map[string]any{"order": decode(t, `{"id": 7, "lines": [10, 20]}`), "nothing": nil}
	lookup := func(name string) (any, bool) {
		v, ok := vars[name]
		return v, ok
	}

	t.Run("context", func(t *testing.T) {
		t.Parallel()
		v, ok := MustCompile("$$.Execution.Id").Get(Scope{Input: input, Context: ctxObj})
		require.True(t, ok)
		require.Equal(t, "arn:exec", v)
	})
	t.Run("lazy context is built only when read", func(t *testing.T) {
		t.Parallel()
		src := &countingContext{obj: ctxObj}
		s := Scope{Input: input, LazyContext: src}
		v, ok := MustCompile("$.x").Get(s)
		require.True(t, ok)
		require.Equal(t, int64(1), v)
		require.Zero(t, src.calls)
		v, ok = MustCompile("$$.State.Name").Get(s)
		require.True(t, ok)
		require.Equal(t, "S", v)
		require.Equal(t, 1, src.calls)
	})
	t.Run("an explicit context wins over a lazy one", func(t *testing.T) {
		t.Parallel()
		src := &countingContext{obj: map[string]any{"State": map[string]any{"Name": "lazy"}}}
		v, ok := MustCompile("$$.State.Name").Get(Scope{Context: ctxObj, LazyContext: src})
		require.True(t, ok)
		require.Equal(t, "S", v)
		require.Zero(t, src.calls)
	})
	t.Run("variables", func(t *testing.T) {
		t.Parallel()
		s := Scope{Input: input, Vars: lookup}
		v, ok := MustCompile("$order.lines[-1]").Get(s)
		require.True(t, ok)
		require.Equal(t, int64(20), v)
		v, ok = MustCompile("$order").Get(s)
		require.True(t, ok)
		require.Equal(t, vars["order"], v)
		v, ok = MustCompile("$nothing").Get(s)
		require.True(t, ok, "a variable holding null exists")
		require.Nil(t, v)
		v, ok = MustCompile("$order.lines[*]").Get(s)
		require.True(t, ok)
		require.Equal(t, []any{int64(10), int64(20)}, v)
		_, ok = MustCompile("$unknown").Get(s)
		require.False(t, ok)
		_, ok = MustCompile("$unknown[*]").Get(s)
		require.False(t, ok, "an unknown variable is missing even for an indefinite path")
	})
	t.Run("no variables at all", func(t *testing.T) {
		t.Parallel()
		_, ok := MustCompile("$order").Get(Scope{Input: input})
		require.False(t, ok)
	})
}

// countingContext is a ContextSource that counts how often it is built.
type countingContext struct {
	obj   any
	calls int
}

func (c *countingContext) Object() any {
	c.calls++
	return c.obj
}

func TestNotFound(t *testing.T) {
	t.Parallel()
	doc := decode(t, `{"a":{"b":[{"c":1}],"n":null},"s":"x"}`)
	tests := []struct {
		src  string
		want string
	}{
		{src: "$.x", want: "No results for path: $['x']"},
		{src: "$.a.x", want: "No results for path: $['a']['x']"},
		{src: "$.no.such.result.path", want: "Missing property in path $['no']"},
		{src: "$.a.x.y", want: "Missing property in path $['a']['x']"},
		{src: "$.a.b[0].x.y", want: "Missing property in path $['a']['b'][0]['x']"},
		{src: "$.a.b[5].c", want: "No results for path: $['a']['b'][5]['c']"},
		{src: "$.s.x.y", want: "No results for path: $['s']['x']['y']"},
		{src: "$.a.n.x.y", want: "No results for path: $['a']['n']['x']['y']"},
		{src: "$$.Execution.Foo.Bar", want: "Missing property in path $$['Execution']['Foo']"},
		{src: "$v.x.y", want: "No results for path: $v['x']['y']"},
	}
	s := Scope{Input: doc, Context: map[string]any{"Execution": map[string]any{}}}
	for _, tt := range tests {
		p := MustCompile(tt.src)
		_, ok := p.Get(s)
		require.False(t, ok, tt.src)
		require.Equal(t, tt.want, p.NotFound(s), tt.src)
	}
}
