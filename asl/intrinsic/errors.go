package intrinsic

import (
	"fmt"
	"unicode/utf8"
)

// ParseError reports an invalid intrinsic function call in a definition.
type ParseError struct {
	Src    string // the call as written
	Column int    // 1-based, in characters
	Msg    string // what is wrong
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("invalid intrinsic function call %q: %s (at column %d)", e.Src, e.Msg, e.Column)
}

func newParseError(src string, pos int, format string, args ...any) *ParseError {
	if pos > len(src) {
		pos = len(src)
	}
	return &ParseError{
		Src:    src,
		Column: utf8.RuneCountInString(src[:pos]) + 1,
		Msg:    fmt.Sprintf(format, args...),
	}
}

// evalError is a failure of a function on the values it was given. Its
// message is what AWS writes after "had the following error: ".
type evalError struct{ msg string }

func (e *evalError) Error() string { return e.msg }

// missingPathError is an argument path that selected nothing.
type missingPathError struct{ path string }

func (e *missingPathError) Error() string { return "no value at " + e.path }

// errNoRandom is returned when a call needs randomness and Env.Rand is nil.
var errNoRandom = &evalError{msg: "no source of randomness is configured"}
