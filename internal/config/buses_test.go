package config

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/integrations/bus"
	"github.com/signalbox/signalbox/integrations/bus/apidest"
)

func TestConfigReadsBuses(t *testing.T) {
	t.Setenv("SB_TEST_CRM_KEY", "s3cret")
	c, ps := Decode("signalbox.yaml", []byte(`
buses:
  - name: orders
    description: Orders of the shop
    deadLetterQueue: bus-dlq
    tags: {team: shop, tier: 1}
    rules:
      - name: big-orders
        eventPattern: {source: [shop], detail: {total: [{numeric: [">=", 100]}]}}
        state: DISABLED
        tags: {kind: big}
        targets:
          - {id: q, queue: audit}
          - {id: sm, stateMachine: ship, inputPath: $.detail}
          - id: t
            topic: alerts
            inputTransformer: {inputPathsMap: {id: $.detail.id}, inputTemplate: '{"order": <id>}'}
          - {id: b, bus: other, input: {fixed: [1, 2.5]}}
          - {id: x, arn: "arn:aws:sqs:us-east-1:123456789012:elsewhere.fifo", sqsParameters: {messageGroupId: g},
             retryPolicy: {maximumRetryAttempts: 3, maximumEventAgeInSeconds: 600}, deadLetterQueue: dlq}
      - name: crm
        eventPattern: '{"source":["shop"]}'
        targets:
          - {id: crm, apiDestination: crm-orders, httpParameters: {pathParameterValues: [a, 1], headerParameters: {X-A: b}},
             deadLetterConfig: {arn: "arn:aws:sqs:us-east-1:123456789012:dlq"}}
    archives:
      - {name: orders-archive, eventPattern: {source: [shop]}, retentionDays: 7}
      - {name: all-orders}
  - name: default
    rules:
      - {name: nightly, scheduleExpression: rate(5 minutes), targets: [{id: sm, stateMachine: report}]}
connections:
  - name: crm
    description: the CRM
    authParameters:
      apiKeyAuthParameters: {apiKeyName: x-api-key, apiKeyValue: "${SB_TEST_CRM_KEY}"}
      invocationHttpParameters:
        headerParameters: [{key: X-Team, value: shop}, {key: X-Secret, value: 42, isValueSecret: true}]
  - name: auth
    authorizationType: OAUTH_CLIENT_CREDENTIALS
    authParameters:
      oAuthParameters:
        authorizationEndpoint: https://auth.example.com/token
        httpMethod: POST
        clientParameters: {clientId: id, clientSecret: secret}
        oAuthHttpParameters: {bodyParameters: [{key: scope, value: all}]}
apiDestinations:
  - {name: crm-orders, connection: crm, invocationEndpoint: "https://crm.example.com/orders/*", httpMethod: POST, invocationRateLimitPerSecond: 10}
`))
	require.Empty(t, ps)
	require.Len(t, c.Buses, 2)
	b := c.Buses[0]
	require.Equal(t, "orders", b.Name)
	require.Equal(t, "Orders of the shop", *b.Description)
	require.Equal(t, "bus-dlq", b.DeadLetterQueue)
	require.Nil(t, b.DeadLetterArn)
	require.Equal(t, map[string]string{"team": "shop", "tier": "1"}, b.Tags)
	require.Len(t, b.Rules, 2)
	r := b.Rules[0]
	require.Equal(t, `{"detail":{"total":[{"numeric":[">=",100]}]},"source":["shop"]}`, r.EventPattern, "a mapping, as its JSON text")
	require.Equal(t, "DISABLED", r.State)
	require.Equal(t, map[string]string{"kind": "big"}, r.Tags)
	require.Len(t, r.Targets, 5)
	require.Equal(t, "audit", r.Targets[0].Queue)
	require.Equal(t, "queue", r.Targets[0].key)
	require.Equal(t, "ship", r.Targets[1].StateMachine)
	require.Equal(t, "$.detail", r.Targets[1].InputPath)
	require.Equal(t, &bus.InputTransformer{InputPathsMap: map[string]string{"id": "$.detail.id"}, InputTemplate: `{"order": <id>}`}, r.Targets[2].InputTransformer)
	require.Equal(t, "other", r.Targets[3].BusName)
	require.Equal(t, `{"fixed":[1,2.5]}`, r.Targets[3].Input)
	x := r.Targets[4]
	require.Equal(t, "arn:aws:sqs:us-east-1:123456789012:elsewhere.fifo", x.Arn)
	require.Equal(t, "g", x.SqsParameters.MessageGroupID)
	require.Equal(t, 3, *x.RetryPolicy.MaximumRetryAttempts)
	require.Equal(t, 600, *x.RetryPolicy.MaximumEventAgeInSeconds)
	require.Equal(t, "dlq", x.DeadLetterQueue)
	require.Equal(t, `{"source":["shop"]}`, b.Rules[1].EventPattern, "a string, as it is")
	crm := b.Rules[1].Targets[0]
	require.Equal(t, "crm-orders", crm.APIDestination)
	require.Equal(t, &bus.HTTPParameters{PathParameterValues: []string{"a", "1"}, HeaderParameters: map[string]string{"X-A": "b"}}, crm.HTTPParameters)
	require.Equal(t, "arn:aws:sqs:us-east-1:123456789012:dlq", crm.DeadLetterConfig.Arn)
	require.Len(t, b.Archives, 2)
	require.Equal(t, `{"source":["shop"]}`, *b.Archives[0].EventPattern)
	require.Equal(t, 7, *b.Archives[0].RetentionDays)
	require.Nil(t, b.Archives[1].EventPattern, "left out: every event")
	require.Nil(t, b.Archives[1].RetentionDays)
	require.Equal(t, "rate(5 minutes)", c.Buses[1].Rules[0].ScheduleExpression)

	require.Len(t, c.Connections, 2)
	cn := c.Connections[0]
	require.Equal(t, "API_KEY", cn.AuthorizationType, "implied by the one kind given")
	require.Equal(t, &bus.APIKeyAuthParameters{APIKeyName: "x-api-key", APIKeyValue: "s3cret"}, cn.AuthParameters.APIKeyAuthParameters, "the secret from the environment")
	require.Equal(t, []apidest.Parameter{{Key: "X-Team", Value: "shop"}, {Key: "X-Secret", Value: "42", IsValueSecret: true}}, cn.AuthParameters.InvocationHTTPParameters.HeaderParameters)
	o := c.Connections[1].AuthParameters.OAuthParameters
	require.Equal(t, "OAUTH_CLIENT_CREDENTIALS", c.Connections[1].AuthorizationType)
	require.Equal(t, &bus.OAuthClientParameters{ClientID: "id", ClientSecret: "secret"}, o.ClientParameters)
	require.Equal(t, []apidest.Parameter{{Key: "scope", Value: "all"}}, o.OAuthHTTPParameters.BodyParameters)
	require.Equal(t, []APIDestination{{Name: "crm-orders", Connection: "crm", InvocationEndpoint: "https://crm.example.com/orders/*", HTTPMethod: "POST",
		InvocationRateLimitPerSecond: 10}}, c.APIDestinations)

	// the names of this server's resources the buses give, for Apply,
	// ApplyQueues and ApplyTopics to check
	require.Equal(t, []busRef{{0, "deadLetterQueue", "bus-dlq"}, {0, "rules[0].targets[0].queue", "audit"}, {0, "rules[0].targets[4].deadLetterQueue", "dlq"}}, c.busRefs("queue"))
	require.Equal(t, []busRef{{0, "rules[0].targets[2].topic", "alerts"}}, c.busRefs("topic"))
	require.Equal(t, []busRef{{0, "rules[0].targets[1].stateMachine", "ship"}, {1, "rules[0].targets[0].stateMachine", "report"}}, c.busRefs("stateMachine"))
}

func TestConfigBusProblems(t *testing.T) {
	t.Parallel()
	_, ps := Decode("signalbox.yaml", []byte(`buses:
  - name: a
    deadLetterQueue: q
    deadLetterConfig: {}
  - description: [x]
  - name: a
    colour: red
    rules:
      - name: r
        state: [on]
        targets:
          - {queue: q}
          - {id: t, queue: q, topic: t}
          - {id: t, arn: x, retryPolicy: {maximumRetryAttempts: many}, deadLetterQueue: d, deadLetterConfig: {arn: y}}
          - {id: u, bus: b, extra: 1}
          - nope
      - name: r
        targets: {id: x}
    archives:
      - {name: ar, retentionDays: 1.5}
  - name: b
    archives: [{name: ar}, {description: x}]
connections:
  - name: c
    authParameters: {basicAuthParameters: {username: u, password: p}, apiKeyAuthParameters: {apiKeyName: k, apiKeyValue: v}}
  - name: c
    authParameters:
      invocationHttpParameters: {headerParameters: [{value: v, isValueSecret: maybe}]}
apiDestinations:
  - {name: d, invocationRateLimitPerSecond: fast}
`))
	var got []string
	for _, p := range ps {
		got = append(got, p.String())
	}
	require.Equal(t, []string{
		"signalbox.yaml:4: buses[0].deadLetterConfig.arn: required: the ARN of an SQS queue",
		"signalbox.yaml:4: buses[0].deadLetterConfig: give one of deadLetterQueue and deadLetterConfig, not both",
		"signalbox.yaml:5: buses[1].description: must be a string, got a list",
		"signalbox.yaml:5: buses[1].name: required",
		"signalbox.yaml:7: buses[2].colour: unknown key (known: archives, deadLetterConfig, deadLetterQueue, description, discovery, name, rules, tags)",
		"signalbox.yaml:10: buses[2].rules[0].state: must be a string, got a list",
		"signalbox.yaml:12: buses[2].rules[0].targets[0].id: required",
		"signalbox.yaml:13: buses[2].rules[0].targets[1].topic: give one of apiDestination, arn, bus, queue, stateMachine, topic, not queue and topic",
		"signalbox.yaml:14: buses[2].rules[0].targets[2].retryPolicy.maximumRetryAttempts: must be a whole number, got \"many\"",
		"signalbox.yaml:14: buses[2].rules[0].targets[2].id: \"t\" is also the id of buses[2].rules[0].targets[1]",
		"signalbox.yaml:14: buses[2].rules[0].targets[2].deadLetterConfig: give one of deadLetterQueue and deadLetterConfig, not both",
		"signalbox.yaml:15: buses[2].rules[0].targets[3].extra: unknown key (known: apiDestination, arn, bus, deadLetterConfig, deadLetterQueue, httpParameters, id, input, inputPath, inputTransformer, queue, retryPolicy, roleArn, sqsParameters, stateMachine, topic)",
		"signalbox.yaml:16: buses[2].rules[0].targets[4]: must be a mapping (key: value), got \"nope\"",
		"signalbox.yaml:16: buses[2].rules[0].targets[4].id: required",
		"signalbox.yaml:16: buses[2].rules[0].targets[4].arn: required: the arn, or queue, topic, stateMachine, bus or apiDestination (this server's)",
		"signalbox.yaml:18: buses[2].rules[1].targets: must be a list, got a mapping",
		"signalbox.yaml:17: buses[2].rules[1].name: \"r\" is also the name of buses[2].rules[0]",
		"signalbox.yaml:20: buses[2].archives[0].retentionDays: must be a whole number, got the number 1.5",
		"signalbox.yaml:6: buses[2].name: \"a\" is also the name of buses[0]",
		"signalbox.yaml:22: buses[3].archives[0].name: \"ar\" is also the name of buses[2].archives[0] (archives are named in the account, not the bus)",
		"signalbox.yaml:22: buses[3].archives[1].name: required",
		"signalbox.yaml:24: connections[0].authorizationType: required: BASIC, API_KEY or OAUTH_CLIENT_CREDENTIALS (implied when authParameters gives one of basicAuthParameters, apiKeyAuthParameters and oAuthParameters)",
		"signalbox.yaml:28: connections[1].authParameters.invocationHttpParameters.headerParameters[0].isValueSecret: must be true or false, got \"maybe\"",
		"signalbox.yaml:28: connections[1].authParameters.invocationHttpParameters.headerParameters[0].key: required",
		"signalbox.yaml:26: connections[1].name: \"c\" is also the name of connections[0]",
		"signalbox.yaml:26: connections[1].authorizationType: required: BASIC, API_KEY or OAUTH_CLIENT_CREDENTIALS (implied when authParameters gives one of basicAuthParameters, apiKeyAuthParameters and oAuthParameters)",
		"signalbox.yaml:30: apiDestinations[0].invocationRateLimitPerSecond: must be a whole number, got \"fast\"",
		"signalbox.yaml:30: apiDestinations[0].connection: required",
		"signalbox.yaml:30: apiDestinations[0].invocationEndpoint: required",
		"signalbox.yaml:30: apiDestinations[0].httpMethod: required",
	}, got)
}
