package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// The queues of the queue router (integrations/queue): the store keeps
// messages, their delivery state and the queues' attributes, and knows
// nothing of SQS's rules beyond what must be atomic. The router validates,
// encodes payloads and attributes, and renders receipts.

// ErrQueueExists: a queue of that name exists with another value of an
// attribute the create gave.
var ErrQueueExists = errors.New("store: queue exists with other attributes")

// ErrDeletedRecently: a queue of that name was deleted less than
// QueueRecreateAfter ago.
var ErrDeletedRecently = errors.New("store: queue deleted recently")

// QueueRecreateAfter is how long after its deletion a queue's name may
// not be used again (AWS's 60 seconds); queueGoneKept how long the
// deletion is remembered.
const (
	QueueRecreateAfter = 60 * time.Second
	queueGoneKept      = 10 * time.Minute
)

// ErrPurgeInProgress: the queue was purged within the purge interval.
var ErrPurgeInProgress = errors.New("store: queue purged recently")

// ErrOverLimit: the queue has the most messages in flight already.
var ErrOverLimit = errors.New("store: too many messages in flight")

// QueueLimits bound a queue's scripts.
type QueueLimits struct {
	// Messages and Bytes bound what a queue holds: a send that would
	// pass either fails whole (ErrLimit).
	Messages int64
	Bytes    int64
	// Inflight bounds the messages in flight: a receive past it fails
	// (ErrOverLimit). AWS: 120,000 for standard queues.
	Inflight int64
	// Sweep bounds the work of one script call: expired messages
	// removed, due messages returned to the queue, candidates scanned.
	Sweep int
}

// DefaultQueueLimits: AWS's in-flight limit; a million messages or 1 GiB
// per queue; 100 expired messages removed per call (a Lua loop of 100
// removals takes about 0.1 ms on a real Redis here, so a call stays short).
var DefaultQueueLimits = QueueLimits{Messages: 1_000_000, Bytes: 1 << 30, Inflight: 120_000, Sweep: 100}

func (l QueueLimits) withDefaults() QueueLimits {
	d := DefaultQueueLimits
	if l.Messages <= 0 {
		l.Messages = d.Messages
	}
	if l.Bytes <= 0 {
		l.Bytes = d.Bytes
	}
	if l.Inflight <= 0 {
		l.Inflight = d.Inflight
	}
	if l.Sweep <= 0 {
		l.Sweep = d.Sweep
	}
	return l
}

// QueueRecord is a queue as the store keeps it.
type QueueRecord struct {
	Name       string
	Attributes map[string]string // AWS's names → values, as set
	Created    time.Time
	Modified   time.Time
	MaxReceive int    // the redrive policy's maxReceiveCount, 0 for none
	DeadLetter string // the redrive policy's target queue name
}

// Queue record fields that are not attributes.
const (
	queueFieldMaxReceive = "#maxrc"
	queueFieldDeadLetter = "#dlq"
)

func checkQueueName(name string) error {
	if name == "" || len(name) > 80 || strings.ContainsAny(name, "{}|\n\x00 ") {
		return fmt.Errorf("%w: queue name %q", ErrInvalid, name)
	}
	return nil
}

func (c *Client) queueKeys(name string) ([]string, error) {
	if err := checkQueueName(name); err != nil {
		return nil, err
	}
	return c.keys.queueKeys(name), nil
}

// QueueCreateParams describe a queue to create.
type QueueCreateParams struct {
	Name string
	// Given are the attributes the request gave: a queue of that name
	// that exists with other values of these is ErrQueueExists.
	Given map[string]string
	// All are the attributes to set, defaults included, with the
	// redrive policy's parts (MaxReceive, DeadLetter).
	All        map[string]string
	MaxReceive int
	DeadLetter string
	Tags       map[string]string
	Now        time.Time
}

// QueueCreate creates a queue, or returns existing true when it exists
// with the given attributes, or ErrQueueExists (naming the attribute that
// differs) when it exists with others.
func (c *Client) QueueCreate(ctx context.Context, p *QueueCreateParams) (existing bool, err error) {
	keys, err := c.queueKeys(p.Name)
	if err != nil {
		return false, err
	}
	a := args{p.Now.UnixMilli()}
	a.pairs(mapPairs(p.Given)...)
	all := mapPairs(p.All)
	all = append(all, queueFieldMaxReceive, strconv.Itoa(p.MaxReceive), queueFieldDeadLetter, p.DeadLetter)
	a.pairs(all...)
	a.pairs(mapPairs(p.Tags)...)
	a = append(a, QueueRecreateAfter.Milliseconds())
	res, err := scriptQueueCreate.Run(ctx, c.rdb, append(keys, c.keys.QueueGoneKey(p.Name)), a...).Slice()
	if err != nil {
		return false, fmt.Errorf("store: creating queue %s: %w", p.Name, err)
	}
	switch code(res) {
	case codeOK, codeExisting:
		existing = code(res) == codeExisting
	case codeExists:
		return false, fmt.Errorf("%w: %s differs", ErrQueueExists, stringAt(res, 1))
	case codeDeletedRecently:
		return false, fmt.Errorf("%w: %s", ErrDeletedRecently, p.Name)
	default:
		return false, fmt.Errorf("%w: queue create script returned %v", ErrCorrupt, res)
	}
	// The index is in another slot; a repeated create repairs it.
	if err := c.rdb.ZAdd(ctx, c.keys.QueuesKey(), redis.Z{Member: p.Name}).Err(); err != nil {
		return false, fmt.Errorf("store: listing queue %s: %w", p.Name, err)
	}
	return existing, nil
}

func mapPairs(m map[string]string) []string {
	out := make([]string, 0, 2*len(m))
	for k, v := range m {
		out = append(out, k, v)
	}
	return out
}

// QueueGet returns a queue, or ErrNotFound.
func (c *Client) QueueGet(ctx context.Context, name string) (*QueueRecord, error) {
	if err := checkQueueName(name); err != nil {
		return nil, err
	}
	h, err := c.rdb.HGetAll(ctx, c.keys.QueueKey(name)).Result()
	if err != nil {
		return nil, fmt.Errorf("store: queue %s: %w", name, err)
	}
	if len(h) == 0 {
		return nil, fmt.Errorf("%w: queue %s", ErrNotFound, name)
	}
	return parseQueueRecord(name, h)
}

func parseQueueRecord(name string, h map[string]string) (*QueueRecord, error) {
	r := &QueueRecord{Name: name, Attributes: make(map[string]string, len(h)), DeadLetter: h[queueFieldDeadLetter]}
	var err error
	if r.Created, err = millis(h["#created"]); err != nil {
		return nil, fmt.Errorf("%w: queue %s: %v", ErrCorrupt, name, err)
	}
	if r.Modified, err = millis(h["#modified"]); err != nil {
		return nil, fmt.Errorf("%w: queue %s: %v", ErrCorrupt, name, err)
	}
	if s := h[queueFieldMaxReceive]; s != "" {
		if r.MaxReceive, err = strconv.Atoi(s); err != nil {
			return nil, fmt.Errorf("%w: queue %s: %v", ErrCorrupt, name, err)
		}
	}
	for k, v := range h {
		if !strings.HasPrefix(k, "#") {
			r.Attributes[k] = v
		}
	}
	return r, nil
}

// QueueSetAttributes sets attributes of a queue (a value "" removes one),
// with the redrive policy's parts, or returns ErrNotFound. redrive nil
// leaves them as they are.
func (c *Client) QueueSetAttributes(ctx context.Context, name string, attrs map[string]string, redrive *QueueRedrive, now time.Time) error {
	keys, err := c.queueKeys(name)
	if err != nil {
		return err
	}
	a := args{now.UnixMilli()}
	for _, s := range mapPairs(attrs) {
		a = append(a, s)
	}
	if redrive != nil {
		a = append(a, queueFieldMaxReceive, strconv.Itoa(redrive.MaxReceive), queueFieldDeadLetter, redrive.DeadLetter)
	}
	res, err := scriptQueueSetAttributes.Run(ctx, c.rdb, keys, a...).Slice()
	if err != nil {
		return fmt.Errorf("store: setting attributes of queue %s: %w", name, err)
	}
	if code(res) == codeNotFound {
		return fmt.Errorf("%w: queue %s", ErrNotFound, name)
	}
	return nil
}

// QueueRedrive is a redrive policy's part the scripts read: after
// MaxReceive receives (0: never) a message moves to the queue DeadLetter.
type QueueRedrive struct {
	MaxReceive int
	DeadLetter string
}

// QueueDelete deletes a queue and its messages; a missing queue is not an
// error. Its message-move tasks' records are unlisted and expire.
func (c *Client) QueueDelete(ctx context.Context, name string, now time.Time) error {
	keys, err := c.queueKeys(name)
	if err != nil {
		return err
	}
	keys = append(keys, c.keys.QueueSourcesKey(name), c.keys.QueueMoveTasksKey(name))
	_, err = c.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Unlink(ctx, keys...)
		// kept well past the 60 s it guards (the check reads the caller's
		// clock, the expiry the server's)
		p.Set(ctx, c.keys.QueueGoneKey(name), now.UnixMilli(), queueGoneKept)
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: deleting queue %s: %w", name, err)
	}
	if err := c.rdb.ZRem(ctx, c.keys.QueuesKey(), name).Err(); err != nil {
		return fmt.Errorf("store: unlisting queue %s: %w", name, err)
	}
	return nil
}

// QueueList lists queue names in lexical order starting with prefix, up
// to limit after the name after ("" from the start); the second result is
// the cursor of the next page, "" at the end.
func (c *Client) QueueList(ctx context.Context, prefix, after string, limit int) ([]string, string, error) {
	if limit <= 0 {
		limit = 1000
	}
	min := "[" + prefix
	if after != "" && after >= prefix {
		min = "(" + after
	}
	max := "+"
	if prefix != "" {
		max = "(" + prefixEnd(prefix)
	}
	names, err := c.rdb.ZRangeByLex(ctx, c.keys.QueuesKey(), &redis.ZRangeBy{Min: min, Max: max, Count: int64(limit + 1)}).Result()
	if err != nil {
		return nil, "", fmt.Errorf("store: listing queues: %w", err)
	}
	next := ""
	if len(names) > limit {
		names, next = names[:limit], names[limit-1]
	}
	return names, next, nil
}

// prefixEnd is the least string greater than every string starting with
// p (queue names are ASCII, never "\xff").
func prefixEnd(p string) string {
	b := []byte(p)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xff {
			b[i]++
			return string(b[:i+1])
		}
	}
	return "\xff"
}

// QueueCount returns how many queues the index lists.
func (c *Client) QueueCount(ctx context.Context) (int64, error) {
	n, err := c.rdb.ZCard(ctx, c.keys.QueuesKey()).Result()
	if err != nil {
		return 0, fmt.Errorf("store: counting queues: %w", err)
	}
	return n, nil
}

// QueueExists reports whether a queue exists.
func (c *Client) QueueExists(ctx context.Context, name string) (bool, error) {
	if err := checkQueueName(name); err != nil {
		return false, err
	}
	n, err := c.rdb.Exists(ctx, c.keys.QueueKey(name)).Result()
	if err != nil {
		return false, fmt.Errorf("store: queue %s: %w", name, err)
	}
	return n == 1, nil
}

// QueueTagsSet adds or overwrites a queue's tags (ErrNotFound, or
// ErrLimit past limit tags).
func (c *Client) QueueTagsSet(ctx context.Context, name string, tags map[string]string, limit int) error {
	if err := checkQueueName(name); err != nil {
		return err
	}
	argv := make([]any, 0, 1+2*len(tags))
	argv = append(argv, limit)
	for k, v := range tags {
		argv = append(argv, k, v)
	}
	res, err := scriptTagsSet.Run(ctx, c.rdb, []string{c.keys.QueueKey(name), c.keys.QueueTagsKey(name)}, argv...).Slice()
	if err != nil {
		return fmt.Errorf("store: tagging queue %s: %w", name, err)
	}
	switch code(res) {
	case codeOK:
		return nil
	case codeNotFound:
		return fmt.Errorf("%w: queue %s", ErrNotFound, name)
	case codeLimit:
		return fmt.Errorf("%w: queue %s would carry %d tags, more than %d", ErrLimit, name, intAt(res, 1), limit)
	}
	return fmt.Errorf("%w: tags script returned %v", ErrCorrupt, res)
}

// QueueTagsRemove removes a queue's tags of the given keys, or returns
// ErrNotFound.
func (c *Client) QueueTagsRemove(ctx context.Context, name string, keys []string) error {
	if err := checkQueueName(name); err != nil {
		return err
	}
	argv := make([]any, len(keys))
	for i, k := range keys {
		argv[i] = k
	}
	res, err := scriptTagsRemove.Run(ctx, c.rdb, []string{c.keys.QueueKey(name), c.keys.QueueTagsKey(name)}, argv...).Slice()
	if err != nil {
		return fmt.Errorf("store: untagging queue %s: %w", name, err)
	}
	if code(res) == codeNotFound {
		return fmt.Errorf("%w: queue %s", ErrNotFound, name)
	}
	return nil
}

// QueueTags returns a queue's tags, or ErrNotFound.
func (c *Client) QueueTags(ctx context.Context, name string) (map[string]string, error) {
	if err := checkQueueName(name); err != nil {
		return nil, err
	}
	var (
		exists *redis.IntCmd
		tags   *redis.MapStringStringCmd
	)
	if _, err := c.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		exists = p.Exists(ctx, c.keys.QueueKey(name))
		tags = p.HGetAll(ctx, c.keys.QueueTagsKey(name))
		return nil
	}); err != nil {
		return nil, fmt.Errorf("store: tags of queue %s: %w", name, err)
	}
	if exists.Val() == 0 {
		return nil, fmt.Errorf("%w: queue %s", ErrNotFound, name)
	}
	return tags.Val(), nil
}

// QueuePurge deletes every message of a queue, or returns ErrNotFound, or
// ErrPurgeInProgress when it was purged less than interval ago.
func (c *Client) QueuePurge(ctx context.Context, name string, interval time.Duration, now time.Time) error {
	keys, err := c.queueKeys(name)
	if err != nil {
		return err
	}
	res, err := scriptQueuePurge.Run(ctx, c.rdb, keys, now.UnixMilli(), interval.Milliseconds()).Slice()
	if err != nil {
		return fmt.Errorf("store: purging queue %s: %w", name, err)
	}
	switch code(res) {
	case codeOK:
		return nil
	case codeNotFound:
		return fmt.Errorf("%w: queue %s", ErrNotFound, name)
	case codeStale:
		return fmt.Errorf("%w: queue %s", ErrPurgeInProgress, name)
	}
	return fmt.Errorf("%w: purge script returned %v", ErrCorrupt, res)
}
