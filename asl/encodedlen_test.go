package asl

import (
	"math"
	"testing"
)

func TestEncodedLenIsTheEncodingsLength(t *testing.T) {
	values := []any{
		nil, true, false, int64(-42), 7, 0.5, 3.0, -1e300, math.NaN(), math.Inf(1), 1e16, 123456789.125,
		"", "plain", "q\"b\\s\n\r\t\b\f\x01\x1f", "é€😀", "bad \xff utf8 \xc3", "\u2028",
		[]any{}, []any{nil, "a", []any{1.0}}, map[string]any{}, map[string]any{"k\"": map[string]any{"x": []any{true}}, "b": "c"},
	}
	for _, v := range values {
		if got, want := EncodedLen(v, 0), len(EncodeJSON(v)); got != want {
			t.Errorf("EncodedLen(%#v) = %d, EncodeJSON renders %d bytes: %s", v, got, want, EncodeJSON(v))
		}
	}
}

func TestEncodedLenStopsPastTheLimit(t *testing.T) {
	big := make([]any, 1000)
	for i := range big {
		big[i] = "0123456789"
	}
	full := len(EncodeJSON(big))
	if n := EncodedLen(big, 100); n <= 100 || n >= full {
		t.Fatalf("EncodedLen with limit 100 = %d: want past the limit, short of the whole %d", n, full)
	}
}

func FuzzEncodedLen(f *testing.F) {
	f.Add(`{"a":[1,"x\u0001",null,true,{"b":2.5}]}`)
	f.Add(`["\ud800", 1e400, -0.0, 12345678901234567890]`)
	f.Fuzz(func(t *testing.T, doc string) {
		v, err := DecodeJSON([]byte(doc))
		if err != nil {
			return
		}
		if got, want := EncodedLen(v, 0), len(EncodeJSON(v)); got != want {
			t.Fatalf("EncodedLen = %d, EncodeJSON renders %d bytes: %s", got, want, EncodeJSON(v))
		}
	})
}
