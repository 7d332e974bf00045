package store

import (
	"context"
	"errors"
	"sync"

	"github.com/redis/go-redis/v9"
)

// keyCache holds the keys of the topics and queues a hot script names,
// each boxed once for a command's arguments: a publish names the topic's
// 12 keys and each target queue's 16, which built and boxed anew would be
// two allocations a key. At most maxCachedKeySets names are kept (past
// that, keys are built per call as before), so that a churn of names
// cannot grow it without bound.
type keyCache struct {
	mu   sync.RWMutex
	sets map[string][]any // kind byte + name → boxed keys
}

const maxCachedKeySets = 4096

// boxed returns the keys build(name) gives, boxed, from the cache when it
// has them; kind tells apart the builders that share the cache.
func (kc *keyCache) boxed(kind byte, name string, build func(string) []string) []any {
	var b [64]byte
	var id []byte
	if len(name) < len(b) {
		id = append(append(b[:0], kind), name...)
		kc.mu.RLock()
		set, ok := kc.sets[string(id)]
		kc.mu.RUnlock()
		if ok {
			return set
		}
	}
	keys := build(name)
	set := make([]any, len(keys))
	for i, k := range keys {
		set[i] = k
	}
	if id != nil {
		kc.mu.Lock()
		if kc.sets == nil {
			kc.sets = map[string][]any{}
		}
		if len(kc.sets) < maxCachedKeySets {
			kc.sets[string(id)] = set
		}
		kc.mu.Unlock()
	}
	return set
}

// runBoxed runs script with keys (already boxed) and a, as Script.Run
// does (EVALSHA, then EVAL when the server lacks the script), building
// the command's arguments once.
func (c *Client) runBoxed(ctx context.Context, script *redis.Script, keys [][]any, a args) *redis.Cmd {
	n := 0
	for _, ks := range keys {
		n += len(ks)
	}
	cmd := make([]any, 0, 3+n+len(a))
	cmd = append(cmd, "evalsha", script.Hash(), n)
	for _, ks := range keys {
		cmd = append(cmd, ks...)
	}
	cmd = append(cmd, a...)
	res := c.rdb.Do(ctx, cmd...)
	if err := res.Err(); err != nil && (errors.Is(err, redis.ErrNoScript) || redis.HasErrorPrefix(err, "NOSCRIPT")) {
		plain := make([]string, n)
		for i := range plain {
			plain[i], _ = cmd[3+i].(string)
		}
		res = script.Eval(ctx, c.rdb, plain, a...)
	}
	return res
}
