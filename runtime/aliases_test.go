package runtime_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/internal/testclock"
	"github.com/signalbox/signalbox/runtime"
	"github.com/signalbox/signalbox/store"
)

const smARN = "arn:aws:states:us-east-1:123456789012:stateMachine:"

// passMachine returns a definition whose output is result.
func passMachine(result string) []byte {
	return []byte(`{"StartAt":"A","States":{"A":{"Type":"Pass","Result":"` + result + `","End":true}}}`)
}

// runOutput starts an execution through arn and returns its output.
func runOutput(t *testing.T, d *runtime.Durable, arn, name string) string {
	t.Helper()
	ctx := context.Background()
	s, err := d.StartExecution(ctx, arn, name, map[string]any{}, integrations.TraceContext{})
	require.NoError(t, err)
	require.NoError(t, d.Drain(ctx))
	e, err := d.Describe(ctx, s.ID)
	require.NoError(t, err)
	require.Equal(t, "SUCCEEDED", e.Status)
	return string(e.Output)
}

func TestPublishStateMachineVersion(t *testing.T) {
	t.Parallel()
	d, clk := newDurable(t, nil)
	ctx := context.Background()
	sm, err := d.CreateStateMachine(ctx, runtime.StateMachineParams{Name: "m", Definition: passMachine("one")})
	require.NoError(t, err)

	clk.Advance(time.Minute)
	v1, created, err := d.PublishStateMachineVersion(ctx, sm.ARN, "first")
	require.NoError(t, err)
	require.Equal(t, sm.ARN+":1", v1)
	require.Equal(t, t0.Add(time.Minute), created)
	clk.Advance(time.Minute)
	again, createdAgain, err := d.PublishStateMachineVersion(ctx, sm.ARN, "first")
	require.NoError(t, err)
	require.Equal(t, v1, again, "an unchanged state machine publishes no new version")
	require.Equal(t, created, createdAgain)

	_, err = d.UpdateStateMachine(ctx, runtime.StateMachineParams{Name: "m", Definition: passMachine("two")})
	require.NoError(t, err)
	v2, _, err := d.PublishStateMachineVersion(ctx, sm.ARN, "")
	require.NoError(t, err)
	require.Equal(t, sm.ARN+":2", v2)
	require.JSONEq(t, `"one"`, runOutput(t, d, v1, "on-1"), "a version keeps its definition")
	require.JSONEq(t, `"two"`, runOutput(t, d, v2, "on-2"))

	_, _, err = d.PublishStateMachineVersion(ctx, smARN+"ghost", "")
	require.ErrorIs(t, err, runtime.ErrStateMachineDoesNotExist)
	_, _, err = d.PublishStateMachineVersion(ctx, v1, "")
	require.ErrorIs(t, err, runtime.ErrInvalidArn)
	_, _, err = d.PublishStateMachineVersion(ctx, "arn:aws:states:us-east-1:123456789012:activity:m", "")
	require.ErrorIs(t, err, runtime.ErrInvalidArn)
	_, _, err = d.PublishStateMachineVersion(ctx, sm.ARN, strings.Repeat("d", 257))
	require.ErrorIs(t, err, runtime.ErrValidation)
}

// newVersions creates the state machine m with versions 1 ("one") and 2
// ("two").
func newVersions(t *testing.T, d *runtime.Durable) (v1, v2 string) {
	t.Helper()
	ctx := context.Background()
	_, err := d.CreateStateMachine(ctx, runtime.StateMachineParams{Name: "m", Definition: passMachine("one"), Publish: true})
	require.NoError(t, err)
	_, err = d.UpdateStateMachine(ctx, runtime.StateMachineParams{Name: "m", Definition: passMachine("two"), Publish: true})
	require.NoError(t, err)
	return smARN + "m:1", smARN + "m:2"
}

func TestStateMachineAliases(t *testing.T) {
	t.Parallel()
	d, clk := newDurable(t, nil)
	ctx := context.Background()
	v1, v2 := newVersions(t, d)

	prod, err := d.CreateStateMachineAlias(ctx, "PROD", "live traffic", []runtime.AliasRoute{{VersionARN: v1, Weight: 100}})
	require.NoError(t, err)
	require.Equal(t, &runtime.AliasInfo{ARN: smARN + "m:PROD", Name: "PROD", Description: "live traffic",
		Routing: []runtime.AliasRoute{{VersionARN: v1, Weight: 100}}, Created: t0, Updated: t0}, prod)
	clk.Advance(time.Minute)
	again, err := d.CreateStateMachineAlias(ctx, "PROD", "live traffic", []runtime.AliasRoute{{VersionARN: v1, Weight: 100}})
	require.NoError(t, err)
	require.Equal(t, prod, again, "the same alias again is an idempotent create")
	_, err = d.CreateStateMachineAlias(ctx, "PROD", "live traffic", []runtime.AliasRoute{{VersionARN: v2, Weight: 100}})
	require.ErrorIs(t, err, runtime.ErrConflict)

	got, err := d.DescribeStateMachineAlias(ctx, prod.ARN)
	require.NoError(t, err)
	require.Equal(t, prod, got)

	// An alias routes executions, and they record it.
	s, err := d.StartExecution(ctx, prod.ARN, "via-alias", map[string]any{}, integrations.TraceContext{})
	require.NoError(t, err)
	require.Equal(t, "arn:aws:states:us-east-1:123456789012:execution:m:via-alias", s.ExecutionARN)
	require.NoError(t, d.Drain(ctx))
	e, err := d.Describe(ctx, s.ID)
	require.NoError(t, err)
	require.JSONEq(t, `"one"`, string(e.Output))
	version, alias, err := d.ExecutionOrigin(ctx, s.ID)
	require.NoError(t, err)
	require.Equal(t, v1, version)
	require.Equal(t, prod.ARN, alias)
	s, err = d.StartExecution(ctx, v2, "via-version", map[string]any{}, integrations.TraceContext{})
	require.NoError(t, err)
	version, alias, err = d.ExecutionOrigin(ctx, s.ID)
	require.NoError(t, err)
	require.Equal(t, v2, version)
	require.Empty(t, alias)
	s, err = d.StartExecution(ctx, smARN+"m", "direct", map[string]any{}, integrations.TraceContext{})
	require.NoError(t, err)
	version, alias, err = d.ExecutionOrigin(ctx, s.ID)
	require.NoError(t, err)
	require.Empty(t, version+alias)

	// Shifting the routing moves new executions.
	clk.Advance(time.Minute)
	up, err := d.UpdateStateMachineAlias(ctx, prod.ARN, "", []runtime.AliasRoute{{VersionARN: v2, Weight: 100}})
	require.NoError(t, err)
	require.Equal(t, "live traffic", up.Description, "an empty description stays")
	require.Equal(t, t0, up.Created)
	require.Equal(t, t0.Add(2*time.Minute), up.Updated)
	require.JSONEq(t, `"two"`, runOutput(t, d, prod.ARN, "after-update"))
	up, err = d.UpdateStateMachineAlias(ctx, prod.ARN, "canary", nil)
	require.NoError(t, err)
	require.Equal(t, []runtime.AliasRoute{{VersionARN: v2, Weight: 100}}, up.Routing, "a nil routing stays")
	_, err = d.UpdateStateMachineAlias(ctx, prod.ARN, "", nil)
	require.ErrorIs(t, err, runtime.ErrValidation)
	_, err = d.UpdateStateMachineAlias(ctx, smARN+"m:NONE", "x", nil)
	require.ErrorIs(t, err, runtime.ErrResourceNotFound)

	// Split 50/50: both versions run.
	_, err = d.UpdateStateMachineAlias(ctx, prod.ARN, "", []runtime.AliasRoute{{VersionARN: v1, Weight: 50}, {VersionARN: v2, Weight: 50}})
	require.NoError(t, err)
	seen := map[string]bool{}
	for i := 0; i < 64 && len(seen) < 2; i++ {
		seen[runOutput(t, d, prod.ARN, fmt.Sprint("split-", i))] = true
	}
	require.Len(t, seen, 2, "64 executions all went to one version")

	require.NoError(t, d.DeleteStateMachine(ctx, "m"))
	_, err = d.DescribeStateMachineAlias(ctx, prod.ARN)
	require.ErrorIs(t, err, runtime.ErrResourceNotFound, "deleting a state machine deletes its aliases")
}

func TestStateMachineAliasValidation(t *testing.T) {
	t.Parallel()
	d, _ := newVersions2(t)
	ctx := context.Background()
	v1, v2 := smARN+"m:1", smARN+"m:2"
	route := func(arn string, w int) runtime.AliasRoute { return runtime.AliasRoute{VersionARN: arn, Weight: w} }
	one := []runtime.AliasRoute{route(v1, 100)}

	for _, name := range []string{"", "1", "42", "has space", "a:b", strings.Repeat("a", 81)} {
		_, err := d.CreateStateMachineAlias(ctx, name, "", one)
		require.ErrorIs(t, err, runtime.ErrInvalidName, name)
	}
	for _, name := range []string{"v1", "PROD", "a.b-c_d", "9x"} {
		_, err := d.CreateStateMachineAlias(ctx, name, "", one)
		require.NoError(t, err, name)
	}
	tests := []struct {
		name    string
		routing []runtime.AliasRoute
		want    error
	}{
		{"none", nil, runtime.ErrValidation},
		{"three", []runtime.AliasRoute{route(v1, 50), route(v2, 25), route(v1, 25)}, runtime.ErrValidation},
		{"sum under 100", []runtime.AliasRoute{route(v1, 50), route(v2, 40)}, runtime.ErrValidation},
		{"weight over 100", []runtime.AliasRoute{route(v1, 101)}, runtime.ErrValidation},
		{"negative weight", []runtime.AliasRoute{route(v1, 100), route(v2, -1)}, runtime.ErrValidation},
		{"same version twice", []runtime.AliasRoute{route(v1, 50), route(v1, 50)}, runtime.ErrValidation},
		{"two state machines", []runtime.AliasRoute{route(v1, 50), route(smARN+"other:1", 50)}, runtime.ErrValidation},
		{"not a version", []runtime.AliasRoute{route(smARN+"m", 100)}, runtime.ErrValidation},
		{"an alias", []runtime.AliasRoute{route(smARN+"m:PROD", 100)}, runtime.ErrValidation},
		{"not an ARN", []runtime.AliasRoute{route("m:1", 100)}, runtime.ErrInvalidArn},
		{"missing version", []runtime.AliasRoute{route(smARN+"m:9", 100)}, runtime.ErrResourceNotFound},
		{"missing state machine", []runtime.AliasRoute{route(smARN+"ghost:1", 100)}, runtime.ErrResourceNotFound},
	}
	for _, tt := range tests {
		_, err := d.CreateStateMachineAlias(ctx, "X", "", tt.routing)
		require.ErrorIs(t, err, tt.want, tt.name)
	}
	_, err := d.CreateStateMachineAlias(ctx, "X", strings.Repeat("d", 257), one)
	require.ErrorIs(t, err, runtime.ErrValidation)
	_, err = d.UpdateStateMachineAlias(ctx, smARN+"m:PROD", "", []runtime.AliasRoute{route(smARN+"other:1", 100)})
	require.ErrorIs(t, err, runtime.ErrValidation, "an alias routes to its own state machine's versions")

	for _, arn := range []string{smARN + "m", v1, "arn:aws:states:us-east-1:123456789012:activity:PROD", "PROD"} {
		_, err := d.DescribeStateMachineAlias(ctx, arn)
		require.ErrorIs(t, err, runtime.ErrInvalidArn, arn)
		require.ErrorIs(t, d.DeleteStateMachineAlias(ctx, arn), runtime.ErrInvalidArn, arn)
	}
	_, err = d.DescribeStateMachineAlias(ctx, smARN+"m:NONE")
	require.ErrorIs(t, err, runtime.ErrResourceNotFound)
	require.ErrorIs(t, d.DeleteStateMachineAlias(ctx, smARN+"m:NONE"), runtime.ErrResourceNotFound)
	_, err = d.StartExecution(ctx, smARN+"m:NONE", "", map[string]any{}, integrations.TraceContext{})
	require.ErrorIs(t, err, runtime.ErrStateMachineDoesNotExist)

	require.NoError(t, d.DeleteStateMachineAlias(ctx, smARN+"m:PROD"))
	_, err = d.StartExecution(ctx, smARN+"m:PROD", "", map[string]any{}, integrations.TraceContext{})
	require.ErrorIs(t, err, runtime.ErrStateMachineDoesNotExist, "a deleted alias starts nothing")
	require.ErrorIs(t, d.DeleteStateMachineAlias(ctx, smARN+"m:PROD"), runtime.ErrResourceNotFound)
	require.JSONEq(t, `"one"`, runOutput(t, d, v1, "version-stays"), "deleting an alias keeps its versions")
}

func newVersions2(t *testing.T) (*runtime.Durable, *testclock.Clock) {
	d, clk := newDurable(t, nil)
	newVersions(t, d)
	return d, clk
}

func TestListStateMachineAliases(t *testing.T) {
	t.Parallel()
	d, clk := newVersions2(t)
	ctx := context.Background()
	v1, v2 := smARN+"m:1", smARN+"m:2"
	for i, name := range []string{"a", "b", "c", "d", "e"} {
		v := v1
		if i%2 == 1 {
			v = v2
		}
		_, err := d.CreateStateMachineAlias(ctx, name, "", []runtime.AliasRoute{{VersionARN: v, Weight: 100}})
		require.NoError(t, err)
		if i != 1 {
			clk.Advance(time.Second) // "b" and "c" are created at once
		}
	}
	var names []string
	cursor := ""
	for {
		page, next, err := d.ListStateMachineAliases(ctx, smARN+"m", cursor, 2)
		require.NoError(t, err)
		require.LessOrEqual(t, len(page), 2)
		for _, a := range page {
			names = append(names, a.Name)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	require.Equal(t, []string{"e", "d", "b", "c", "a"}, names, "newest first, then by name")

	page, next, err := d.ListStateMachineAliases(ctx, v2, "", 0)
	require.NoError(t, err)
	require.Empty(t, next)
	require.Equal(t, []string{"d", "b"}, []string{page[0].Name, page[1].Name}, "the aliases of version 2")

	_, _, err = d.ListStateMachineAliases(ctx, smARN+"m:9", "", 0)
	require.ErrorIs(t, err, runtime.ErrResourceNotFound)
	_, _, err = d.ListStateMachineAliases(ctx, smARN+"ghost", "", 0)
	require.ErrorIs(t, err, runtime.ErrStateMachineDoesNotExist)
	_, _, err = d.ListStateMachineAliases(ctx, smARN+"m:a", "", 0)
	require.ErrorIs(t, err, runtime.ErrInvalidArn)
	_, _, err = d.ListStateMachineAliases(ctx, smARN+"m", "garbage", 0)
	require.ErrorIs(t, err, runtime.ErrInvalidToken)
	_, _, err = d.ListStateMachineAliases(ctx, smARN+"m", "", 1001)
	require.ErrorIs(t, err, runtime.ErrValidation)
}

func TestDescribeStateMachineForExecution(t *testing.T) {
	t.Parallel()
	d, clk := newDurable(t, nil)
	ctx := context.Background()
	wait := []byte(`{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":60,"End":true}}}`)
	sm, err := d.CreateStateMachine(ctx, runtime.StateMachineParams{Name: "m", Definition: wait, RoleARN: "arn:aws:iam::123456789012:role/r"})
	require.NoError(t, err)
	s, err := d.StartExecution(ctx, sm.ARN, "old", map[string]any{}, integrations.TraceContext{})
	require.NoError(t, err)

	got, err := d.DescribeStateMachineForExecution(ctx, s.ExecutionARN)
	require.NoError(t, err)
	require.Equal(t, &runtime.StateMachineInfo{ARN: sm.ARN, Name: "m", Definition: wait, Type: "STANDARD",
		RoleARN: "arn:aws:iam::123456789012:role/r", Created: t0, Updated: t0, RevisionID: sm.RevisionID}, got)

	// The state machine changes; the running execution keeps its definition.
	clk.Advance(time.Minute)
	_, err = d.UpdateStateMachine(ctx, runtime.StateMachineParams{Name: "m", Definition: passMachine("new")})
	require.NoError(t, err)
	got, err = d.DescribeStateMachineForExecution(ctx, s.ExecutionARN)
	require.NoError(t, err)
	require.JSONEq(t, string(wait), string(got.Definition))
	require.Equal(t, t0.Add(time.Minute), got.Updated)
	require.Empty(t, got.RevisionID, "the state machine's revision is no longer the execution's")
	require.NoError(t, d.DeleteStateMachine(ctx, "m"))
	got, err = d.DescribeStateMachineForExecution(ctx, s.ExecutionARN)
	require.NoError(t, err)
	require.JSONEq(t, string(wait), string(got.Definition), "even once the state machine is deleted")

	for _, arn := range []string{"arn:aws:states:us-east-1:123456789012:execution:m:nope", "arn:aws:states:us-east-1:123456789012:express:m:x:y"} {
		_, err = d.DescribeStateMachineForExecution(ctx, arn)
		require.ErrorIs(t, err, runtime.ErrExecutionDoesNotExist, arn)
	}
	for _, arn := range []string{"nope", sm.ARN} {
		_, err = d.DescribeStateMachineForExecution(ctx, arn)
		require.ErrorIs(t, err, runtime.ErrInvalidArn, arn)
	}
}

// TestStateMachineVersionQuota: a state machine holds at most 1,000
// published versions, as on AWS: one more is ServiceQuotaExceeded (an
// update that would publish it changes nothing) until one is deleted;
// republishing the latest stays idempotent at the quota.
func TestStateMachineVersionQuota(t *testing.T) {
	t.Parallel()
	d, _ := newDurable(t, nil)
	ctx := context.Background()
	sm, err := d.CreateStateMachine(ctx, runtime.StateMachineParams{Name: "m", Definition: passMachine("v0")})
	require.NoError(t, err)
	var last string
	for i := range store.MaxStateMachineVersions {
		info, err := d.UpdateStateMachine(ctx, runtime.StateMachineParams{Name: "m", Definition: passMachine(fmt.Sprint("v", i+1)), Publish: true})
		require.NoError(t, err)
		last = info.VersionARN
	}
	require.Equal(t, sm.ARN+":1000", last)

	again, _, err := d.PublishStateMachineVersion(ctx, sm.ARN, "")
	require.NoError(t, err)
	require.Equal(t, last, again, "the latest, unchanged: returned again")
	_, err = d.UpdateStateMachine(ctx, runtime.StateMachineParams{Name: "m", Definition: passMachine("over"), Publish: true})
	require.ErrorIs(t, err, runtime.ErrServiceQuotaExceeded)
	now, err := d.DescribeStateMachine(ctx, "m")
	require.NoError(t, err)
	require.Equal(t, string(passMachine("v1000")), string(now.Definition), "the refused update changed nothing")
	_, err = d.UpdateStateMachine(ctx, runtime.StateMachineParams{Name: "m", Definition: passMachine("over")})
	require.NoError(t, err)
	_, _, err = d.PublishStateMachineVersion(ctx, sm.ARN, "")
	require.ErrorIs(t, err, runtime.ErrServiceQuotaExceeded)

	require.NoError(t, d.DeleteStateMachineVersion(ctx, sm.ARN+":1"))
	v, _, err := d.PublishStateMachineVersion(ctx, sm.ARN, "")
	require.NoError(t, err)
	require.Equal(t, sm.ARN+":1001", v)
}
