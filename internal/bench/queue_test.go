package bench

import (
	"os"
	"os/exec"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/store"
)

// `signalbox bench queue --quick` reports every figure of signalbox serve
// and of goaws, their ratios, the settings, the load average and the
// goals: on SIGNALBOX_REDIS_URL's Redis when set, else on a redis-server
// of the bench's own, else on the embedded store. Its numbers are not
// checked: speed is measured, never asserted. The test is skipped while
// serve does not answer SQS's API, as the bench finds by calling it.
func TestBenchQueueReports(t *testing.T) {
	args := []string{"queue", "--quick", "--signalbox", signalbox(t)}
	redis := true
	if url := os.Getenv(store.EnvRedisURL); url != "" {
		args = append(args, "--redis-url", url)
	} else if _, err := exec.LookPath("redis-server"); err != nil {
		args = append(args, "--embedded")
		redis = false
	}
	res := runMain(t, args...)
	if res.code == 3 {
		t.Skipf("serve's queue API is not there: %s", res.stderr)
	}
	require.Equal(t, 0, res.code, "stdout %s\nstderr %s", res.stdout, res.stderr)
	rate := `signalbox \d+ msg/s, goaws \d+ msg/s: [\d.]+x goaws`
	want := []string{
		`signalbox serve at http://127\.0\.0\.1:\d+, on `,
		`goaws v0\.4\.5 \(.*\) at http://127\.0\.0\.1:\d+, reached through a JSON-to-query adapter`,
		`settings: 8 client goroutines per server, .*100-byte bodies, 600 messages per send measurement, 10 long-poll samples, 1 round\(s\) \(median\); GOMAXPROCS \d+ in the bench \(serve and goaws: .*\), \d+ CPUs`,
		`load average at start: [\d.]+ [\d.]+ [\d.]+ `,
		`goaws's adapter costs the client, per request .*: SendMessage [\d.]+ µs, SendMessageBatch [\d.]+ µs, ReceiveMessage [\d.]+ µs, DeleteMessageBatch [\d.]+ µs`,
		`SendMessage \(1 message a call\): ` + rate,
		`SendMessageBatch \(10 messages a call\): ` + rate,
		`ReceiveMessage \(up to 10\) \+ DeleteMessageBatch: ` + rate,
		`each receive measurement drains the 1200 messages the two sends left, each checked to have come; duplicates: signalbox \d+, goaws \d+`,
		`long-poll wake-up \(WaitTimeSeconds 20; .*; 10 samples\): signalbox p50 [\d.]+ ms, p99 [\d.]+ ms; goaws p50 [\d.]+ ms, p99 [\d.]+ ms`,
		`goals \(2-core machine\): batch send >= 30000 msg/s and above goaws: (NOT )?met \(\d+\); receive\+delete >= 20000 msg/s and above goaws: (NOT )?met \(\d+\); long-poll wake-up p99 <= 5 ms: (NOT )?met \([\d.]+ ms\)`,
		`load average at end: `,
	}
	if redis {
		want = append(want, `appendonly`, `baseline: redis-benchmark -t lpush,rpop -q \(50 clients, 100000 requests\) on this Redis: LPUSH \d+/s, RPOP \d+/s`)
	} else {
		want = append(want, `on the embedded store \(volatile\)`, `baseline: none`)
	}
	for _, re := range want {
		require.Regexp(t, regexp.MustCompile(re), res.stdout)
	}

	res = runMain(t, "queue", "--clients", "0")
	require.Equal(t, 2, res.code)
}
