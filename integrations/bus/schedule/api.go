// Package schedule is EventBridge's schedule expressions: rate(value unit)
// and cron(minutes hours day-of-month month day-of-week year), AWS's
// six-field syntax (with ?, L, W, # and names) in UTC, validated as AWS
// validates them at PutRule ("Creating a rule that runs on a schedule in
// Amazon EventBridge", "Schedule expressions for rules").
package schedule

import (
	"strings"
	"time"
)

// Error is an expression AWS refuses: Message is AWS's text
// (ValidationException: "Parameter ScheduleExpression is not valid.").
type Error struct{ Message string }

func (e *Error) Error() string { return e.Message }

// invalid is the one message AWS gives for every malformed expression.
func invalid() error { return &Error{Message: "Parameter ScheduleExpression is not valid."} }

// MaxLen is ScheduleExpression's length limit at PutRule (PutRule API
// reference: "Length Constraints: Maximum length of 256").
const MaxLen = 256

// Expr is a parsed schedule expression: a rate or a cron.
type Expr struct {
	src  string
	rate *rate
	cron *cron
}

// String returns the expression as written.
func (e *Expr) String() string { return e.src }

// Parse parses a schedule expression.
func Parse(s string) (*Expr, error) {
	if len(s) > MaxLen {
		return nil, invalid()
	}
	switch {
	case strings.HasPrefix(s, "rate(") && strings.HasSuffix(s, ")"):
		r, err := parseRate(s[len("rate(") : len(s)-1])
		if err != nil {
			return nil, err
		}
		return &Expr{src: s, rate: r}, nil
	case strings.HasPrefix(s, "cron(") && strings.HasSuffix(s, ")"):
		c, err := parseCron(s[len("cron(") : len(s)-1])
		if err != nil {
			return nil, err
		}
		return &Expr{src: s, cron: c}, nil
	}
	return nil, invalid()
}

// Next returns the first tick strictly after after; anchor is when the
// rule was created (a rate counts from it). The zero time when there is
// none (a cron whose years are past).
func (e *Expr) Next(anchor, after time.Time) time.Time {
	if e.rate != nil {
		return e.rate.next(anchor, after)
	}
	return e.cron.next(after)
}
