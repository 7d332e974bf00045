// Package diag holds the diagnostics that validating a state machine
// definition produces: each with a stable code, a JSON-pointer path to the
// offending field and a message, modelled on AWS's
// ValidateStateMachineDefinition.
package diag

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Stable diagnostic codes. Tools match on them; never rename one.
const (
	SchemaValidationFailed = "SCHEMA_VALIDATION_FAILED" // wrong type, unknown or missing field
	InvalidJSONPath        = "INVALID_JSON_PATH"
	InvalidIntrinsic       = "INVALID_INTRINSIC_FUNCTION"
	MissingTransition      = "MISSING_TRANSITION_TARGET" // Next names no state
	MissingNextOrEnd       = "MISSING_NEXT_OR_END"
	MissingEndState        = "MISSING_END_STATE" // a machine with no terminal state
	UnreachableState       = "UNREACHABLE_STATE"
	DuplicateStateName     = "DUPLICATE_STATE_NAME"
	InvalidStateName       = "INVALID_STATE_NAME"
	StatesAllNotLast       = "STATES_ALL_NOT_LAST"
	InvalidChoiceRule      = "INVALID_CHOICE_RULE"
	InvalidValue           = "INVALID_VALUE" // a field's value is out of range or malformed
	InvalidJSON            = "INVALID_JSON"
	Unsupported            = "NOT_SUPPORTED"
	// MoreDiagnostics stands last for the diagnostics Bounded left out.
	MoreDiagnostics = "MORE_DIAGNOSTICS"
)

// Bounds of a reported list (Bounded): every place that returns or logs
// diagnostics shows at most this much, whatever the definition.
const (
	MaxReported      = 100      // diagnostics
	MaxReportedBytes = 32 << 10 // of paths and messages together
	MaxFieldBytes    = 512      // of one path or message
)

// Diagnostic is one problem found in a definition.
type Diagnostic struct {
	Path    string `json:"path"` // JSON pointer, "" for the whole document
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (d Diagnostic) String() string {
	p := d.Path
	if p == "" {
		p = "/"
	}
	return p + ": " + d.Code + ": " + d.Message
}

// List collects diagnostics. The zero value is ready to use.
type List []Diagnostic

// Add appends a diagnostic built from a format string.
func (l *List) Add(path, code, format string, args ...any) {
	*l = append(*l, Diagnostic{Path: path, Code: code, Message: fmt.Sprintf(format, args...)})
}

// Bounded returns the list held to MaxReported diagnostics and
// MaxReportedBytes, each path and message to MaxFieldBytes (cut with "…"),
// and, when some were left out, a last diagnostic (MoreDiagnostics) saying
// how many: "… and N more".
func (l List) Bounded() List {
	out := make(List, 0, min(len(l), MaxReported+1))
	size := 0
	for i, d := range l {
		d.Path, d.Message = cut(d.Path), cut(d.Message)
		size += len(d.Path) + len(d.Message)
		if i == MaxReported || size > MaxReportedBytes {
			return append(out, Diagnostic{Code: MoreDiagnostics, Message: fmt.Sprintf("… and %d more", len(l)-i)})
		}
		out = append(out, d)
	}
	return out
}

func cut(s string) string {
	if len(s) <= MaxFieldBytes {
		return s
	}
	n := MaxFieldBytes
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// Err returns the list as an error, or nil when it is empty.
func (l List) Err() error {
	if len(l) == 0 {
		return nil
	}
	return &Error{Diagnostics: l}
}

// Error is a definition that failed validation.
type Error struct{ Diagnostics List }

func (e *Error) Error() string {
	parts := make([]string, len(e.Diagnostics))
	for i, d := range e.Diagnostics {
		parts[i] = d.String()
	}
	return "invalid definition: " + strings.Join(parts, "; ")
}

// Pointer appends reference tokens to a JSON pointer, escaping '~' and '/'
// as RFC 6901 requires.
func Pointer(base string, tokens ...any) string {
	var b strings.Builder
	b.WriteString(base)
	for _, t := range tokens {
		b.WriteByte('/')
		s := fmt.Sprint(t)
		s = strings.ReplaceAll(s, "~", "~0")
		s = strings.ReplaceAll(s, "/", "~1")
		b.WriteString(s)
	}
	return b.String()
}
