package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// Client is Signalbox's handle on Redis. It is safe for concurrent use.
type Client struct {
	rdb redis.UniversalClient
	// hot carries the commands of a transition's path (thread reads,
	// transition scripts, hand-overs, acknowledgements): many goroutines'
	// commands share one round trip when the client can pipeline them
	// automatically; otherwise it is rdb.
	hot redis.Cmdable
	// defsPut holds the hashes of the definitions this client stored.
	defsPut  sync.Map
	keys     Keys
	kc       keyCache             // hot scripts' keys, boxed (boxedkeys.go)
	embedded *miniredis.Miniredis // nil unless Options.Embedded
	// timeout is the deadline of a call (Options.Timeout, or the URL's
	// read_timeout); 0 for none.
	timeout time.Duration
	// cluster is set for a Redis Cluster, where one pipeline's commands
	// on keys of different slots run concurrently on their nodes, in no
	// order: commands whose order matters are not pipelined together.
	cluster bool
	// direct is set where scripts reach the global keys (the ready
	// stream, the timers, the open executions, the state machines'
	// execution lists) themselves: on one server, unless Options.Outbox.
	direct bool
	// block carries the blocking reads of long polls (QueueWait), each
	// of which holds a connection for its wait: a pool of its own
	// (Options.BlockingPoolSize), so that they never starve the others.
	block redis.UniversalClient
}

// Open connects to the server the options name, or starts the embedded one,
// checks that it answers and creates the ready stream's consumer group.
func Open(ctx context.Context, opts Options) (*Client, error) {
	opts = opts.withDefaults()
	if err := opts.validate(); err != nil {
		return nil, err
	}
	c := &Client{keys: NewKeys(opts.Prefix)}
	blockPool := cmp.Or(opts.BlockingPoolSize, DefaultBlockingPoolSize)
	if opts.Embedded {
		m := miniredis.NewMiniRedis()
		if opts.Password != "" {
			m.RequireAuth(opts.Password)
		}
		if err := m.StartAddr("127.0.0.1:0"); err != nil {
			return nil, fmt.Errorf("store: starting the embedded server: %w", err)
		}
		c.embedded = m
		c.rdb = redis.NewClient(&redis.Options{Addr: m.Addr(), Password: opts.Password})
		c.block = redis.NewClient(&redis.Options{Addr: m.Addr(), Password: opts.Password, PoolSize: blockPool,
			ReadTimeout: -1, ContextTimeoutEnabled: true})
	} else {
		t, err := newTarget(opts)
		if err != nil {
			return nil, err
		}
		if t.single != nil {
			c.rdb = redis.NewClient(t.single)
			// A blocking read has no read deadline of its own: its
			// context's deadline (QueueWait's wait plus slack) bounds it.
			bo := *t.single
			bo.PoolSize, bo.ReadTimeout, bo.ContextTimeoutEnabled = blockPool, -1, true
			c.block = redis.NewClient(&bo)
			c.timeout = t.single.ReadTimeout
		} else {
			c.rdb = redis.NewClusterClient(t.cluster)
			bo := *t.cluster
			bo.PoolSize, bo.ReadTimeout, bo.ContextTimeoutEnabled = blockPool, -1, true
			c.block = redis.NewClusterClient(&bo)
			c.timeout = t.cluster.ReadTimeout
			c.cluster = true
		}
		c.timeout = max(c.timeout, 0) // go-redis's -1 (none) and -2 (the connection's own)
		if c.timeout > 0 {
			c.rdb.AddHook(deadlineHook{c.timeout})
		}
	}
	if err := c.rdb.Ping(ctx).Err(); err != nil {
		_ = c.Close()
		return nil, fmt.Errorf("store: connecting to Redis: %w", err)
	}
	if opts.Meter != nil || opts.Tracer != nil {
		h, err := newObserveHook(opts.Meter, opts.Tracer)
		if err != nil {
			_ = c.Close()
			return nil, fmt.Errorf("store: %w", err)
		}
		c.rdb.AddHook(h)
	}
	c.hot = c.rdb
	if ap, ok := c.rdb.(interface {
		AutoPipeline() (*redis.AutoPipeliner, error)
	}); ok {
		p, err := ap.AutoPipeline()
		if err != nil {
			_ = c.Close()
			return nil, fmt.Errorf("store: starting the automatic pipeline: %w", err)
		}
		c.hot = p
	}
	c.direct = !c.cluster && !opts.Outbox
	if err := c.ensureGroup(ctx); err != nil {
		_ = c.Close()
		return nil, err
	}
	return c, nil
}

// Close closes the connections and stops the embedded server, if any.
func (c *Client) Close() error {
	err := c.rdb.Close()
	if c.block != nil {
		_ = c.block.Close()
	}
	if c.embedded != nil {
		c.embedded.Close()
	}
	return err
}

// Ping checks that the server answers.
func (c *Client) Ping(ctx context.Context) error {
	if err := c.rdb.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("store: Redis does not answer: %w", err)
	}
	return nil
}

// Keys returns the client's key builder.
func (c *Client) Keys() Keys { return c.keys }

// ensureGroup creates the ready stream's consumer group (and the stream)
// unless it exists. It reads from the stream's start, so entries added
// before the group existed are delivered too.
func (c *Client) ensureGroup(ctx context.Context) error {
	err := c.rdb.XGroupCreateMkStream(ctx, c.keys.ReadyStream(), ReadyGroup, "0").Err()
	if err != nil && !strings.HasPrefix(err.Error(), "BUSYGROUP") {
		return fmt.Errorf("store: creating consumer group %s: %w", ReadyGroup, err)
	}
	return nil
}

// isNoGroup reports whether err says the stream or its group is missing:
// someone deleted the stream, and ensureGroup must run again.
func isNoGroup(err error) bool {
	var re redis.Error
	return errors.As(err, &re) && strings.HasPrefix(re.Error(), "NOGROUP")
}

// EmbeddedAddr returns the embedded server's address ("" when the client
// talks to another server), for a second client of the same server.
func (c *Client) EmbeddedAddr() string {
	if c.embedded == nil {
		return ""
	}
	return c.embedded.Addr()
}
