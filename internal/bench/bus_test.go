package bench

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"
)

// `signalbox bench bus --quick` reports, for each rule count, the
// matcher's and PutEvents's figures and their ratios to the first, the
// settings, the load average and the goals, on SIGNALBOX_REDIS_URL's
// Redis when set, else on a redis-server of the bench's own (it needs a
// Redis: skipped without either). Its numbers are not checked: speed is
// measured, never asserted. Every measurement checks that each event
// matched its rule alone and came from its rule's queue.
func TestBenchBusReports(t *testing.T) {
	res := runOnRedis(t, "EventBridge", "bus", "--quick", "--rules", "1,20", "--events", "200", "--match-seconds", "0.05", "--signalbox", signalbox(t))
	row := `\| %s \| \d+ \| [\d.]+x \| \d+ \(\d+\) \| [\d.]+x \| \d+ \| \d+ \| \d+ \| [\d.]+, [\d.]+ \| \d+ \| [\d.]+s \|`
	want := []string{
		`signalbox serve at http://127\.0\.0\.1:\d+, on redis://.*appendonly`,
		`settings: rules of five kinds in turn .*\(rule k to queue k mod 4\); ~\d+-byte details; .* PutEvents: 200 events per rule count from 8 goroutines, PutEvents of 10 `,
		`load average at start: [\d.]+ [\d.]+ [\d.]+ `,
		`\| rules \| matcher events/s \| vs 1 rule\(s\) \| PutEvents events/s delivered \(acked\) \| vs 1 rule\(s\) \| into the queues events/s \| serve µs CPU/event \| Redis µs CPU/event \|`,
		regexp.QuoteMeta("| 1 | ") + `\d+ \| 1\.00x \| \d+ \(\d+\) \| 1\.00x \|`,
		fmt.Sprintf(row, "20"),
		`goals \(2-core machine\): matching with 10000 rules at most 3x slower than with 1, >= 10000 events/s through PutEvents to queue targets with 10000 rules: not measured \(--rules without 10000\)`,
		`load average at end: `,
	}
	for _, re := range want {
		require.Regexp(t, regexp.MustCompile(re), res.stdout)
	}

	for _, bad := range [][]string{{"bus", "--clients", "0"}, {"bus", "--rules", "1,x"}, {"bus", "--events", "5"}} {
		require.Equal(t, 2, runMain(t, bad...).code, "%v", bad)
	}
}
