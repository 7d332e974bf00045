package store

import (
	"context"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

// mockClients are the stores the mock tests run on: the embedded one, and
// the Redis of SIGNALBOX_REDIS_URL when set.
func mockClients(t *testing.T) map[string]*Client {
	clients := map[string]*Client{"embedded": openTest(t, Options{})}
	if url := os.Getenv(EnvRedisURL); url != "" {
		clients["redis"] = openTest(t, Options{URL: url})
	}
	return clients
}

func TestMockInvocation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const exec = "arn:aws:states:us-east-1:123456789012:execution:sm:run"
	for name, c := range mockClients(t) {
		t.Run(name, func(t *testing.T) {
			for _, call := range []struct {
				exec, state, key string
				want             int
			}{
				{exec, "A", "k1", 0},
				{exec, "A", "k2", 1},
				{exec, "A", "k1", 0}, // a redelivery gets its number again
				{exec, "B", "k3", 0}, // states count apart
				{exec, "A", "k4", 2},
				{exec + "-2", "A", "k1", 0}, // so do executions
			} {
				n, err := c.MockInvocation(ctx, call.exec, call.state, call.key)
				require.NoError(t, err)
				require.Equal(t, call.want, n, "%+v", call)
			}
			ttl, err := c.rdb.TTL(ctx, c.keys.MockCountsKey(exec)).Result()
			require.NoError(t, err)
			require.Greater(t, ttl, MockCountsTTL/2, "the numbering expires, after the retention")
			_, err = c.MockInvocation(ctx, exec, "", "k")
			require.ErrorIs(t, err, ErrInvalid)
		})
	}
}

func TestExecutionTestCase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for name, c := range mockClients(t) {
		t.Run(name, func(t *testing.T) {
			p := createParams("mocked", `{}`)
			p.TestCase = "HappyPath"
			res, err := c.ExecutionCreate(ctx, p)
			require.NoError(t, err)
			require.Equal(t, "HappyPath", res.Execution.TestCase)
			got, err := c.ExecutionGet(ctx, res.Execution.ID)
			require.NoError(t, err)
			require.Equal(t, "HappyPath", got.TestCase)

			res, err = c.ExecutionCreate(ctx, createParams("plain", `{}`))
			require.NoError(t, err)
			got, err = c.ExecutionGet(ctx, res.Execution.ID)
			require.NoError(t, err)
			require.Empty(t, got.TestCase)
			h, err := c.rdb.HGetAll(ctx, c.keys.ExecutionKey(res.Execution.ID)).Result()
			require.NoError(t, err)
			packed := map[string]string{}
			require.NoError(t, unpackMeta(h[fieldMeta], packed))
			require.NotContains(t, packed, fieldTestCase, "no value for no test case")
		})
	}
}
