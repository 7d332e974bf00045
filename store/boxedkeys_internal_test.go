package store

import (
	"context"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
)

// runBoxed passes the keys and arguments as Script.Run does, loading a
// script the server lacks (EVAL after NOSCRIPT), and the key cache gives
// the keys the builders give.
func TestRunBoxedRunsAScriptTheServerLacks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := openTest(t, OptionsFromEnv())
	// a script of its own source, which no server has yet
	script := redis.NewScript("-- " + c.keys.Prefix() + "\nreturn {KEYS[1], KEYS[#KEYS], #KEYS, ARGV[1], ARGV[2]}")
	keys := [][]any{c.kc.boxed('t', "a", c.keys.topicKeys), c.kc.boxed('q', "b", c.keys.queueKeys)}
	require.Equal(t, c.keys.TopicKey("a"), keys[0][0])
	require.Len(t, keys[1], len(c.keys.queueKeys("b")))
	for range 2 { // EVAL, then EVALSHA
		res, err := c.runBoxed(ctx, script, keys, args{"x", 7}).Slice()
		require.NoError(t, err)
		require.Equal(t, []any{c.keys.TopicKey("a"), c.keys.QueueAttemptsExpiryKey("b"), int64(28), "x", "7"}, res)
	}
	again := c.kc.boxed('q', "b", c.keys.queueKeys)
	require.Same(t, &keys[1][0], &again[0], "the second call's keys come from the cache")
}
