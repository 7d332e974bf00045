package store

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// An event leaves the bus with its last delivery, whether it had one (no
// count kept) or several.
func TestBusEventsLeaveWithTheirLastDelivery(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := openTest(t, OptionsFromEnv())
	now := time.UnixMilli(1_700_000_000_000)
	_, err := c.BusCreate(ctx, "b", nil, nil, now, true)
	require.NoError(t, err)
	require.NoError(t, c.BusPut(ctx, &BusPutParams{Bus: "b", Version: 1, LeaseUntil: now, Events: []BusEvent{
		{ID: "one", Payload: "1", Deliveries: []string{"r\x00t"}},
		{ID: "two", Payload: "2", Deliveries: []string{"r\x00t", "r\x00u"}},
	}}))
	left, err := c.rdb.HGetAll(ctx, c.keys.BusLeftKey("b")).Result()
	require.NoError(t, err)
	require.Equal(t, map[string]string{"two": "2"}, left, "a count only for an event of several deliveries")
	n, err := c.BusAck(ctx, "b", []string{BusDeliveryMember("one", "r", "t"), BusDeliveryMember("two", "r", "t")})
	require.NoError(t, err)
	require.Equal(t, 2, n)
	evs, err := c.rdb.HKeys(ctx, c.keys.BusEventsKey("b")).Result()
	require.NoError(t, err)
	require.Equal(t, []string{"two"}, evs, "one ended with its delivery; two has one left")
	_, err = c.BusAck(ctx, "b", []string{BusDeliveryMember("two", "r", "u")})
	require.NoError(t, err)
	for _, key := range []string{c.keys.BusEventsKey("b"), c.keys.BusLeftKey("b"), c.keys.BusDueKey("b")} {
		n, err := c.rdb.Exists(ctx, key).Result()
		require.NoError(t, err)
		require.Zero(t, n, "%s is empty", key)
	}
}
