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
// measurement checks that each publish was answered with a MessageId (a
// PublishBatch: each entry), by either client, and that each message came
// from every queue; here, that none came twice.
func TestBenchTopicReports(t *testing.T) {
	res := runOnRedis(t, "topic", "topic", "--quick", "--publishes", "200", "--latency-seconds", "0.4", "--signalbox", signalbox(t), "--client", "http")
	fig := `signalbox \d+/s \(acked \d+/s; client \d+, serve \d+ \+ Redis \d+ µs CPU/publish, Redis [\d.]+ commands and [\d.]+ scripts/publish, \d+ AOF rewrite\(s\) begun \(children ended meanwhile: \d+ µs CPU/publish\); 0 deliveries made again\)`
	goawsFig := `goaws \d+/s \(acked \d+/s; client \d+, goaws \d+ µs CPU/publish; 0 deliveries made again\)`
	ack := `acknowledged p50 [\d.]+ / p99 [\d.]+ ms, from the slot [\d.]+ / [\d.]+ ms`
	lat := `p50 [\d.]+ ms, p99 [\d.]+ ms \(last [\d.]+ / [\d.]+ ms; from the slot [\d.]+ / [\d.]+ ms; ` + ack + `; %s deliveries, 0 made again; achieved \d+ publishes/s; client \d+, `
	goawsAck := ack + ` \(its Publish delivers before it answers; %s deliveries, 0 made again; achieved \d+ publishes/s; client \d+, goaws \d+ µs CPU/publish\)`
	want := []string{
		`signalbox serve at http://127\.0\.0\.1:\d+, on redis://.*appendonly`,
		`goaws v0\.4\.5 \(.*\) at http://127\.0\.0\.1:\d+: SNS in its own query protocol`,
		`settings: standard topics, each fanned out to 1 or 10 standard queues \(RawMessageDelivery\), 100-byte messages; 8 publishing goroutines per server, --client http \(the default\): SNS's query protocol over net/http, .*unsigned \(neither server checks signatures in the bench\).* 200 publishes per throughput measurement; latency at a paced rate for 400ms each; 1 round\(s\)`,
		`load average at start: [\d.]+ [\d.]+ [\d.]+ `,
		`goaws's SQS adapter costs the consumers, per request .*: ReceiveMessage [\d.]+ µs, DeleteMessageBatch [\d.]+ µs`,
	}
	// each figure with consumers, then into the queues
	for _, way := range []string{`fanout throughput with consumers \(`, `fanout throughput into the queues \(`} {
		want = append(want, way+`(?s:.*)`+`Publish to 1 queue\(s\): `+fig+` = [\d.]+x goaws; `+goawsFig+
			`\n  PublishBatch of 10 to 1 queue\(s\): `+fig+`; goaws n/a \(no PublishBatch\)`+
			`\n  Publish to 10 queue\(s\): `+fig+` = [\d.]+x goaws; `+goawsFig+
			`.*\n  PublishBatch of 10 to 10 queue\(s\): `+fig)
	}
	want = append(want,
		// the derived peer rate is goaws's measured throughput to 10 queues
		// × 60%, rounded down to 100s: when that is 500 too, one rate
		`publish-to-delivery latency with consumers \(.*(rate: --rate 500|rates: --rate 500 and \d+, 60% of goaws's Publish throughput to 10 queues)\):`+
			`\n  1 queue\(s\) at 500 publishes/s: signalbox `+fmt.Sprintf(lat, "200")+`.*; goaws `+fmt.Sprintf(lat, "200")+
			`.*\n  10 queue\(s\) at 500 publishes/s: signalbox `+fmt.Sprintf(lat, "2000")+`.*; goaws `+fmt.Sprintf(lat, "2000"),
		`publish-to-delivery latency into the queues \(.*SentTimestamp.*\):`+
			`\n  1 queue\(s\) at 500 publishes/s: signalbox `+fmt.Sprintf(lat, "200")+`.*; goaws `+fmt.Sprintf(goawsAck, "200")+
			`\n  10 queue\(s\) at 500 publishes/s: signalbox `+fmt.Sprintf(lat, "2000")+`.*; goaws `+fmt.Sprintf(goawsAck, "2000"),
		`goals \(2-core machine\), on the measures into the queues: >= 10000 publishes/s fanned out to one queue: Publish (NOT )?met \(\d+/s\), PublishBatch (NOT )?met \(\d+/s\); p99 publish-to-delivery \(until the publish's answer, the delivery made before it\) < 10 ms to 10 queues at 5000 publishes/s: not measured \(--rate 500, --fanouts\)`,
		`  the same with consumers on the same machine: Publish \d+/s, PublishBatch \d+/s to one queue; not measured`,
		`load average at end: `,
	)
	for _, re := range want {
		require.Regexp(t, regexp.MustCompile(re), res.stdout)
	}

	// into the queues alone, one fanout, by the SDK's client
	res = runOnRedis(t, "topic", "topic", "--quick", "--publishes", "100", "--latency-seconds", "0.2", "--signalbox", signalbox(t), "--fanouts", "1", "--with-consumers=false", "--client", "sdk")
	require.NotContains(t, res.stdout, "with consumers")
	require.NotContains(t, res.stdout, "10 queue(s)")
	require.Regexp(t, `8 publishing goroutines per server, --client sdk: aws-sdk-go-v2 service/sns \(SigV4-signed, retries off\);`, res.stdout)
	require.Regexp(t, `fanout throughput into the queues \(.*\n  Publish to 1 queue\(s\): `+fig+` = [\d.]+x goaws; `+goawsFig+`\n  PublishBatch of 10 to 1 queue\(s\): `+fig+`; goaws n/a`, res.stdout)
	require.Regexp(t, `\n  1 queue\(s\) at 500 publishes/s: signalbox `+fmt.Sprintf(lat, "100"), res.stdout)

	for _, bad := range [][]string{{"topic", "--clients", "0"}, {"topic", "--fanouts", "2"}, {"topic", "--fanouts", "1,x"}, {"topic", "--client", "grpc"}} {
		require.Equal(t, 2, runMain(t, bad...).code, "%v", bad)
	}
}
