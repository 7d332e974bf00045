package choice_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/ohler55/ojg/oj"

	"github.com/signalbox/signalbox/asl/aslerr"
	"github.com/signalbox/signalbox/asl/choice"
	"github.com/signalbox/signalbox/asl/jpath"
)

// FuzzParse parses arbitrary JSON as a Choice rule and, when it compiles,
// evaluates it against a small input. Neither may panic; a rule comes
// back exactly when there are no diagnostics; every diagnostic points
// below the rule; and Eval fails only with States.Runtime.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		`{"Variable": "$.n", "NumericLessThanPath": "$.m", "Next": "X"}`,
		`{"Variable": "$.s", "StringMatches": "a*\\*b\\\\*", "Next": "X"}`,
		`{"Variable": "$.t", "TimestampEquals": "2016-08-18T17:33:00.5+01:00", "Next": "X"}`,
		`{"Variable": "$.s", "StringLessThan": "😀", "Next": "X"}`,
		`{"Variable": "$$.Execution.Name", "IsString": true, "Next": "X"}`,
		`{"Variable": "$v", "IsPresent": false, "Next": "X", "Assign": {"a": 1}}`,
		`{"Variable": "$.a[*].b", "IsNull": true, "Next": "X"}`,
		`{"And": [{"Variable": "$.a", "IsPresent": true}, {"Not": {"Variable": "$.a", "BooleanEquals": true}}], "Next": "X"}`,
		`{"Or": [], "Next": ""}`,
		`{"Condition": "{% true %}", "Next": "X"}`,
		`{"Variable": 1, "NumericEquals": "x", "IsNull": 3, "Foo": null}`,
		`[]`,
	} {
		f.Add(seed, true)
		f.Add(seed, false)
	}
	input := mustDecode(f, `{"n": 1, "m": 2.5, "s": "abc", "t": "2016-08-18T17:33:00Z", "a": [{"b": null}, {"b": true}], "o": {"k": [1, "x"]}}`)
	ctx := mustDecode(f, `{"Execution": {"Name": "e", "StartTime": "2016-08-18T17:33:00Z"}}`)
	vars := map[string]any{"v": "x", "w": int64(3)}
	s := jpath.Scope{Input: input, Context: ctx, Vars: func(n string) (any, bool) {
		v, ok := vars[n]
		return v, ok
	}}
	const ptr = "/States/C/Choices/0"
	f.Fuzz(func(t *testing.T, src string, top bool) {
		raw, ok := decodeFuzzInput(src)
		if !ok {
			return
		}
		r, diags := choice.Parse(raw, ptr, top)
		if (r == nil) == (len(diags) == 0) {
			t.Fatalf("rule %v with diagnostics %v", r, diags)
		}
		for _, d := range diags {
			if d.Code == "" || d.Message == "" || !strings.HasPrefix(d.Path, ptr) {
				t.Fatalf("malformed diagnostic %+v", d)
			}
		}
		if r == nil {
			return
		}
		_ = r.String()
		if top && r.Next == "" {
			t.Fatalf("top-level rule without Next: %s", src)
		}
		if _, err := r.Eval(s); err != nil {
			var ae *aslerr.Error
			if !errors.As(err, &ae) || ae.Name != aslerr.Runtime {
				t.Fatalf("Eval error %v is not States.Runtime", err)
			}
		}
	})
}

// decodeFuzzInput parses JSON text, refusing what oj rejects and what makes
// it panic: ojg v1.28.5 panics on some malformed objects, such as
// {"a":t,"b":1} ("assignment to entry in nil map"). That is the decoder's
// bug, not this package's; the rules under test never see such input.
func decodeFuzzInput(src string) (v any, ok bool) {
	defer func() {
		if recover() != nil {
			v, ok = nil, false
		}
	}()
	v, err := oj.ParseString(src)
	return v, err == nil
}
