package bus

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// The checks refuse what the actions refuse, with the same error, and
// take what they take: the configuration file relies on them to write
// nothing of a file the router would refuse.
func TestChecksAgreeWithTheActions(t *testing.T) {
	t.Parallel()
	b := setup(t, "")
	svc, ctx := b.svc, b.ctx
	sqsARN := "arn:aws:sqs:us-east-1:123456789012:q"

	for _, in := range []PutRuleInput{
		{Name: "ok", EventBusName: "default", EventPattern: `{"source":["shop"]}`},
		{Name: "bad pattern", EventPattern: `{"source":["shop"]}`},
		{Name: "p", EventPattern: `{"source":"shop"}`},
		{Name: "none"},
		{Name: "s", EventBusName: "default", ScheduleExpression: "rate(0 minutes)"},
		{Name: "st", EventPattern: `{"source":["x"]}`, State: "ON"},
	} {
		check := svc.CheckRule(&in)
		_, err := svc.PutRule(ctx, &in)
		require.Equal(t, err, check, "%+v", in)
	}

	for _, ts := range [][]Target{
		{{ID: "a", Arn: sqsARN}, {ID: "b", Arn: sqsARN, InputPath: "$.detail"}},
		{{ID: "a", Arn: sqsARN, Input: `{"a":1}`, InputPath: "$.detail"}},
		{{ID: "bad id!", Arn: sqsARN}},
		{{ID: "a", Arn: "arn:aws:lambda:us-east-1:123456789012:function:f"}},
		{{ID: "a", Arn: sqsARN, DeadLetterConfig: &DeadLetterConfig{Arn: "arn:aws:sns:us-east-1:123456789012:t"}}},
	} {
		each, all := svc.CheckTargets(ts)
		require.NoError(t, all)
		_, err := svc.PutRule(ctx, &PutRuleInput{Name: "r", EventPattern: `{"source":["x"]}`})
		require.NoError(t, err)
		failed, err := svc.PutTargets(ctx, &PutTargetsInput{Rule: "r", Targets: ts})
		if err != nil { // the request's shape: refused whole
			require.Equal(t, err, each[0], "%+v", ts)
			continue
		}
		for i, t0 := range ts {
			var fe *FailedEntry
			for j := range failed {
				if failed[j].TargetID == t0.ID {
					fe = &failed[j]
				}
			}
			if fe == nil {
				require.NoError(t, each[i], "%+v", t0)
				continue
			}
			e, ok := each[i].(*Error)
			require.True(t, ok, "%+v: %v", t0, each[i])
			require.Equal(t, fe.ErrorCode, e.Code)
			require.Equal(t, fe.ErrorMessage, e.Message)
		}
		_, err = svc.RemoveTargets(ctx, &RemoveTargetsInput{Rule: "r", IDs: []string{"a", "b"}})
		require.NoError(t, err)
	}
	six := make([]Target, 6)
	for i := range six {
		six[i] = Target{ID: string(rune('a' + i)), Arn: sqsARN}
	}
	_, all := svc.CheckTargets(six)
	_, err := svc.PutTargets(ctx, &PutTargetsInput{Rule: "r", Targets: six})
	require.Equal(t, err, all, "more than a rule holds")

	for _, in := range []CreateArchiveInput{
		{ArchiveName: "ok", EventSourceArn: svc.BusARN("default")},
		{ArchiveName: "bad name!", EventSourceArn: svc.BusARN("default")},
		{ArchiveName: "p", EventSourceArn: svc.BusARN("default"), EventPattern: `{"source":1}`},
		{ArchiveName: "r", EventSourceArn: svc.BusARN("default"), RetentionDays: -1},
		{ArchiveName: "s", EventSourceArn: sqsARN},
	} {
		check := svc.CheckArchive(&in)
		_, err := svc.CreateArchive(ctx, &in)
		require.Equal(t, err, check, "%+v", in)
	}
	for _, in := range []CreateConnectionInput{
		{Name: "ok", AuthorizationType: "BASIC", AuthParameters: ConnectionAuthParameters{BasicAuthParameters: &BasicAuthParameters{Username: "u", Password: "p"}}},
		{Name: "k", AuthorizationType: "API_KEY", AuthParameters: ConnectionAuthParameters{BasicAuthParameters: &BasicAuthParameters{Username: "u", Password: "p"}}},
		{Name: "n", AuthorizationType: "NONE", AuthParameters: ConnectionAuthParameters{BasicAuthParameters: &BasicAuthParameters{Username: "u", Password: "p"}}},
	} {
		check := svc.CheckConnection(&in)
		_, err := svc.CreateConnection(ctx, &in)
		require.Equal(t, err, check, "%+v", in)
	}
	conn, err := svc.DescribeConnection(ctx, "ok")
	require.NoError(t, err)
	for _, in := range []APIDestinationInput{
		{Name: "ok", ConnectionArn: conn.ConnectionArn, InvocationEndpoint: "https://example.com", HttpMethod: "POST"},
		{Name: "e", ConnectionArn: conn.ConnectionArn, InvocationEndpoint: "ftp://example.com", HttpMethod: "POST"},
		{Name: "m", ConnectionArn: conn.ConnectionArn, InvocationEndpoint: "https://example.com", HttpMethod: "FETCH"},
	} {
		check := svc.CheckAPIDestination(&in)
		_, err := svc.CreateApiDestination(ctx, &in)
		require.Equal(t, err, check, "%+v", in)
	}
	for _, in := range []CreateEventBusInput{
		{Name: "ok"},
		{Name: "a/b"},
		{Name: "d", DeadLetterConfig: &DeadLetterConfig{Arn: "arn:aws:sns:us-east-1:123456789012:t"}},
		{Name: "t", Tags: map[string]string{"aws:x": "y"}},
	} {
		check := svc.CheckEventBus(&in)
		_, err := svc.CreateEventBus(ctx, &in)
		require.Equal(t, err, check, "%+v", in)
	}
}
