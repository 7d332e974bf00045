package choice_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/asl/jpath"
)

const numericLessThanPath = `{"Variable": "$.order.total", "NumericLessThanPath": "$.limits.max"}`

func BenchmarkEvalNumericLessThanPath(b *testing.B) {
	r := mustParse(b, numericLessThanPath)
	s := jpath.Scope{Input: mustDecode(b, `{"order": {"total": 41.5, "id": "o-1"}, "limits": {"max": 100}}`)}
	b.ReportAllocs()
	for b.Loop() {
		if ok, err := r.Eval(s); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}

// The common path of Eval, in the hot loop of every Choice state, must not
// allocate.
func TestEvalDoesNotAllocate(t *testing.T) {
	tests := []struct{ rule, input string }{
		{numericLessThanPath, `{"order": {"total": 41.5}, "limits": {"max": 100}}`},
		{`{"Variable": "$.n", "NumericEquals": 3}`, `{"n": 3}`},
		{`{"Variable": "$.s", "StringLessThan": "m"}`, `{"s": "abc😀"}`},
		{`{"Variable": "$.s", "StringMatches": "a*c*"}`, `{"s": "abc"}`},
		{`{"Variable": "$.t", "TimestampLessThan": "2030-01-01T00:00:00Z"}`, `{"t": "2024-01-01T00:00:00.5+02:00"}`},
		{`{"And": [{"Variable": "$.a", "IsPresent": true}, {"Not": {"Variable": "$.a", "IsNull": true}}]}`, `{"a": 1}`},
	}
	for _, tt := range tests {
		r := mustParse(t, tt.rule)
		s := jpath.Scope{Input: mustDecode(t, tt.input)}
		allocs := testing.AllocsPerRun(100, func() {
			if ok, err := r.Eval(s); !ok || err != nil {
				t.Fatal(ok, err)
			}
		})
		require.Zero(t, allocs, tt.rule)
	}
}
