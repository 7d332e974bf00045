package jpath

import (
	"testing"

	"github.com/ohler55/ojg/oj"
)

const fuzzDoc = `{"a":{"b":[1,{"c":"x"},null],"d-e":true},"items":[{"v":1,"s":0},{"v":2.5,"s":1}],"k":"v","it's":[]}`

// FuzzCompile checks that compiling any text never panics nor hangs, and
// that a compiled path can be evaluated and set without panicking or
// modifying the document.
func FuzzCompile(f *testing.F) {
	for _, s := range []string{
		"$", "$$", "$$.Execution.Id", "$var.x[0]", "$.a.b[-1]", "$.a.d-e", "$['it\\'s']",
		`$["a"]["b"][1].c`, "$.a.b[*]", "$.items[1:]", "$.items[::2]", "$.items[0,1]",
		"$['a','k']", "$.items[?(@.s == 0)].v", "$..v", "$.a.*", "$.abc.['def ghi']",
		"$['a,b'", "$[", "$.", "$[]", "$.a[?(@.x", "$[(@.length-1)]", "$.a..b",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		p, err := Compile(src)
		if err != nil {
			if p != nil {
				t.Fatalf("Compile(%q) returned a path and an error", src)
			}
			return
		}
		if p.Definite() != p.IsSimple() {
			t.Fatalf("%q: Definite %v but IsSimple %v", src, p.Definite(), p.IsSimple())
		}
		_ = p.Normalized()
		if _, err := CompileReference(src); (err == nil) != p.Definite() {
			t.Fatalf("%q: CompileReference error %v for a path with Definite %v", src, err, p.Definite())
		}
		doc, err := oj.ParseString(fuzzDoc)
		if err != nil {
			t.Fatal(err)
		}
		before := oj.JSON(doc, &oj.Options{Sort: true})
		s := Scope{Input: doc, Context: doc, Vars: func(string) (any, bool) { return doc, true }}
		v, ok := p.Get(s)
		_ = p.NotFound(s)
		if !p.Definite() {
			if _, isArr := v.([]any); !isArr || !ok {
				t.Fatalf("%q: an indefinite path yielded %T, %v", src, v, ok)
			}
		}
		// When Set succeeds, Get finds the value where Set put it.
		if out, err := p.Set(doc, "new"); err == nil {
			if got, ok := p.Get(Scope{Input: out}); !ok || got != "new" {
				t.Fatalf("%q: after Set, Get returned %v, %v", src, got, ok)
			}
		}
		if after := oj.JSON(doc, &oj.Options{Sort: true}); after != before {
			t.Fatalf("%q: the document changed from %s to %s", src, before, after)
		}
	})
}
