package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/gateway/events"
)

// actionLog records the operations an SDK client called, by name.
type actionLog struct {
	mu     sync.Mutex
	called map[string]bool
}

func (l *actionLog) add(name string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.called[name] = true
}

func (l *actionLog) has(name string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.called[name]
}

// eventsServeClient is the SDK's EventBridge client for base; when log is
// not nil, every operation it calls is recorded there.
func eventsServeClient(base string, log *actionLog) *eventbridge.Client {
	return eventbridge.NewFromConfig(aws.Config{Region: "us-east-1", RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", "")},
		func(o *eventbridge.Options) {
			o.BaseEndpoint = aws.String(base)
			if log == nil {
				return
			}
			o.APIOptions = append(o.APIOptions, func(st *middleware.Stack) error {
				return st.Initialize.Add(middleware.InitializeMiddlewareFunc("RecordAction",
					func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
						log.add(middleware.GetOperationName(ctx))
						return next.HandleInitialize(ctx, in)
					}), middleware.After)
			})
		})
}

// ebCode is the AWS error code of err.
func ebCode(t *testing.T, err error) string {
	t.Helper()
	require.Error(t, err)
	var ae smithy.APIError
	require.ErrorAs(t, err, &ae)
	return ae.ErrorCode()
}

// apiCall is one request an API destination's endpoint received.
type apiCall struct {
	Path   string
	Query  string
	Header http.Header
	Body   string
}

// apiEndpoint is an API destination's endpoint on loopback: it answers 200
// and hands every request to calls.
func apiEndpoint(t *testing.T) (*httptest.Server, chan apiCall) {
	calls := make(chan apiCall, 16)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		calls <- apiCall{Path: r.URL.Path, Query: r.URL.RawQuery, Header: r.Header.Clone(), Body: string(body)}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(srv.Close)
	return srv, calls
}

// Every action of EventBridge's API that Signalbox serves, through the
// official SDK against a real `signalbox serve` (the test fails on an
// action of events.Actions() it did not call), and every kind of target
// delivering end to end: queues (the whole event, InputPath, Input,
// InputTransformer), a topic fanned out to a queue, a state machine
// (its execution found through the Step Functions API, its input and its
// trace header checked), another bus (its rule's queue), two API
// destinations on loopback (an API key and basic auth, path and header
// parameters), an archive replayed to a rule of FilterArns, and a dead-
// letter queue for a target whose queue was deleted (MaximumRetryAttempts
// 0), with the W3C trace context of the event's TraceHeader carried to the
// queues (AWSTraceHeader and traceparent), the execution and the API
// destinations.
func TestEventBridgeAgainstServe(t *testing.T) {
	t.Parallel()
	s := startServe(t)
	ctx := context.Background()
	calls := &actionLog{called: map[string]bool{}}
	eb := eventsServeClient(s.URL, calls)
	q := crashSQSClient(s.URL)
	sn := snsServeClient(s.URL)
	sf := sfnAPIClient(s.URL)
	const acct = "123456789012"
	const arnPrefix = "arn:aws:events:us-east-1:" + acct + ":"
	defaultBus := arnPrefix + "event-bus/default"
	const traceID, callerSpan = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	traceparent := "00-" + traceID + "-" + callerSpan + "-01"

	queueURL := func(name string) string { return s.URL + "/" + acct + "/" + name }
	queue := func(name string) string {
		_, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name)})
		require.NoError(t, err)
		return "arn:aws:sqs:us-east-1:" + acct + ":" + name
	}
	receive := func(name string, n int) []sqstypes.Message {
		t.Helper()
		var out []sqstypes.Message
		safety := time.Now().Add(60 * time.Second) // a net against a hang, not a synchronisation
		for len(out) < n {
			require.True(t, time.Now().Before(safety), "%s: %d of %d; the server's log:\n%s", name, len(out), n, s.Log())
			r, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(queueURL(name)),
				MaxNumberOfMessages: 10, WaitTimeSeconds: 5, MessageAttributeNames: []string{"All"},
				MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{"All"}})
			require.NoError(t, err)
			for _, m := range r.Messages {
				_, err := q.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(queueURL(name)), ReceiptHandle: m.ReceiptHandle})
				require.NoError(t, err)
			}
			out = append(out, r.Messages...)
		}
		require.Len(t, out, n, "%s: more messages than sent", name)
		return out
	}
	envelope := func(m sqstypes.Message) map[string]any {
		t.Helper()
		var e map[string]any
		require.NoError(t, json.Unmarshal([]byte(aws.ToString(m.Body)), &e), aws.ToString(m.Body))
		return e
	}
	// traced asserts that a message carries the event's trace: the
	// AWSTraceHeader system attribute (X-Ray's form) and a traceparent
	// message attribute, in the caller's trace, naming the same span.
	traced := func(m sqstypes.Message) {
		t.Helper()
		tp := aws.ToString(m.MessageAttributes["traceparent"].StringValue)
		require.True(t, strings.HasPrefix(tp, "00-"+traceID+"-"), "traceparent %q", tp)
		span := strings.Split(tp, "-")[2]
		require.Equal(t, "Root=1-"+traceID[:8]+"-"+traceID[8:]+";Parent="+span+";Sampled=1", m.Attributes["AWSTraceHeader"])
	}

	// event buses, and their tags
	orders, err := eb.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("orders"), Description: aws.String("the orders"),
		Tags: []ebtypes.Tag{{Key: aws.String("team"), Value: aws.String("core")}}})
	require.NoError(t, err)
	require.Equal(t, arnPrefix+"event-bus/orders", aws.ToString(orders.EventBusArn))
	_, err = eb.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("orders")})
	require.Equal(t, "ResourceAlreadyExistsException", ebCode(t, err))
	scratch, err := eb.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("scratch")})
	require.NoError(t, err)
	up, err := eb.UpdateEventBus(ctx, &eventbridge.UpdateEventBusInput{Name: aws.String("orders"), Description: aws.String("all orders")})
	require.NoError(t, err)
	require.Equal(t, "all orders", aws.ToString(up.Description))
	db, err := eb.DescribeEventBus(ctx, &eventbridge.DescribeEventBusInput{Name: orders.EventBusArn})
	require.NoError(t, err)
	require.Equal(t, "orders", aws.ToString(db.Name))
	require.Equal(t, "all orders", aws.ToString(db.Description))
	lb, err := eb.ListEventBuses(ctx, &eventbridge.ListEventBusesInput{})
	require.NoError(t, err)
	var busNames []string
	for _, b := range lb.EventBuses {
		busNames = append(busNames, aws.ToString(b.Name))
	}
	require.Equal(t, []string{"default", "orders", "scratch"}, busNames)
	_, err = eb.TagResource(ctx, &eventbridge.TagResourceInput{ResourceARN: orders.EventBusArn, Tags: []ebtypes.Tag{{Key: aws.String("env"), Value: aws.String("e2e")}}})
	require.NoError(t, err)
	_, err = eb.UntagResource(ctx, &eventbridge.UntagResourceInput{ResourceARN: orders.EventBusArn, TagKeys: []string{"team"}})
	require.NoError(t, err)
	tags, err := eb.ListTagsForResource(ctx, &eventbridge.ListTagsForResourceInput{ResourceARN: orders.EventBusArn})
	require.NoError(t, err)
	require.Equal(t, []ebtypes.Tag{{Key: aws.String("env"), Value: aws.String("e2e")}}, tags.Tags)
	_, err = eb.DeleteEventBus(ctx, &eventbridge.DeleteEventBusInput{Name: scratch.EventBusArn})
	require.NoError(t, err)
	_, err = eb.DescribeEventBus(ctx, &eventbridge.DescribeEventBusInput{Name: aws.String("scratch")})
	require.Equal(t, "ResourceNotFoundException", ebCode(t, err))

	// what the targets deliver to: queues, a topic fanned out to a queue,
	// a state machine, API destinations on loopback
	for _, name := range []string{"eb-raw", "eb-path", "eb-const", "eb-xf", "eb-topic", "eb-audit", "eb-replayed", "eb-off", "eb-dlq"} {
		queue(name)
	}
	gone := queue("eb-gone")
	topic, err := sn.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("eb-orders")})
	require.NoError(t, err)
	_, err = sn.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"),
		Endpoint: aws.String("arn:aws:sqs:us-east-1:" + acct + ":eb-topic"), Attributes: map[string]string{"RawMessageDelivery": "true"}})
	require.NoError(t, err)
	sm, err := sf.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("eb-consume"), RoleArn: aws.String("arn:aws:iam::" + acct + ":role/r"),
		Definition: aws.String(`{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"order.$":"$.id"},"End":true}}}`)})
	require.NoError(t, err)

	api, apiCalls := apiEndpoint(t)
	keyConn, err := eb.CreateConnection(ctx, &eventbridge.CreateConnectionInput{Name: aws.String("key"), AuthorizationType: ebtypes.ConnectionAuthorizationTypeApiKey,
		AuthParameters: &ebtypes.CreateConnectionAuthRequestParameters{ApiKeyAuthParameters: &ebtypes.CreateConnectionApiKeyAuthRequestParameters{
			ApiKeyName: aws.String("x-api-key"), ApiKeyValue: aws.String("key-s3cret")}}})
	require.NoError(t, err)
	require.Equal(t, ebtypes.ConnectionStateAuthorized, keyConn.ConnectionState)
	basicConn, err := eb.CreateConnection(ctx, &eventbridge.CreateConnectionInput{Name: aws.String("basic"), AuthorizationType: ebtypes.ConnectionAuthorizationTypeBasic,
		AuthParameters: &ebtypes.CreateConnectionAuthRequestParameters{BasicAuthParameters: &ebtypes.CreateConnectionBasicAuthRequestParameters{
			Username: aws.String("user"), Password: aws.String("pass-s3cret")}}})
	require.NoError(t, err)
	dc, err := eb.DescribeConnection(ctx, &eventbridge.DescribeConnectionInput{Name: aws.String("key")})
	require.NoError(t, err)
	require.Equal(t, "x-api-key", aws.ToString(dc.AuthParameters.ApiKeyAuthParameters.ApiKeyName))
	lc, err := eb.ListConnections(ctx, &eventbridge.ListConnectionsInput{})
	require.NoError(t, err)
	require.Len(t, lc.Connections, 2)
	keyDest, err := eb.CreateApiDestination(ctx, &eventbridge.CreateApiDestinationInput{Name: aws.String("orders-api"), ConnectionArn: keyConn.ConnectionArn,
		InvocationEndpoint: aws.String(api.URL + "/orders/*"), HttpMethod: ebtypes.ApiDestinationHttpMethodPost})
	require.NoError(t, err)
	basicDest, err := eb.CreateApiDestination(ctx, &eventbridge.CreateApiDestinationInput{Name: aws.String("audit-api"), ConnectionArn: basicConn.ConnectionArn,
		InvocationEndpoint: aws.String(api.URL + "/audit"), HttpMethod: ebtypes.ApiDestinationHttpMethodPut})
	require.NoError(t, err)
	_, err = eb.UpdateApiDestination(ctx, &eventbridge.UpdateApiDestinationInput{Name: aws.String("orders-api"), InvocationRateLimitPerSecond: aws.Int32(50)})
	require.NoError(t, err)
	dd, err := eb.DescribeApiDestination(ctx, &eventbridge.DescribeApiDestinationInput{Name: aws.String("orders-api")})
	require.NoError(t, err)
	require.EqualValues(t, 50, aws.ToInt32(dd.InvocationRateLimitPerSecond))
	require.Equal(t, ebtypes.ApiDestinationStateActive, dd.ApiDestinationState)
	la, err := eb.ListApiDestinations(ctx, &eventbridge.ListApiDestinationsInput{ConnectionArn: basicConn.ConnectionArn})
	require.NoError(t, err)
	require.Len(t, la.ApiDestinations, 1)
	require.Equal(t, "audit-api", aws.ToString(la.ApiDestinations[0].Name))

	// an archive of the default bus, before the events
	ca, err := eb.CreateArchive(ctx, &eventbridge.CreateArchiveInput{ArchiveName: aws.String("keep"), EventSourceArn: aws.String(defaultBus),
		EventPattern: aws.String(`{"source":["shop"]}`)})
	require.NoError(t, err)

	// rules and their targets
	shop := `{"source":["shop"],"detail-type":["OrderPlaced"]}`
	putRule := func(bus, name, pat string, targets ...ebtypes.Target) string {
		t.Helper()
		r, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String(name), EventBusName: aws.String(bus), EventPattern: aws.String(pat)})
		require.NoError(t, err)
		pt, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String(name), EventBusName: aws.String(bus), Targets: targets})
		require.NoError(t, err)
		require.Zero(t, pt.FailedEntryCount, "%+v", pt.FailedEntries)
		return aws.ToString(r.RuleArn)
	}
	sqsArn := func(name string) *string { return aws.String("arn:aws:sqs:us-east-1:" + acct + ":" + name) }
	putRule("default", "to-queues", shop,
		ebtypes.Target{Id: aws.String("raw"), Arn: sqsArn("eb-raw")},
		ebtypes.Target{Id: aws.String("path"), Arn: sqsArn("eb-path"), InputPath: aws.String("$.detail")},
		ebtypes.Target{Id: aws.String("const"), Arn: sqsArn("eb-const"), Input: aws.String(`{"fixed":true}`)},
		ebtypes.Target{Id: aws.String("xf"), Arn: sqsArn("eb-xf"), InputTransformer: &ebtypes.InputTransformer{
			InputPathsMap: map[string]string{"id": "$.detail.id", "src": "$.source"}, InputTemplate: aws.String(`{"order": <id>, "from": <src>}`)}},
		ebtypes.Target{Id: aws.String("topic"), Arn: topic.TopicArn},
	)
	putRule("default", "to-others", shop,
		ebtypes.Target{Id: aws.String("sm"), Arn: sm.StateMachineArn, RoleArn: aws.String("arn:aws:iam::" + acct + ":role/r"), InputPath: aws.String("$.detail")},
		ebtypes.Target{Id: aws.String("bus"), Arn: orders.EventBusArn},
		ebtypes.Target{Id: aws.String("key"), Arn: keyDest.ApiDestinationArn, InputPath: aws.String("$.detail"), HttpParameters: &ebtypes.HttpParameters{
			PathParameterValues: []string{"o-1"}, HeaderParameters: map[string]string{"x-order": "o-1"}, QueryStringParameters: map[string]string{"v": "2"}}},
		ebtypes.Target{Id: aws.String("basic"), Arn: basicDest.ApiDestinationArn},
	)
	putRule("orders", "audit", `{"source":["shop"]}`, ebtypes.Target{Id: aws.String("q"), Arn: sqsArn("eb-audit")})
	replays := putRule("default", "replays", `{"replay-name":["again"]}`, ebtypes.Target{Id: aws.String("q"), Arn: sqsArn("eb-replayed")})
	putRule("default", "off", shop, ebtypes.Target{Id: aws.String("q"), Arn: sqsArn("eb-off")})
	putRule("default", "doomed", `{"source":["doomed"]}`, ebtypes.Target{Id: aws.String("gone"), Arn: aws.String(gone),
		DeadLetterConfig: &ebtypes.DeadLetterConfig{Arn: sqsArn("eb-dlq")}, RetryPolicy: &ebtypes.RetryPolicy{MaximumRetryAttempts: aws.Int32(0)}})
	// the queue goes after PutTargets: the delivery fails, without retries
	_, err = q.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: aws.String(queueURL("eb-gone"))})
	require.NoError(t, err)

	_, err = eb.DisableRule(ctx, &eventbridge.DisableRuleInput{Name: aws.String("off")})
	require.NoError(t, err)
	dr, err := eb.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("off")})
	require.NoError(t, err)
	require.Equal(t, ebtypes.RuleStateDisabled, dr.State)
	require.JSONEq(t, shop, aws.ToString(dr.EventPattern))
	lr, err := eb.ListRules(ctx, &eventbridge.ListRulesInput{NamePrefix: aws.String("to-")})
	require.NoError(t, err)
	require.Len(t, lr.Rules, 2)
	require.Equal(t, "to-others", aws.ToString(lr.Rules[0].Name))
	byTarget, err := eb.ListRuleNamesByTarget(ctx, &eventbridge.ListRuleNamesByTargetInput{TargetArn: topic.TopicArn})
	require.NoError(t, err)
	require.Equal(t, []string{"to-queues"}, byTarget.RuleNames)
	lt, err := eb.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: aws.String("to-queues")})
	require.NoError(t, err)
	require.Len(t, lt.Targets, 5)

	// TestEventPattern
	probe := `{"id":"1","account":"` + acct + `","source":"shop","time":"2026-01-02T03:04:05Z","region":"us-east-1","resources":[],"detail-type":"OrderPlaced","detail":{}}`
	tp, err := eb.TestEventPattern(ctx, &eventbridge.TestEventPatternInput{EventPattern: aws.String(shop), Event: aws.String(probe)})
	require.NoError(t, err)
	require.True(t, tp.Result)
	tp, err = eb.TestEventPattern(ctx, &eventbridge.TestEventPatternInput{EventPattern: aws.String(`{"source":["other"]}`), Event: aws.String(probe)})
	require.NoError(t, err)
	require.False(t, tp.Result)
	_, err = eb.TestEventPattern(ctx, &eventbridge.TestEventPatternInput{EventPattern: aws.String(`{"source":"shop"}`), Event: aws.String(probe)})
	require.Equal(t, "InvalidEventPatternException", ebCode(t, err))

	// PutEvents: the order, with a trace header and a time of a minute
	// ago (the archive's replay window), an entry that fails on its own,
	// and the doomed event
	at := time.Now().Add(-time.Minute).Truncate(time.Second).UTC()
	put, err := eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{
		{Source: aws.String("shop"), DetailType: aws.String("OrderPlaced"), Detail: aws.String(`{"id":"o-1","total":12.5}`), Time: aws.Time(at),
			Resources: []string{"arn:aws:shop:us-east-1:" + acct + ":order/o-1"}, TraceHeader: aws.String(traceparent)},
		{Source: aws.String("shop"), Detail: aws.String(`{}`)},
	}})
	require.NoError(t, err)
	require.EqualValues(t, 1, put.FailedEntryCount)
	eventID := aws.ToString(put.Entries[0].EventId)
	require.NotEmpty(t, eventID)
	require.NotEmpty(t, aws.ToString(put.Entries[1].ErrorCode))
	doomed, err := eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{
		{Source: aws.String("doomed"), DetailType: aws.String("x"), Detail: aws.String(`{"n":1}`)}}})
	require.NoError(t, err)
	require.Zero(t, doomed.FailedEntryCount)

	// the queue targets: the whole event, InputPath, Input, InputTransformer
	raw := receive("eb-raw", 1)[0]
	ev := envelope(raw)
	require.Equal(t, eventID, ev["id"])
	require.Equal(t, "0", ev["version"])
	require.Equal(t, "shop", ev["source"])
	require.Equal(t, "OrderPlaced", ev["detail-type"])
	require.Equal(t, acct, ev["account"])
	require.Equal(t, "us-east-1", ev["region"])
	require.Equal(t, at.Format(time.RFC3339), ev["time"])
	require.Equal(t, []any{"arn:aws:shop:us-east-1:" + acct + ":order/o-1"}, ev["resources"])
	require.Equal(t, map[string]any{"id": "o-1", "total": 12.5}, ev["detail"])
	traced(raw)
	require.JSONEq(t, `{"id":"o-1","total":12.5}`, aws.ToString(receive("eb-path", 1)[0].Body))
	require.JSONEq(t, `{"fixed":true}`, aws.ToString(receive("eb-const", 1)[0].Body))
	require.JSONEq(t, `{"order":"o-1","from":"shop"}`, aws.ToString(receive("eb-xf", 1)[0].Body))

	// the topic, fanned out to its queue (raw delivery: the event)
	viaTopic := receive("eb-topic", 1)[0]
	require.Equal(t, eventID, envelope(viaTopic)["id"])
	traced(viaTopic)

	// the other bus: its rule's queue gets the event as it was put
	viaBus := receive("eb-audit", 1)[0]
	require.Equal(t, eventID, envelope(viaBus)["id"])
	require.Equal(t, "shop", envelope(viaBus)["source"])
	traced(viaBus)

	// the state machine: one execution, of the event's detail, in its trace
	safety := time.Now().Add(60 * time.Second)
	for {
		ex, err := sf.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: sm.StateMachineArn})
		require.NoError(t, err)
		if len(ex.Executions) == 1 && ex.Executions[0].Status == sfntypes.ExecutionStatusSucceeded {
			d, err := sf.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: ex.Executions[0].ExecutionArn})
			require.NoError(t, err)
			require.JSONEq(t, `{"id":"o-1","total":12.5}`, aws.ToString(d.Input))
			require.JSONEq(t, `{"order":"o-1"}`, aws.ToString(d.Output))
			require.True(t, strings.HasPrefix(aws.ToString(d.TraceHeader), "00-"+traceID+"-"), "the execution's trace header %q", aws.ToString(d.TraceHeader))
			break
		}
		require.LessOrEqual(t, len(ex.Executions), 1, "the delivery started more than one execution")
		require.True(t, time.Now().Before(safety), "the state machine target started no execution; the log:\n%s", s.Log())
	}

	// the API destinations: the connection's authorization, the target's
	// parameters, the trace context
	byPath := map[string]apiCall{}
	for len(byPath) < 2 {
		select {
		case c := <-apiCalls:
			byPath[c.Path] = c
		case <-time.After(60 * time.Second): // a net against a hang
			t.Fatalf("the API destinations got %d calls of 2; the log:\n%s", len(byPath), s.Log())
		}
	}
	kc, ok := byPath["/orders/o-1"]
	require.True(t, ok, "calls: %+v", byPath)
	require.Equal(t, "key-s3cret", kc.Header.Get("x-api-key"))
	require.Equal(t, "o-1", kc.Header.Get("x-order"))
	require.Equal(t, "v=2", kc.Query)
	require.JSONEq(t, `{"id":"o-1","total":12.5}`, kc.Body)
	require.True(t, strings.HasPrefix(kc.Header.Get("traceparent"), "00-"+traceID+"-"), kc.Header.Get("traceparent"))
	bc, ok := byPath["/audit"]
	require.True(t, ok, "calls: %+v", byPath)
	require.Equal(t, "Basic "+base64.StdEncoding.EncodeToString([]byte("user:pass-s3cret")), bc.Header.Get("Authorization"))
	var bev map[string]any
	require.NoError(t, json.Unmarshal([]byte(bc.Body), &bev))
	require.Equal(t, eventID, bev["id"])

	// the dead-letter queue: the doomed event, with why, and no retries
	dead := receive("eb-dlq", 1)[0]
	dev := envelope(dead)
	require.Equal(t, "doomed", dev["source"])
	require.Equal(t, aws.ToString(doomed.Entries[0].EventId), dev["id"])
	attr := func(k string) string { return aws.ToString(dead.MessageAttributes[k].StringValue) }
	require.Equal(t, "RESOURCE_NOT_FOUND", attr("ERROR_CODE"))
	require.Equal(t, arnPrefix+"rule/doomed", attr("RULE_ARN"))
	require.Equal(t, gone, attr("TARGET_ARN"))
	require.Equal(t, "0", attr("RETRY_ATTEMPTS"))

	// the archive keeps the order (once its delivery is made); a replay
	// sends it again to the rule of FilterArns only
	safety = time.Now().Add(60 * time.Second)
	for {
		da, err := eb.DescribeArchive(ctx, &eventbridge.DescribeArchiveInput{ArchiveName: aws.String("keep")})
		require.NoError(t, err)
		if da.EventCount == 1 {
			break
		}
		require.Zero(t, da.EventCount)
		require.True(t, time.Now().Before(safety), "the archive got nothing; the log:\n%s", s.Log())
	}
	ua, err := eb.UpdateArchive(ctx, &eventbridge.UpdateArchiveInput{ArchiveName: aws.String("keep"), Description: aws.String("the shop"), RetentionDays: aws.Int32(3)})
	require.NoError(t, err)
	require.Equal(t, ca.ArchiveArn, ua.ArchiveArn)
	lar, err := eb.ListArchives(ctx, &eventbridge.ListArchivesInput{EventSourceArn: aws.String(defaultBus)})
	require.NoError(t, err)
	require.Len(t, lar.Archives, 1)
	require.EqualValues(t, 3, aws.ToInt32(lar.Archives[0].RetentionDays))

	window := func(name string) *eventbridge.StartReplayInput {
		return &eventbridge.StartReplayInput{ReplayName: aws.String(name), EventSourceArn: ca.ArchiveArn,
			EventStartTime: aws.Time(at.Add(-10 * time.Second)), EventEndTime: aws.Time(at.Add(10 * time.Second)),
			Destination: &ebtypes.ReplayDestination{Arn: aws.String(defaultBus), FilterArns: []string{replays}}}
	}
	sr, err := eb.StartReplay(ctx, window("again"))
	require.NoError(t, err)
	require.Equal(t, arnPrefix+"replay/again", aws.ToString(sr.ReplayArn))
	replayed := receive("eb-replayed", 1)[0]
	rev := envelope(replayed)
	require.Equal(t, eventID, rev["id"])
	require.Equal(t, "again", rev["replay-name"])
	safety = time.Now().Add(60 * time.Second)
	for {
		d, err := eb.DescribeReplay(ctx, &eventbridge.DescribeReplayInput{ReplayName: aws.String("again")})
		require.NoError(t, err)
		if d.State == ebtypes.ReplayStateCompleted {
			require.Equal(t, at, aws.ToTime(d.EventLastReplayedTime).UTC())
			break
		}
		require.Contains(t, []ebtypes.ReplayState{ebtypes.ReplayStateStarting, ebtypes.ReplayStateRunning}, d.State)
		require.True(t, time.Now().Before(safety), "the replay did not complete; the log:\n%s", s.Log())
	}
	// a replay cancelled as soon as it starts: cancelled, unless it
	// completed first (it has one event), which CancelReplay then refuses
	_, err = eb.StartReplay(ctx, window("cancelled"))
	require.NoError(t, err)
	cr, err := eb.CancelReplay(ctx, &eventbridge.CancelReplayInput{ReplayName: aws.String("cancelled")})
	want := ebtypes.ReplayStateCancelled
	if err != nil {
		require.Equal(t, "IllegalStatusException", ebCode(t, err))
		want = ebtypes.ReplayStateCompleted
	} else {
		require.Equal(t, ebtypes.ReplayStateCancelling, cr.State)
	}
	safety = time.Now().Add(60 * time.Second)
	for {
		d, err := eb.DescribeReplay(ctx, &eventbridge.DescribeReplayInput{ReplayName: aws.String("cancelled")})
		require.NoError(t, err)
		if d.State == want {
			break
		}
		require.True(t, time.Now().Before(safety), "the replay is %s, not %s; the log:\n%s", d.State, want, s.Log())
	}
	lrp, err := eb.ListReplays(ctx, &eventbridge.ListReplaysInput{EventSourceArn: ca.ArchiveArn})
	require.NoError(t, err)
	require.Len(t, lrp.Replays, 2)
	lrp, err = eb.ListReplays(ctx, &eventbridge.ListReplaysInput{State: ebtypes.ReplayStateCompleted, NamePrefix: aws.String("ag")})
	require.NoError(t, err)
	require.Len(t, lrp.Replays, 1)
	_, err = eb.CancelReplay(ctx, &eventbridge.CancelReplayInput{ReplayName: aws.String("again")})
	require.Equal(t, "IllegalStatusException", ebCode(t, err))

	// the disabled rule got nothing (every other delivery of the put has
	// been made), nor did a rule the replays' FilterArns leave out (the
	// replays have ended); enabled, the rule gets the next event
	for _, name := range []string{"eb-off", "eb-raw"} {
		empty, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(queueURL(name)), WaitTimeSeconds: 1})
		require.NoError(t, err)
		require.Empty(t, empty.Messages, "%s: a disabled rule, or one a replay filtered out, delivered", name)
	}
	_, err = eb.EnableRule(ctx, &eventbridge.EnableRuleInput{Name: aws.String("off")})
	require.NoError(t, err)
	_, err = eb.RemoveTargets(ctx, &eventbridge.RemoveTargetsInput{Rule: aws.String("to-others"), Ids: []string{"sm", "bus", "key", "basic"}})
	require.NoError(t, err)
	again, err := eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{
		{Source: aws.String("shop"), DetailType: aws.String("OrderPlaced"), Detail: aws.String(`{"id":"o-2"}`)}}})
	require.NoError(t, err)
	require.Equal(t, aws.ToString(again.Entries[0].EventId), envelope(receive("eb-off", 1)[0])["id"])

	// the rest of the management plane: a connection deauthorized, then
	// updated (authorized again), and everything deleted
	dz, err := eb.DeauthorizeConnection(ctx, &eventbridge.DeauthorizeConnectionInput{Name: aws.String("basic")})
	require.NoError(t, err)
	require.Equal(t, ebtypes.ConnectionStateDeauthorized, dz.ConnectionState)
	uc, err := eb.UpdateConnection(ctx, &eventbridge.UpdateConnectionInput{Name: aws.String("basic"), AuthParameters: &ebtypes.UpdateConnectionAuthRequestParameters{
		BasicAuthParameters: &ebtypes.UpdateConnectionBasicAuthRequestParameters{Username: aws.String("user"), Password: aws.String("new-s3cret")}}})
	require.NoError(t, err)
	require.Equal(t, ebtypes.ConnectionStateAuthorized, uc.ConnectionState)
	for _, name := range []string{"orders-api", "audit-api"} {
		_, err = eb.DeleteApiDestination(ctx, &eventbridge.DeleteApiDestinationInput{Name: aws.String(name)})
		require.NoError(t, err)
	}
	for _, name := range []string{"key", "basic"} {
		_, err = eb.DeleteConnection(ctx, &eventbridge.DeleteConnectionInput{Name: aws.String(name)})
		require.NoError(t, err)
	}
	_, err = eb.DescribeConnection(ctx, &eventbridge.DescribeConnectionInput{Name: aws.String("key")})
	require.Equal(t, "ResourceNotFoundException", ebCode(t, err))
	_, err = eb.DeleteArchive(ctx, &eventbridge.DeleteArchiveInput{ArchiveName: aws.String("keep")})
	require.NoError(t, err)
	_, err = eb.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: aws.String("to-others")})
	require.NoError(t, err)
	_, err = eb.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: aws.String("to-queues")})
	require.Equal(t, "ValidationException", ebCode(t, err), "a rule with targets")
	_, err = eb.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("to-others")})
	require.Equal(t, "ResourceNotFoundException", ebCode(t, err))

	for name, served := range events.Actions() {
		if served {
			require.True(t, calls.has(name), "the test did not call %s", name)
		}
	}
}

// serve --otlp-endpoint traces the bus's deliveries: each delivery of an
// event put with a TraceHeader is a producer span in the event's trace
// (the caller's span its parent), and what the delivery carries out names
// that span: the queue message's AWSTraceHeader and traceparent, and the
// execution the state machine target starts (its span the delivery's
// child), as the topic's deliveries do. An event put with no TraceHeader
// belongs to its PutEvents request's trace (a traceparent header): its
// delivery is the child of the request's server span. An event an
// execution's events:putEvents task puts is in the execution's trace, its
// delivery the task call's child.
func TestEventBridgeDeliveriesTraced(t *testing.T) {
	t.Parallel()
	recv := newOTLPReceiver(t)
	s := startServe(t, "--otlp-endpoint", recv.URL)
	ctx := context.Background()
	eb := eventsServeClient(s.URL, nil)
	q := crashSQSClient(s.URL)
	sf := sfnAPIClient(s.URL)
	const traceID, callerSpan = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"

	qu, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("traced")})
	require.NoError(t, err)
	sm, err := sf.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("traced"), RoleArn: aws.String("arn:aws:iam::123456789012:role/r"),
		Definition: aws.String(`{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`)})
	require.NoError(t, err)
	_, err = eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("r"), EventPattern: aws.String(`{"source":["shop"]}`)})
	require.NoError(t, err)
	_, err = eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("r"), Targets: []ebtypes.Target{
		{Id: aws.String("q"), Arn: aws.String("arn:aws:sqs:us-east-1:123456789012:traced")},
		{Id: aws.String("sm"), Arn: sm.StateMachineArn, RoleArn: aws.String("arn:aws:iam::123456789012:role/r")}}})
	require.NoError(t, err)
	_, err = eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("web"), EventPattern: aws.String(`{"source":["web"]}`)})
	require.NoError(t, err)
	_, err = eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("web"), Targets: []ebtypes.Target{
		{Id: aws.String("q"), Arn: aws.String("arn:aws:sqs:us-east-1:123456789012:traced")}}})
	require.NoError(t, err)
	_, err = eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{{Source: aws.String("shop"),
		DetailType: aws.String("OrderPlaced"), Detail: aws.String(`{"id":"o-1"}`), TraceHeader: aws.String("00-" + traceID + "-" + callerSpan + "-01")}}})
	require.NoError(t, err)
	const requestTrace, requestCaller = "0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331"
	_, err = eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{{Source: aws.String("web"),
		DetailType: aws.String("Click"), Detail: aws.String(`{}`)}}}, func(o *eventbridge.Options) {
		o.APIOptions = append(o.APIOptions, smithyhttp.AddHeaderValue("traceparent", "00-"+requestTrace+"-"+requestCaller+"-01"))
	})
	require.NoError(t, err)

	_, err = eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("task"), EventPattern: aws.String(`{"source":["task"]}`)})
	require.NoError(t, err)
	_, err = eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("task"), Targets: []ebtypes.Target{
		{Id: aws.String("q"), Arn: aws.String("arn:aws:sqs:us-east-1:123456789012:traced")}}})
	require.NoError(t, err)
	putter, err := sf.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("putter"), RoleArn: aws.String("arn:aws:iam::123456789012:role/r"),
		Definition: aws.String(`{"StartAt":"Put","States":{"Put":{"Type":"Task","Resource":"arn:aws:states:::events:putEvents",
			"Parameters":{"Entries":[{"Source":"task","DetailType":"FromTask","Detail":{"n.$":"$.n"}}]},"End":true}}}`)})
	require.NoError(t, err)
	started, err := sf.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: putter.StateMachineArn, Input: aws.String(`{"n":7}`)})
	require.NoError(t, err)
	done := awaitExecution(t, s, sf, aws.ToString(started.ExecutionArn), sfntypes.ExecutionStatusSucceeded)
	require.Contains(t, aws.ToString(done.Output), `"FailedEntryCount":0`)

	bySource := map[string]sqstypes.Message{}
	safety := time.Now().Add(60 * time.Second) // a net against a hang, not a synchronisation
	for len(bySource) < 3 {
		require.True(t, time.Now().Before(safety), "%d messages of 3; the log:\n%s", len(bySource), s.Log())
		r, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: qu.QueueUrl, WaitTimeSeconds: 5, MaxNumberOfMessages: 10, MessageAttributeNames: []string{"All"},
			MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameAWSTraceHeader}})
		require.NoError(t, err)
		for _, m := range r.Messages {
			var ev struct {
				Source string `json:"source"`
			}
			require.NoError(t, json.Unmarshal([]byte(aws.ToString(m.Body)), &ev))
			bySource[ev.Source] = m
		}
	}
	m, web, fromTask := bySource["shop"], bySource["web"], bySource["task"]
	for {
		ex, err := sf.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: sm.StateMachineArn, StatusFilter: sfntypes.ExecutionStatusSucceeded})
		require.NoError(t, err)
		if len(ex.Executions) == 1 {
			break
		}
		require.True(t, time.Now().Before(safety), "no execution; the log:\n%s", s.Log())
	}
	s.Stop(t) // flushes the spans

	deliveries := map[string]receivedSpan{} // by target: the delivery spans, the caller's children
	var exec, putSpan, webDelivery, taskCall receivedSpan
	all := recv.received()
	for _, sp := range all {
		if sp.name == "task arn:aws:states:::events:putEvents" {
			taskCall = sp
		}
	}
	var taskDelivery receivedSpan
	for _, sp := range all {
		if sp.name == "EventBridge deliver sqs" && taskCall.spanID != "" && sp.parentID == taskCall.spanID {
			taskDelivery = sp
		}
		if sp.traceID == requestTrace {
			switch sp.name {
			case "POST / PutEvents":
				putSpan = sp
			case "EventBridge deliver sqs":
				webDelivery = sp
			}
		}
		if sp.traceID != traceID {
			continue
		}
		if strings.HasPrefix(sp.name, "EventBridge deliver ") {
			require.Equal(t, callerSpan, sp.parentID, "%s: the caller's child", sp.name)
			deliveries[strings.TrimPrefix(sp.name, "EventBridge deliver ")] = sp
		}
		if sp.name == "execution traced" {
			exec = sp
		}
	}
	require.Len(t, deliveries, 2, "a span per delivery: %v", recv.received())
	toQueue, toStates := deliveries["sqs"], deliveries["states"]
	require.Equal(t, "00-"+traceID+"-"+toQueue.spanID+"-01", aws.ToString(m.MessageAttributes["traceparent"].StringValue))
	require.Equal(t, "Root=1-4bf92f35-77b34da6a3ce929d0e0e4736;Parent="+toQueue.spanID+";Sampled=1", m.Attributes["AWSTraceHeader"])
	require.NotEmpty(t, exec.spanID, "the execution's span, in the event's trace: %v", recv.received())
	require.Equal(t, toStates.spanID, exec.parentID, "the execution is its delivery's child")

	require.Equal(t, requestCaller, putSpan.parentID, "the request's server span, in its caller's trace: %v", recv.received())
	require.Equal(t, putSpan.spanID, webDelivery.parentID, "the delivery of an event put without a TraceHeader is its request's child")
	require.Equal(t, "00-"+requestTrace+"-"+webDelivery.spanID+"-01", aws.ToString(web.MessageAttributes["traceparent"].StringValue))

	require.NotEmpty(t, taskCall.spanID, "the events:putEvents task call's span: %v", all)
	require.NotEmpty(t, taskDelivery.spanID, "the delivery of the task's event, the task call's child: %v", all)
	require.Equal(t, taskCall.traceID, taskDelivery.traceID)
	require.Equal(t, "00-"+taskCall.traceID+"-"+taskDelivery.spanID+"-01", aws.ToString(fromTask.MessageAttributes["traceparent"].StringValue))
}
