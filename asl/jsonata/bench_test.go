package jsonata

import (
	"fmt"
	"testing"
)

func BenchmarkSimple(b *testing.B) {
	e := MustCompile(`$states.input.a + 1`)
	opts := &Options{Bindings: map[string]any{"states": map[string]any{"input": map[string]any{"a": int64(1)}}}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Eval(Undefined, opts); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkHeavy(b *testing.B) {
	items := make([]any, 1000)
	for i := range items {
		items[i] = map[string]any{
			"id":    fmt.Sprintf("item-%d", i),
			"price": float64((i * 37) % 100),
			"qty":   int64(i%7 + 1),
		}
	}
	input := map[string]any{"items": items}
	e := MustCompile(`$sort(items[price > 50], function($l,$r){$l.price > $r.price}).{"id": id, "total": price * qty}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Eval(input, nil); err != nil {
			b.Fatal(err)
		}
	}
}
