package gateway_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/gateway"
)

// EventBridge's API through the official SDK for Go v2, with only an
// endpoint override, over the real bus router: buses, rules, targets,
// archives and their managed rules, connections and API destinations,
// tags, and the wire's own rules (TestEventsWireRules). PutEvents and
// replays are the data plane's: their request-level checks are tested
// here.

func TestEventsBusesThroughTheSDK(t *testing.T) {
	t.Parallel()
	b := newEvents(t)
	ctx := context.Background()
	c := b.client

	created, err := c.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("orders"), Description: aws.String("the orders"),
		Tags: []ebtypes.Tag{{Key: aws.String("team"), Value: aws.String("core")}}})
	require.NoError(t, err)
	arn := aws.ToString(created.EventBusArn)
	require.Equal(t, eventsArnPrefix+"event-bus/orders", arn)
	_, err = c.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("orders")})
	var exists *ebtypes.ResourceAlreadyExistsException
	require.ErrorAs(t, err, &exists)
	require.Equal(t, "Event bus orders already exists.", requireAPICode(t, err, "ResourceAlreadyExistsException", 400))
	_, err = c.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("bad name")})
	requireAPICode(t, err, "ValidationException", 400)

	for _, name := range []string{"orders", arn} {
		d, err := c.DescribeEventBus(ctx, &eventbridge.DescribeEventBusInput{Name: aws.String(name)})
		require.NoError(t, err)
		require.Equal(t, "orders", aws.ToString(d.Name))
		require.Equal(t, arn, aws.ToString(d.Arn))
		require.Equal(t, "the orders", aws.ToString(d.Description))
		require.WithinDuration(t, time.Now(), aws.ToTime(d.CreationTime), time.Minute)
	}
	def, err := c.DescribeEventBus(ctx, &eventbridge.DescribeEventBusInput{})
	require.NoError(t, err)
	require.Equal(t, eventsArnPrefix+"event-bus/default", aws.ToString(def.Arn))
	_, err = c.DescribeEventBus(ctx, &eventbridge.DescribeEventBusInput{Name: aws.String("nope")})
	var nf *ebtypes.ResourceNotFoundException
	require.ErrorAs(t, err, &nf)
	require.Equal(t, "Event bus nope does not exist.", requireAPICode(t, err, "ResourceNotFoundException", 400))

	up, err := c.UpdateEventBus(ctx, &eventbridge.UpdateEventBusInput{Name: aws.String("orders"), Description: aws.String("new"),
		DeadLetterConfig: &ebtypes.DeadLetterConfig{Arn: aws.String("arn:aws:sqs:us-east-1:123456789012:dlq")}})
	require.NoError(t, err)
	require.Equal(t, "new", aws.ToString(up.Description))
	require.Equal(t, "arn:aws:sqs:us-east-1:123456789012:dlq", aws.ToString(up.DeadLetterConfig.Arn))

	for i := range 4 {
		_, err := c.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String(fmt.Sprintf("b%d", i))})
		require.NoError(t, err)
	}
	var names []string
	var token *string
	for range 10 {
		page, err := c.ListEventBuses(ctx, &eventbridge.ListEventBusesInput{Limit: aws.Int32(2), NextToken: token})
		require.NoError(t, err)
		for _, eb := range page.EventBuses {
			names = append(names, aws.ToString(eb.Name))
		}
		if token = page.NextToken; token == nil {
			break
		}
	}
	require.Equal(t, []string{"b0", "b1", "b2", "b3", "default", "orders"}, names)
	page, err := c.ListEventBuses(ctx, &eventbridge.ListEventBusesInput{NamePrefix: aws.String("b")})
	require.NoError(t, err)
	require.Len(t, page.EventBuses, 4)
	_, err = c.ListEventBuses(ctx, &eventbridge.ListEventBusesInput{NextToken: aws.String("made-up")})
	requireAPICode(t, err, "ValidationException", 400)

	// tags of a bus
	tags, err := c.ListTagsForResource(ctx, &eventbridge.ListTagsForResourceInput{ResourceARN: &arn})
	require.NoError(t, err)
	require.Equal(t, []ebtypes.Tag{{Key: aws.String("team"), Value: aws.String("core")}}, tags.Tags)
	_, err = c.TagResource(ctx, &eventbridge.TagResourceInput{ResourceARN: &arn, Tags: []ebtypes.Tag{{Key: aws.String("env"), Value: aws.String("dev")}}})
	require.NoError(t, err)
	_, err = c.UntagResource(ctx, &eventbridge.UntagResourceInput{ResourceARN: &arn, TagKeys: []string{"team"}})
	require.NoError(t, err)
	tags, err = c.ListTagsForResource(ctx, &eventbridge.ListTagsForResourceInput{ResourceARN: &arn})
	require.NoError(t, err)
	require.Equal(t, []ebtypes.Tag{{Key: aws.String("env"), Value: aws.String("dev")}}, tags.Tags)
	_, err = c.TagResource(ctx, &eventbridge.TagResourceInput{ResourceARN: aws.String(eventsArnPrefix + "event-bus/nope"), Tags: []ebtypes.Tag{{Key: aws.String("a"), Value: aws.String("b")}}})
	requireAPICode(t, err, "ResourceNotFoundException", 400)

	_, err = c.DeleteEventBus(ctx, &eventbridge.DeleteEventBusInput{Name: aws.String("default")})
	requireAPICode(t, err, "ValidationException", 400)
	_, err = c.DeleteEventBus(ctx, &eventbridge.DeleteEventBusInput{Name: aws.String("orders")})
	require.NoError(t, err)
	_, err = c.DescribeEventBus(ctx, &eventbridge.DescribeEventBusInput{Name: aws.String("orders")})
	requireAPICode(t, err, "ResourceNotFoundException", 400)
}

func TestEventsRulesAndTargetsThroughTheSDK(t *testing.T) {
	t.Parallel()
	needEventPatterns(t)
	b := newEvents(t)
	ctx := context.Background()
	c := b.client
	pat := `{"source":["shop"]}`

	put, err := c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("r1"), EventPattern: aws.String(pat), Description: aws.String("d"),
		Tags: []ebtypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
	require.NoError(t, err)
	require.Equal(t, eventsArnPrefix+"rule/r1", aws.ToString(put.RuleArn))
	_, err = c.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("orders")})
	require.NoError(t, err)
	put, err = c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("r1"), EventBusName: aws.String("orders"), EventPattern: aws.String(pat), State: ebtypes.RuleStateDisabled})
	require.NoError(t, err)
	require.Equal(t, eventsArnPrefix+"rule/orders/r1", aws.ToString(put.RuleArn))

	_, err = c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("bad"), EventPattern: aws.String("{not json")})
	var ip *ebtypes.InvalidEventPatternException
	require.ErrorAs(t, err, &ip)
	requireAPICode(t, err, "InvalidEventPatternException", 400)
	_, err = c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("s"), EventBusName: aws.String("orders"), ScheduleExpression: aws.String("rate(5 minutes)")})
	require.Contains(t, requireAPICode(t, err, "ValidationException", 400), "only on the default event bus")
	_, err = c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("x"), EventBusName: aws.String("nope"), EventPattern: aws.String(pat)})
	requireAPICode(t, err, "ResourceNotFoundException", 400)

	d, err := c.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("r1"), EventBusName: aws.String("orders")})
	require.NoError(t, err)
	require.Equal(t, ebtypes.RuleStateDisabled, d.State)
	require.Equal(t, pat, aws.ToString(d.EventPattern))
	require.Equal(t, "orders", aws.ToString(d.EventBusName))
	require.Equal(t, "123456789012", aws.ToString(d.CreatedBy))
	_, err = c.EnableRule(ctx, &eventbridge.EnableRuleInput{Name: aws.String("r1"), EventBusName: aws.String("orders")})
	require.NoError(t, err)
	d, err = c.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("r1"), EventBusName: aws.String("orders")})
	require.NoError(t, err)
	require.Equal(t, ebtypes.RuleStateEnabled, d.State)
	_, err = c.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("nope")})
	require.Equal(t, "Rule nope does not exist on EventBus default.", requireAPICode(t, err, "ResourceNotFoundException", 400))

	tags, err := c.ListTagsForResource(ctx, &eventbridge.ListTagsForResourceInput{ResourceARN: aws.String(eventsArnPrefix + "rule/r1")})
	require.NoError(t, err)
	require.Equal(t, []ebtypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}, tags.Tags)

	// targets: per-entry failures, the rest put
	q := "arn:aws:sqs:us-east-1:123456789012:q"
	pt, err := c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("r1"), Targets: []ebtypes.Target{
		{Id: aws.String("q"), Arn: aws.String(q), RetryPolicy: &ebtypes.RetryPolicy{MaximumRetryAttempts: aws.Int32(3), MaximumEventAgeInSeconds: aws.Int32(600)},
			DeadLetterConfig: &ebtypes.DeadLetterConfig{Arn: aws.String("arn:aws:sqs:us-east-1:123456789012:dlq")}},
		{Id: aws.String("t"), Arn: aws.String("arn:aws:sns:us-east-1:123456789012:t")},
		{Id: aws.String("fn"), Arn: aws.String("arn:aws:lambda:us-east-1:123456789012:function:f")},
	}})
	require.NoError(t, err)
	require.EqualValues(t, 1, pt.FailedEntryCount)
	require.Equal(t, "fn", aws.ToString(pt.FailedEntries[0].TargetId))
	require.Equal(t, "ValidationException", aws.ToString(pt.FailedEntries[0].ErrorCode))
	require.Contains(t, aws.ToString(pt.FailedEntries[0].ErrorMessage), "function targets are not supported by this server")

	_, err = c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("r1"), Targets: []ebtypes.Target{
		{Id: aws.String("x"), Arn: aws.String(q), RetryPolicy: &ebtypes.RetryPolicy{MaximumRetryAttempts: aws.Int32(186)}}}})
	requireAPICode(t, err, "ValidationException", 400)
	_, err = c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("r1"), Targets: []ebtypes.Target{
		{Id: aws.String("a"), Arn: aws.String(q)}, {Id: aws.String("b"), Arn: aws.String(q)}, {Id: aws.String("c"), Arn: aws.String(q)}, {Id: aws.String("d"), Arn: aws.String(q)}}})
	var le *ebtypes.LimitExceededException
	require.ErrorAs(t, err, &le)
	requireAPICode(t, err, "LimitExceededException", 400)

	lt, err := c.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: aws.String("r1")})
	require.NoError(t, err)
	require.Len(t, lt.Targets, 2)
	require.Equal(t, "q", aws.ToString(lt.Targets[0].Id))
	require.EqualValues(t, 3, aws.ToInt32(lt.Targets[0].RetryPolicy.MaximumRetryAttempts))
	require.Equal(t, "arn:aws:sqs:us-east-1:123456789012:dlq", aws.ToString(lt.Targets[0].DeadLetterConfig.Arn))
	lt, err = c.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: aws.String("r1"), Limit: aws.Int32(1)})
	require.NoError(t, err)
	require.Len(t, lt.Targets, 1)
	lt, err = c.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: aws.String("r1"), Limit: aws.Int32(1), NextToken: lt.NextToken})
	require.NoError(t, err)
	require.Equal(t, "t", aws.ToString(lt.Targets[0].Id))
	require.Nil(t, lt.NextToken)

	byTarget, err := c.ListRuleNamesByTarget(ctx, &eventbridge.ListRuleNamesByTargetInput{TargetArn: aws.String(q)})
	require.NoError(t, err)
	require.Equal(t, []string{"r1"}, byTarget.RuleNames)

	_, err = c.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: aws.String("r1")})
	require.Equal(t, "Rule can't be deleted since it has targets.", requireAPICode(t, err, "ValidationException", 400))
	rt, err := c.RemoveTargets(ctx, &eventbridge.RemoveTargetsInput{Rule: aws.String("r1"), Ids: []string{"q", "t"}})
	require.NoError(t, err)
	require.Zero(t, rt.FailedEntryCount)
	_, err = c.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: aws.String("r1")})
	require.NoError(t, err)
	_, err = c.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("r1")})
	requireAPICode(t, err, "ResourceNotFoundException", 400)

	// listing, paged
	for i := range 5 {
		_, err := c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String(fmt.Sprintf("p%d", i)), EventBusName: aws.String("orders"), EventPattern: aws.String(pat)})
		require.NoError(t, err)
	}
	var names []string
	var token *string
	for range 10 {
		page, err := c.ListRules(ctx, &eventbridge.ListRulesInput{EventBusName: aws.String("orders"), NamePrefix: aws.String("p"), Limit: aws.Int32(2), NextToken: token})
		require.NoError(t, err)
		for _, r := range page.Rules {
			names = append(names, aws.ToString(r.Name))
			require.Equal(t, ebtypes.RuleStateEnabled, r.State)
		}
		if token = page.NextToken; token == nil {
			break
		}
	}
	require.Equal(t, []string{"p0", "p1", "p2", "p3", "p4"}, names)
}

func TestEventsArchivesThroughTheSDK(t *testing.T) {
	t.Parallel()
	needEventPatterns(t)
	b := newEvents(t)
	ctx := context.Background()
	c := b.client
	busARN := eventsArnPrefix + "event-bus/default"

	ca, err := c.CreateArchive(ctx, &eventbridge.CreateArchiveInput{ArchiveName: aws.String("keep"), EventSourceArn: aws.String(busARN),
		EventPattern: aws.String(`{"source":["shop"]}`), RetentionDays: aws.Int32(7)})
	require.NoError(t, err)
	require.Equal(t, eventsArnPrefix+"archive/keep", aws.ToString(ca.ArchiveArn))
	require.Equal(t, ebtypes.ArchiveStateEnabled, ca.State)
	_, err = c.CreateArchive(ctx, &eventbridge.CreateArchiveInput{ArchiveName: aws.String("keep"), EventSourceArn: aws.String(busARN)})
	requireAPICode(t, err, "ResourceAlreadyExistsException", 400)

	// the managed rule, as AWS shows it
	rules, err := c.ListRules(ctx, &eventbridge.ListRulesInput{})
	require.NoError(t, err)
	require.Len(t, rules.Rules, 1)
	r := rules.Rules[0]
	require.Equal(t, "Events-Archive-keep", aws.ToString(r.Name))
	require.Equal(t, "events.amazonaws.com", aws.ToString(r.ManagedBy))
	require.JSONEq(t, `{"source":["shop"],"replay-name":[{"exists":false}]}`, aws.ToString(r.EventPattern))
	lt, err := c.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: r.Name})
	require.NoError(t, err)
	require.Len(t, lt.Targets, 1)
	require.Equal(t, "Events-Archive-keep", aws.ToString(lt.Targets[0].Id))
	require.Equal(t, eventsArnPrefix+"archive/keep", aws.ToString(lt.Targets[0].Arn))
	_, err = c.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: r.Name})
	var mr *ebtypes.ManagedRuleException
	require.ErrorAs(t, err, &mr)
	requireAPICode(t, err, "ManagedRuleException", 400)

	da, err := c.DescribeArchive(ctx, &eventbridge.DescribeArchiveInput{ArchiveName: aws.String("keep")})
	require.NoError(t, err)
	require.EqualValues(t, 7, aws.ToInt32(da.RetentionDays))
	require.Equal(t, busARN, aws.ToString(da.EventSourceArn))
	require.Zero(t, da.EventCount)
	_, err = c.UpdateArchive(ctx, &eventbridge.UpdateArchiveInput{ArchiveName: aws.String("keep"), Description: aws.String("all"), EventPattern: aws.String(`{"source":["other"]}`)})
	require.NoError(t, err)
	d, err := c.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: r.Name})
	require.NoError(t, err)
	require.JSONEq(t, `{"source":["other"],"replay-name":[{"exists":false}]}`, aws.ToString(d.EventPattern))
	la, err := c.ListArchives(ctx, &eventbridge.ListArchivesInput{NamePrefix: aws.String("k")})
	require.NoError(t, err)
	require.Len(t, la.Archives, 1)
	require.Equal(t, "keep", aws.ToString(la.Archives[0].ArchiveName))

	_, err = c.DeleteArchive(ctx, &eventbridge.DeleteArchiveInput{ArchiveName: aws.String("keep")})
	require.NoError(t, err)
	_, err = c.DescribeArchive(ctx, &eventbridge.DescribeArchiveInput{ArchiveName: aws.String("keep")})
	requireAPICode(t, err, "ResourceNotFoundException", 400)
	rules, err = c.ListRules(ctx, &eventbridge.ListRulesInput{})
	require.NoError(t, err)
	require.Empty(t, rules.Rules)
}

// rawEvents posts one request of EventBridge's protocol as the SDK would,
// unsigned (no keys configured: anyone may call), and returns the status
// and body.
func rawEvents(t *testing.T, url, action, body string) (int, string) {
	t.Helper()
	r := sendRaw(t, http.MethodPost, url+"/", body, "Content-Type", "application/x-amz-json-1.1", "X-Amz-Target", "AWSEvents."+action)
	require.Equal(t, "application/x-amz-json-1.1", r.header.Get("Content-Type"))
	return r.status, string(r.body)
}

func TestEventsConnectionsThroughTheSDK(t *testing.T) {
	t.Parallel()
	b := newEvents(t)
	ctx := context.Background()
	c := b.client

	cc, err := c.CreateConnection(ctx, &eventbridge.CreateConnectionInput{Name: aws.String("c"), AuthorizationType: ebtypes.ConnectionAuthorizationTypeOauthClientCredentials,
		AuthParameters: &ebtypes.CreateConnectionAuthRequestParameters{OAuthParameters: &ebtypes.CreateConnectionOAuthRequestParameters{
			AuthorizationEndpoint: aws.String("https://auth.example.com/token"), HttpMethod: ebtypes.ConnectionOAuthHttpMethodPost,
			ClientParameters: &ebtypes.CreateConnectionOAuthClientRequestParameters{ClientID: aws.String("id"), ClientSecret: aws.String("client-s3cret")},
			OAuthHttpParameters: &ebtypes.ConnectionHttpParameters{BodyParameters: []ebtypes.ConnectionBodyParameter{
				{Key: aws.String("scope"), Value: aws.String("all")}, {Key: aws.String("pin"), Value: aws.String("pin-s3cret"), IsValueSecret: true}}}},
			InvocationHttpParameters: &ebtypes.ConnectionHttpParameters{HeaderParameters: []ebtypes.ConnectionHeaderParameter{
				{Key: aws.String("x-token"), Value: aws.String("header-s3cret"), IsValueSecret: true}}}}})
	require.NoError(t, err)
	require.Equal(t, ebtypes.ConnectionStateAuthorized, cc.ConnectionState)
	require.True(t, strings.HasPrefix(aws.ToString(cc.ConnectionArn), eventsArnPrefix+"connection/c/"))
	_, err = c.CreateConnection(ctx, &eventbridge.CreateConnectionInput{Name: aws.String("c"), AuthorizationType: ebtypes.ConnectionAuthorizationTypeBasic,
		AuthParameters: &ebtypes.CreateConnectionAuthRequestParameters{BasicAuthParameters: &ebtypes.CreateConnectionBasicAuthRequestParameters{Username: aws.String("u"), Password: aws.String("p")}}})
	requireAPICode(t, err, "ResourceAlreadyExistsException", 400)

	dc, err := c.DescribeConnection(ctx, &eventbridge.DescribeConnectionInput{Name: aws.String("c")})
	require.NoError(t, err)
	require.Equal(t, "id", aws.ToString(dc.AuthParameters.OAuthParameters.ClientParameters.ClientID))
	require.Equal(t, "https://auth.example.com/token", aws.ToString(dc.AuthParameters.OAuthParameters.AuthorizationEndpoint))
	require.Equal(t, "x-token", aws.ToString(dc.AuthParameters.InvocationHttpParameters.HeaderParameters[0].Key))
	require.NotEmpty(t, aws.ToString(dc.SecretArn))
	// the secrets are never on the wire
	status, body := rawEvents(t, b.url, "DescribeConnection", `{"Name":"c"}`)
	require.Equal(t, 200, status)
	require.NotContains(t, body, "s3cret")
	require.Contains(t, body, `"all"`)
	status, body = rawEvents(t, b.url, "ListConnections", `{}`)
	require.Equal(t, 200, status)
	require.NotContains(t, body, "s3cret")

	dz, err := c.DeauthorizeConnection(ctx, &eventbridge.DeauthorizeConnectionInput{Name: aws.String("c")})
	require.NoError(t, err)
	require.Equal(t, ebtypes.ConnectionStateDeauthorized, dz.ConnectionState)
	uc, err := c.UpdateConnection(ctx, &eventbridge.UpdateConnectionInput{Name: aws.String("c"), Description: aws.String("again")})
	require.NoError(t, err)
	require.Equal(t, ebtypes.ConnectionStateAuthorized, uc.ConnectionState)

	ad, err := c.CreateApiDestination(ctx, &eventbridge.CreateApiDestinationInput{Name: aws.String("api"), ConnectionArn: cc.ConnectionArn,
		InvocationEndpoint: aws.String("https://api.example.com/orders/*"), HttpMethod: ebtypes.ApiDestinationHttpMethodPost})
	require.NoError(t, err)
	require.Equal(t, ebtypes.ApiDestinationStateActive, ad.ApiDestinationState)
	require.True(t, strings.HasPrefix(aws.ToString(ad.ApiDestinationArn), eventsArnPrefix+"api-destination/api/"))
	dd, err := c.DescribeApiDestination(ctx, &eventbridge.DescribeApiDestinationInput{Name: aws.String("api")})
	require.NoError(t, err)
	require.EqualValues(t, 300, aws.ToInt32(dd.InvocationRateLimitPerSecond))
	require.Equal(t, aws.ToString(cc.ConnectionArn), aws.ToString(dd.ConnectionArn))
	_, err = c.UpdateApiDestination(ctx, &eventbridge.UpdateApiDestinationInput{Name: aws.String("api"), InvocationRateLimitPerSecond: aws.Int32(10)})
	require.NoError(t, err)
	la, err := c.ListApiDestinations(ctx, &eventbridge.ListApiDestinationsInput{})
	require.NoError(t, err)
	require.Len(t, la.ApiDestinations, 1)
	require.EqualValues(t, 10, aws.ToInt32(la.ApiDestinations[0].InvocationRateLimitPerSecond))
	_, err = c.CreateApiDestination(ctx, &eventbridge.CreateApiDestinationInput{Name: aws.String("api2"), ConnectionArn: aws.String(eventsArnPrefix + "connection/none/1"),
		InvocationEndpoint: aws.String("https://x"), HttpMethod: ebtypes.ApiDestinationHttpMethodGet})
	requireAPICode(t, err, "ResourceNotFoundException", 400)

	// an API destination is a target (once patterns are merged, below)
	_, err = c.DeleteApiDestination(ctx, &eventbridge.DeleteApiDestinationInput{Name: aws.String("api")})
	require.NoError(t, err)
	_, err = c.DescribeApiDestination(ctx, &eventbridge.DescribeApiDestinationInput{Name: aws.String("api")})
	requireAPICode(t, err, "ResourceNotFoundException", 400)
	del, err := c.DeleteConnection(ctx, &eventbridge.DeleteConnectionInput{Name: aws.String("c")})
	require.NoError(t, err)
	require.Equal(t, ebtypes.ConnectionStateDeleting, del.ConnectionState)
	_, err = c.DescribeConnection(ctx, &eventbridge.DescribeConnectionInput{Name: aws.String("c")})
	requireAPICode(t, err, "ResourceNotFoundException", 400)
}

// The wire's own rules: PutEvents's request-level limits, the actions not
// served, unknown ones, malformed bodies, TestEventPattern's event.
func TestEventsWireRules(t *testing.T) {
	t.Parallel()
	b := newEvents(t)
	ctx := context.Background()
	c := b.client

	_, err := c.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{}})
	requireAPICode(t, err, "ValidationException", 400)
	eleven := make([]ebtypes.PutEventsRequestEntry, 11)
	for i := range eleven {
		eleven[i] = ebtypes.PutEventsRequestEntry{Source: aws.String("s"), DetailType: aws.String("t"), Detail: aws.String("{}")}
	}
	_, err = c.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: eleven})
	requireAPICode(t, err, "ValidationException", 400)
	// 2 entries of 130 KiB: each fits, together they are over 256 KiB
	big := `{"a":"` + strings.Repeat("x", 130<<10) + `"}`
	_, err = c.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{
		{Source: aws.String("s"), DetailType: aws.String("t"), Detail: aws.String(big)},
		{Source: aws.String("s"), DetailType: aws.String("t"), Detail: aws.String(big), Time: aws.Time(time.Now())}}})
	require.Contains(t, requireAPICode(t, err, "ValidationException", 400), "over the limit")

	_, err = c.PutPermission(ctx, &eventbridge.PutPermissionInput{Action: aws.String("events:PutEvents"), Principal: aws.String("*"), StatementId: aws.String("s")})
	require.Contains(t, requireAPICode(t, err, "ValidationException", 400), "not supported by Signalbox")
	_, err = c.ListEndpoints(ctx, &eventbridge.ListEndpointsInput{})
	require.Contains(t, requireAPICode(t, err, "ValidationException", 400), "not supported by Signalbox")

	status, body := rawEvents(t, b.url, "NoSuchAction", `{}`)
	require.Equal(t, 400, status)
	require.Contains(t, body, "UnknownOperationException")
	status, body = rawEvents(t, b.url, "DescribeRule", `{"Name":`)
	require.Equal(t, 400, status)
	require.Contains(t, body, "SerializationException")
	status, body = rawEvents(t, b.url, "DescribeRule", `{"Name":5}`)
	require.Equal(t, 400, status)
	require.Contains(t, body, "SerializationException")
	status, body = rawEvents(t, b.url, "DescribeEventBus", strings.Repeat(" ", 4<<20))
	require.Equal(t, 413, status, body)

	// TestEventPattern checks the event as AWS requires
	ev := map[string]any{"id": "1", "account": "123456789012", "source": "shop", "time": "2026-01-02T03:04:05Z", "region": "us-east-1", "resources": []string{}, "detail-type": "t", "detail": map[string]any{}}
	for _, missing := range []string{"id", "account", "source", "time", "region", "resources", "detail-type"} {
		e := map[string]any{}
		for k, v := range ev {
			if k != missing {
				e[k] = v
			}
		}
		raw, _ := json.Marshal(e)
		_, err = c.TestEventPattern(ctx, &eventbridge.TestEventPatternInput{EventPattern: aws.String(`{"source":["shop"]}`), Event: aws.String(string(raw))})
		require.Contains(t, requireAPICode(t, err, "ValidationException", 400), "'"+missing+"'")
	}
	needEventPatterns(t)
	raw, _ := json.Marshal(ev)
	res, err := c.TestEventPattern(ctx, &eventbridge.TestEventPatternInput{EventPattern: aws.String(`{"source":["shop"]}`), Event: aws.String(string(raw))})
	require.NoError(t, err)
	require.True(t, res.Result)
	res, err = c.TestEventPattern(ctx, &eventbridge.TestEventPatternInput{EventPattern: aws.String(`{"source":["other"]}`), Event: aws.String(string(raw))})
	require.NoError(t, err)
	require.False(t, res.Result)
	_, err = c.TestEventPattern(ctx, &eventbridge.TestEventPatternInput{EventPattern: aws.String(`{not json`), Event: aws.String(string(raw))})
	requireAPICode(t, err, "InvalidEventPatternException", 400)
}

// With credentials configured, EventBridge's requests must be signed for
// the service "events" with one of them, as AWS's are.
func TestEventsSigV4(t *testing.T) {
	t.Parallel()
	b := newEvents(t, func(o *gateway.Options) { o.Credentials = map[string]string{"AKIDTEST": "secret"} })
	ctx := context.Background()
	_, err := b.client.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("signed")})
	require.NoError(t, err)
	_, err = eventsClient(b.url, "AKIDTEST", "wrong").DescribeEventBus(ctx, &eventbridge.DescribeEventBusInput{Name: aws.String("signed")})
	requireAPICode(t, err, "InvalidSignatureException", 400) // as the gateway answers it for every AWS service
	status, body := rawEvents(t, b.url, "DescribeEventBus", `{"Name":"signed"}`)
	require.Equal(t, 400, status, body)
	require.Contains(t, body, "MissingAuthenticationTokenException")
}
