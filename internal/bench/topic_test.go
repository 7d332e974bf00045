package bench

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"
)

// `signalbox bench topic --quick` reports every figure of signalbox serve
// and of goaws, their ratios, the settings, the load average and the
// goals, on SIGNALBOX_REDIS_URL's Redis when set, else on a redis-server
// of the bench's own (it needs a Redis: skipped without either). Its
// numbers are not checked: speed is measured, never asserted. Every
// measurement checks that each message came from every queue.
func TestBenchTopicReports(t *testing.T) {
	res := runOnRedis(t, "topic", "topic", "--quick", "--publishes", "200", "--latency-seconds", "0.4", "--signalbox", signalbox(t))
	fig := `signalbox \d+/s \(acked \d+/s; serve \d+ \+ Redis \d+ µs CPU/publish, Redis [\d.]+ commands and [\d.]+ scripts/publish; \d+ deliveries made again\)`
	lat := `p50 [\d.]+ ms, p99 [\d.]+ ms \(last [\d.]+ / [\d.]+ ms; %s deliveries, \d+ made again; achieved \d+ publishes/s; `
	want := []string{
		`signalbox serve at http://127\.0\.0\.1:\d+, on redis://.*appendonly`,
		`goaws v0\.4\.5 \(.*\) at http://127\.0\.0\.1:\d+: SNS in its own query protocol`,
		`settings: standard topics, each fanned out to 1 or 10 standard queues \(RawMessageDelivery\), 100-byte messages; 8 publishing goroutines per server, .* 200 publishes per throughput measurement; latency at a paced rate for 400ms each; 1 round\(s\)`,
		`load average at start: [\d.]+ [\d.]+ [\d.]+ `,
		`goaws's SQS adapter costs the consumers, per request .*: ReceiveMessage [\d.]+ µs, DeleteMessageBatch [\d.]+ µs`,
	}
	// each figure with consumers, then into the queues
	for _, way := range []string{`fanout throughput with consumers \(`, `fanout throughput into the queues \(`} {
		want = append(want, way+`(?s:.*)`+`Publish to 1 queue\(s\): `+fig+` = [\d.]+x goaws; goaws \d+/s \(acked \d+/s; goaws \d+ µs CPU/publish; \d+ deliveries made again\)`+
			`\n  PublishBatch of 10 to 1 queue\(s\): `+fig+`; goaws n/a \(no PublishBatch\)`+
			`\n  Publish to 10 queue\(s\): `+fig+` = [\d.]+x goaws`+
			`.*\n  PublishBatch of 10 to 10 queue\(s\): `+fig)
	}
	want = append(want,
		// the derived peer rate is goaws's measured throughput to 10 queues
		// × 60%, rounded down to 100s: when that is 500 too, one rate
		`publish-to-delivery latency with consumers \(.*(rate: --rate 500|rates: --rate 500 and \d+, 60% of goaws's Publish throughput to 10 queues)\):`+
			`\n  1 queue\(s\) at 500 publishes/s: signalbox `+fmt.Sprintf(lat, "200")+`.*; goaws p50 `+
			`.*\n  10 queue\(s\) at 500 publishes/s: signalbox `+fmt.Sprintf(lat, "2000"),
		`publish-to-delivery latency into the queues \(.*SentTimestamp.*\):`+
			`\n  1 queue\(s\) at 500 publishes/s: signalbox `+fmt.Sprintf(lat, "200")+`.*; goaws not measured \(its SentTimestamp is the receive's time\)`+
			`\n  10 queue\(s\) at 500 publishes/s: signalbox `+fmt.Sprintf(lat, "2000"),
		`goals \(2-core machine\), on the measures into the queues: >= 10000 publishes/s fanned out to one queue: Publish (NOT )?met \(\d+/s\), PublishBatch (NOT )?met \(\d+/s\); p99 publish-to-delivery \(SentTimestamp \+ 1 ms - publish start\) < 10 ms to 10 queues at 5000 publishes/s: not measured \(--rate 500, --fanouts\)`,
		`  the same with consumers on the same machine: Publish \d+/s, PublishBatch \d+/s to one queue; not measured`,
		`load average at end: `,
	)
	for _, re := range want {
		require.Regexp(t, regexp.MustCompile(re), res.stdout)
	}

	// into the queues alone, one fanout
	res = runOnRedis(t, "topic", "topic", "--quick", "--publishes", "100", "--latency-seconds", "0.2", "--signalbox", signalbox(t), "--goaws", "none", "--fanouts", "1", "--with-consumers=false")
	require.NotContains(t, res.stdout, "with consumers")
	require.NotContains(t, res.stdout, "10 queue(s)")
	require.Regexp(t, `fanout throughput into the queues \(.*\n  Publish to 1 queue\(s\): `+fig+`\n  PublishBatch of 10 to 1 queue\(s\): `+fig+`\n`, res.stdout)

	for _, bad := range [][]string{{"topic", "--clients", "0"}, {"topic", "--fanouts", "2"}, {"topic", "--fanouts", "1,x"}} {
		require.Equal(t, 2, runMain(t, bad...).code, "%v", bad)
	}
}
