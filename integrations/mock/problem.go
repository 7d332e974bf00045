package mock

import (
	"strings"
)

// Problem is one defect of a mock configuration.
type Problem struct {
	// Pointer is the JSON pointer (RFC 6901) of the offending value, e.g.
	// "/MockedResponses/LambdaRetry/1-2/Throw/Error"; "" is the whole file.
	Pointer string
	Message string
}

func (p Problem) String() string {
	if p.Pointer == "" {
		return p.Message
	}
	return p.Pointer + ": " + p.Message
}

// ValidationError lists every problem found in a mock configuration.
type ValidationError struct {
	// File is the path the configuration was read from; "" when it was
	// parsed from memory.
	File     string
	Problems []Problem
}

func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString("mock: invalid mock configuration")
	if e.File != "" {
		b.WriteString(" ")
		b.WriteString(e.File)
	}
	for i, p := range e.Problems {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(p.String())
	}
	return b.String()
}

// pointerEscaper escapes a reference token of a JSON pointer.
var pointerEscaper = strings.NewReplacer("~", "~0", "/", "~1")

// pointer appends reference tokens to the JSON pointer base.
func pointer(base string, tokens ...string) string {
	var b strings.Builder
	b.WriteString(base)
	for _, t := range tokens {
		b.WriteByte('/')
		b.WriteString(pointerEscaper.Replace(t))
	}
	return b.String()
}
