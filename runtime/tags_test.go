package runtime_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/runtime"
)

func TestTagsOnStateMachinesAndActivities(t *testing.T) {
	t.Parallel()
	d, _ := newDurable(t, nil)
	ctx := context.Background()
	sm, err := d.CreateStateMachine(ctx, runtime.StateMachineParams{Name: "m", Definition: passMachine("x"), Publish: true})
	require.NoError(t, err)
	act, err := d.CreateActivity(ctx, "a", map[string]string{"team": "media"})
	require.NoError(t, err)

	for _, arn := range []string{sm.ARN, act.ARN} {
		require.NoError(t, d.TagResource(ctx, arn, map[string]string{"env": "prod", "cost center": "4.2/x@y"}))
		require.NoError(t, d.TagResource(ctx, arn, map[string]string{"env": "staging"}), "a tag's value is overwritten")
		require.NoError(t, d.UntagResource(ctx, arn, []string{"cost center", "never-set"}))
	}
	tags, err := d.ListTagsForResource(ctx, sm.ARN)
	require.NoError(t, err)
	require.Equal(t, map[string]string{"env": "staging"}, tags)
	tags, err = d.ListTagsForResource(ctx, act.ARN)
	require.NoError(t, err)
	require.Equal(t, map[string]string{"env": "staging", "team": "media"}, tags)

	// Limits and rules.
	many := map[string]string{}
	for i := range runtime.MaxTags - 1 {
		many[fmt.Sprint("k", i)] = "v"
	}
	require.NoError(t, d.TagResource(ctx, sm.ARN, many), "%d tags with env", runtime.MaxTags)
	require.ErrorIs(t, d.TagResource(ctx, sm.ARN, map[string]string{"one-more": "v"}), runtime.ErrTooManyTags)
	require.NoError(t, d.TagResource(ctx, sm.ARN, map[string]string{"env": "dev"}), "overwriting adds none")
	for _, bad := range []map[string]string{
		{"": "v"}, {strings.Repeat("k", 129): "v"}, {"k": strings.Repeat("v", 257)},
		{"semi;colon": "v"}, {"k": "new\nline"}, {"aws:owner": "v"},
	} {
		require.ErrorIs(t, d.TagResource(ctx, act.ARN, bad), runtime.ErrValidation, "%q", bad)
	}
	require.ErrorIs(t, d.UntagResource(ctx, act.ARN, []string{""}), runtime.ErrValidation)

	// Only state machines and activities that exist carry tags.
	for _, arn := range []string{smARN + "ghost", activityARN + "ghost"} {
		require.ErrorIs(t, d.TagResource(ctx, arn, map[string]string{"k": "v"}), runtime.ErrResourceNotFound, arn)
		require.ErrorIs(t, d.UntagResource(ctx, arn, []string{"k"}), runtime.ErrResourceNotFound, arn)
		_, err := d.ListTagsForResource(ctx, arn)
		require.ErrorIs(t, err, runtime.ErrResourceNotFound, arn)
	}
	for _, arn := range []string{sm.VersionARN, sm.ARN + ":PROD", "arn:aws:states:us-east-1:123456789012:execution:m:x", "m"} {
		require.ErrorIs(t, d.TagResource(ctx, arn, map[string]string{"k": "v"}), runtime.ErrInvalidArn, arn)
		_, err := d.ListTagsForResource(ctx, arn)
		require.ErrorIs(t, err, runtime.ErrInvalidArn, arn)
	}

	// Tags go with their resource.
	require.NoError(t, d.DeleteStateMachine(ctx, "m"))
	_, err = d.CreateStateMachine(ctx, runtime.StateMachineParams{Name: "m", Definition: passMachine("x")})
	require.NoError(t, err)
	tags, err = d.ListTagsForResource(ctx, sm.ARN)
	require.NoError(t, err)
	require.Empty(t, tags)
	require.NoError(t, d.DeleteActivity(ctx, act.ARN))
	_, err = d.CreateActivity(ctx, "a", nil)
	require.NoError(t, err)
	tags, err = d.ListTagsForResource(ctx, act.ARN)
	require.NoError(t, err)
	require.Empty(t, tags)
}
