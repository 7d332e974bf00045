package choice

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"unicode/utf16"

	"github.com/stretchr/testify/require"
)

// javaCompare is the reference order: UTF-16 code units, compared one by
// one, the shorter sequence first on a tie.
func javaCompare(a, b string) int {
	return slices.Compare(utf16.Encode([]rune(a)), utf16.Encode([]rune(b)))
}

func TestCompareUTF16(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"", "a", -1},
		{"A", "AB", -1},
		{"ABC", "AB", 1},
		{"a", "B", 1},
		{"é", "z", 1},
		{"😀", "Ａ", -1}, // D83D < FF21, although U+1F600 > U+FF21
		{"Ａ", "😀", 1},
		{"😀", "😁", -1},
		{"\U00010000", "\U0010FFFF", -1},
		{"\uE000", "\U00010000", 1},
		{"x\U00010000", "x\uFFFF", -1},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, compareUTF16(tt.a, tt.b), "%q vs %q", tt.a, tt.b)
		require.Equal(t, javaCompare(tt.a, tt.b), compareUTF16(tt.a, tt.b), "%q vs %q", tt.a, tt.b)
	}
}

func TestCompareUTF16MatchesReference(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	// Characters around the boundaries where UTF-16 and code point order
	// disagree.
	alphabet := []rune{'a', 'b', 0x7F, 0xE9, 0xD7FF, 0xE000, 0xFF21, 0xFFFF, 0x10000, 0x1F600, 0x10FFFF}
	gen := func() string {
		rs := make([]rune, rng.IntN(4))
		for i := range rs {
			rs[i] = alphabet[rng.IntN(len(alphabet))]
		}
		return string(rs)
	}
	for range 20000 {
		a, b := gen(), gen()
		require.Equal(t, javaCompare(a, b), compareUTF16(a, b), "%q vs %q", a, b)
	}
}

func TestCompareUTF16InvalidUTF8IsTotal(t *testing.T) {
	t.Parallel()
	require.NotEqual(t, 0, compareUTF16("\xff", "\xfe"))
	require.Equal(t, -compareUTF16("\xff", "\xfe"), compareUTF16("\xfe", "\xff"))
}

func TestPattern(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pattern string
		s       string
		want    bool
	}{
		{"foo*.log", "foo23.log", true},
		{"*.log", "zebra.log", true},
		{"foo*.*", "foobar.zebra", true},
		{"*", "", true},
		{"*", "anything", true},
		{"**", "x", true},
		{"", "", true},
		{"", "x", false},
		{"abc", "abc", true},
		{"abc", "abcd", false},
		{"a*a", "a", false}, // prefix and suffix may not overlap
		{"a*a", "aa", true},
		{"a*b*c", "abc", true},
		{"a*b*c", "acb", false},
		{"a*b*c", "a-b-b-c", true},
		{"*b*b*", "abab", true},
		{"*b*b*", "ab", false},
		{`\*`, "*", true},
		{`\*`, "x", false},
		{`a\*b*`, "a*bcd", true},
		{`\\`, `\`, true},
		{`\\*`, `\abc`, true},
		{`a\b`, `a\b`, true}, // a backslash before another character is literal
		{`a\`, `a\`, true},
		{"é*ü", "éaü", true},
		{"?", "x", false}, // only '*' is special
		{"[a]", "a", false},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, compilePattern(tt.pattern).match(tt.s), "%q matches %q", tt.pattern, tt.s)
	}
}

func TestCompareNumbers(t *testing.T) {
	t.Parallel()
	i := func(v int64) number { return number{i: v, isInt: true} }
	f := func(v float64) number { return number{f: v} }
	tests := []struct {
		a, b number
		want int
	}{
		{i(1), i(2), -1},
		{i(2), i(2), 0},
		{i(1), f(1.0), 0},
		{f(1.0), i(1), 0},
		{i(1), f(1.5), -1},
		{f(1.5), i(1), 1},
		{i(-1), f(-1.5), 1},
		{i(-2), f(-1.5), -1},
		{f(0.1), f(0.2), -1},
		{i(math.MaxInt64), f(9.223372036854775807e18), -1}, // the float is 2^63
		{i(math.MinInt64), f(-9.223372036854775807e18), 0}, // the float is -2^63
		{i(math.MinInt64), f(-1e19), 1},
		{i(9007199254740993), f(9007199254740992), 1},
		{f(math.NaN()), i(1), unordered},
		{i(1), f(math.NaN()), unordered},
		{f(math.NaN()), f(math.NaN()), unordered},
		{f(math.Inf(1)), i(math.MaxInt64), 1},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, compareNumbers(tt.a, tt.b), "%v vs %v", tt.a, tt.b)
	}
}

func TestToNumber(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   any
		want number
		ok   bool
	}{
		{int64(3), number{i: 3, isInt: true}, true},
		{3, number{i: 3, isInt: true}, true},
		{2.5, number{f: 2.5}, true},
		{json.Number("12"), number{i: 12, isInt: true}, true},
		{json.Number("1e400"), number{f: math.Inf(1)}, true},
		{json.Number("99999999999999999999"), number{f: 1e20}, true},
		{json.Number("x"), number{}, false},
		{"1", number{}, false},
		{true, number{}, false},
		{nil, number{}, false},
	}
	for _, tt := range tests {
		got, ok := toNumber(tt.in)
		require.Equal(t, tt.ok, ok, "%#v", tt.in)
		require.Equal(t, tt.want, got, "%#v", tt.in)
	}
}

func TestRelationHolds(t *testing.T) {
	t.Parallel()
	for _, r := range []relation{relEquals, relLessThan, relGreaterThan, relLessThanEquals, relGreaterThanEquals} {
		require.False(t, r.holds(unordered), "relation %d", r)
	}
	require.Equal(t, []bool{false, true, false}, []bool{relEquals.holds(-1), relEquals.holds(0), relEquals.holds(1)})
	require.Equal(t, []bool{true, true, false}, []bool{relLessThanEquals.holds(-1), relLessThanEquals.holds(0), relLessThanEquals.holds(1)})
	require.Equal(t, []bool{false, true, true}, []bool{relGreaterThanEquals.holds(-1), relGreaterThanEquals.holds(0), relGreaterThanEquals.holds(1)})
}

func TestOperatorNames(t *testing.T) {
	t.Parallel()
	require.Equal(t, "NumericLessThanEquals", NumericLessThanEquals.String())
	require.Equal(t, "Operator(?)", Operator(0).String())
	require.Equal(t, "Operator(?)", numOperators.String())
	// 26 operators, 16 of which have a ...Path form.
	require.Len(t, operatorFields, 26+16)
	require.Equal(t, operatorField{op: TimestampGreaterThan, path: true}, operatorFields["TimestampGreaterThanPath"])
	_, ok := operatorFields["StringMatchesPath"]
	require.False(t, ok)
}
