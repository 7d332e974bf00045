package gateway_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/require"
)

func TestSFNStateMachineLifecycle(t *testing.T) {
	t.Parallel()
	b := newSFN(t)
	ctx := context.Background()
	before := time.Now().Add(-time.Second)

	created, err := b.client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
		Name: aws.String("orders"), Definition: aws.String(passDef), RoleArn: aws.String(sfnRole),
	})
	require.NoError(t, err)
	arn := aws.ToString(created.StateMachineArn)
	require.Equal(t, "arn:aws:states:us-east-1:123456789012:stateMachine:orders", arn)
	require.WithinRange(t, aws.ToTime(created.CreationDate), before, time.Now().Add(time.Second))
	require.Nil(t, created.StateMachineVersionArn, "nothing was published")

	// The same create again is idempotent; another definition is refused.
	again, err := b.client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
		Name: aws.String("orders"), Definition: aws.String(passDef), RoleArn: aws.String(sfnRole),
	})
	require.NoError(t, err)
	require.Equal(t, arn, aws.ToString(again.StateMachineArn))
	_, err = b.client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
		Name: aws.String("orders"), Definition: aws.String(failDef), RoleArn: aws.String(sfnRole),
	})
	var exists *types.StateMachineAlreadyExists
	require.True(t, errors.As(err, &exists), "the SDK's typed error: %v", err)

	desc, err := b.client.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(arn)})
	require.NoError(t, err)
	require.Equal(t, "orders", aws.ToString(desc.Name))
	require.Equal(t, arn, aws.ToString(desc.StateMachineArn))
	require.Equal(t, passDef, aws.ToString(desc.Definition))
	require.Equal(t, sfnRole, aws.ToString(desc.RoleArn))
	require.Equal(t, types.StateMachineTypeStandard, desc.Type)
	require.Equal(t, types.StateMachineStatusActive, desc.Status)
	require.NotEmpty(t, aws.ToString(desc.RevisionId))
	require.WithinDuration(t, aws.ToTime(created.CreationDate), aws.ToTime(desc.CreationDate), time.Millisecond)

	meta, err := b.client.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(arn), IncludedData: types.IncludedDataMetadataOnly})
	require.NoError(t, err)
	require.Nil(t, meta.Definition, "METADATA_ONLY leaves the definition out")

	// Update the definition and publish it as version 1.
	updated, err := b.client.UpdateStateMachine(ctx, &sfn.UpdateStateMachineInput{
		StateMachineArn: aws.String(arn), Definition: aws.String(failDef), Publish: true, VersionDescription: aws.String("v1 fails"),
	})
	require.NoError(t, err)
	require.NotEqual(t, aws.ToString(desc.RevisionId), aws.ToString(updated.RevisionId))
	require.Equal(t, arn+":1", aws.ToString(updated.StateMachineVersionArn))
	require.WithinRange(t, aws.ToTime(updated.UpdateDate), before, time.Now().Add(time.Second))

	// Then change the role only: the definition stays.
	_, err = b.client.UpdateStateMachine(ctx, &sfn.UpdateStateMachineInput{StateMachineArn: aws.String(arn), RoleArn: aws.String(sfnRole + "2")})
	require.NoError(t, err)
	desc, err = b.client.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(arn)})
	require.NoError(t, err)
	require.Equal(t, failDef, aws.ToString(desc.Definition))
	require.Equal(t, sfnRole+"2", aws.ToString(desc.RoleArn))

	// The version keeps its definition and description.
	_, err = b.client.UpdateStateMachine(ctx, &sfn.UpdateStateMachineInput{StateMachineArn: aws.String(arn), Definition: aws.String(passDef)})
	require.NoError(t, err)
	v1, err := b.client.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(arn + ":1")})
	require.NoError(t, err)
	require.Equal(t, arn+":1", aws.ToString(v1.StateMachineArn))
	require.Equal(t, failDef, aws.ToString(v1.Definition))
	require.Equal(t, "v1 fails", aws.ToString(v1.Description))
	_, err = b.client.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(arn + ":7")})
	requireAWSError(t, err, "StateMachineDoesNotExist")

	// Delete, then it is gone; deleting again succeeds as on AWS.
	_, err = b.client.DeleteStateMachine(ctx, &sfn.DeleteStateMachineInput{StateMachineArn: aws.String(arn)})
	require.NoError(t, err)
	_, err = b.client.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(arn)})
	var gone *types.StateMachineDoesNotExist
	require.True(t, errors.As(err, &gone), "%v", err)
	_, err = b.client.DeleteStateMachine(ctx, &sfn.DeleteStateMachineInput{StateMachineArn: aws.String(arn)})
	require.NoError(t, err)
	list, err := b.client.ListStateMachines(ctx, &sfn.ListStateMachinesInput{})
	require.NoError(t, err)
	require.Empty(t, list.StateMachines)
}

func TestSFNStateMachineErrors(t *testing.T) {
	t.Parallel()
	b := newSFN(t)
	ctx := context.Background()
	create := func(name, def, role string, typ types.StateMachineType) error {
		_, err := b.client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
			Name: aws.String(name), Definition: aws.String(def), RoleArn: aws.String(role), Type: typ,
		})
		return err
	}
	msg := requireAWSError(t, create("bad", `{"StartAt":"Nowhere","States":{}}`, sfnRole, ""), "InvalidDefinition")
	require.Contains(t, msg, "MISSING_TRANSITION_TARGET")
	requireAWSError(t, create("bad", `{not json`, sfnRole, ""), "InvalidDefinition")
	requireAWSError(t, create("has space", passDef, sfnRole, ""), "InvalidName")
	requireAWSError(t, create("x", passDef, "not-an-arn", ""), "InvalidArn")
	requireAWSError(t, create("x", passDef, sfnRole, "BATCH"), "ValidationException")
	_, err := b.client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
		Name: aws.String("logged"), Definition: aws.String(passDef), RoleArn: aws.String(sfnRole),
		LoggingConfiguration: &types.LoggingConfiguration{Level: types.LogLevelAll},
	})
	require.Contains(t, requireAWSError(t, err, "ValidationException"), "not supported")
	list, err := b.client.ListStateMachines(ctx, &sfn.ListStateMachinesInput{})
	require.NoError(t, err)
	require.Empty(t, list.StateMachines, "no refused create stored anything")

	arn := b.createMachine(t, "m", passDef, "")
	_, err = b.client.UpdateStateMachine(ctx, &sfn.UpdateStateMachineInput{StateMachineArn: aws.String(arn)})
	requireAWSError(t, err, "MissingRequiredParameter")
	_, err = b.client.UpdateStateMachine(ctx, &sfn.UpdateStateMachineInput{StateMachineArn: aws.String(arn), Definition: aws.String(`{"StartAt":1}`)})
	requireAWSError(t, err, "InvalidDefinition")
	_, err = b.client.UpdateStateMachine(ctx, &sfn.UpdateStateMachineInput{StateMachineArn: aws.String(arn + "-nope"), Definition: aws.String(passDef)})
	requireAWSError(t, err, "StateMachineDoesNotExist")
	_, err = b.client.UpdateStateMachine(ctx, &sfn.UpdateStateMachineInput{StateMachineArn: aws.String(arn + ":1"), Definition: aws.String(passDef)})
	requireAWSError(t, err, "ValidationException")

	for _, bad := range []string{"nope", "arn:aws:states:us-east-1:123456789012:activity:m", "arn:aws:states:us-east-1:123456789012:stateMachine:"} {
		_, err = b.client.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(bad)})
		requireAWSError(t, err, "InvalidArn")
		_, err = b.client.DeleteStateMachine(ctx, &sfn.DeleteStateMachineInput{StateMachineArn: aws.String(bad)})
		requireAWSError(t, err, "InvalidArn")
	}
	_, err = b.client.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String("arn:aws:states:eu-west-1:999999999999:stateMachine:m")})
	requireAWSError(t, err, "StateMachineDoesNotExist")
}

func TestSFNListStateMachinesPages(t *testing.T) {
	t.Parallel()
	b := newSFN(t)
	ctx := context.Background()
	var want []string
	for i := range 5 {
		name := fmt.Sprintf("m%d", i)
		b.createMachine(t, name, passDef, "")
		want = append(want, name)
	}
	b.createMachine(t, "x-express", passDef, types.StateMachineTypeExpress)
	want = append(want, "x-express")

	var got []string
	var pages int
	var token *string
	for {
		out, err := b.client.ListStateMachines(ctx, &sfn.ListStateMachinesInput{MaxResults: 2, NextToken: token})
		require.NoError(t, err)
		pages++
		require.LessOrEqual(t, len(out.StateMachines), 2)
		for _, sm := range out.StateMachines {
			got = append(got, aws.ToString(sm.Name))
			require.Equal(t, b.d.StateMachineARN(aws.ToString(sm.Name)), aws.ToString(sm.StateMachineArn))
			require.False(t, aws.ToTime(sm.CreationDate).IsZero())
			want := types.StateMachineTypeStandard
			if aws.ToString(sm.Name) == "x-express" {
				want = types.StateMachineTypeExpress
			}
			require.Equal(t, want, sm.Type)
		}
		if token = out.NextToken; token == nil {
			break
		}
	}
	require.Equal(t, want, got, "every state machine once, in name order")
	require.Equal(t, 3, pages)

	// The SDK's paginator walks the same list.
	p := sfn.NewListStateMachinesPaginator(b.client, &sfn.ListStateMachinesInput{MaxResults: 4})
	n := 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		require.NoError(t, err)
		n += len(out.StateMachines)
	}
	require.Equal(t, 6, n)

	_, err := b.client.ListStateMachines(ctx, &sfn.ListStateMachinesInput{NextToken: aws.String("made-up")})
	requireAWSError(t, err, "InvalidToken")
	_, err = b.client.ListStateMachines(ctx, &sfn.ListStateMachinesInput{MaxResults: 1001})
	requireAWSError(t, err, "ValidationException")
}

func TestSFNValidateStateMachineDefinition(t *testing.T) {
	t.Parallel()
	b := newSFN(t)
	ctx := context.Background()
	ok, err := b.client.ValidateStateMachineDefinition(ctx, &sfn.ValidateStateMachineDefinitionInput{Definition: aws.String(passDef)})
	require.NoError(t, err)
	require.Equal(t, types.ValidateStateMachineDefinitionResultCodeOk, ok.Result)
	require.Empty(t, ok.Diagnostics)

	bad := `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"Missing"},"B":{"Type":"Succeed"}}}`
	fail, err := b.client.ValidateStateMachineDefinition(ctx, &sfn.ValidateStateMachineDefinitionInput{Definition: aws.String(bad)})
	require.NoError(t, err)
	require.Equal(t, types.ValidateStateMachineDefinitionResultCodeFail, fail.Result)
	require.GreaterOrEqual(t, len(fail.Diagnostics), 2)
	codes := map[string]string{}
	for _, d := range fail.Diagnostics {
		require.Equal(t, types.ValidateStateMachineDefinitionSeverityError, d.Severity)
		require.NotEmpty(t, aws.ToString(d.Message))
		codes[aws.ToString(d.Code)] = aws.ToString(d.Location)
	}
	require.Equal(t, "/States/A/Next", codes["MISSING_TRANSITION_TARGET"])
	require.Contains(t, codes, "UNREACHABLE_STATE")
	require.False(t, aws.ToBool(fail.Truncated))

	one, err := b.client.ValidateStateMachineDefinition(ctx, &sfn.ValidateStateMachineDefinitionInput{Definition: aws.String(bad), MaxResults: 1})
	require.NoError(t, err)
	require.Len(t, one.Diagnostics, 1)
	require.True(t, aws.ToBool(one.Truncated))

	_, err = b.client.ValidateStateMachineDefinition(ctx, &sfn.ValidateStateMachineDefinitionInput{Definition: aws.String(passDef), Severity: "LOUD"})
	requireAWSError(t, err, "ValidationException")
	_, err = b.client.ValidateStateMachineDefinition(ctx, &sfn.ValidateStateMachineDefinitionInput{Definition: aws.String(passDef), MaxResults: 101})
	requireAWSError(t, err, "ValidationException")
}
