package jpath

import (
	"testing"

	"github.com/ohler55/ojg/oj"
	"github.com/stretchr/testify/require"
)

func TestSet(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		root  string
		path  string
		value string
		want  string
	}{
		{name: "replace the root", root: `{"a":1}`, path: "$", value: `[1]`, want: `[1]`},
		{name: "add a field", root: `{"a":1}`, path: "$.b", value: `2`, want: `{"a":1,"b":2}`},
		{name: "replace a field", root: `{"a":1}`, path: "$.a", value: `{"x":true}`, want: `{"a":{"x":true}}`},
		{name: "nested field", root: `{"a":{"b":1,"c":2}}`, path: "$.a.b", value: `9`, want: `{"a":{"b":9,"c":2}}`},
		{name: "create intermediate objects", root: `{"a":1}`, path: "$.x.y.z", value: `"v"`, want: `{"a":1,"x":{"y":{"z":"v"}}}`},
		{name: "null intermediate becomes an object", root: `{"a":null}`, path: "$.a.b", value: `1`, want: `{"a":{"b":1}}`},
		{name: "null root becomes an object", root: `null`, path: "$.a", value: `1`, want: `{"a":1}`},
		{name: "bracket name with a dash", root: `{}`, path: "$['x-y']['a b']", value: `1`, want: `{"x-y":{"a b":1}}`},
		{name: "index", root: `{"a":[1,2,3]}`, path: "$.a[1]", value: `"two"`, want: `{"a":[1,"two",3]}`},
		{name: "negative index", root: `{"a":[1,2,3]}`, path: "$.a[-1]", value: `0`, want: `{"a":[1,2,0]}`},
		{name: "into an array element", root: `{"a":[{"b":1},{"b":2}]}`, path: "$.a[1].c", value: `3`, want: `{"a":[{"b":1},{"b":2,"c":3}]}`},
		{name: "into a null array element", root: `[null]`, path: "$[0].c", value: `3`, want: `[{"c":3}]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			root := decode(t, tt.root)
			before := oj.JSON(root, &oj.Options{Sort: true})
			out, err := MustCompile(tt.path).Set(root, decode(t, tt.value))
			require.NoError(t, err)
			require.JSONEq(t, tt.want, oj.JSON(out))
			require.Equal(t, before, oj.JSON(root, &oj.Options{Sort: true}), "Set modified its input")
		})
	}
}

// TestSetCopyOnWrite checks that Set copies the nodes on the path and
// shares the rest with the original.
func TestSetCopyOnWrite(t *testing.T) {
	t.Parallel()
	root := decode(t, `{"a":{"b":[1,{"c":2}],"keep":{"k":1}},"other":[1,2]}`).(map[string]any)
	a := root["a"].(map[string]any)
	b := a["b"].([]any)

	out, err := MustCompile("$.a.b[1].c").Set(root, int64(3))
	require.NoError(t, err)

	require.Equal(t, int64(2), b[1].(map[string]any)["c"], "the original element is unchanged")
	require.Len(t, root, 2)
	require.Len(t, a, 2)

	o := out.(map[string]any)
	oa := o["a"].(map[string]any)
	require.Equal(t, int64(3), oa["b"].([]any)[1].(map[string]any)["c"])
	// Nodes off the path are shared, not copied.
	require.Same(t, &root["other"].([]any)[0], &o["other"].([]any)[0])
	require.Equal(t, a["keep"], oa["keep"])
	// Nodes on the path are new.
	require.NotSame(t, &b[0], &oa["b"].([]any)[0])
}

func TestSetErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		root    string
		path    string
		message string
	}{
		{name: "field of a number", root: `{"a":1}`, path: "$.a.b", message: `cannot set field "b" of a non-object value`},
		{name: "field of an array", root: `{"a":[1]}`, path: "$.a.b", message: `cannot set field "b" of a non-object value`},
		{name: "field of a string root", root: `"s"`, path: "$.a", message: `cannot set field "a" of a non-object value`},
		{name: "index of an object", root: `{"a":{}}`, path: "$.a[0]", message: "cannot index a non-array value"},
		{name: "index of a missing node", root: `{}`, path: "$.a[0]", message: "cannot index a non-array value"},
		{name: "index past the end", root: `{"a":[1,2]}`, path: "$.a[2]", message: "index 2 out of range"},
		{name: "negative index past the start", root: `{"a":[1,2]}`, path: "$.a[-3]", message: "index -3 out of range"},
		{name: "index into an empty array", root: `[]`, path: "$[0]", message: "index 0 out of range"},
		{name: "context path", root: `{}`, path: "$$.Execution.Id", message: "is not a reference path into the input"},
		{name: "variable path", root: `{}`, path: "$v.a", message: "is not a reference path into the input"},
		{name: "indefinite path", root: `{"a":[1]}`, path: "$.a[*]", message: "is not a reference path into the input"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			root := decode(t, tt.root)
			before := oj.JSON(root, &oj.Options{Sort: true})
			out, err := MustCompile(tt.path).Set(root, int64(1))
			require.Error(t, err)
			require.Nil(t, out)
			require.Contains(t, err.Error(), tt.message)
			require.Equal(t, before, oj.JSON(root, &oj.Options{Sort: true}))
		})
	}
}
