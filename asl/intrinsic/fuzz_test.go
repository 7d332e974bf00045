package intrinsic_test

import (
	"errors"
	"testing"

	"github.com/ohler55/ojg/oj"

	"github.com/signalbox/signalbox/asl/aslerr"
	"github.com/signalbox/signalbox/asl/intrinsic"
	"github.com/signalbox/signalbox/asl/jpath"
)

// FuzzParse checks that Parse never panics, that what it accepts prints in
// a canonical form that parses back to itself, and that evaluating it
// never panics and fails only with *aslerr.Error. Seeds: every call of the
// recorded cases.
func FuzzParse(f *testing.F) {
	for _, src := range seedCalls(f) {
		f.Add(src)
	}
	for _, src := range []string{
		"States.Format('{} \\{\\} {}', $.s, States.Array(1, -2.5e3, true, null))",
		"States.ArrayRange(-5, 5, 0.5)",
		"States.Array($['a,b'], $[?(@ > 1)], $x, $$.Execution.Input.o)",
		"States.MathRandom(1, 10, $.n)",
		"States.Hash(States.JsonToString($), 'SHA-512')",
	} {
		f.Add(src)
	}
	input, err := oj.ParseString(`{"a":[1,2,3,2.5],"s":"x,y","n":5,"o":{"k":"v"},"t":"{} {}","b64":"eA=="}`)
	if err != nil {
		f.Fatal(err)
	}
	env := &intrinsic.Env{
		Scope: jpath.Scope{
			Input:   input,
			Context: map[string]any{"Execution": map[string]any{"Input": input, "Id": "e"}},
			Vars: func(name string) (any, bool) {
				if name == "x" {
					return int64(7), true
				}
				return nil, false
			},
		},
		Rand: fixedRand{},
	}
	f.Fuzz(func(t *testing.T, src string) {
		c, err := intrinsic.Parse(src)
		if err != nil {
			var pe *intrinsic.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse(%q) returned %T, want *ParseError", src, err)
			}
			return
		}
		canonical := c.String()
		again, err := intrinsic.Parse(canonical)
		if err != nil {
			t.Fatalf("canonical %q of %q does not parse: %v", canonical, src, err)
		}
		if again.String() != canonical {
			t.Fatalf("canonical form not stable: %q -> %q", canonical, again.String())
		}
		if _, err := c.Eval(env); err != nil {
			var ae *aslerr.Error
			if !errors.As(err, &ae) || ae.Name != aslerr.Runtime {
				t.Fatalf("Eval(%q) failed with %#v", src, err)
			}
		}
	})
}
