package intrinsic_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ohler55/ojg/oj"
	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/asl/aslerr"
	"github.com/signalbox/signalbox/asl/intrinsic"
	"github.com/signalbox/signalbox/asl/jpath"
)

// evalCase evaluates src against input (JSON; empty means {}). It expects
// want (JSON) or, when invalid is set, the failure "Invalid arguments in"
// the outermost function, or, when cause is set, that failure detail.
type evalCase struct {
	src     string
	input   string
	want    string
	invalid bool
	cause   string
}

func testEnv(t *testing.T, input string) *intrinsic.Env {
	t.Helper()
	if input == "" {
		input = "{}"
	}
	in, err := oj.ParseString(input)
	require.NoError(t, err, input)
	vars := map[string]any{"x": int64(2), "greeting": "hi"}
	return &intrinsic.Env{
		Scope: jpath.Scope{
			Input:   in,
			Context: map[string]any{"Execution": map[string]any{"Id": "exec-1", "Input": in}},
			Vars: func(name string) (any, bool) {
				v, ok := vars[name]
				return v, ok
			},
		},
		Rand: fixedRand{},
	}
}

func runEvalCases(t *testing.T, cases []evalCase) {
	t.Helper()
	for _, tt := range cases {
		c, err := intrinsic.Parse(tt.src)
		require.NoError(t, err, tt.src)
		got, err := c.Eval(testEnv(t, tt.input))
		if !tt.invalid && tt.cause == "" {
			require.NoError(t, err, tt.src)
			want, perr := oj.ParseString(tt.want)
			require.NoError(t, perr, tt.want)
			requireSameJSON(t, want, got, tt.src)
			continue
		}
		detail := tt.cause
		if tt.invalid {
			detail = "Invalid arguments in " + c.Func()
		}
		requireFailure(t, err, "The function '"+tt.src+"' had the following error: "+detail)
	}
}

func requireFailure(t *testing.T, err error, cause string) {
	t.Helper()
	require.Error(t, err, cause)
	var ae *aslerr.Error
	require.ErrorAs(t, err, &ae)
	require.Equal(t, aslerr.Runtime, ae.Name)
	require.Equal(t, cause, ae.Cause)
}

func TestFormat(t *testing.T) {
	t.Parallel()
	runEvalCases(t, []evalCase{
		{src: "States.Format('Hello, my name is {}.', $.name)", input: `{"name":"Arnav"}`, want: `"Hello, my name is Arnav."`},
		{src: "States.Format($.template, $.name)", input: `{"name":"Arnav","template":"Hello, my name is {}."}`, want: `"Hello, my name is Arnav."`},
		{src: "States.Format('no placeholders')", want: `"no placeholders"`},
		{src: "States.Format('{}|{}|{}|{}|{}|{}', null, 1, -1.5, true, 'x', $greeting)", want: `"null|1|-1.5|true|x|hi"`},
		{src: "States.Format('{}', $.o)", input: `{"o":{"b":[1,"x",{"y":2}],"a":{"c":null}}}`, want: `"{a={c=null}, b=[1, x, {y=2}]}"`},
		{src: "States.Format('{} {} {} {} {}', 1e20, 2.0, 0.0001, 1234567.5, 12345678.9)", want: `"1.0E20 2.0 1.0E-4 1234567.5 1.23456789E7"`},
		{src: "States.Format('\\{\\}{}\\'\\\\', 1)", want: `"{}1'\\"`},
		{src: "States.Format('{}', States.Array(1, 'a'))", want: `"[1, a]"`},
		{src: "States.Format('{}', $.nul)", input: `{"nul":null}`, want: `"null"`},
		{src: "States.Format($.t, 'x')", input: `{"t":"\\{{}\\}"}`, want: `"{x}"`},
		{src: "States.Format($.t, 1)", input: `{"t":"{} {}"}`, cause: "Invalid arguments in States.Format: number of arguments do not match the occurrences of {}."},
		{src: "States.Format($.t)", input: `{"t":"{x}"}`, cause: "Invalid template in States.Format: matching '}' not found for '{'"},
		{src: "States.Format($.n)", input: `{"n":5}`, invalid: true},
		{src: "States.Format(5)", invalid: true},
	})
}

func TestJSONFunctions(t *testing.T) {
	t.Parallel()
	runEvalCases(t, []evalCase{
		{src: "States.StringToJson($.s)", input: `{"s":"{\"a\":[1,2.5,\"x\"],\"b\":null}"}`, want: `{"a":[1,2.5,"x"],"b":null}`},
		{src: "States.StringToJson('{\"foo\": \"bar\"}')", want: `{"foo":"bar"}`},
		{src: "States.StringToJson(' ')", want: `null`},
		{src: "States.StringToJson('-0')", want: `0`},
		{src: "States.StringToJson('{')", invalid: true},
		{src: "States.StringToJson($.n)", input: `{"n":1}`, invalid: true},
		{src: "States.JsonToString($.o)", input: `{"o":{"b":"x\n\"y\\","a":[1,2.5,1e21,null,true,"é"]}}`, want: `"{\"a\":[1,2.5,1.0E21,null,true,\"é\"],\"b\":\"x\\n\\\"y\\\\\"}"`},
		{src: "States.JsonToString($)", input: `{"other":1}`, want: `"{\"other\":1}"`},
		{src: "States.JsonToString($.s)", input: `{"s":"a\u0001b"}`, want: `"\"a\\u0001b\""`},
		{src: "States.JsonToString(States.StringToJson($.s))", input: `{"s":"[1, {\"k\": 2.50}]"}`, want: `"[1,{\"k\":2.5}]"`},
		{src: "States.JsonMerge($.json1, $.json2, false)", input: `{"json1":{"a":{"a1":1,"a2":2},"b":2},"json2":{"a":{"a3":1,"a4":2},"c":3}}`, want: `{"a":{"a3":1,"a4":2},"b":2,"c":3}`},
		{src: "States.JsonMerge($.a, $.b, true)", input: `{"a":{},"b":{}}`, invalid: true},
		{src: "States.JsonMerge($.a, $.b, 'false')", input: `{"a":{},"b":{}}`, invalid: true},
		{src: "States.JsonMerge($.a, 'x', false)", input: `{"a":{}}`, invalid: true},
		{src: "States.JsonMerge($.a, $.b, false)", input: `{"a":[],"b":{}}`, invalid: true},
	})
}

func TestArrayFunctions(t *testing.T) {
	t.Parallel()
	nine := `{"a":[1,2,3,4,5,6,7,8,9],"five":[1,2,3,4,5]}`
	runEvalCases(t, []evalCase{
		{src: "States.Array()", want: `[]`},
		{src: "States.Array($.Id)", input: `{"Id":123456}`, want: `[123456]`},
		{src: "States.Array(1, 'a', $.o, States.Array(), $x)", input: `{"o":{"k":true}}`, want: `[1,"a",{"k":true},[],2]`},

		{src: "States.ArrayPartition($.a, 4)", input: nine, want: `[[1,2,3,4],[5,6,7,8],[9]]`},
		{src: "States.ArrayPartition($.five, 2.6)", input: nine, want: `[[1,2],[3,4],[5]]`},
		{src: "States.ArrayPartition($.five, 2147483647)", input: nine, want: `[[1,2,3,4,5]]`},
		{src: "States.ArrayPartition(States.Array(), 3)", want: `[]`},
		{src: "States.ArrayPartition($.five, 0.6)", input: nine, invalid: true},
		{src: "States.ArrayPartition($.five, 0)", input: nine, invalid: true},
		{src: "States.ArrayPartition($.five, -1)", input: nine, invalid: true},
		{src: "States.ArrayPartition($.five, '2')", input: nine, invalid: true},
		{src: "States.ArrayPartition($.five, null)", input: nine, invalid: true},
		{src: "States.ArrayPartition('not-array', 2)", invalid: true},

		{src: "States.ArrayContains($.a, 5)", input: nine, want: `true`},
		{src: "States.ArrayContains($.a, 10)", input: nine, want: `false`},
		{src: "States.ArrayContains($.a, '5')", input: nine, want: `false`},
		{src: "States.ArrayContains($.a, $.v)", input: `{"a":[1.0,{"k":[1,{"z":null}]}],"v":{"k":[1.0,{"z":null}]}}`, want: `true`},
		{src: "States.ArrayContains(States.Array(), null)", want: `false`},
		{src: "States.ArrayContains(States.Array(null), null)", want: `true`},
		{src: "States.ArrayContains($.s, 1)", input: `{"s":"1"}`, invalid: true},

		{src: "States.ArrayRange(1, 9, 2)", want: `[1,3,5,7,9]`},
		{src: "States.ArrayRange(0, 10, 3)", want: `[0,3,6,9]`},
		{src: "States.ArrayRange(-2, 2, 2)", want: `[-2,0,2]`},
		{src: "States.ArrayRange(5, 1, -2)", want: `[5,3,1]`},
		{src: "States.ArrayRange(5, 1, 1)", want: `[]`},
		{src: "States.ArrayRange(1, 5, -1)", want: `[]`},
		{src: "States.ArrayRange(3, 3, -1)", want: `[3]`},
		{src: "States.ArrayRange(1.4, 5.6, 2.2)", want: `[1,3,5]`},
		{src: "States.ArrayRange(1.6, 1.4, 1)", want: `[1]`},
		{src: "States.ArrayRange(5.4, -0.6, -2.4)", want: `[5,3,1]`},
		{src: "States.ArrayRange(1, 10, 0)", invalid: true},
		{src: "States.ArrayRange(1, 10, 0.49)", invalid: true},
		{src: "States.ArrayRange(1, 1001, 1)", invalid: true},
		{src: "States.ArrayRange(1001, 1, -1)", invalid: true},
		{src: "States.ArrayRange(-2147483648, 2147483647, 1)", invalid: true},
		{src: "States.ArrayRange(0, 3000000000, 1)", invalid: true},
		{src: "States.ArrayRange('a', 5, 1)", invalid: true},

		{src: "States.ArrayGetItem($.a, 5)", input: nine, want: `6`},
		{src: "States.ArrayGetItem($.a, 1.9)", input: nine, want: `2`},
		{src: "States.ArrayGetItem($.a, 9)", input: nine, invalid: true},
		{src: "States.ArrayGetItem($.a, -1)", input: nine, invalid: true},
		{src: "States.ArrayGetItem($.a, '1')", input: nine, invalid: true},
		{src: "States.ArrayGetItem('abc', 0)", invalid: true},

		{src: "States.ArrayLength($.a)", input: nine, want: `9`},
		{src: "States.ArrayLength(States.Array())", want: `0`},
		{src: "States.ArrayLength($.items[*].nope)", input: `{"items":[1,2]}`, want: `0`},
		{src: "States.ArrayLength($.o)", input: `{"o":{}}`, invalid: true},

		{src: "States.ArrayUnique($.a)", input: `{"a":[1,2,3,3,3,3,3,3,4]}`, want: `[1,2,3,4]`},
		{src: "States.ArrayUnique($.a)", input: `{"a":[1,1.0,"1",{"a":1,"b":[2]},{"b":[2.0],"a":1},[1],[1],null,null,true]}`, want: `[1,"1",{"a":1,"b":[2]},[1],null,true]`},
		{src: "States.ArrayUnique('x')", invalid: true},
	})
}

func TestEncodingFunctions(t *testing.T) {
	t.Parallel()
	long := func(s string, n int) string { return `{"s":"` + strings.Repeat(s, n) + `"}` }
	runEvalCases(t, []evalCase{
		{src: "States.Base64Encode($.input)", input: `{"input":"Data to encode"}`, want: `"RGF0YSB0byBlbmNvZGU="`},
		{src: "States.Base64Encode('')", want: `""`},
		{src: "States.Base64Encode('>>>???')", want: `"Pj4+Pz8/"`},
		{src: "States.Base64Encode($.s)", input: long("a", 10000), want: `"` + strings.Repeat("YWFh", 3333) + `YQ=="`},
		{src: "States.Base64Encode($.s)", input: long("a", 10001), invalid: true},
		{src: "States.Base64Encode($.s)", input: long("é", 10000), want: `"` + b64(strings.Repeat("é", 10000)) + `"`},
		{src: "States.Base64Encode($.s)", input: long("😀", 5001), invalid: true},
		{src: "States.Base64Encode(1)", invalid: true},
		{src: "States.Base64Decode($.base64)", input: `{"base64":"RGF0YSB0byBlbmNvZGU="}`, want: `"Data to encode"`},
		{src: "States.Base64Decode('RGF0YSB0byBlbmNvZGU')", want: `"Data to encode"`},
		{src: "States.Base64Decode('')", want: `""`},
		{src: "States.Base64Decode('/w==')", want: `"\uFFFD"`},
		{src: "States.Base64Decode('not base64!!!')", invalid: true},
		{src: "States.Base64Decode($.s)", input: `{"s":"RGF0\nYQ=="}`, invalid: true},
		{src: "States.Base64Decode($.s)", input: long("A", 10004), invalid: true},
		{src: "States.Base64Decode(States.Base64Encode($.s))", input: `{"s":"round trip ✓"}`, want: `"round trip ✓"`},

		{src: "States.Hash($.Data, $.Algorithm)", input: `{"Data":"input data","Algorithm":"SHA-1"}`, want: `"aaff4a450a104cd177d28d18d74485e8cae074b7"`},
		{src: "States.Hash('input data', 'MD5')", want: `"812f45842bc6d66ee14572ce20db8e86"`},
		{src: "States.Hash('input data', 'SHA-256')", want: `"b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3"`},
		{src: "States.Hash('input data', 'SHA-384')", want: `"d28a7d5cf25a74f11a50a18452b75e04bb3d70c9dd0510d6123aa008c756511b87525bdc835ebb27e1fb9e9374a15562"`},
		{src: "States.Hash('input data', 'SHA-512')", want: `"6ce4adb348546d4f449c4d25aad9a7c9cb711d9e91982d3f0b29ca2f3f47d4ce2deba23bf2954f0f1d593fc50283731a533d30d425402d4f91316d871303aac4"`},
		{src: "States.Hash('input data', 'SHA256')", invalid: true},
		{src: "States.Hash('input data', 'sha-256')", invalid: true},
		{src: "States.Hash(1, 'MD5')", invalid: true},
		{src: "States.Hash($.s, 'MD5')", input: long("a", 10001), invalid: true},
	})
}

func TestMathFunctions(t *testing.T) {
	t.Parallel()
	runEvalCases(t, []evalCase{
		{src: "States.MathAdd(5, 3)", want: `8`},
		{src: "States.MathAdd($.value1, $.step)", input: `{"value1":111,"step":-1}`, want: `110`},
		{src: "States.MathAdd($x, $x)", want: `4`},
		{src: "States.MathAdd(1.6, 2.7)", want: `5`},
		{src: "States.MathAdd(0.1, 0.2)", want: `0`},
		{src: "States.MathAdd(-1.5, 0)", want: `-1`},
		{src: "States.MathAdd(-2.5, 0)", want: `-2`},
		{src: "States.MathAdd(0.5, 0)", want: `1`},
		{src: "States.MathAdd(0.49999999999999994, 0)", want: `0`},
		{src: "States.MathAdd(2147483647, 0)", want: `2147483647`},
		{src: "States.MathAdd(-2147483647, -1)", want: `-2147483648`},
		{src: "States.MathAdd(2147483647, 1)", invalid: true},
		{src: "States.MathAdd(-2147483648, -1)", invalid: true},
		{src: "States.MathAdd(3000000000, 1)", invalid: true},
		{src: "States.MathAdd(2147483647.6, -1)", invalid: true},
		{src: "States.MathAdd('a', 1)", invalid: true},
		{src: "States.MathAdd('1', 1)", invalid: true},
		{src: "States.MathAdd(null, 1)", invalid: true},
		{src: "States.MathAdd(true, 1)", invalid: true},
		{src: "States.MathAdd($.big, 1)", input: `{"big":12345678901234567890}`, invalid: true},

		// fixedRand draws 0.5: the middle of [start, end).
		{src: "States.MathRandom(1, 999)", want: `500`},
		{src: "States.MathRandom($.start, $.end)", input: `{"start":-99999,"end":-9999}`, want: `-54999`},
		{src: "States.MathRandom(1.6, 5.4)", want: `3`},
		{src: "States.MathRandom(-2147483648, 2147483647)", want: `-1`},
		{src: "States.MathRandom(1, 1)", invalid: true},
		{src: "States.MathRandom(10, 5)", invalid: true},
		{src: "States.MathRandom(1.4, 1.6)", invalid: true},
		{src: "States.MathRandom('a', 10)", invalid: true},
		{src: "States.MathRandom(1, 10, null)", invalid: true},
		{src: "States.MathRandom(1, 10, 'seed')", invalid: true},
	})
}

func TestMathRandomSeeded(t *testing.T) {
	t.Parallel()
	env := testEnv(t, `{}`)
	env.Rand = nil // a seeded call needs no randomness
	seen := map[any]bool{}
	for seed := range 20 {
		c := intrinsic.MustParse("States.MathRandom(1, 100, " + itoa(seed) + ")")
		first, err := c.Eval(env)
		require.NoError(t, err)
		again, err := c.Eval(env)
		require.NoError(t, err)
		require.Equal(t, first, again, "a seeded draw repeats")
		n, ok := first.(int64)
		require.True(t, ok)
		require.True(t, 1 <= n && n < 100, n)
		seen[first] = true
	}
	require.Greater(t, len(seen), 5, "different seeds draw different numbers")

	got, err := intrinsic.MustParse("States.MathRandom(2147483640, 2147483647, 1)").Eval(env)
	require.NoError(t, err)
	require.True(t, got.(int64) >= 2147483640 && got.(int64) < 2147483647, got)
	got, err = intrinsic.MustParse("States.MathRandom(-2147483648, 2147483647, -10)").Eval(env)
	require.NoError(t, err)
	require.IsType(t, int64(0), got)
}

func TestStringSplit(t *testing.T) {
	t.Parallel()
	runEvalCases(t, []evalCase{
		{src: "States.StringSplit($.inputString, $.splitter)", input: `{"inputString":"1,2,3,4,5","splitter":","}`, want: `["1","2","3","4","5"]`},
		{src: "States.StringSplit('This.is+a,test=string', '.+,=')", want: `["This","is","a","test","string"]`},
		{src: "States.StringSplit(' , ', ',')", want: `[" "," "]`},
		{src: "States.StringSplit(',,a,,b,,', ',')", want: `["a","b"]`},
		{src: "States.StringSplit(',,,,', ',')", want: `[]`},
		{src: "States.StringSplit('', ',')", want: `[]`},
		{src: "States.StringSplit('abc', '')", want: `["abc"]`},
		{src: "States.StringSplit('a😀b😁c', '😀')", want: `["a","b😁c"]`},
		{src: "States.StringSplit(1, ',')", invalid: true},
		{src: "States.StringSplit('a', 1)", invalid: true},
	})
}

func TestUUID(t *testing.T) {
	t.Parallel()
	c := intrinsic.MustParse("States.UUID()")
	got, err := c.Eval(testEnv(t, ""))
	require.NoError(t, err)
	require.Equal(t, "01234567-89ab-4def-8123-456789abcdef", got)

	env := testEnv(t, "")
	env.Rand = nil
	_, err = c.Eval(env)
	requireFailure(t, err, "The function 'States.UUID()' had the following error: no source of randomness is configured")
	_, err = intrinsic.MustParse("States.MathRandom(1, 10)").Eval(env)
	requireFailure(t, err, "The function 'States.MathRandom(1, 10)' had the following error: no source of randomness is configured")
}

func TestMissingPathArgument(t *testing.T) {
	t.Parallel()
	notFound := func(path, input string) string {
		return "The JsonPath argument for the field '" + path + "' could not be found in the input '" + input + "'"
	}
	runEvalCases(t, []evalCase{
		{src: "States.Format('{}', $.nope)", input: `{"other":1}`, cause: notFound("$.nope", `{"other":1}`)},
		{src: "States.Format('{}',$.nope)", input: `{"other":1}`, cause: notFound("$.nope", `{"other":1}`)},
		{src: "States.Format('{} {}', $.other, $.a.b)", input: `{"other":1}`, cause: notFound("$.a.b", `{"other":1}`)},
		{src: "States.Format($.nope, 1)", input: `{"other":1}`, cause: notFound("$.nope", `{"other":1}`)},
		{src: "States.Format('{}', States.Format('{}', $.nope))", input: `{"other":1}`, cause: notFound("$.nope", `{"other":1}`)},
		{src: "States.Format('{}', $.items[5])", input: `{"items":[1,2]}`, cause: notFound("$.items[5]", `{"items":[1,2]}`)},
		{src: "States.Format('{}', $$.Nope.Deep)", input: `{"other":1}`, cause: notFound("$.Nope.Deep", `{"other":1}`)},
		{src: "States.MathAdd($nope, 1)", input: `{"b":2.5,"a":[true]}`, cause: notFound("$nope", `{"a":[true],"b":2.5}`)},
		{src: "States.MathAdd($.nope, 'x')", cause: notFound("$.nope", `{}`)},
		{src: "States.ArrayLength($.nope)", cause: notFound("$.nope", `{}`)},
		{src: "States.JsonMerge($.nope, $.other, false)", input: `{"other":{}}`, cause: notFound("$.nope", `{"other":{}}`)},
		{src: "States.Format('{}', $$.Execution.Id)", want: `"exec-1"`},
		{src: "States.Format('{} {}', $greeting, $$.Execution.Input.k)", input: `{"k":"v"}`, want: `"hi v"`},
	})
}

// TestEvalDoesNotMutate checks that results never share writable storage
// with the input: appending to a chunk or setting a merged member leaves
// the input as it was.
func TestEvalDoesNotMutate(t *testing.T) {
	t.Parallel()
	env := testEnv(t, `{"a":[1,2,3,4],"m1":{"k":1},"m2":{"j":2}}`)
	before := oj.JSON(env.Scope.Input, &oj.Options{Sort: true})

	parts, err := intrinsic.MustParse("States.ArrayPartition($.a, 2)").Eval(env)
	require.NoError(t, err)
	first := parts.([]any)[0].([]any)
	_ = append(first, "x")
	merged, err := intrinsic.MustParse("States.JsonMerge($.m1, $.m2, false)").Eval(env)
	require.NoError(t, err)
	merged.(map[string]any)["k"] = "changed"
	arr, err := intrinsic.MustParse("States.ArrayUnique($.a)").Eval(env)
	require.NoError(t, err)
	arr.([]any)[0] = "changed"

	require.Equal(t, before, oj.JSON(env.Scope.Input, &oj.Options{Sort: true}))
}

func TestEvalConcurrent(t *testing.T) {
	t.Parallel()
	c := intrinsic.MustParse("States.Format('{}-{}', States.MathAdd($.id, 1), States.ArrayGetItem(States.StringSplit($.s, ','), 1))")
	done := make(chan error, 8)
	for g := range 8 {
		go func() {
			env := testEnv(t, `{"id":`+itoa(g)+`,"s":"a,b,c"}`)
			for range 100 {
				v, err := c.Eval(env)
				if err == nil && v != itoa(g+1)+"-b" {
					err = fmt.Errorf("goroutine %d got %v", g, v)
				}
				if err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	for range 8 {
		require.NoError(t, <-done)
	}
}

func TestEvalNilEnv(t *testing.T) {
	t.Parallel()
	v, err := intrinsic.MustParse("States.MathAdd(1, 2)").Eval(nil)
	require.NoError(t, err)
	require.Equal(t, int64(3), v)
}

// TestComputedNumbersAreInt64 checks the type of computed numbers: int64,
// as the decoded JSON the rest of the runtime handles.
func TestComputedNumbersAreInt64(t *testing.T) {
	t.Parallel()
	env := testEnv(t, `{"id":5,"f":1.5,"a":[1,2]}`)
	for _, src := range []string{
		"States.MathAdd($.id, $.f)",
		"States.ArrayLength($.a)",
		"States.MathRandom(1, 5)",
		"States.MathRandom(1, 5, 7)",
	} {
		v, err := intrinsic.MustParse(src).Eval(env)
		require.NoError(t, err, src)
		require.IsType(t, int64(0), v, src)
	}
	v, err := intrinsic.MustParse("States.ArrayRange(1, 3, 1)").Eval(env)
	require.NoError(t, err)
	require.Equal(t, []any{int64(1), int64(2), int64(3)}, v)
}
