// Package schedule is EventBridge's schedule expressions: rate(value unit)
// and cron(minutes hours day-of-month month day-of-week year), AWS's
// six-field syntax (with ?, L, W, # and names) in UTC, validated as AWS
// validates them at PutRule.
//
// This file is the package's contract; the implementation replaces the
// bodies.
package schedule

import "time"

// Error is an expression AWS refuses: Message is AWS's text
// (ValidationException: "Parameter ScheduleExpression is not valid.").
type Error struct{ Message string }

func (e *Error) Error() string { return e.Message }

// Expr is a parsed schedule expression.
type Expr struct{}

// Parse parses a schedule expression.
func Parse(s string) (*Expr, error) {
	return nil, &Error{Message: "Parameter ScheduleExpression is not valid."}
}

// Next returns the first tick strictly after after; anchor is when the
// rule was created (a rate counts from it). The zero time when there is
// none (a cron whose years are past).
func (e *Expr) Next(anchor, after time.Time) time.Time { return time.Time{} }
