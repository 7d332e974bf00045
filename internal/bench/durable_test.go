package bench

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/store"
)

// `signalbox bench durable` reports every figure, with what it cost the
// Redis and the Redis's persistence settings, beside redis-benchmark's.
// Its numbers are not checked: speed is measured, never asserted.
func TestBenchDurableReports(t *testing.T) {
	url := os.Getenv(store.EnvRedisURL)
	if url == "" {
		t.Skip("measures a real Redis: set " + store.EnvRedisURL)
	}
	res := runMain(t, "durable", "--redis-url", url, "--executions", "200", "--seconds", "0.5", "--memory", "5000")
	require.Equal(t, 0, res.code, "stdout %s\nstderr %s", res.stdout, res.stderr)
	requireBenchDurableFigures(t, res.stdout)
	require.Regexp(t, `memory over 5000 transitions: .*\nfirst [\d.]+ MiB, last [\d.]+ MiB`, res.stdout)
}

// By default the bench runs on redis-servers of its own, with an AOF
// fsynced every second and with persistence off, and says so.
func TestBenchDurableRunsWithAndWithoutPersistence(t *testing.T) {
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("starts redis-server of its own: not on PATH")
	}
	res := runMain(t, "durable", "--executions", "100", "--seconds", "0.2")
	require.Equal(t, 0, res.code, "stdout %s\nstderr %s", res.stdout, res.stderr)
	everysec, off, ok := strings.Cut(res.stdout, "== persistence off")
	require.True(t, ok, res.stdout)
	require.Contains(t, everysec, "== persistence everysec")
	require.Contains(t, everysec, "persistence: Redis appendonly yes, appendfsync everysec")
	require.Contains(t, off, "persistence: Redis appendonly no and no snapshots")
	requireBenchDurableFigures(t, everysec)
	requireBenchDurableFigures(t, off)

	res = runMain(t, "durable", "--persistence", "sometimes")
	require.Equal(t, 2, res.code)
	require.Contains(t, res.stderr, `--persistence "sometimes"`)
}

func requireBenchDurableFigures(t *testing.T, out string) {
	t.Helper()
	cost := func(unit string) string {
		return `\(Redis per ` + unit + `: [\d.]+ script calls, [\d.]+ commands, [\d.]+ µs CPU; \d+ script calls/s\)`
	}
	for _, re := range []string{
		`persistence: Redis `,
		`context: redis-benchmark (EVAL "return 1" \(a no-op script\) on this server: \d+/s|: )`,
		// pass5's starts carry its executions out: nothing is left to the
		// workers, unless the starts are made without the prefix.
		`pass5: starts \d+/s ` + cost("start") + `; state transitions: none left to the workers \(each start carried its execution out\); start and transitions together, per state: [\d.]+ µs Redis CPU`,
		`pass5 by the workers: starts \d+/s ` + cost("start") + `; state transitions \d+/s ` + cost("transition") + `; start and transitions together, per state: [\d.]+ µs Redis CPU`,
		`task5: starts \d+/s ` + cost("start") + `; state transitions \d+/s ` + cost("transition") + `; start and transitions together, per state: [\d.]+ µs Redis CPU`,
		`map10: starts \d+/s ` + cost("start") + `; state transitions \d+/s ` + cost("transition") + `; start and transitions together, per state: [\d.]+ µs Redis CPU`,
		`map1000: starts \d+/s ` + cost("start") + `; state transitions \d+/s ` + cost("transition") + `; start and transitions together, per state: [\d.]+ µs Redis CPU`,
		`pass5 start-to-end at \d+ executions/s .*p50 [\d.]+ ms, p99 [\d.]+ ms`,
	} {
		require.Regexp(t, regexp.MustCompile(re), out)
	}
	require.NotContains(t, out, "% of EVAL")
}
