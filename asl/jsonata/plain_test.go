package jsonata

import (
	"reflect"
	"testing"

	"github.com/stretchr/testify/require"
)

// sameMemory reports whether two maps or two non-empty slices are the same
// value rather than equal copies.
func sameMemory(a, b any) bool {
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	if va.Kind() != vb.Kind() {
		return false
	}
	switch va.Kind() {
	case reflect.Map:
		return va.UnsafePointer() == vb.UnsafePointer()
	case reflect.Slice:
		return va.Len() > 0 && vb.Len() > 0 && va.Index(0).Addr().UnsafePointer() == vb.Index(0).Addr().UnsafePointer()
	}
	return false
}

func TestResultsShareAlreadyPlainValues(t *testing.T) {
	t.Parallel()
	data := map[string]any{"list": []any{int64(1), "x", nil, true, 1.5}, "obj": map[string]any{"k": "v"}}
	input := map[string]any{"data": data}
	for _, ordered := range []bool{false, true} {
		eval := MustCompile(`data`).Eval
		if ordered {
			eval = MustCompile(`data`).EvalOrdered
		}
		got, err := eval(input, nil)
		require.NoError(t, err)
		require.True(t, sameMemory(data, got), "ordered %v: a plain value is returned as is", ordered)
	}
	got, err := MustCompile(`data.list`).Eval(input, nil)
	require.NoError(t, err)
	require.True(t, sameMemory(data["list"], got))
	got, err = MustCompile(`$states.input.data`).Eval(Undefined, &Options{Bindings: map[string]any{"states": map[string]any{"input": input}}})
	require.NoError(t, err)
	require.True(t, sameMemory(data, got), "a bound value is returned as is")
}

func TestResultsConvertValuesThatAreNotPlain(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		value func() any // what the function $v returns, built anew for each call
		want  any
	}{
		{"integral float in a map", func() any { return map[string]any{"a": 2.0, "b": "x"} },
			map[string]any{"a": int64(2), "b": "x"}},
		{"integral float in an array", func() any { return []any{"x", 3.0, 2.5} },
			[]any{"x", int64(3), 2.5}},
		{"nested", func() any { return map[string]any{"o": map[string]any{"l": []any{int64(1), 4.0}}, "s": "x"} },
			map[string]any{"o": map[string]any{"l": []any{int64(1), int64(4)}}, "s": "x"}},
		{"Undefined in a map is dropped", func() any { return map[string]any{"a": Undefined, "b": int64(1)} },
			map[string]any{"b": int64(1)}},
		{"Undefined in an array is dropped", func() any { return []any{int64(1), Undefined, "x"} },
			[]any{int64(1), "x"}},
		{"another integer type", func() any { return []any{int(7)} }, []any{int64(7)}},
		{"an object", func() any { return []any{FromPlain(map[string]any{"a": 1.0})} },
			[]any{map[string]any{"a": int64(1)}}},
		{"a nil array is empty", func() any { return []any(nil) }, []any{}},
		{"a nil map is empty", func() any { return map[string]any(nil) }, map[string]any{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var given any
			opts := &Options{Functions: map[string]Function{"v": {Impl: func([]any) (any, error) {
				given = tc.value()
				return given, nil
			}}}}
			got, err := MustCompile(`$v()`).Eval(Undefined, opts)
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
			require.NotNil(t, got)
			require.False(t, sameMemory(given, got), "a converted value is a copy")
			require.Equal(t, tc.value(), given, "the converted value is unchanged")
		})
	}
}

func TestResultsLeaveTheInputUnchanged(t *testing.T) {
	t.Parallel()
	input := map[string]any{"m": map[string]any{"a": 2.0, "b": []any{1.0, "x"}}}
	got, err := MustCompile(`m`).Eval(input, nil)
	require.NoError(t, err)
	require.Equal(t, map[string]any{"a": int64(2), "b": []any{int64(1), "x"}}, got)
	require.Equal(t, map[string]any{"m": map[string]any{"a": 2.0, "b": []any{1.0, "x"}}}, input)
}

func TestResultsTooDeep(t *testing.T) {
	t.Parallel()
	var v any = "leaf"
	for range maxNesting + 2 {
		v = []any{v}
	}
	_, err := MustCompile(`$`).Eval(map[string]any{"v": v}, nil)
	var je *Error
	require.ErrorAs(t, err, &je)
	require.Equal(t, "U1001", je.Code)
}
