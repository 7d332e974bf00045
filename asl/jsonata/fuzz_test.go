package jsonata

import (
	"testing"
	"time"
)

// FuzzCompileEval compiles arbitrary text and, when it compiles, evaluates
// it against a small document with tight limits: it must never panic or
// hang.
func FuzzCompileEval(f *testing.F) {
	seeds := []string{
		`Account.Order[0].Product.Price`, `$sum(a.b) + 1`, `[1..5]`, `{"a": 1}.a`,
		`($f := function($n){$n > 0 ? $f($n-1) : 0}; $f(10))`, `a[b > 1]{c: $sum(d)}`,
		`$sort(items, function($l, $r){$l.p > $r.p})`, `x@$x#$i.%`, `$ ~> |a|{"b": 1}|`,
		`$formatNumber(1234.5, "#,##0.00")`, `$fromMillis(0, "[Y0001]-[M01]")`,
		`/ab+c/i`, `$match("abc", /b/)`, `**.a`, `$string($)`, `a.b^(>c)`,
	}
	for _, s := range seeds {
		f.Add(s)
	}
	doc, err := ParseJSON(`{"a": [{"b": 1, "c": "x", "d": [1, 2]}, {"b": 2, "c": "y"}], "items": [{"p": 3}, {"p": 1}], "x": {"y": null}}`)
	if err != nil {
		f.Fatal(err)
	}
	opts := &Options{
		MaxDepth: 200,
		MaxSteps: 20000,
		Now:      func() time.Time { return time.Unix(0, 0) },
		Random:   func() float64 { return 0.5 },
	}
	f.Fuzz(func(t *testing.T, src string) {
		e, err := Compile(src)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("compile error of type %T: %v", err, err)
			}
			return
		}
		if _, err := e.Eval(doc, opts); err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("eval error of type %T: %v", err, err)
			}
		}
	})
}
