package gateway_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/require"
)

func TestSFNVersionsAndAliases(t *testing.T) {
	t.Parallel()
	b := newSFN(t)
	ctx := context.Background()
	sm := b.createMachine(t, "routed", passDef, "")

	v1, err := b.client.PublishStateMachineVersion(ctx, &sfn.PublishStateMachineVersionInput{StateMachineArn: aws.String(sm), Description: aws.String("first")})
	require.NoError(t, err)
	require.Equal(t, sm+":1", aws.ToString(v1.StateMachineVersionArn))
	require.False(t, aws.ToTime(v1.CreationDate).IsZero())
	// Publishing an unchanged definition returns the same version.
	again, err := b.client.PublishStateMachineVersion(ctx, &sfn.PublishStateMachineVersionInput{StateMachineArn: aws.String(sm)})
	require.NoError(t, err)
	require.Equal(t, sm+":1", aws.ToString(again.StateMachineVersionArn))

	desc, err := b.client.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(sm)})
	require.NoError(t, err)
	_, err = b.client.UpdateStateMachine(ctx, &sfn.UpdateStateMachineInput{StateMachineArn: aws.String(sm), Definition: aws.String(failDef)})
	require.NoError(t, err)
	// A revision id that is no longer current is a conflict.
	_, err = b.client.PublishStateMachineVersion(ctx, &sfn.PublishStateMachineVersionInput{StateMachineArn: aws.String(sm), RevisionId: desc.RevisionId})
	var conflict *types.ConflictException
	require.True(t, errors.As(err, &conflict), "%v", err)
	requireAWSErrorStatus(t, err, "ConflictException", http.StatusConflict)
	now, err := b.client.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(sm)})
	require.NoError(t, err)
	v2, err := b.client.PublishStateMachineVersion(ctx, &sfn.PublishStateMachineVersionInput{StateMachineArn: aws.String(sm), RevisionId: now.RevisionId})
	require.NoError(t, err)
	require.Equal(t, sm+":2", aws.ToString(v2.StateMachineVersionArn))

	// An alias on version 1 runs version 1's definition.
	created, err := b.client.CreateStateMachineAlias(ctx, &sfn.CreateStateMachineAliasInput{
		Name: aws.String("live"), Description: aws.String("production"),
		RoutingConfiguration: []types.RoutingConfigurationListItem{{StateMachineVersionArn: v1.StateMachineVersionArn, Weight: 100}},
	})
	require.NoError(t, err)
	alias := aws.ToString(created.StateMachineAliasArn)
	require.Equal(t, sm+":live", alias)
	byAlias := b.waitStatus(t, b.start(t, alias, "via-alias", `{"who":"alias"}`), types.ExecutionStatusSucceeded)
	require.JSONEq(t, `{"greeting":"hello alias"}`, aws.ToString(byAlias.Output))
	require.Equal(t, alias, aws.ToString(byAlias.StateMachineAliasArn))
	require.Equal(t, sm+":1", aws.ToString(byAlias.StateMachineVersionArn))
	require.Equal(t, sm, aws.ToString(byAlias.StateMachineArn))

	// The execution runs version 1's definition whatever the state machine has now.
	forExec, err := b.client.DescribeStateMachineForExecution(ctx, &sfn.DescribeStateMachineForExecutionInput{ExecutionArn: byAlias.ExecutionArn})
	require.NoError(t, err)
	require.Equal(t, passDef, aws.ToString(forExec.Definition))
	require.Equal(t, sm, aws.ToString(forExec.StateMachineArn))
	require.Equal(t, "routed", aws.ToString(forExec.Name))
	require.Equal(t, sfnRole, aws.ToString(forExec.RoleArn))
	require.False(t, aws.ToTime(forExec.UpdateDate).IsZero())

	// Repoint the alias to version 2: new executions fail.
	updated, err := b.client.UpdateStateMachineAlias(ctx, &sfn.UpdateStateMachineAliasInput{
		StateMachineAliasArn: aws.String(alias),
		RoutingConfiguration: []types.RoutingConfigurationListItem{{StateMachineVersionArn: v2.StateMachineVersionArn, Weight: 100}},
	})
	require.NoError(t, err)
	require.False(t, aws.ToTime(updated.UpdateDate).IsZero())
	b.waitStatus(t, b.start(t, alias, "via-alias-2", `{}`), types.ExecutionStatusFailed)

	described, err := b.client.DescribeStateMachineAlias(ctx, &sfn.DescribeStateMachineAliasInput{StateMachineAliasArn: aws.String(alias)})
	require.NoError(t, err)
	require.Equal(t, "live", aws.ToString(described.Name))
	require.Equal(t, "production", aws.ToString(described.Description))
	require.Equal(t, []types.RoutingConfigurationListItem{{StateMachineVersionArn: v2.StateMachineVersionArn, Weight: 100}}, described.RoutingConfiguration)
	require.WithinDuration(t, aws.ToTime(created.CreationDate), aws.ToTime(described.CreationDate), time.Millisecond)

	// Create is idempotent; the same name with another routing conflicts.
	same, err := b.client.CreateStateMachineAlias(ctx, &sfn.CreateStateMachineAliasInput{
		Name: aws.String("canary"),
		RoutingConfiguration: []types.RoutingConfigurationListItem{
			{StateMachineVersionArn: v1.StateMachineVersionArn, Weight: 90}, {StateMachineVersionArn: v2.StateMachineVersionArn, Weight: 10},
		},
	})
	require.NoError(t, err)
	_, err = b.client.CreateStateMachineAlias(ctx, &sfn.CreateStateMachineAliasInput{
		Name:                 aws.String("canary"),
		RoutingConfiguration: []types.RoutingConfigurationListItem{{StateMachineVersionArn: v1.StateMachineVersionArn, Weight: 100}},
	})
	requireAWSErrorStatus(t, err, "ConflictException", http.StatusConflict)

	list, err := b.client.ListStateMachineAliases(ctx, &sfn.ListStateMachineAliasesInput{StateMachineArn: aws.String(sm), MaxResults: 1})
	require.NoError(t, err)
	require.Len(t, list.StateMachineAliases, 1)
	require.Equal(t, aws.ToString(same.StateMachineAliasArn), aws.ToString(list.StateMachineAliases[0].StateMachineAliasArn), "newest first")
	require.NotNil(t, list.NextToken)
	rest, err := b.client.ListStateMachineAliases(ctx, &sfn.ListStateMachineAliasesInput{StateMachineArn: aws.String(sm), NextToken: list.NextToken})
	require.NoError(t, err)
	require.Len(t, rest.StateMachineAliases, 1)
	require.Equal(t, alias, aws.ToString(rest.StateMachineAliases[0].StateMachineAliasArn))
	require.Nil(t, rest.NextToken)
	_, err = b.client.ListStateMachineAliases(ctx, &sfn.ListStateMachineAliasesInput{StateMachineArn: aws.String(sm), NextToken: aws.String("nope")})
	requireAWSError(t, err, "InvalidToken")

	_, err = b.client.DeleteStateMachineAlias(ctx, &sfn.DeleteStateMachineAliasInput{StateMachineAliasArn: aws.String(alias)})
	require.NoError(t, err)
	_, err = b.client.DescribeStateMachineAlias(ctx, &sfn.DescribeStateMachineAliasInput{StateMachineAliasArn: aws.String(alias)})
	var notFound *types.ResourceNotFound
	require.True(t, errors.As(err, &notFound), "%v", err)
	_, err = b.client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(alias)})
	requireAWSError(t, err, "StateMachineDoesNotExist")

	// Error paths.
	_, err = b.client.PublishStateMachineVersion(ctx, &sfn.PublishStateMachineVersionInput{StateMachineArn: aws.String(sm + "-gone")})
	requireAWSError(t, err, "StateMachineDoesNotExist")
	_, err = b.client.PublishStateMachineVersion(ctx, &sfn.PublishStateMachineVersionInput{StateMachineArn: aws.String("bad")})
	requireAWSError(t, err, "InvalidArn")
	_, err = b.client.CreateStateMachineAlias(ctx, &sfn.CreateStateMachineAliasInput{
		Name:                 aws.String("dangling"),
		RoutingConfiguration: []types.RoutingConfigurationListItem{{StateMachineVersionArn: aws.String(sm + ":9"), Weight: 100}},
	})
	requireAWSError(t, err, "ResourceNotFound")
	_, err = b.client.CreateStateMachineAlias(ctx, &sfn.CreateStateMachineAliasInput{
		Name:                 aws.String("half"),
		RoutingConfiguration: []types.RoutingConfigurationListItem{{StateMachineVersionArn: v1.StateMachineVersionArn, Weight: 50}},
	})
	requireAWSError(t, err, "ValidationException")
	_, err = b.client.DescribeStateMachineAlias(ctx, &sfn.DescribeStateMachineAliasInput{StateMachineAliasArn: aws.String("bad")})
	requireAWSError(t, err, "InvalidArn")
	_, err = b.client.DescribeStateMachineForExecution(ctx, &sfn.DescribeStateMachineForExecutionInput{ExecutionArn: aws.String(aws.ToString(byAlias.ExecutionArn) + "-gone")})
	requireAWSError(t, err, "ExecutionDoesNotExist")
	_, err = b.client.DescribeStateMachineForExecution(ctx, &sfn.DescribeStateMachineForExecutionInput{ExecutionArn: aws.String(sm)})
	requireAWSError(t, err, "InvalidArn")
}

func TestSFNTags(t *testing.T) {
	t.Parallel()
	b := newSFN(t)
	ctx := context.Background()
	created, err := b.client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
		Name: aws.String("tagged"), Definition: aws.String(passDef), RoleArn: aws.String(sfnRole),
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("core")}, {Key: aws.String("env"), Value: aws.String("dev")}},
	})
	require.NoError(t, err)
	sm := created.StateMachineArn
	tags := func(arn *string) []types.Tag {
		out, err := b.client.ListTagsForResource(ctx, &sfn.ListTagsForResourceInput{ResourceArn: arn})
		require.NoError(t, err)
		return out.Tags
	}
	tag := func(k, v string) types.Tag { return types.Tag{Key: aws.String(k), Value: aws.String(v)} }
	require.Equal(t, []types.Tag{tag("env", "dev"), tag("team", "core")}, tags(sm))

	_, err = b.client.TagResource(ctx, &sfn.TagResourceInput{ResourceArn: sm, Tags: []types.Tag{tag("env", "prod"), tag("owner", "ops")}})
	require.NoError(t, err)
	require.Equal(t, []types.Tag{tag("env", "prod"), tag("owner", "ops"), tag("team", "core")}, tags(sm))
	_, err = b.client.UntagResource(ctx, &sfn.UntagResourceInput{ResourceArn: sm, TagKeys: []string{"owner", "absent"}})
	require.NoError(t, err)
	require.Equal(t, []types.Tag{tag("env", "prod"), tag("team", "core")}, tags(sm))

	act, err := b.client.CreateActivity(ctx, &sfn.CreateActivityInput{Name: aws.String("worker"), Tags: []types.Tag{tag("kind", "human")}})
	require.NoError(t, err)
	require.Equal(t, []types.Tag{tag("kind", "human")}, tags(act.ActivityArn))

	// Error paths: nothing changes.
	many := make([]types.Tag, 51)
	for i := range many {
		many[i] = tag("k"+string(rune('a'+i%26))+string(rune('a'+i/26)), "v")
	}
	_, err = b.client.TagResource(ctx, &sfn.TagResourceInput{ResourceArn: sm, Tags: many})
	var tooMany *types.TooManyTags
	require.True(t, errors.As(err, &tooMany), "%v", err)
	_, err = b.client.TagResource(ctx, &sfn.TagResourceInput{ResourceArn: sm, Tags: []types.Tag{tag("aws:reserved", "x")}})
	requireAWSError(t, err, "ValidationException")
	_, err = b.client.TagResource(ctx, &sfn.TagResourceInput{ResourceArn: aws.String(aws.ToString(sm) + "-gone"), Tags: []types.Tag{tag("a", "b")}})
	requireAWSError(t, err, "ResourceNotFound")
	_, err = b.client.ListTagsForResource(ctx, &sfn.ListTagsForResourceInput{ResourceArn: aws.String(aws.ToString(sm) + "-gone")})
	requireAWSError(t, err, "ResourceNotFound")
	_, err = b.client.ListTagsForResource(ctx, &sfn.ListTagsForResourceInput{ResourceArn: aws.String("not-an-arn")})
	requireAWSError(t, err, "InvalidArn")
	_, err = b.client.UntagResource(ctx, &sfn.UntagResourceInput{ResourceArn: aws.String("not-an-arn"), TagKeys: []string{"a"}})
	requireAWSError(t, err, "InvalidArn")
	require.Equal(t, []types.Tag{tag("env", "prod"), tag("team", "core")}, tags(sm))

	// A create with bad tags creates nothing.
	_, err = b.client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
		Name: aws.String("badly-tagged"), Definition: aws.String(passDef), RoleArn: aws.String(sfnRole),
		Tags: []types.Tag{tag("aws:mine", "x")},
	})
	requireAWSError(t, err, "ValidationException")
	_, err = b.client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
		Name: aws.String("badly-tagged"), Definition: aws.String(passDef), RoleArn: aws.String(sfnRole), Tags: many,
	})
	requireAWSError(t, err, "TooManyTags")
	_, err = b.client.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(b.d.StateMachineARN("badly-tagged"))})
	requireAWSError(t, err, "StateMachineDoesNotExist")
}

// TestSFNDeleteStateMachineVersion: a version an alias routes to (with any
// weight) stays, the conflict naming the aliases; once none does it goes:
// it can no longer be started, described or routed to, its executions
// keep their definition, a second delete does nothing, and its number is
// never given again.
func TestSFNDeleteStateMachineVersion(t *testing.T) {
	t.Parallel()
	b := newSFN(t)
	ctx := context.Background()
	sm := b.createMachine(t, "pruned", passDef, "")
	publish := func() string {
		t.Helper()
		out, err := b.client.PublishStateMachineVersion(ctx, &sfn.PublishStateMachineVersionInput{StateMachineArn: aws.String(sm)})
		require.NoError(t, err)
		return aws.ToString(out.StateMachineVersionArn)
	}
	deleteVersion := func(arn string) error {
		_, err := b.client.DeleteStateMachineVersion(ctx, &sfn.DeleteStateMachineVersionInput{StateMachineVersionArn: aws.String(arn)})
		return err
	}
	v1 := publish()
	_, err := b.client.UpdateStateMachine(ctx, &sfn.UpdateStateMachineInput{StateMachineArn: aws.String(sm), Definition: aws.String(failDef)})
	require.NoError(t, err)
	v2 := publish()
	require.Equal(t, sm+":2", v2)
	ran := b.waitStatus(t, b.start(t, v1, "on-v1", `{"who":"v1"}`), types.ExecutionStatusSucceeded)

	alias := func(name string, routes ...types.RoutingConfigurationListItem) string {
		t.Helper()
		out, err := b.client.CreateStateMachineAlias(ctx, &sfn.CreateStateMachineAliasInput{Name: aws.String(name), RoutingConfiguration: routes})
		require.NoError(t, err)
		return aws.ToString(out.StateMachineAliasArn)
	}
	live := alias("live", types.RoutingConfigurationListItem{StateMachineVersionArn: aws.String(v1), Weight: 100})
	split := alias("split", types.RoutingConfigurationListItem{StateMachineVersionArn: aws.String(v2), Weight: 100},
		types.RoutingConfigurationListItem{StateMachineVersionArn: aws.String(v1), Weight: 0})

	// Routed to by two aliases, one with weight 0: a conflict naming both.
	err = deleteVersion(v1)
	var conflict *types.ConflictException
	require.True(t, errors.As(err, &conflict), "%v", err)
	require.Equal(t, "Version to be deleted must not be referenced by an alias. Current list of aliases referencing this version: [live, split]",
		aws.ToString(conflict.Message))
	requireAWSErrorStatus(t, err, "ConflictException", http.StatusConflict)
	_, err = b.client.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(v1)})
	require.NoError(t, err, "the version stays")

	_, err = b.client.DeleteStateMachineAlias(ctx, &sfn.DeleteStateMachineAliasInput{StateMachineAliasArn: aws.String(live)})
	require.NoError(t, err)
	_, err = b.client.UpdateStateMachineAlias(ctx, &sfn.UpdateStateMachineAliasInput{StateMachineAliasArn: aws.String(split),
		RoutingConfiguration: []types.RoutingConfigurationListItem{{StateMachineVersionArn: aws.String(v2), Weight: 100}}})
	require.NoError(t, err)
	require.NoError(t, deleteVersion(v1))
	require.NoError(t, deleteVersion(v1), "deleting a version that is gone does nothing")

	_, err = b.client.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(v1)})
	requireAWSError(t, err, "StateMachineDoesNotExist")
	_, err = b.client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(v1)})
	requireAWSError(t, err, "StateMachineDoesNotExist")
	_, err = b.client.CreateStateMachineAlias(ctx, &sfn.CreateStateMachineAliasInput{Name: aws.String("late"),
		RoutingConfiguration: []types.RoutingConfigurationListItem{{StateMachineVersionArn: aws.String(v1), Weight: 100}}})
	requireAWSError(t, err, "ResourceNotFound")
	versions, err := b.client.ListStateMachineVersions(ctx, &sfn.ListStateMachineVersionsInput{StateMachineArn: aws.String(sm)})
	require.NoError(t, err)
	require.Len(t, versions.StateMachineVersions, 1)
	require.Equal(t, v2, aws.ToString(versions.StateMachineVersions[0].StateMachineVersionArn))

	// The execution it ran keeps its origin and its definition.
	desc, err := b.client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: ran.ExecutionArn})
	require.NoError(t, err)
	require.Equal(t, v1, aws.ToString(desc.StateMachineVersionArn))
	forExec, err := b.client.DescribeStateMachineForExecution(ctx, &sfn.DescribeStateMachineForExecutionInput{ExecutionArn: ran.ExecutionArn})
	require.NoError(t, err)
	require.Equal(t, passDef, aws.ToString(forExec.Definition))

	// The latest version deleted, publishing the same definition again
	// takes the next number, never a deleted one.
	_, err = b.client.DeleteStateMachineAlias(ctx, &sfn.DeleteStateMachineAliasInput{StateMachineAliasArn: aws.String(split)})
	require.NoError(t, err)
	require.NoError(t, deleteVersion(v2))
	require.Equal(t, sm+":3", publish())

	// Not a version ARN.
	requireAWSError(t, deleteVersion(sm), "ValidationException")
	requireAWSError(t, deleteVersion(live), "ValidationException")
	requireAWSError(t, deleteVersion("bad"), "InvalidArn")
	requireAWSError(t, deleteVersion(""), "ValidationException")
}

// TestSFNListExecutionsByVersionAndAlias: ListExecutions of a version ARN
// lists the executions started with that version (an alias's that routed
// to it included), of an alias ARN those started through it; each item
// names its version and alias, as DescribeExecution does.
func TestSFNListExecutionsByVersionAndAlias(t *testing.T) {
	t.Parallel()
	b := newSFN(t)
	ctx := context.Background()
	sm := b.createMachine(t, "listed", passDef, "")
	v1, err := b.client.PublishStateMachineVersion(ctx, &sfn.PublishStateMachineVersionInput{StateMachineArn: aws.String(sm)})
	require.NoError(t, err)
	_, err = b.client.UpdateStateMachine(ctx, &sfn.UpdateStateMachineInput{StateMachineArn: aws.String(sm), Definition: aws.String(failDef)})
	require.NoError(t, err)
	v2, err := b.client.PublishStateMachineVersion(ctx, &sfn.PublishStateMachineVersionInput{StateMachineArn: aws.String(sm)})
	require.NoError(t, err)
	created, err := b.client.CreateStateMachineAlias(ctx, &sfn.CreateStateMachineAliasInput{Name: aws.String("live"),
		RoutingConfiguration: []types.RoutingConfigurationListItem{{StateMachineVersionArn: v1.StateMachineVersionArn, Weight: 100}}})
	require.NoError(t, err)
	alias := aws.ToString(created.StateMachineAliasArn)

	b.waitStatus(t, b.start(t, sm, "plain", `{}`), types.ExecutionStatusFailed)
	b.waitStatus(t, b.start(t, aws.ToString(v1.StateMachineVersionArn), "on-v1", `{"who":"v1"}`), types.ExecutionStatusSucceeded)
	b.waitStatus(t, b.start(t, alias, "via-live", `{"who":"live"}`), types.ExecutionStatusSucceeded)
	b.waitStatus(t, b.start(t, aws.ToString(v2.StateMachineVersionArn), "on-v2", `{}`), types.ExecutionStatusFailed)

	names := func(arn string, status types.ExecutionStatus) []string {
		t.Helper()
		var out []string
		p := sfn.NewListExecutionsPaginator(b.client, &sfn.ListExecutionsInput{StateMachineArn: aws.String(arn), StatusFilter: status, MaxResults: 1})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			require.NoError(t, err)
			for _, e := range page.Executions {
				out = append(out, aws.ToString(e.Name))
			}
		}
		return out
	}
	require.Equal(t, []string{"on-v2", "via-live", "on-v1", "plain"}, names(sm, ""))
	require.Equal(t, []string{"via-live", "on-v1"}, names(aws.ToString(v1.StateMachineVersionArn), ""))
	require.Equal(t, []string{"on-v2"}, names(aws.ToString(v2.StateMachineVersionArn), ""))
	require.Equal(t, []string{"via-live"}, names(alias, ""))
	require.Equal(t, []string{"on-v2"}, names(aws.ToString(v2.StateMachineVersionArn), types.ExecutionStatusFailed))
	require.Empty(t, names(aws.ToString(v2.StateMachineVersionArn), types.ExecutionStatusSucceeded))
	require.Empty(t, names(sm+":9", ""), "a version with no executions lists none")

	out, err := b.client.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(alias)})
	require.NoError(t, err)
	require.Len(t, out.Executions, 1)
	require.Equal(t, aws.ToString(v1.StateMachineVersionArn), aws.ToString(out.Executions[0].StateMachineVersionArn))
	require.Equal(t, alias, aws.ToString(out.Executions[0].StateMachineAliasArn))
	out, err = b.client.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(sm), RedriveFilter: types.ExecutionRedriveFilterRedriven})
	require.NoError(t, err)
	require.Empty(t, out.Executions)

	// A page token belongs to its listing.
	first, err := b.client.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(sm), MaxResults: 1})
	require.NoError(t, err)
	require.NotNil(t, first.NextToken)
	_, err = b.client.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(alias), NextToken: first.NextToken})
	requireAWSError(t, err, "InvalidToken")
}
