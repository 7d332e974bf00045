package asl

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDecodeJSON(t *testing.T) {
	t.Parallel()
	v, err := DecodeJSON([]byte(`{"i":1,"f":1.5,"e":1e2,"big":12345678901234567890,"s":"x","b":true,"n":null,"a":[1,"2"]}`))
	require.NoError(t, err)
	require.Equal(t, map[string]any{
		"i": int64(1), "f": 1.5, "e": 100.0, "big": 12345678901234567890.0,
		"s": "x", "b": true, "n": nil, "a": []any{int64(1), "2"},
	}, v)

	for _, bad := range []string{``, `{`, `{"a":}`, `[1,]`, `{"a":1}x`, `nul`, "\"\x01\""} {
		_, err := DecodeJSON([]byte(bad))
		require.Error(t, err, "%q", bad)
	}
}

func TestEncodeJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		v    any
		want string
	}{
		{nil, `null`},
		{true, `true`},
		{int64(-3), `-3`},
		{7, `7`},
		{1.5, `1.5`},
		{2.0, `2.0`}, // integral doubles keep ".0", as AWS renders them
		{1e20, `1e+20`},
		{math.NaN(), `null`},
		{math.Inf(1), `null`},
		{"a\"b\\c\n\t\r\b\f\x01é", `"a\"b\\c\n\t\r\b\f\u0001é"`},
		{"bad\xffutf8", "\"bad\uFFFDutf8\""}, // invalid UTF-8 becomes U+FFFD, written as is
		{[]any{}, `[]`},
		{map[string]any{}, `{}`},
		{map[string]any{"b": []any{int64(1), nil}, "a": map[string]any{"z": 1.0, "y": "s"}}, `{"a":{"y":"s","z":1.0},"b":[1,null]}`},
		{struct{ X int }{1}, `{"X":1}`},
		{func() {}, `null`},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, EncodeJSON(tt.v), "%#v", tt.v)
	}
	require.Equal(t, []byte(`[1]`), MarshalJSON([]any{int64(1)}))
}

func TestValueHelpers(t *testing.T) {
	t.Parallel()
	for v, want := range map[any]string{nil: "null", true: "boolean", int64(1): "number", 1: "number", 1.5: "number", "s": "string", struct{}{}: "unknown"} {
		require.Equal(t, want, TypeName(v), "%#v", v)
	}
	require.Equal(t, "array", TypeName([]any{}))
	require.Equal(t, "object", TypeName(map[string]any{}))

	ints := []struct {
		v  any
		n  int64
		ok bool
	}{
		{int64(5), 5, true}, {5, 5, true}, {5.0, 5, true}, {-2.0, -2, true},
		{5.5, 0, false}, {math.Inf(1), 0, false}, {1e300, 0, false}, {"5", 0, false}, {nil, 0, false},
	}
	for _, tt := range ints {
		n, ok := AsInt(tt.v)
		require.Equal(t, tt.ok, ok, "%#v", tt.v)
		require.Equal(t, tt.n, n, "%#v", tt.v)
	}
	for v, want := range map[any]float64{int64(2): 2, 3: 3, 1.5: 1.5} {
		f, ok := AsFloat(v)
		require.True(t, ok)
		require.Equal(t, want, f)
	}
	_, ok := AsFloat("1")
	require.False(t, ok)
}
