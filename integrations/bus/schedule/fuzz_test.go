package schedule

import (
	"testing"
	"time"
)

// FuzzParse: no input panics or hangs; an accepted cron's ticks are
// increasing and match it.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"rate(1 minute)", "rate(5 minutes)", "cron(0 10 * * ? *)", "cron(0 0 LW * ? *)", "cron(0 0 15W * ? *)",
		"cron(0 0 ? * 6L *)", "cron(0 0 ? * 3#2 *)", "cron(0 22-2 ? * FRI-MON 2026-2199)", "cron(5-50/5 */3 1-31/2 */2 ? 1970/10)",
		"cron(0 0 31 2 ? *)",
	} {
		f.Add(s, int64(1796612448))
	}
	f.Fuzz(func(t *testing.T, s string, unix int64) {
		e, err := Parse(s)
		if err != nil {
			return
		}
		after := time.Unix(unix%(1<<33), 0).UTC()
		anchor := after.Add(-time.Hour)
		t1 := e.Next(anchor, after)
		if t1.IsZero() {
			return
		}
		if !t1.After(after) {
			t.Fatalf("%s: Next(%s) = %s", s, after, t1)
		}
		if e.cron != nil && !e.cron.matches(t1) {
			t.Fatalf("%s: %s does not match", s, t1)
		}
		if t2 := e.Next(anchor, t1); !t2.IsZero() && !t2.After(t1) {
			t.Fatalf("%s: Next(%s) = %s", s, t1, t2)
		}
	})
}
