package schedule

import (
	"errors"
	"testing"
	"time"
)

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestParseValid(t *testing.T) {
	for _, s := range []string{
		// "Schedule expressions for rules": AWS's examples.
		"cron(0 10 * * ? *)", "cron(15 12 * * ? *)", "cron(0 18 ? * MON-FRI *)",
		"cron(0 8 1 * ? *)", "cron(0/15 * * * ? *)", "cron(0/10 * ? * MON-FRI *)",
		"cron(0/5 8-17 ? * MON-FRI *)", "cron(0 9 ? * 2#1 *)",
		"rate(1 minute)", "rate(5 minutes)", "rate(1 hour)", "rate(12 hours)", "rate(1 day)", "rate(7 days)",
		// the rest of the syntax
		"cron(0 0 L * ? *)", "cron(0 0 LW * ? *)", "cron(0 0 15W * ? *)", "cron(0 0 ? * 6L *)",
		"cron(0 0 ? * L *)", "cron(0 0 1,15 JAN,jul ? 2026-2030)", "cron(* * * * ? *)",
		"cron(0 22-2 ? * FRI-MON *)", "cron(5-50/5 */3 1-31/2 */2 ? 1970/10)", "cron(0 0 ? * * *)",
		"cron(0  0 ? * * 2199)",
	} {
		if _, err := Parse(s); err != nil {
			t.Errorf("Parse(%q): %v", s, err)
		}
	}
}

func TestParseInvalid(t *testing.T) {
	for _, s := range []string{
		"", "rate()", "rate(1 minutes)", "rate(5 minute)", "rate(0 minutes)", "rate(-1 minutes)",
		"rate(1 hours)", "rate(2 day)", "rate(1 week)", "rate(01 minute)", "rate(+2 minutes)",
		"rate(5  minutes)", "rate(5 minutes", "rate(99999999999 days)", " rate(1 day)",
		"cron(0 10 * * * *)",   // neither day field is ?
		"cron(0 10 ? * ? *)",   // both are
		"cron(0 10 * * ?)",     // five fields
		"cron(0 10 * * ? * *)", // seven
		"cron(60 10 * * ? *)", "cron(0 24 * * ? *)", "cron(0 0 32 * ? *)", "cron(0 0 0 * ? *)",
		"cron(0 0 * 13 ? *)", "cron(0 0 ? * 8 *)", "cron(0 0 ? * 0 *)", "cron(0 0 * * ? 1969)",
		"cron(0 0 * * ? 2200)", "cron(0 0 * * ? 2030-2020)", "cron(0 0 1-5W * ? *)", "cron(0 0 ? * 3#6 *)",
		"cron(0 0 ? * 8#1 *)", "cron(0 0 ? * 3#0 *)", "cron(0/0 * * * ? *)", "cron(0/61 * * * ? *)",
		"cron(a * * * ? *)", "cron(0 0 ? FOO * *)", "cron(0 0 L ? * *)x", "cron(0 0 ,1 * ? *)",
		"cron(0 0 1- * ? *)", "cron(0 0 ? * #2 *)", "cron(0 0 ? * 1L,2 *)", "cron(0 0 W * ? *)",
		"cron(0 12 ? * 3#2,5 *)", "cron(0 0 L,15 * ? *)", "cron(0 0 ? * 1-3#2 *)",
		"cron()", "every(5 minutes)",
	} {
		_, err := Parse(s)
		var e *Error
		if !errors.As(err, &e) || e.Message != "Parameter ScheduleExpression is not valid." {
			t.Errorf("Parse(%q) = %v, want AWS's ValidationException", s, err)
		}
	}
}

func TestCronNext(t *testing.T) {
	for _, c := range []struct{ expr, after, want string }{
		{"cron(0 10 * * ? *)", "2026-12-07T03:00:48Z", "2026-12-07T10:00:00Z"},
		{"cron(0 10 * * ? *)", "2026-12-07T10:00:00Z", "2026-12-08T10:00:00Z"}, // strictly after
		{"cron(0 10 * * ? *)", "2026-12-07T09:59:59.9Z", "2026-12-07T10:00:00Z"},
		{"cron(0 18 ? * MON-FRI *)", "2026-12-04T18:00:00Z", "2026-12-07T18:00:00Z"}, // Fri -> Mon
		{"cron(0 8 1 * ? *)", "2026-12-07T00:00:00Z", "2027-01-01T08:00:00Z"},
		{"cron(0/15 * * * ? *)", "2026-12-07T10:07:00Z", "2026-12-07T10:15:00Z"},
		{"cron(0/15 * * * ? *)", "2026-12-31T23:50:00Z", "2027-01-01T00:00:00Z"},
		{"cron(0/5 8-17 ? * MON-FRI *)", "2026-12-04T17:55:00Z", "2026-12-07T08:00:00Z"},
		{"cron(0 9 ? * 2#1 *)", "2026-12-07T09:00:00Z", "2027-01-04T09:00:00Z"}, // first Monday
		{"cron(0 0 ? * 3#2 *)", "2026-12-01T00:00:00Z", "2026-12-08T00:00:00Z"}, // second Tuesday
		{"cron(0 0 ? * 2#5 *)", "2026-12-01T00:00:00Z", "2027-03-29T00:00:00Z"}, // next fifth Monday
		{"cron(0 0 L * ? *)", "2028-02-01T00:00:00Z", "2028-02-29T00:00:00Z"},   // leap
		{"cron(0 0 L * ? *)", "2027-02-01T00:00:00Z", "2027-02-28T00:00:00Z"},
		{"cron(0 0 L * ? *)", "2100-02-01T00:00:00Z", "2100-02-28T00:00:00Z"}, // not leap
		{"cron(0 0 L * ? *)", "2026-04-30T00:00:00Z", "2026-05-31T00:00:00Z"},
		{"cron(0 0 29 2 ? *)", "2026-03-01T00:00:00Z", "2028-02-29T00:00:00Z"},
		{"cron(0 0 31 * ? *)", "2026-03-31T00:00:00Z", "2026-05-31T00:00:00Z"},  // April has 30
		{"cron(0 0 LW * ? *)", "2027-01-01T00:00:00Z", "2027-01-29T00:00:00Z"},  // Sun 31st -> Fri 29th
		{"cron(0 0 LW * ? *)", "2026-08-01T00:00:00Z", "2026-08-31T00:00:00Z"},  // Mon 31st
		{"cron(0 0 15W * ? *)", "2026-08-01T00:00:00Z", "2026-08-14T00:00:00Z"}, // Sat 15th -> Fri 14th
		{"cron(0 0 1W * ? *)", "2026-07-31T00:00:00Z", "2026-08-03T00:00:00Z"},  // Sat 1st -> Mon 3rd, not July 31st
		{"cron(0 0 1W * ? *)", "2026-10-31T00:00:00Z", "2026-11-02T00:00:00Z"},  // Sun 1st -> Mon 2nd
		{"cron(0 0 ? * 6L *)", "2026-12-01T00:00:00Z", "2026-12-25T00:00:00Z"},  // last Friday
		{"cron(0 0 ? * L *)", "2026-12-07T00:00:00Z", "2026-12-12T00:00:00Z"},   // Saturday
		{"cron(30 22-2 ? * FRI *)", "2026-12-04T23:00:00Z", "2026-12-04T23:30:00Z"},
		{"cron(30 22-2 ? * FRI *)", "2026-12-04T23:30:00Z", "2026-12-11T00:30:00Z"},
		{"cron(0 0 1 1 ? 2199)", "2199-01-01T00:00:00Z", ""},
		{"cron(0 0 31 2 ? *)", "2026-01-01T00:00:00Z", ""}, // never
		{"cron(0 12 * * ? 2030)", "1960-01-01T00:00:00Z", "2030-01-01T12:00:00Z"},
		{"cron(0 12 * * ? *)", "1960-01-01T00:00:00Z", "1970-01-01T12:00:00Z"},
		{"cron(0 0 1 JAN ? 2026,2028)", "2026-06-01T00:00:00Z", "2028-01-01T00:00:00Z"},
	} {
		e, err := Parse(c.expr)
		if err != nil {
			t.Fatalf("Parse(%q): %v", c.expr, err)
		}
		got := e.Next(time.Time{}, at(c.after))
		if c.want == "" {
			if !got.IsZero() {
				t.Errorf("%s after %s = %s, want none", c.expr, c.after, got)
			}
			continue
		}
		if !got.Equal(at(c.want)) {
			t.Errorf("%s after %s = %s, want %s", c.expr, c.after, got.Format(time.RFC3339), c.want)
		}
	}
}

func TestRateNext(t *testing.T) {
	anchor := at("2026-12-07T03:00:30.5Z")
	for _, c := range []struct{ expr, after, want string }{
		{"rate(5 minutes)", "2026-12-07T03:00:30.5Z", "2026-12-07T03:05:30.5Z"},
		{"rate(5 minutes)", "2020-01-01T00:00:00Z", "2026-12-07T03:05:30.5Z"}, // before the rule: its first tick
		{"rate(5 minutes)", "2026-12-07T03:05:30.5Z", "2026-12-07T03:10:30.5Z"},
		{"rate(5 minutes)", "2026-12-07T03:05:30.4Z", "2026-12-07T03:05:30.5Z"},
		{"rate(5 minutes)", "2026-12-07T03:05:30.6Z", "2026-12-07T03:10:30.5Z"},
		{"rate(1 hour)", "2026-12-08T00:00:00Z", "2026-12-08T00:00:30.5Z"},
		{"rate(1 day)", "2027-12-07T03:00:30Z", "2027-12-07T03:00:30.5Z"},
		{"rate(2 days)", "2026-12-08T03:00:30.5Z", "2026-12-09T03:00:30.5Z"},
	} {
		e, err := Parse(c.expr)
		if err != nil {
			t.Fatal(err)
		}
		if got := e.Next(anchor, at(c.after)); !got.Equal(at(c.want)) {
			t.Errorf("%s after %s = %s, want %s", c.expr, c.after, got.Format(time.RFC3339Nano), c.want)
		}
	}
}

// TestNextProperty checks, for many expressions, that Next is strictly
// increasing, that every tick matches, and that no minute between two
// ticks matches (a minute-by-minute scan over a window, the slow way).
func TestNextProperty(t *testing.T) {
	t.Parallel()
	exprs := []string{
		"cron(0 10 * * ? *)", "cron(0/7 */5 * * ? *)", "cron(0 0 L * ? *)", "cron(0 0 LW * ? *)",
		"cron(0 0 15W * ? *)", "cron(0 0 1W * ? *)", "cron(0 12 ? * 6L *)",
		"cron(0 12 ? * 3#2 *)", "cron(45 23 ? * SAT-SUN *)", "cron(0 0 29 2 ? *)", "cron(0 22-2 ? * FRI-MON *)",
		"cron(5-50/15 8-17 1-10,20 */2 ? *)", "cron(0 0 ? * 2#5 *)", "cron(0 0 ? * L *)",
	}
	for _, s := range exprs {
		e, err := Parse(s)
		if err != nil {
			t.Fatalf("Parse(%q): %v", s, err)
		}
		checkTicks(t, e, at("2027-02-15T00:00:00Z"), 24*60*20) // February's end
		checkTicks(t, e, at("2027-12-15T00:00:00Z"), 24*60*50) // a year's end
		checkTicks(t, e, at("2028-02-01T00:00:00Z"), 24*60*40) // a leap February
	}
}

func checkTicks(t *testing.T, e *Expr, from time.Time, minutes int) {
	t.Helper()
	end := from.Add(time.Duration(minutes) * time.Minute)
	next := e.Next(time.Time{}, from)
	for m := from.Add(time.Minute); m.Before(end); m = m.Add(time.Minute) {
		match := e.cron.matches(m)
		if match != m.Equal(next) {
			t.Fatalf("%s: at %s matches=%v, Next gave %s", e, m, match, next)
		}
		if match {
			n := e.Next(time.Time{}, next)
			if !n.After(next) {
				t.Fatalf("%s: Next(%s) = %s is not after it", e, next, n)
			}
			next = n
		}
	}
}

func BenchmarkNextNever(b *testing.B) {
	e, _ := Parse("cron(0 0 31 2 ? *)")
	from := at("1970-01-01T00:00:00Z")
	for b.Loop() {
		e.Next(time.Time{}, from)
	}
}
