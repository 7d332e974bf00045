package intrinsic_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/asl/intrinsic"
)

func TestIsCall(t *testing.T) {
	t.Parallel()
	require.True(t, intrinsic.IsCall("States.UUID()"))
	require.True(t, intrinsic.IsCall("States.Nope(1)"))
	require.False(t, intrinsic.IsCall("$.States.x"))
	require.False(t, intrinsic.IsCall(" States.UUID()"))
	require.False(t, intrinsic.IsCall("states.UUID()"))
}

func TestParseCanonical(t *testing.T) {
	t.Parallel()
	tests := []struct{ src, want string }{
		{"States.Format('Hello {}', $.name)", "States.Format('Hello {}', $.name)"},
		{"States.Array( 1 ,$.x,true , null,-2.5 , 1e3)", "States.Array(1, $.x, true, null, -2.5, 1e3)"},
		{"States.UUID( )", "States.UUID()"},
		{"States.Array()", "States.Array()"},
		{"States.Format('\\{\\} {} \\'\\\\', $$.Execution.Id)", "States.Format('\\{\\} {} \\'\\\\', $$.Execution.Id)"},
		{"States.Array($['a,b)'], $.c[0], $[?(@.x == 'y, z')], $var.f)", "States.Array($['a,b)'], $.c[0], $[?(@.x == 'y, z')], $var.f)"},
		{"States.MathAdd(States.ArrayLength(States.StringSplit($$.StateMachine.Name,'-')),-1)",
			"States.MathAdd(States.ArrayLength(States.StringSplit($$.StateMachine.Name, '-')), -1)"},
		{"States.StringToJson('{\"a\": [1]}')", "States.StringToJson('{\"a\": [1]}')"},
		{"States.Format($.template, 1, 2)", "States.Format($.template, 1, 2)"},
		{"States.Array(1)\n", "States.Array(1)"},
	}
	for _, tt := range tests {
		c, err := intrinsic.Parse(tt.src)
		require.NoError(t, err, tt.src)
		require.Equal(t, tt.want, c.String(), tt.src)
		require.Equal(t, tt.src, c.Source())
	}
}

func TestParseFunc(t *testing.T) {
	t.Parallel()
	c := intrinsic.MustParse("States.Format('{}', States.UUID())")
	require.Equal(t, "States.Format", c.Func())
}

func TestParseNestingLimit(t *testing.T) {
	t.Parallel()
	nest := func(depth int) string {
		return strings.Repeat("States.Array(", depth) + strings.Repeat(")", depth)
	}
	_, err := intrinsic.Parse(nest(10))
	require.NoError(t, err)
	_, err = intrinsic.Parse(nest(11))
	require.ErrorContains(t, err, "nested at most 10 deep")
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		src    string
		msg    string
		column int
	}{
		{"$.a", `must start with "States."`, 1},
		{"States.Nope(1)", `unknown intrinsic function "States.Nope"`, 1},
		{"States.Array", "expected '(' after States.Array", 13},
		{"States.Array (1)", "expected '(' after States.Array", 13},
		{"States.Array(1", "missing ')' to close States.Array", 15},
		{"States.Array(1 2)", "expected ',' or ')'", 16},
		{"States.Array(1,)", `unexpected ')' where an argument was expected`, 16},
		{"States.Array(", "missing argument", 14},
		{"States.Array(foo)", `unexpected "foo"`, 14},
		{"States.Array(\"x\")", `unexpected '"'`, 14},
		{"States.Array(1abc)", `invalid number "1abc"`, 14},
		{"States.Array(-)", `invalid number`, 14},
		{"States.Array(1.)", "expected digits after '.'", 16},
		{"States.Array(1e999)", "number 1e999 is out of range", 14},
		{"States.Array('abc", "unterminated string literal", 14},
		{"States.Array('a\\nb')", `invalid escape sequence "\\n"`, 16},
		{"States.Array('a\\", "unterminated escape sequence", 16},
		{"States.Array($.a b)", "invalid JSONPath", 14},
		{"States.Array($['a,b'", "unterminated bracket or quote in path", 14},
		{"States.Array($['a)", "unterminated bracket or quote in path", 14},
		{"States.Array($)x", `unexpected "x" after the call`, 16},
		{"States.Array(1) x", `unexpected "x" after the call`, 17},
		{"States.MathAdd(1)", "States.MathAdd takes 2 arguments, got 1", 1},
		{"States.MathAdd(1, 2, 3)", "States.MathAdd takes 2 arguments, got 3", 1},
		{"States.MathRandom(1)", "States.MathRandom takes 2 to 3 arguments, got 1", 1},
		{"States.UUID(1)", "States.UUID takes 0 arguments, got 1", 1},
		{"States.Format()", "States.Format takes at least 1 argument, got 0", 1},
		{"States.Array(States.JsonMerge($.a))", "States.JsonMerge takes 3 arguments, got 1", 14},
		{"States.Format('{} and {}', $.a)", "the template has 2 placeholders but 1 argument follow", 1},
		{"States.Format('none', $.a)", "the template has 0 placeholders but 1 argument follow", 1},
		{"States.Format('{x}', $.a)", "matching '}' not found for '{'", 1},
		{"States.Format('\\{}', $.a)", "the template has 0 placeholders", 1},
		{"States.Array('é', bad)", `unexpected "bad"`, 19},
	}
	for _, tt := range tests {
		_, err := intrinsic.Parse(tt.src)
		require.Error(t, err, tt.src)
		var pe *intrinsic.ParseError
		require.ErrorAs(t, err, &pe, tt.src)
		require.Contains(t, pe.Msg, tt.msg, tt.src)
		require.Equal(t, tt.column, pe.Column, tt.src)
		require.Equal(t, tt.src, pe.Src)
		require.Contains(t, err.Error(), "column")
	}
}
