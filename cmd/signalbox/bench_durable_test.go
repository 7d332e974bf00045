package main

import (
	"os"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/store"
)

// `signalbox bench durable` reports every figure, beside redis-benchmark's.
// Its numbers are not checked: speed is measured, never asserted.
func TestBenchDurableReports(t *testing.T) {
	url := os.Getenv(store.EnvRedisURL)
	if url == "" {
		t.Skip("measures a real Redis: set " + store.EnvRedisURL)
	}
	res := runCLI(t, "", "bench", "durable", "--redis-url", url, "--executions", "200", "--seconds", "0.5", "--memory", "5000")
	require.Equal(t, 0, res.code, "stdout %s\nstderr %s", res.stdout, res.stderr)
	for _, re := range []string{
		`redis-benchmark (EVAL "return 1": \d+/s|: )`,
		`pass5: starts \d+/s .*state transitions \d+/s`,
		`task5: starts \d+/s .*state transitions \d+/s`,
		`pass5 start-to-end at \d+ executions/s .*p50 [\d.]+ ms, p99 [\d.]+ ms`,
		`memory over 5000 transitions: .*\nfirst [\d.]+ MiB, last [\d.]+ MiB`,
	} {
		require.Regexp(t, regexp.MustCompile(re), res.stdout)
	}
}
