package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// MaxTopicSigningKey bounds the signing key's PEM (an RSA key and its
// certificate take about 3 KiB at 2,048 bits): a larger candidate is
// refused, a larger stored value is reported corrupt.
const MaxTopicSigningKey = 64 << 10

// TopicSigningKey returns the topic router's signing key and certificate
// (PEM) that every process on this store shares: the one stored, or, when
// none is, candidate, stored with SET NX so that of two processes racing
// both get the first one's. With a nil candidate it only reads, and
// returns ErrNotFound when none is stored, so a caller can skip generating
// a key that another process made already.
//
// The private key is kept in Redis as it is: whoever reads the store can
// sign as the topic router (docs/topic.md).
func (c *Client) TopicSigningKey(ctx context.Context, candidate []byte) ([]byte, error) {
	if len(candidate) > MaxTopicSigningKey {
		return nil, fmt.Errorf("%w: signing key of %d bytes, at most %d", ErrInvalid, len(candidate), MaxTopicSigningKey)
	}
	key := c.keys.TopicSigningKey()
	if candidate != nil {
		set, err := hotWait(ctx, c, func() (bool, error) { return c.rdb.SetNX(ctx, key, candidate, 0).Result() })
		if err != nil {
			return nil, fmt.Errorf("store: topic signing key: %w", err)
		}
		if set {
			return candidate, nil
		}
	}
	b, err := hotWait(ctx, c, func() ([]byte, error) { return c.rdb.Get(ctx, key).Bytes() })
	if errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("%w: topic signing key", ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: topic signing key: %w", err)
	}
	if len(b) == 0 || len(b) > MaxTopicSigningKey {
		return nil, fmt.Errorf("%w: topic signing key of %d bytes", ErrCorrupt, len(b))
	}
	return b, nil
}
