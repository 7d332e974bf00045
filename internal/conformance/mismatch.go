package conformance

import (
	"strings"
	"unicode/utf8"

	"github.com/ohler55/ojg"
	"github.com/ohler55/ojg/oj"
)

// Problems a Mismatch reports.
const (
	ProblemDiffers    = "differs"    // both sides have a value and they differ
	ProblemMissing    = "missing"    // the expected value is absent from the result
	ProblemUnexpected = "unexpected" // the result has a value the expectation lacks
)

// Mismatch is the first difference Check finds between an expectation and
// a result.
type Mismatch struct {
	// Pointer is the JSON pointer of the difference in the result, rooted
	// at its fields: "/status", "/output/items/0", "/error", "/cause".
	// Inside a string holding JSON text the pointer continues into that
	// text ("/cause/Input").
	Pointer string
	// Problem is one of the Problem constants.
	Problem string
	// Expected and Actual are short renderings of the two sides as JSON
	// text, long strings cut around the first difference.
	Expected, Actual string
	// Note adds context, such as the error of an unexpected failure.
	Note string
}

// Error renders the mismatch on one line.
func (m *Mismatch) Error() string {
	var b strings.Builder
	b.WriteString(m.Pointer)
	b.WriteString(": ")
	switch m.Problem {
	case ProblemMissing:
		b.WriteString("missing, expected ")
		b.WriteString(m.Expected)
	case ProblemUnexpected:
		b.WriteString("unexpected, got ")
		b.WriteString(m.Actual)
	default:
		b.WriteString("expected ")
		b.WriteString(m.Expected)
		b.WriteString(", got ")
		b.WriteString(m.Actual)
	}
	if m.Note != "" {
		b.WriteString(" (")
		b.WriteString(m.Note)
		b.WriteString(")")
	}
	return b.String()
}

// renderOptions render values as compact JSON with sorted keys and
// unescaped angle brackets, so that masks such as <uuid:1> read as such.
var renderOptions = &ojg.Options{Sort: true, HTMLUnsafe: true}

// maxRender bounds the length of a rendered value, in runes.
const maxRender = 120

// render returns v as short JSON text.
func render(v any) string {
	if typeName(v) == "" {
		return "<Go " + goType(v) + ">"
	}
	return shorten(oj.JSON(v, renderOptions))
}

// renderStrings renders two differing strings, both cut to start a little
// before their first difference so that the difference shows.
func renderStrings(exp, got string) (string, string) {
	const context = 24
	i := commonPrefix(exp, got)
	if i <= context {
		return render(exp), render(got)
	}
	start := i - context
	for start > 0 && !utf8.RuneStart(exp[start]) {
		start--
	}
	cut := func(s string) string {
		text := oj.JSON(s[start:], renderOptions)
		return shorten(`"…` + text[1:])
	}
	return cut(exp), cut(got)
}

// commonPrefix returns the length in bytes of the longest common prefix.
func commonPrefix(a, b string) int {
	n := min(len(a), len(b))
	for i := range n {
		if a[i] != b[i] {
			return i
		}
	}
	return n
}

// shorten cuts s to maxRender runes.
func shorten(s string) string {
	if utf8.RuneCountInString(s) <= maxRender {
		return s
	}
	r := []rune(s)
	return string(r[:maxRender-1]) + "…"
}

// pointerEscaper escapes a JSON pointer reference token (RFC 6901).
var pointerEscaper = strings.NewReplacer("~", "~0", "/", "~1")

// child extends a JSON pointer by one reference token.
func child(ptr, token string) string { return ptr + "/" + pointerEscaper.Replace(token) }
