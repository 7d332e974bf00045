package store

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// Purge deletes every key under the client's prefix, on every master of a
// cluster: all executions, definitions and work. For tests and for
// resetting a development store; never called by the runtime.
func (c *Client) Purge(ctx context.Context) error {
	if err := purge(ctx, c.rdb, c.keys.Prefix()); err != nil {
		return fmt.Errorf("store: purging %s: %w", c.keys.Prefix(), err)
	}
	return nil
}

func purge(ctx context.Context, rdb redis.UniversalClient, prefix string) error {
	del := func(ctx context.Context, c *redis.Client) error {
		iter := c.Scan(ctx, 0, prefix+":*", 1000).Iterator()
		for iter.Next(ctx) {
			if err := c.Del(ctx, iter.Val()).Err(); err != nil {
				return err
			}
		}
		return iter.Err()
	}
	if cc, ok := rdb.(*redis.ClusterClient); ok {
		return cc.ForEachMaster(ctx, del)
	}
	return del(ctx, rdb.(*redis.Client))
}

// DeletePrefix deletes every key under the client's prefix (tests of other
// packages clean up with it; never call it on a deployment's prefix).
func (c *Client) DeletePrefix(ctx context.Context) error {
	return purge(ctx, c.rdb, c.keys.Prefix())
}
