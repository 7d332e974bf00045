package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/integrations/bus"
	"github.com/signalbox/signalbox/internal/config"
)

// targetsOf lists a rule's targets by id.
func targetsOf(t *testing.T, svc *bus.Service, busName, rule string) map[string]bus.Target {
	t.Helper()
	out, err := svc.ListTargetsByRule(context.Background(), &bus.ListTargetsByRuleInput{Rule: rule, EventBusName: busName})
	require.NoError(t, err)
	ts := map[string]bus.Target{}
	for _, tg := range out.Targets {
		ts[tg.ID] = tg
	}
	return ts
}

// The file's connections, API destinations, buses, rules, targets and
// archives are created at start, left alone when unchanged, and updated
// when the file changes (a connection's secret too); targets and rules
// not in the file stay.
func TestConfigApplyBuses(t *testing.T) {
	t.Setenv("SB_TEST_CRM_KEY", "first-key")
	ctx := context.Background()
	n, _ := openTestNode(t, nil)
	svc := n.buses
	const file = `connections:
  - name: crm
    authParameters:
      apiKeyAuthParameters: {apiKeyName: x-api-key, apiKeyValue: "${SB_TEST_CRM_KEY}"}
apiDestinations:
  - {name: crm-orders, connection: crm, invocationEndpoint: "https://crm.example.com/orders", httpMethod: POST}
buses:
  - name: orders
    description: Orders of the shop
    deadLetterQueue: bus-dlq
    tags: {team: shop}
    rules:
      - name: big-orders
        eventPattern: {source: [shop], detail: {total: [{numeric: [">=", 100]}]}}
        tags: {kind: big}
        targets:
          - {id: audit, queue: audit}
          - {id: ship, stateMachine: ship, inputPath: $.detail}
          - {id: alert, topic: alerts, inputTransformer: {inputPathsMap: {id: $.detail.id}, inputTemplate: '{"order": <id>}'}}
          - {id: copy, bus: default}
          - {id: crm, apiDestination: crm-orders, retryPolicy: {maximumRetryAttempts: 3}, deadLetterQueue: dlq}
    archives:
      - {name: orders-archive, eventPattern: {source: [shop]}, retentionDays: 7}
  - name: default
    rules:
      - {name: nightly, scheduleExpression: rate(5 minutes), targets: [{id: report, stateMachine: report}]}
`
	done, ps := decodeConfig(t, file).ApplyBuses(ctx, svc)
	require.Empty(t, ps)
	require.Equal(t, []string{
		"connection created crm",
		"API destination created crm-orders",
		"bus created orders: rule big-orders created: targets audit, ship, alert, copy, crm, archive orders-archive created",
		"bus updated default: rule nightly created: targets report",
	}, done)
	b, err := svc.DescribeEventBus(ctx, "orders")
	require.NoError(t, err)
	require.Equal(t, "Orders of the shop", b.Description)
	require.Equal(t, "arn:aws:sqs:us-east-1:123456789012:bus-dlq", b.DeadLetterConfig.Arn)
	tags, err := svc.ListTagsForResource(ctx, svc.BusARN("orders"))
	require.NoError(t, err)
	require.Equal(t, map[string]string{"team": "shop"}, tags)
	r, err := svc.DescribeRule(ctx, "big-orders", "orders")
	require.NoError(t, err)
	require.JSONEq(t, `{"source":["shop"],"detail":{"total":[{"numeric":[">=",100]}]}}`, r.EventPattern)
	require.Equal(t, bus.StateEnabled, r.State)
	tags, err = svc.ListTagsForResource(ctx, svc.RuleARN("orders", "big-orders"))
	require.NoError(t, err)
	require.Equal(t, map[string]string{"kind": "big"}, tags)
	ts := targetsOf(t, svc, "orders", "big-orders")
	require.Len(t, ts, 5)
	require.Equal(t, "arn:aws:sqs:us-east-1:123456789012:audit", ts["audit"].Arn)
	require.Equal(t, "arn:aws:states:us-east-1:123456789012:stateMachine:ship", ts["ship"].Arn)
	require.Equal(t, "$.detail", ts["ship"].InputPath)
	require.Equal(t, "arn:aws:sns:us-east-1:123456789012:alerts", ts["alert"].Arn)
	require.Equal(t, `{"order": <id>}`, ts["alert"].InputTransformer.InputTemplate)
	require.Equal(t, svc.BusARN("default"), ts["copy"].Arn)
	dest, err := svc.DescribeApiDestination(ctx, "crm-orders")
	require.NoError(t, err)
	require.Equal(t, dest.ApiDestinationArn, ts["crm"].Arn, "the API destination's ARN, its id included")
	require.Equal(t, 3, *ts["crm"].RetryPolicy.MaximumRetryAttempts)
	require.Equal(t, "arn:aws:sqs:us-east-1:123456789012:dlq", ts["crm"].DeadLetterConfig.Arn)
	ar, err := svc.DescribeArchive(ctx, "orders-archive")
	require.NoError(t, err)
	require.Equal(t, svc.BusARN("orders"), ar.EventSourceArn)
	require.Equal(t, 7, ar.RetentionDays)
	nightly, err := svc.DescribeRule(ctx, "nightly", "default")
	require.NoError(t, err)
	require.Equal(t, "rate(5 minutes)", nightly.ScheduleExpression)
	conn, err := svc.DescribeConnection(ctx, "crm")
	require.NoError(t, err)
	auth, err := svc.ConnectionAuth(ctx, conn.ConnectionArn)
	require.NoError(t, err)
	require.Equal(t, "first-key", auth.APIKeyValue)

	done, ps = decodeConfig(t, file).ApplyBuses(ctx, svc)
	require.Empty(t, ps)
	require.Equal(t, []string{"connection unchanged crm", "API destination unchanged crm-orders", "bus unchanged orders", "bus unchanged default"}, done,
		"a restart changes nothing")
	again, err := svc.DescribeConnection(ctx, "crm")
	require.NoError(t, err)
	require.Equal(t, conn.LastModifiedTime, again.LastModifiedTime, "the connection was not written again")

	// a target put by hand, not in the file: left alone
	_, err = svc.PutRule(ctx, &bus.PutRuleInput{Name: "by-hand", EventBusName: "orders", EventPattern: `{"source":["x"]}`})
	require.NoError(t, err)
	t.Setenv("SB_TEST_CRM_KEY", "second-key")
	done, ps = decodeConfig(t, `connections:
  - name: crm
    authParameters:
      apiKeyAuthParameters: {apiKeyName: x-api-key, apiKeyValue: "${SB_TEST_CRM_KEY}"}
apiDestinations:
  - {name: crm-orders, connection: crm, invocationEndpoint: "https://crm.example.com/v2/orders", httpMethod: PUT}
buses:
  - name: orders
    tags: {team: ops}
    rules:
      - name: big-orders
        eventPattern: {source: [shop], detail: {total: [{numeric: [">=", 500]}]}}
        state: DISABLED
        targets:
          - {id: audit, queue: audit-2}
          - {id: ship, stateMachine: ship, inputPath: $.detail}
    archives:
      - {name: orders-archive, retentionDays: 30}
`).ApplyBuses(ctx, svc)
	require.Empty(t, ps)
	require.Equal(t, []string{
		"connection updated crm: authorization",
		"API destination updated crm-orders: invocationEndpoint https://crm.example.com/orders → https://crm.example.com/v2/orders, httpMethod POST → PUT",
		"bus updated orders: tags, rule big-orders updated: eventPattern, state, targets audit, archive orders-archive updated: retentionDays 7 → 30",
	}, done)
	auth, err = svc.ConnectionAuth(ctx, conn.ConnectionArn)
	require.NoError(t, err)
	require.Equal(t, "second-key", auth.APIKeyValue, "a secret changed in the environment is a change")
	r, err = svc.DescribeRule(ctx, "big-orders", "orders")
	require.NoError(t, err)
	require.Equal(t, bus.StateDisabled, r.State)
	ts = targetsOf(t, svc, "orders", "big-orders")
	require.Len(t, ts, 5, "the targets not in the file stay")
	require.Equal(t, "arn:aws:sqs:us-east-1:123456789012:audit-2", ts["audit"].Arn)
	b, err = svc.DescribeEventBus(ctx, "orders")
	require.NoError(t, err)
	require.Equal(t, "Orders of the shop", b.Description, "left out of the file: kept")
	tags, err = svc.ListTagsForResource(ctx, svc.BusARN("orders"))
	require.NoError(t, err)
	require.Equal(t, map[string]string{"team": "ops"}, tags)
	ar, err = svc.DescribeArchive(ctx, "orders-archive")
	require.NoError(t, err)
	require.Equal(t, 30, ar.RetentionDays)
	require.JSONEq(t, `{"source":["shop"]}`, ar.EventPattern, "left out of the file: kept")
	_, err = svc.DescribeRule(ctx, "by-hand", "orders")
	require.NoError(t, err, "a rule not in the file stays")

	// an API destination of the store, not the file: its ARN, id included
	done, ps = decodeConfig(t, `buses:
  - name: orders
    rules:
      - {name: crm-only, eventPattern: {source: [crm]}, targets: [{id: crm, apiDestination: crm-orders}]}
`).ApplyBuses(ctx, svc)
	require.Empty(t, ps)
	require.Equal(t, []string{"bus updated orders: rule crm-only created: targets crm"}, done)
	require.Equal(t, dest.ApiDestinationArn, targetsOf(t, svc, "orders", "crm-only")["crm"].Arn)
}

// What the bus router refuses is reported at the line of its field, every
// problem at once, and nothing of the file is written.
func TestConfigApplyBusesRefusals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	n, _ := openTestNode(t, nil)
	svc := n.buses
	c, ps := config.Decode("signalbox.yaml", []byte(`connections:
  - {name: fresh, authParameters: {basicAuthParameters: {username: u, password: p}}}
  - {name: "bad name!", authParameters: {basicAuthParameters: {username: u, password: p}}}
apiDestinations:
  - {name: d, connection: absent, invocationEndpoint: "ftp://x", httpMethod: POST}
buses:
  - name: fresh
  - name: orders
    rules:
      - name: bad-pattern
        eventPattern: {source: shop}
      - name: schedule
        scheduleExpression: rate(5 minutes)
      - name: many
        eventPattern: {source: [shop]}
        targets:
          - {id: a, queue: a}
          - {id: b, queue: b}
          - {id: c, queue: c}
          - {id: d, queue: d}
          - {id: e, queue: e}
          - {id: f, queue: f}
      - name: targets
        eventPattern: {source: [shop]}
        targets:
          - {id: both, queue: q, input: '{"a":1}', inputPath: $.detail}
          - {id: gone, bus: absent}
          - {id: retry, queue: q, retryPolicy: {maximumRetryAttempts: 200}}
    archives:
      - {name: ar, eventPattern: {source: 7}}
  - name: default
    description: fine
`))
	require.Empty(t, ps)
	done, ps := c.ApplyBuses(ctx, svc)
	require.Empty(t, done)
	var got []string
	for _, p := range ps {
		got = append(got, p.String())
	}
	require.Len(t, got, 10, "%q", got)
	require.Contains(t, got[0], "signalbox.yaml:3: connections[1].name: ValidationException: 1 validation error detected: Value 'bad name!' at 'name'")
	require.Contains(t, got[1], "signalbox.yaml:5: apiDestinations[0].invocationEndpoint: ValidationException: Parameter InvocationEndpoint is not valid")
	require.Equal(t, `signalbox.yaml:5: apiDestinations[0].connection: no connection "absent" in connections nor in the store`, got[2])
	require.Contains(t, got[3], "signalbox.yaml:11: buses[1].rules[0].eventPattern: InvalidEventPatternException:")
	require.Equal(t, "signalbox.yaml:13: buses[1].rules[1].scheduleExpression: ValidationException: ScheduleExpression is supported only on the default event bus.", got[4])
	require.Equal(t, "signalbox.yaml:17: buses[1].rules[2].targets: LimitExceededException: The requested resource exceeds the maximum number allowed: a rule has at most 5 targets.", got[5])
	require.Equal(t, `signalbox.yaml:27: buses[1].rules[3].targets[1].bus: no bus "absent" in buses nor in the store`, got[6])
	require.Equal(t, "signalbox.yaml:26: buses[1].rules[3].targets[0].input: ValidationException: Only one of Input, InputPath, or InputTransformer must be provided for target both.", got[7])
	require.Equal(t, "signalbox.yaml:28: buses[1].rules[3].targets[2].retryPolicy: ValidationException: 1 validation error detected: Value '200' at 'targets.3.member.retryPolicy.maximumRetryAttempts' failed to satisfy constraint: Member must have value less than or equal to 185 and greater than or equal to 0", got[8])
	require.Contains(t, got[9], "signalbox.yaml:30: buses[1].archives[0].eventPattern: InvalidEventPatternException:")

	_, err := svc.DescribeEventBus(ctx, "fresh")
	require.ErrorContains(t, err, "ResourceNotFoundException", "nothing written: not the bus the file got right")
	_, err = svc.DescribeConnection(ctx, "fresh")
	require.ErrorContains(t, err, "ResourceNotFoundException", "nothing written: not the connection the file got right")
	d, err := svc.DescribeEventBus(ctx, "default")
	require.NoError(t, err)
	require.Empty(t, d.Description)

	// a rule that would hold more than 5 targets with those it has
	_, err = svc.PutRule(ctx, &bus.PutRuleInput{Name: "full", EventPattern: `{"source":["x"]}`})
	require.NoError(t, err)
	var mine []bus.Target
	for _, id := range []string{"h1", "h2", "h3", "h4"} {
		mine = append(mine, bus.Target{ID: id, Arn: "arn:aws:sqs:us-east-1:123456789012:" + id})
	}
	_, err = svc.PutTargets(ctx, &bus.PutTargetsInput{Rule: "full", Targets: mine})
	require.NoError(t, err)
	c, ps = config.Decode("signalbox.yaml", []byte(`buses:
  - name: default
    rules:
      - name: full
        eventPattern: {source: [x]}
        targets: [{id: h1, queue: h1}, {id: new1, queue: a}, {id: new2, queue: b}]
`))
	require.Empty(t, ps)
	_, ps = c.ApplyBuses(ctx, svc)
	require.Len(t, ps, 1)
	require.Equal(t, "signalbox.yaml:6: buses[0].rules[0].targets: LimitExceededException: the stored rule full has targets not in the file (h2, h3, h4): with the file's it would have 6, and a rule has at most 5 (remove some with RemoveTargets)", ps[0].String())
}

// A target's queue, topic or state machine (and a dead-letter queue) of
// this server names one in the file or the store: Apply, ApplyQueues and
// ApplyTopics check, at the target's line.
func TestConfigChecksTheTargetsOfBuses(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	n, _ := openTestNode(t, nil)
	c, ps := config.Decode("signalbox.yaml", []byte(`queues:
  - name: audit
topics:
  - name: alerts
buses:
  - name: orders
    deadLetterQueue: no-dlq
    rules:
      - name: r
        eventPattern: {source: [shop]}
        targets:
          - {id: a, queue: audit}
          - {id: b, queue: absent, deadLetterQueue: audit}
          - {id: c, stateMachine: absent}
          - {id: d, topic: alerts}
          - {id: e, topic: absent}
`))
	require.Empty(t, ps)
	_, ps = c.Apply(ctx, n.runtime)
	require.Len(t, ps, 1)
	require.Equal(t, `signalbox.yaml:14: buses[0].rules[0].targets[2].stateMachine: no state machine "absent" in stateMachines nor in the store`, ps[0].String())
	_, ps = c.ApplyQueues(ctx, n.queues)
	require.Len(t, ps, 2)
	require.Equal(t, `signalbox.yaml:7: buses[0].deadLetterQueue: no queue "no-dlq" in queues nor in the store`, ps[0].String())
	require.Equal(t, `signalbox.yaml:13: buses[0].rules[0].targets[1].queue: no queue "absent" in queues nor in the store`, ps[1].String())
	_, ps = c.ApplyTopics(ctx, n.topics)
	require.Len(t, ps, 1)
	require.Equal(t, `signalbox.yaml:16: buses[0].rules[0].targets[4].topic: no topic "absent" in topics nor in the store`, ps[0].String())
}

// serve --config creates the file's queue and bus with its rule at start:
// events put through the SDK's EventBridge client reach the queue when
// they match, shaped by the target's InputTransformer.
func TestServeConfigCreatesBuses(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{"signalbox.yaml": `queues:
  - name: big
buses:
  - name: orders
    rules:
      - name: big-orders
        eventPattern: {source: [shop], detail: {total: [{numeric: [">=", 100]}]}}
        targets:
          - id: q
            queue: big
            inputTransformer: {inputPathsMap: {id: $.detail.id}, inputTemplate: '{"order": <id>}'}
`})
	s := startServe(t, "--config", filepath.Join(dir, "signalbox.yaml"))
	log := s.WaitLog(t, "bus created orders")
	require.Contains(t, log, "bus created orders: rule big-orders created: targets q")

	ctx := context.Background()
	events := eventbridge.NewFromConfig(aws.Config{Region: "us-east-1", RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", "")},
		func(o *eventbridge.Options) { o.BaseEndpoint = aws.String(s.URL) })
	var entries []ebtypes.PutEventsRequestEntry
	for _, d := range []string{`{"id":"o-1","total":20}`, `{"id":"o-2","total":250}`} {
		entries = append(entries, ebtypes.PutEventsRequestEntry{EventBusName: aws.String("orders"), Source: aws.String("shop"),
			DetailType: aws.String("OrderPlaced"), Detail: aws.String(d)})
	}
	out, err := events.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: entries})
	require.NoError(t, err)
	require.Zero(t, out.FailedEntryCount)

	queues := crashSQSClient(s.URL)
	got, err := queues.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(s.URL + "/123456789012/big"), WaitTimeSeconds: 10, MaxNumberOfMessages: 10})
	require.NoError(t, err)
	require.Len(t, got.Messages, 1)
	require.JSONEq(t, `{"order":"o-2"}`, aws.ToString(got.Messages[0].Body))
	require.False(t, strings.Contains(s.Log(), "level=ERROR"), s.Log())
}

// Two processes applying the file at once (serve and a worker starting
// together) both succeed: what one created the other finds, and updates
// when it differs, rather than failing on ResourceAlreadyExistsException.
func TestConfigApplyBusesTwiceAtOnce(t *testing.T) {
	t.Parallel()
	n, _ := openTestNode(t, nil)
	for round := range 10 {
		c, ps := config.Decode("signalbox.yaml", []byte(fmt.Sprintf(`connections:
  - {name: conn-%[1]d, authParameters: {basicAuthParameters: {username: u, password: p}}}
apiDestinations:
  - {name: dest-%[1]d, connection: conn-%[1]d, invocationEndpoint: "https://example.com/%[1]d", httpMethod: POST}
buses:
  - name: race-%[1]d
    rules:
      - name: r
        eventPattern: {source: [shop]}
        targets: [{id: q, queue: audit}, {id: d, apiDestination: dest-%[1]d}]
    archives: [{name: arch-%[1]d}]
`, round)))
		require.Empty(t, ps)
		var wg sync.WaitGroup
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, ps := c.ApplyBuses(context.Background(), n.buses)
				assert.Empty(t, ps, "round %d", round)
			}()
		}
		wg.Wait()
		ts := targetsOf(t, n.buses, fmt.Sprintf("race-%d", round), "r")
		require.Len(t, ts, 2, "round %d", round)
		dest, err := n.buses.DescribeApiDestination(context.Background(), fmt.Sprintf("dest-%d", round))
		require.NoError(t, err)
		require.Equal(t, dest.ApiDestinationArn, ts["d"].Arn, "round %d: the stored destination's ARN", round)
	}
}
