package jsontext

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/ohler55/ojg/oj"
)

func TestDecodeIsExact(t *testing.T) {
	for _, c := range []struct {
		in   string
		want any
	}{
		{`"\ud83c\udd97"`, "🆗"},            // a surrogate pair is one character
		{`"a\ud83dx"`, "a\uFFFDx"},         // a lone half is U+FFFD, as encoding/json
		{`"\udd97\ud83c"`, "\uFFFD\uFFFD"}, // halves in the wrong order
		{`"é\u00e9\u20ac"`, "éé€"},
		{`9223372036854775807`, int64(math.MaxInt64)},
		{`-9223372036854775808`, int64(math.MinInt64)},
		{`9223372036854775808`, 9223372036854775808.0}, // past int64: a float
		{`1.0`, 1.0},
		{`1e2`, 100.0},
		{`-0`, int64(0)},
		{`1e-400`, 0.0},
		{`{"a":1,"a":2}`, map[string]any{"a": int64(2)}}, // the last wins
		{` [ true , false , null ] `, []any{true, false, nil}},
	} {
		got, err := Decode([]byte(c.in))
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("Decode(%s) = %#v, %v; want %#v", c.in, got, err, c.want)
		}
	}
}

func TestDecodeRefuses(t *testing.T) {
	for _, in := range []string{
		`1e400`, `-1e400`, `[1e400]`, `1e999999`, // beyond float64: refused, never a string or null
		"\"\xff\"", "{\"a\xc3\":1}", // not UTF-8
		``, ` `, `{`, `[1,]`, `{"a":1,}`, `01`, `1.`, `.5`, `+1`, `1e`, `"\x"`, "\"a\nb\"", `tru`, `nul`, `[1] 2`, `"\u12"`,
		strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1),
	} {
		if v, err := Decode([]byte(in)); err == nil {
			t.Errorf("Decode(%q) = %#v, want an error", in, v)
		}
	}
	if _, err := Decode([]byte("\"\xff\"")); !errors.Is(err, ErrInvalidUTF8) {
		t.Errorf("invalid UTF-8: %v", err)
	}
	// a million '[' is an error, not a stack overflow
	if _, err := Decode([]byte(strings.Repeat("[", 1_000_000))); err == nil {
		t.Error("a million '[' decoded")
	}
}

// FuzzDecode checks Decode against encoding/json: both accept the same
// texts (but numbers out of float64's range and invalid UTF-8, which
// encoding/json accepts in strings, replacing it) and decode them to equal
// values (int64 and float64 compared as numbers).
func FuzzDecode(f *testing.F) {
	for _, s := range []string{`{"a":[1,2.5,"x",null,true]}`, `"\ud83c\udd97"`, `"\ud83c"`, `9223372036854775808`, `1e400`, `-0.0e-0`, "\"\xff\"", `[[[]]]`, `{"a":{"b":{}}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := Decode(data)
		var want any
		werr := errors.New("not one JSON value")
		if json.Valid(data) { // the whole text one value, as Unmarshal takes it
			dec := json.NewDecoder(strings.NewReader(string(data)))
			dec.UseNumber()
			werr = dec.Decode(&want)
		}
		switch {
		case err != nil && werr == nil:
			var se *SyntaxError
			if errors.Is(err, ErrInvalidUTF8) || (errors.As(err, &se) && strings.Contains(se.Msg, "out of range")) || strings.Contains(err.Error(), "nested more than") {
				return // the documented differences
			}
			t.Fatalf("Decode(%q) refused what encoding/json takes: %v", data, err)
		case err == nil && werr != nil:
			t.Fatalf("Decode(%q) = %#v, encoding/json refuses: %v", data, got, werr)
		case err == nil:
			if !sameValue(got, want) {
				t.Fatalf("Decode(%q) = %#v, encoding/json %#v", data, got, want)
			}
		}
	})
}

func sameValue(a, b any) bool {
	switch x := b.(type) {
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return false
		}
		switch y := a.(type) {
		case int64:
			n, err := x.Int64()
			return err == nil && n == y
		case float64:
			return y == f
		}
		return false
	case map[string]any:
		y, ok := a.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			if !sameValue(y[k], v) {
				return false
			}
		}
		return true
	case []any:
		y, ok := a.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !sameValue(y[i], x[i]) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a, b)
}

func BenchmarkDecode(b *testing.B) {
	small := []byte(`{"order":{"id":"o-123","items":[{"sku":"a","qty":2,"price":9.99}],"paid":true,"note":null}}`)
	var big strings.Builder
	big.WriteString(`{"items":[`)
	for i := range 2000 {
		if i > 0 {
			big.WriteByte(',')
		}
		big.WriteString(`{"id":12345,"name":"item name with some text","price":19.95,"tags":["x","y"],"ok":true}`)
	}
	big.WriteString(`]}`)
	for _, doc := range []struct {
		name string
		data []byte
	}{{"100B", small}, {"200KB", []byte(big.String())}} {
		b.Run("jsontext/"+doc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(doc.data)))
			for b.Loop() {
				if _, err := Decode(doc.data); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("ojg+vet/"+doc.name, func(b *testing.B) { // the path it replaced: encoding/json vets, ojg parses
			b.ReportAllocs()
			b.SetBytes(int64(len(doc.data)))
			for b.Loop() {
				if !json.Valid(doc.data) {
					b.Fatal("invalid")
				}
				if _, err := oj.Parse(doc.data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
