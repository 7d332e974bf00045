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
	args := []string{"queue", "--quick", "--query", "--signalbox", signalbox(t)}
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
	rate := `signalbox \d+ msg/s \([\d.]+x goaws\), signalbox-query \d+ msg/s \([\d.]+x goaws\), goaws \d+ msg/s`
	want := []string{
		`signalbox serve at http://127\.0\.0\.1:\d+, on `,
		`goaws v0\.4\.5 \(.*\) at http://127\.0\.0\.1:\d+, reached through a JSON-to-query adapter`,
		`settings: 8 client goroutines per server, .*100-byte bodies, 600 messages per send measurement, 10 long-poll samples, 1 round\(s\) \(median\); GOMAXPROCS \d+ in the bench \(serve and goaws: .*\), \d+ CPUs`,
		`load average at start: [\d.]+ [\d.]+ [\d.]+ `,
		`signalbox-query: the same serve reached through goaws's adapter`,
		`goaws's adapter costs the client, per request .*: SendMessage [\d.]+ µs, SendMessageBatch [\d.]+ µs, ReceiveMessage [\d.]+ µs, DeleteMessageBatch [\d.]+ µs`,
		`SendMessage \(1 message a call\): ` + rate,
		`SendMessageBatch \(10 messages a call\): ` + rate,
		`ReceiveMessage \(up to 10\) \+ DeleteMessageBatch: ` + rate,
		`\(signalbox per message, medians: SendMessage serve [\d.]+( \+ Redis [\d.]+ µs CPU, [\d.]+ commands, [\d.]+ scripts| µs CPU); SendMessageBatch serve .*; ReceiveMessage\+DeleteMessageBatch serve [\d.]+`,
		`\(signalbox-query per message, medians: SendMessage serve `,
		`each receive measurement drains the 1200 messages the two sends left, each checked to have come; duplicates: signalbox \d+, signalbox-query \d+, goaws \d+; empty receives: signalbox \d+, signalbox-query \d+, goaws \d+`,
		`long-poll wake-up \(WaitTimeSeconds 20; .*; 10 samples each\): signalbox p50 [\d.]+ ms, p99 [\d.]+ ms \(p99 [\d.]+x goaws's\), signalbox-query p50 [\d.]+ ms, p99 [\d.]+ ms \(p99 [\d.]+x goaws's\), goaws p50 [\d.]+ ms, p99 [\d.]+ ms`,
		`\(of which the SendMessage call itself, alone on the idle server: signalbox p50 [\d.]+ ms, p99 [\d.]+ ms, signalbox-query p50 [\d.]+ ms, p99 [\d.]+ ms, goaws p50 [\d.]+ ms, p99 [\d.]+ ms\)`,
		`goals \(2-core machine\): batch send >= 30000 msg/s and above goaws: (NOT )?met \(\d+\); receive\+delete >= 20000 msg/s and above goaws: (NOT )?met \(\d+\); long-poll wake-up p99 <= 5 ms: (NOT )?met \([\d.]+ ms\)`,
		`load average at end: `,
	}
	if redis {
		want = append(want, `appendonly`, `baseline: redis-benchmark -t lpush,rpop -q \(50 clients, 20000 requests\) on this Redis: LPUSH \d+/s, RPOP \d+/s`)
	} else {
		want = append(want, `on the embedded store \(volatile\)`, `baseline: none`)
	}
	for _, re := range want {
		require.Regexp(t, regexp.MustCompile(re), res.stdout)
	}

	res = runMain(t, "queue", "--clients", "0")
	require.Equal(t, 2, res.code)
}

// The adapter turns the SDK's JSON requests into the query protocol's form
// and goaws's XML answers into the SDK's JSON.
func TestQueryAdapterTranslates(t *testing.T) {
	t.Parallel()
	form, err := queryForm("SendMessageBatch", map[string]any{"QueueUrl": "http://q/1/a", "Entries": []any{
		map[string]any{"Id": "m1", "MessageBody": "one", "DelaySeconds": float64(3)},
		map[string]any{"Id": "m2", "MessageBody": "two"},
	}})
	require.NoError(t, err)
	require.Equal(t, "Action=SendMessageBatch&QueueUrl=http%3A%2F%2Fq%2F1%2Fa&SendMessageBatchRequestEntry.1.DelaySeconds=3&"+
		"SendMessageBatchRequestEntry.1.Id=m1&SendMessageBatchRequestEntry.1.MessageBody=one&SendMessageBatchRequestEntry.2.Id=m2&"+
		"SendMessageBatchRequestEntry.2.MessageBody=two&Version=2012-11-05", form.Encode())
	form, err = queryForm("CreateQueue", map[string]any{"QueueName": "a", "Attributes": map[string]any{"VisibilityTimeout": "5", "DelaySeconds": "1"}})
	require.NoError(t, err)
	require.Equal(t, "Action=CreateQueue&Attribute.1.Name=DelaySeconds&Attribute.1.Value=1&Attribute.2.Name=VisibilityTimeout&Attribute.2.Value=5&QueueName=a&Version=2012-11-05", form.Encode())
	_, err = queryForm("SendMessage", map[string]any{"MessageAttributes": map[string]any{"a": "b"}})
	require.Error(t, err)

	js, err := queryAnswerJSON("ReceiveMessage", 200, []byte(`<ReceiveMessageResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/"><ReceiveMessageResult>
		<Message><MessageId>i1</MessageId><ReceiptHandle>r1</ReceiptHandle><MD5OfBody>d1</MD5OfBody><Body>one &amp; two</Body>
		<Attribute><Name>ApproximateReceiveCount</Name><Value>1</Value></Attribute></Message></ReceiveMessageResult></ReceiveMessageResponse>`))
	require.NoError(t, err)
	require.JSONEq(t, `{"Messages":[{"MessageId":"i1","ReceiptHandle":"r1","MD5OfBody":"d1","Body":"one & two","Attributes":{"ApproximateReceiveCount":"1"}}]}`, string(js))
	js, err = queryAnswerJSON("DeleteMessageBatch", 200, []byte(`<DeleteMessageBatchResponse><DeleteMessageBatchResult>
		<DeleteMessageBatchResultEntry><Id>d0</Id></DeleteMessageBatchResultEntry>
		<BatchResultErrorEntry><Code>ReceiptHandleIsInvalid</Code><Id>d1</Id><SenderFault>true</SenderFault></BatchResultErrorEntry>
		</DeleteMessageBatchResult></DeleteMessageBatchResponse>`))
	require.NoError(t, err)
	require.JSONEq(t, `{"Successful":[{"Id":"d0"}],"Failed":[{"Id":"d1","Code":"ReceiptHandleIsInvalid","SenderFault":true}]}`, string(js))
	js, err = queryAnswerJSON("GetQueueUrl", 400, []byte(`<ErrorResponse><Error><Type>Sender</Type><Code>AWS.SimpleQueueService.NonExistentQueue</Code><Message>no such queue</Message></Error></ErrorResponse>`))
	require.NoError(t, err)
	require.JSONEq(t, `{"__type":"AWS.SimpleQueueService.NonExistentQueue","message":"no such queue"}`, string(js))
	_, err = queryAnswerJSON("SendMessage", 500, []byte("not XML"))
	require.Error(t, err)
}
