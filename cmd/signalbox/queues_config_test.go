package main

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/store/storetest"
)

// The file's queues are created at start, left alone when unchanged, and
// updated (attributes, tags) when the file changes; what the router
// refuses is reported at the queue's line.
func TestConfigApplyQueues(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc := newQueues(storetest.Open(t, "sbcfgq-"), nodeOptions{})
	const file = `queues:
  - name: jobs
    attributes: {VisibilityTimeout: 60, DelaySeconds: "5"}
    tags: {team: shop}
  - name: jobs-dlq
`
	done, ps := decodeConfig(t, file).ApplyQueues(ctx, svc)
	require.Empty(t, ps)
	require.Equal(t, []string{"created jobs", "created jobs-dlq"}, done)
	attrs, err := svc.GetAttributes(ctx, "jobs", []string{"VisibilityTimeout", "DelaySeconds"})
	require.NoError(t, err)
	require.Equal(t, map[string]string{"VisibilityTimeout": "60", "DelaySeconds": "5"}, attrs)
	tags, err := svc.ListTags(ctx, "jobs")
	require.NoError(t, err)
	require.Equal(t, map[string]string{"team": "shop"}, tags)

	done, ps = decodeConfig(t, file).ApplyQueues(ctx, svc)
	require.Empty(t, ps)
	require.Equal(t, []string{"unchanged jobs", "unchanged jobs-dlq"}, done, "a restart changes nothing")

	done, ps = decodeConfig(t, `queues:
  - name: jobs
    attributes: {VisibilityTimeout: 90, DelaySeconds: 5}
    tags: {team: ops}
`).ApplyQueues(ctx, svc)
	require.Empty(t, ps)
	require.Equal(t, []string{"updated jobs: VisibilityTimeout 60 → 90, tags"}, done)
	attrs, err = svc.GetAttributes(ctx, "jobs", []string{"VisibilityTimeout"})
	require.NoError(t, err)
	require.Equal(t, "90", attrs["VisibilityTimeout"])
	tags, err = svc.ListTags(ctx, "jobs")
	require.NoError(t, err)
	require.Equal(t, map[string]string{"team": "ops"}, tags)

	// refusals, each at its queue's line; the others are applied
	_, ps = decodeConfig(t, `queues:
  - name: "bad name!"
  - name: jobs
    attributes: {VisibilityTimeout: 99999}
  - name: fine
`).ApplyQueues(ctx, svc)
	require.Len(t, ps, 2)
	require.Equal(t, 2, ps[0].Line)
	require.Equal(t, "queues[0].name", ps[0].Path)
	require.Equal(t, 4, ps[1].Line)
	require.Equal(t, "queues[1].attributes.VisibilityTimeout", ps[1].Path)
	require.Contains(t, ps[1].Message, "VisibilityTimeout")
	_, err = svc.GetQueue(ctx, "fine")
	require.NoError(t, err)

	// a route to a queue: in the file, in the router, or a problem
	withRoutes := decodeConfig(t, `queues:
  - name: new
routes:
  - {method: POST, path: /a, queue: new}
  - {method: POST, path: /b, queue: jobs}
  - {method: POST, path: /c, queue: absent}
`)
	_, ps = withRoutes.Apply(ctx, cfgDurable(t))
	require.Empty(t, ps, "routes to queues are not the state machines' to check")
	_, ps = withRoutes.ApplyQueues(ctx, svc)
	require.Len(t, ps, 1)
	require.Equal(t, "signalbox.yaml:6: routes[2].queue: no queue \"absent\" in queues nor in the store", ps[0].String())
}
