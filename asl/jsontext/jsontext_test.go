package jsontext

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestWriteString(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, upper, lower string }{
		{"plain", `"plain"`, `"plain"`},
		{`q"b\`, `"q\"b\\"`, `"q\"b\\"`},
		{"\n\r\t\b\f", `"\n\r\t\b\f"`, `"\n\r\t\b\f"`},
		{"\x01\x1f", `"\u0001\u001F"`, `"\u0001\u001f"`},
		{"é 漢 😀 </>", `"é 漢 😀 </>"`, `"é 漢 😀 </>"`},
		{"bad\xffbyte", "\"bad\uFFFDbyte\"", "\"bad\uFFFDbyte\""},
	}
	for _, tt := range tests {
		var up, low strings.Builder
		WriteString(&up, tt.in, UpperHex)
		WriteString(&low, tt.in, LowerHex)
		require.Equal(t, tt.upper, up.String(), tt.in)
		require.Equal(t, tt.lower, low.String(), tt.in)
		var back string
		require.NoError(t, json.Unmarshal([]byte(up.String()), &back), "always valid JSON")
	}
}

func TestStringLenIsWhatWriteStringWrites(t *testing.T) {
	cases := []string{"", "plain", "q\"b\\s\n\r\t\b\f\x01\x1f\x7f", "é€😀", "bad \xff utf8 \xc3", "\u2028"}
	for c := range 256 {
		// every byte alone, after plain text and before it
		cases = append(cases, string([]byte{byte(c)}), "abc"+string([]byte{byte(c)}), string([]byte{byte(c)})+"xyz")
	}
	for _, s := range cases {
		var b strings.Builder
		WriteString(&b, s, UpperHex)
		if got := StringLen(s); got != b.Len() {
			t.Errorf("StringLen(%q) = %d, WriteString wrote %d bytes", s, got, b.Len())
		}
	}
}

func TestKindPhrase(t *testing.T) {
	for v, want := range map[any]string{
		nil: "null", "s": "a string", true: "a boolean", 1.5: "a number", int64(2): "a number", 3: "a number",
		json.Number("4"): "a number", uint8(5): "a uint8",
	} {
		if got := KindPhrase(v); got != want {
			t.Errorf("KindPhrase(%#v) = %q, want %q", v, got, want)
		}
	}
	if KindPhrase(map[string]any{}) != "an object" || KindPhrase([]any{}) != "an array" {
		t.Error("objects and arrays")
	}
}
