package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// A topic (the topic router's, SNS semantics) is a hash of attributes, a
// hash of subscriptions and the deliveries it owes (keys.go, TopicKey and
// below). The store keeps what the topic router encodes as opaque strings
// (a subscription's record, a message); it knows the shape of a delivery
// only: a member "<message id>/<subscription id>" of the due set, scored
// by when it is due, and a message kept until its last delivery is done.
//
// A publish writes the message and its deliveries in one script, due at
// the end of the publishing process's lease: that process delivers them
// at once and acknowledges them; if it dies first, any process's
// recoverer claims them once the lease is over (TopicClaim). A delivery is
// thus made at least once. On one server (direct mode), the same script
// also writes the message into the subscribed queues the topic router
// names (TopicDirect, direct fanout): those need no delivery.

// ErrTopicExists: a topic of that name exists with other attributes (the
// error names the attribute).
var ErrTopicExists = errors.New("store: topic exists with other attributes")

// ErrTopicStale: the topic's attributes or subscriptions changed since the
// version a publish matched its subscriptions against.
var ErrTopicStale = errors.New("store: topic changed")

// Topic script codes, after the common ones (errors.go).
const (
	codeTopicStale = 20
	codeTopicLimit = 21
)

// Fields of the topic hash that are not AWS attributes.
const (
	topicFieldCreated = "#created"
	topicFieldFIFO    = "#fifo"
	topicFieldSeq     = "#seq"
	topicFieldVer     = "#ver"
)

func checkTopicName(name string) error {
	if name == "" || len(name) > 256 || strings.ContainsAny(name, "{}|/\n\x00 ") {
		return fmt.Errorf("%w: topic name %q", ErrInvalid, name)
	}
	return nil
}

func (c *Client) topicKeys(name string) ([]string, error) {
	if err := checkTopicName(name); err != nil {
		return nil, err
	}
	return c.keys.topicKeys(name), nil
}

// TopicCreateParams describe a topic to create.
type TopicCreateParams struct {
	Name string
	FIFO bool
	// Given are the attributes the request gave: a topic of that name that
	// exists with other values of these is ErrTopicExists.
	Given map[string]string
	// All are the attributes to set, defaults included.
	All  map[string]string
	Tags map[string]string
	Now  time.Time
}

var scriptTopicCreate = redis.NewScript(`
local R, TAGS = KEYS[1], KEYS[2]
local i = 2
local ng = tonumber(ARGV[i]); i = i + 1
if redis.call('EXISTS', R) == 1 then
  for j = 1, ng do
    local k, v = ARGV[i], ARGV[i + 1]
    local cur = redis.call('HGET', R, k)
    if cur ~= v then return {5, k} end
    i = i + 2
  end
  return {4}
end
i = i + 2 * ng
local na = tonumber(ARGV[i]); i = i + 1
for j = 1, na do redis.call('HSET', R, ARGV[i], ARGV[i + 1]); i = i + 2 end
local nt = tonumber(ARGV[i]); i = i + 1
for j = 1, nt do redis.call('HSET', TAGS, ARGV[i], ARGV[i + 1]); i = i + 2 end
redis.call('HSET', R, '#created', ARGV[1], '#seq', '0', '#ver', '1')
return {0}
`)

// TopicCreate creates a topic, or returns existing true when it exists
// with the given attributes, or ErrTopicExists when it exists with others.
func (c *Client) TopicCreate(ctx context.Context, p *TopicCreateParams) (existing bool, err error) {
	keys, err := c.topicKeys(p.Name)
	if err != nil {
		return false, err
	}
	a := args{p.Now.UnixMilli()}
	a.pairs(mapPairs(p.Given)...)
	all := mapPairs(p.All)
	if p.FIFO {
		all = append(all, topicFieldFIFO, "1")
	}
	a.pairs(all...)
	a.pairs(mapPairs(p.Tags)...)
	res, err := scriptTopicCreate.Run(ctx, c.rdb, keys, a...).Slice()
	if err != nil {
		return false, fmt.Errorf("store: creating topic %s: %w", p.Name, err)
	}
	switch code(res) {
	case codeOK, codeExisting:
		existing = code(res) == codeExisting
	case codeExists:
		return false, fmt.Errorf("%w: %s differs", ErrTopicExists, stringAt(res, 1))
	default:
		return false, fmt.Errorf("%w: topic create script returned %v", ErrCorrupt, res)
	}
	// The index is in another slot; a repeated create repairs it.
	if err := c.rdb.ZAdd(ctx, c.keys.TopicsKey(), redis.Z{Member: p.Name}).Err(); err != nil {
		return false, fmt.Errorf("store: listing topic %s: %w", p.Name, err)
	}
	return existing, nil
}

// TopicRecord is a topic as the store holds it.
type TopicRecord struct {
	Name       string
	FIFO       bool
	Attributes map[string]string // AWS's attributes, as set
	Created    time.Time
	Seq        int64
	// Version changes with every change of the attributes or the
	// subscriptions; TopicPublish checks it.
	Version int64
	// Subscriptions are the records of the topic's subscriptions by id.
	Subscriptions map[string]string
}

// TopicGet returns a topic with its subscriptions, read together, or
// ErrNotFound.
func (c *Client) TopicGet(ctx context.Context, name string) (*TopicRecord, error) {
	if err := checkTopicName(name); err != nil {
		return nil, err
	}
	var h, subs *redis.MapStringStringCmd
	_, err := c.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		h = p.HGetAll(ctx, c.keys.TopicKey(name))
		subs = p.HGetAll(ctx, c.keys.TopicSubsKey(name))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: topic %s: %w", name, err)
	}
	if len(h.Val()) == 0 {
		return nil, fmt.Errorf("%w: topic %s", ErrNotFound, name)
	}
	r := &TopicRecord{Name: name, Attributes: map[string]string{}, Subscriptions: subs.Val()}
	for k, v := range h.Val() {
		switch k {
		case topicFieldCreated:
			ms, _ := strconv.ParseInt(v, 10, 64)
			r.Created = time.UnixMilli(ms)
		case topicFieldFIFO:
			r.FIFO = v == "1"
		case topicFieldSeq:
			r.Seq, _ = strconv.ParseInt(v, 10, 64)
		case topicFieldVer:
			r.Version, _ = strconv.ParseInt(v, 10, 64)
		default:
			r.Attributes[k] = v
		}
	}
	return r, nil
}

var scriptTopicSetAttribute = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return {3} end
if ARGV[2] == '' then redis.call('HDEL', KEYS[1], ARGV[1]) else redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
redis.call('HINCRBY', KEYS[1], '#ver', 1)
return {0}
`)

// TopicSetAttribute sets one attribute of a topic ("" removes it), or
// returns ErrNotFound.
func (c *Client) TopicSetAttribute(ctx context.Context, name, attr, value string) error {
	keys, err := c.topicKeys(name)
	if err != nil {
		return err
	}
	if strings.HasPrefix(attr, "#") {
		return fmt.Errorf("%w: attribute %q", ErrInvalid, attr)
	}
	res, err := scriptTopicSetAttribute.Run(ctx, c.rdb, keys[:1], attr, value).Slice()
	if err != nil {
		return fmt.Errorf("store: topic %s: %w", name, err)
	}
	if code(res) == codeNotFound {
		return fmt.Errorf("%w: topic %s", ErrNotFound, name)
	}
	return nil
}

// TopicDelete deletes a topic with its subscriptions and the deliveries
// it owes. Deleting a topic that does not exist succeeds, as in AWS.
func (c *Client) TopicDelete(ctx context.Context, name string) error {
	keys, err := c.topicKeys(name)
	if err != nil {
		return err
	}
	if err := c.rdb.Del(ctx, keys...).Err(); err != nil {
		return fmt.Errorf("store: deleting topic %s: %w", name, err)
	}
	if err := c.rdb.ZRem(ctx, c.keys.TopicsKey(), name).Err(); err != nil {
		return fmt.Errorf("store: unlisting topic %s: %w", name, err)
	}
	return nil
}

// TopicList returns up to limit topic names after after, in lexical
// order, and the name to continue after ("" at the end).
func (c *Client) TopicList(ctx context.Context, after string, limit int) ([]string, string, error) {
	if limit <= 0 {
		limit = 100
	}
	min := "-"
	if after != "" {
		min = "(" + after
	}
	names, err := c.rdb.ZRangeByLex(ctx, c.keys.TopicsKey(), &redis.ZRangeBy{Min: min, Max: "+", Count: int64(limit + 1)}).Result()
	if err != nil {
		return nil, "", fmt.Errorf("store: listing topics: %w", err)
	}
	next := ""
	if len(names) > limit {
		names, next = names[:limit], names[limit-1]
	}
	return names, next, nil
}

// TopicCount returns how many topics the index lists.
func (c *Client) TopicCount(ctx context.Context) (int64, error) {
	n, err := c.rdb.ZCard(ctx, c.keys.TopicsKey()).Result()
	if err != nil {
		return 0, fmt.Errorf("store: counting topics: %w", err)
	}
	return n, nil
}

var scriptTopicTags = redis.NewScript(`
local R, TAGS = KEYS[1], KEYS[2]
if redis.call('EXISTS', R) == 0 then return {3} end
local n = tonumber(ARGV[1])
local i = 2
local gone, count = {}, redis.call('HLEN', TAGS)
for j = 1, n do
  local k = ARGV[i]; i = i + 1
  if not gone[k] and redis.call('HEXISTS', TAGS, k) == 1 then count = count - 1 end
  gone[k] = true
end
local m = tonumber(ARGV[i]); local first = i + 1
local added = {}
for j = 1, m do
  local k = ARGV[first + 2 * (j - 1)]
  if not added[k] and (gone[k] or redis.call('HEXISTS', TAGS, k) == 0) then count = count + 1 end
  added[k] = true
end
if count > tonumber(ARGV[first + 2 * m]) then return {21} end
for k in pairs(gone) do redis.call('HDEL', TAGS, k) end
for j = 1, m do redis.call('HSET', TAGS, ARGV[first + 2 * (j - 1)], ARGV[first + 2 * (j - 1) + 1]) end
return {0}
`)

// TopicTagsChange removes the tag keys remove, then sets the tags set;
// ErrLimit (nothing changed) when the topic would hold more than limit
// tags, ErrNotFound when it does not exist.
func (c *Client) TopicTagsChange(ctx context.Context, name string, remove []string, set map[string]string, limit int) error {
	keys, err := c.topicKeys(name)
	if err != nil {
		return err
	}
	a := args{len(remove)}
	for _, k := range remove {
		a = append(a, k)
	}
	a.pairs(mapPairs(set)...)
	a = append(a, limit)
	res, err := scriptTopicTags.Run(ctx, c.rdb, keys[:2], a...).Slice()
	if err != nil {
		return fmt.Errorf("store: tagging topic %s: %w", name, err)
	}
	switch code(res) {
	case codeOK:
		return nil
	case codeNotFound:
		return fmt.Errorf("%w: topic %s", ErrNotFound, name)
	case codeTopicLimit:
		return fmt.Errorf("%w: more than %d tags", ErrLimit, limit)
	}
	return fmt.Errorf("%w: topic tags script returned %v", ErrCorrupt, res)
}

// TopicTags returns a topic's tags, or ErrNotFound.
func (c *Client) TopicTags(ctx context.Context, name string) (map[string]string, error) {
	if err := checkTopicName(name); err != nil {
		return nil, err
	}
	var exists *redis.IntCmd
	var tags *redis.MapStringStringCmd
	_, err := c.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		exists = p.Exists(ctx, c.keys.TopicKey(name))
		tags = p.HGetAll(ctx, c.keys.TopicTagsKey(name))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: topic %s: %w", name, err)
	}
	if exists.Val() == 0 {
		return nil, fmt.Errorf("%w: topic %s", ErrNotFound, name)
	}
	return tags.Val(), nil
}

var scriptTopicSubscription = redis.NewScript(`
local R, SUBS, TOK, EP = KEYS[1], KEYS[3], KEYS[4], KEYS[10]
if redis.call('EXISTS', R) == 0 then return {3} end
local id, rec, token, oldToken, mode, ep = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[7]
if mode == 'new' then
  local other = redis.call('HGET', EP, ep)
  if other then return {4, other} end
  if redis.call('HEXISTS', SUBS, id) == 1 then return {4, id} end
  if redis.call('HLEN', SUBS) >= tonumber(ARGV[6]) then return {21} end
  redis.call('HSET', EP, ep, id)
elseif redis.call('HEXISTS', SUBS, id) == 0 then
  return {3}
end
if oldToken ~= '' then redis.call('HDEL', TOK, oldToken) end
if mode == 'delete' then
  redis.call('HDEL', SUBS, id)
  if redis.call('HGET', EP, ep) == id then redis.call('HDEL', EP, ep) end
else
  redis.call('HSET', SUBS, id, rec)
  if token ~= '' then redis.call('HSET', TOK, token, id) end
end
redis.call('HINCRBY', R, '#ver', 1)
return {0}
`)

// TopicSubscriptionParams write one subscription of a topic.
type TopicSubscriptionParams struct {
	Topic  string
	ID     string
	Record string // the subscription as the topic router encodes it
	// Token, when set, is a confirmation token that names the
	// subscription from now on (TopicConfirmToken); OldToken, when set, is
	// one that no longer does.
	Token, OldToken string
	// Limit bounds the subscriptions of the topic (new ones only).
	Limit int
	// Endpoint is the subscription's "<protocol>\x00<endpoint>": a topic
	// has one subscription per endpoint (TopicSubscribe, TopicUnsubscribe).
	Endpoint string
}

// ErrSubscriptionExists: the topic has a subscription to the endpoint
// already (its id is the error's ExistingID).
type ErrSubscriptionExists struct{ ExistingID string }

func (e *ErrSubscriptionExists) Error() string {
	return "store: the endpoint has a subscription already: " + e.ExistingID
}

func (c *Client) topicSubscription(ctx context.Context, p *TopicSubscriptionParams, mode string) error {
	keys, err := c.topicKeys(p.Topic)
	if err != nil {
		return err
	}
	if err := checkID("subscription id", p.ID); err != nil {
		return err
	}
	res, err := scriptTopicSubscription.Run(ctx, c.rdb, keys, p.ID, p.Record, p.Token, p.OldToken, mode, p.Limit, p.Endpoint).Slice()
	if err != nil {
		return fmt.Errorf("store: subscription %s of topic %s: %w", p.ID, p.Topic, err)
	}
	switch code(res) {
	case codeOK:
		return nil
	case codeNotFound:
		return fmt.Errorf("%w: topic %s or subscription %s", ErrNotFound, p.Topic, p.ID)
	case codeExisting:
		return &ErrSubscriptionExists{ExistingID: stringAt(res, 1)}
	case codeTopicLimit:
		return fmt.Errorf("%w: more than %d subscriptions", ErrLimit, p.Limit)
	}
	return fmt.Errorf("%w: subscription script returned %v", ErrCorrupt, res)
}

// TopicSubscribe adds a subscription to a topic (ErrNotFound without the
// topic, ErrLimit past p.Limit, *ErrSubscriptionExists when the topic has
// one to p.Endpoint).
func (c *Client) TopicSubscribe(ctx context.Context, p *TopicSubscriptionParams) error {
	return c.topicSubscription(ctx, p, "new")
}

// TopicSubscriptionSet rewrites a subscription's record (ErrNotFound
// without it).
func (c *Client) TopicSubscriptionSet(ctx context.Context, p *TopicSubscriptionParams) error {
	return c.topicSubscription(ctx, p, "set")
}

// TopicUnsubscribe removes a subscription (and p.OldToken); the
// deliveries it is owed are dropped as they come due.
func (c *Client) TopicUnsubscribe(ctx context.Context, p *TopicSubscriptionParams) error {
	return c.topicSubscription(ctx, p, "delete")
}

// TopicConfirmToken returns the id of the subscription a confirmation
// token names, or ErrNotFound.
func (c *Client) TopicConfirmToken(ctx context.Context, topic, token string) (string, error) {
	if err := checkTopicName(topic); err != nil {
		return "", err
	}
	id, err := c.rdb.HGet(ctx, c.keys.TopicTokensKey(topic), token).Result()
	if errors.Is(err, redis.Nil) {
		return "", fmt.Errorf("%w: token", ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("store: topic %s: %w", topic, err)
	}
	return id, nil
}

// TopicMessage is one message to publish.
type TopicMessage struct {
	ID      string
	Payload string // the message as the topic router encodes it
	// DedupKey, on a FIFO topic, is "<group>|<dedup id>" (or "|<dedup
	// id>" for a topic-wide scope): a message whose key was published
	// within DedupWindow is not published again.
	DedupKey string
	// Group is its MessageGroupId (FIFO topics: each subscription gets a
	// group's messages one after another, in sequence order).
	Group string
	// Subscriptions are the ids of the subscriptions it goes to by a
	// delivery.
	Subscriptions []string
	// Direct are the subscriptions it goes to by a write into their queue
	// (direct fanout), made by the publish itself.
	Direct []TopicDirect
}

// TopicDirect is a message's write into a subscription's queue, made by
// the publish (direct fanout): the message as the queue's own send would
// write it. The write falls back to a delivery (as Subscriptions'), in
// the same step, when the queue is gone or would pass its limits, on a
// FIFO topic when the subscription has an earlier message of the group
// still to deliver, and when the client is not in direct mode (a Redis
// Cluster, Options.Outbox), where a script cannot reach the queue's keys.
type TopicDirect struct {
	Subscription string
	Queue        TopicQueue
	Message      QueueMessage
}

// TopicQueue is a queue a publish writes into, with what its send needs.
type TopicQueue struct {
	Name   string
	Limits QueueLimits
	Dedup  time.Duration // the deduplication window
}

// TopicPublishParams publish messages to a topic in one step.
type TopicPublishParams struct {
	Topic string
	// Version is the topic's version the subscriptions were matched
	// against: ErrTopicStale, with nothing published, when it moved.
	Version  int64
	Messages []TopicMessage
	Now      time.Time
	// LeaseUntil is when the deliveries fall due for the recoverers: the
	// publishing process delivers them before.
	LeaseUntil  time.Time
	DedupWindow time.Duration
}

// TopicPublished is one message's outcome.
type TopicPublished struct {
	MessageID string // a duplicate's: the first message's id
	Seq       int64  // FIFO topics: its sequence number
	Duplicate bool
	// Deliveries are the subscriptions whose delivery is due now, leased
	// to the publisher: all, but on a FIFO topic those whose subscription
	// has an earlier message of the group still to deliver. A direct
	// write that fell back is among them (or, on a FIFO topic, waits).
	Deliveries []string
	// Direct are the subscriptions whose queue the message was written
	// into; DirectDuplicate says, for each, whether the queue took it for
	// a duplicate (a FIFO queue's deduplication) and added nothing.
	Direct          []string
	DirectDuplicate []bool
}

// DirectFanout reports whether TopicPublish can write into queues itself
// (TopicDirect): on one server, where a script reaches every key.
func (c *Client) DirectFanout() bool { return c.direct }

// scriptTopicPublish publishes messages: each to its subscriptions by a
// delivery, and by a write into their queue for its direct ones.
//
// KEYS: topicKeys, then queueKeys of each queue of the direct writes.
// ARGV: now ms, version, lease-until ms, dedup window ms, message count,
// queue count, target count; then per queue: the most messages, the most
// bytes, the deduplication window ms and the sweep cap (as
// scriptQueueSend's), and how many direct writes it has; then per target
// (a subscription and its queue): subscription id, queue index (1-based);
// then per message: id, payload, dedup key, group, n, n subscription ids,
// d, its d direct writes by body: the 6 fields of a message of
// scriptQueueSend but its id (payload, delay, size, group, deduplication
// key, sent), c, and the c direct writes of that body: target index
// (1-based), the queue message's id; or, when they go to every target in
// order (a publish to a topic without filter policies), -c and the c ids.
// A message's queues of one configuration take the same body (as
// RawMessageDelivery makes them): its fields go once, however many queues
// it goes to (an ARGV element costs Redis about 1,100 instructions).
//
// On a FIFO topic, a delivery is due (leased) only when it is the first
// of its subscription and group (TopicFIFOKey); the others wait for it to
// end (TopicAck); a direct write is a delivery when the subscription has
// an earlier message of the group still to deliver. The direct writes of
// a queue are one queue_send (queuescripts.go), after the queue's sweep,
// exactly as scriptQueueSend makes them; when the queue is gone or they
// would pass its limits, they become deliveries. A message keeps no
// payload in TopicMessagesKey without a delivery, and no count in
// TopicLeftKey with one only: it ends with its delivery. The topic's
// writes are gathered and made at the end, a command per key rather than
// per message. Returns {0, {seq, duplicate id or "", {sub ids due},
// direct}...}, {3} without the topic, {20} when the version moved; direct
// is a character per direct write of the message, in ARGV order: "0"
// written, "1" the queue took it for a duplicate (a FIFO queue's
// deduplication, or the queue has the id: the script ran before) and added
// nothing, "-" not written (a delivery, due or waiting).
var scriptTopicPublish = redis.NewScript(luaQueueLocals + luaQueueHelpers + luaQueueSend + `
local TR, TM, TDUE, TD, TDX, TLEFT, TF = KEYS[1], KEYS[5], KEYS[6], KEYS[8], KEYS[9], KEYS[11], KEYS[12]
local rec = redis.call('HMGET', TR, '#ver', '#fifo')
local ver = rec[1]
if not ver then return {3} end
if ver ~= ARGV[2] then return {20} end
local lease, window = ARGV[3], tonumber(ARGV[4])
local tfifo = rec[2] == '1'
if tfifo then
  local old = redis.call('ZRANGEBYSCORE', TDX, '-inf', now, 'LIMIT', 0, 100)
  for _, k in ipairs(old) do redis.call('HDEL', TD, k); redis.call('ZREM', TDX, k) end
end
local queues = {}
local i = 8
for q = 1, tonumber(ARGV[6]) do
  -- ids and at: queue_send's ids of the writes and the places in ARGV
  -- of their bodies; w: each write's message, its place among the
  -- message's direct writes and its subscription
  -- (a string + 0 is one strtod, tonumber two: callgrind; Go wrote them)
  local nw = ARGV[i + 4] + 0
  queues[q] = {maxn = ARGV[i] + 0, maxbytes = ARGV[i + 1] + 0, window = ARGV[i + 2] + 0,
    cap = ARGV[i + 3] + 0, ids = sized(nw), at = sized(nw), w = sized(3 * nw), n = 0, size = 0}
  i = i + 5
end
-- tindex: a target's index by its argument's string (tonumber is two
-- strtod, callgrind)
local tsub, tq, tindex = {}, {}, {}
for t = 1, tonumber(ARGV[7]) do
  tsub[t], tq[t], tindex[tostring(t)] = ARGV[i], queues[ARGV[i + 1] + 0], t
  i = i + 2
end

-- later records a delivery of message m to sub; on a FIFO topic it is
-- due now only when first of its subscription and group
local function later(m, sub)
  local first = true
  if tfifo then
    local prefix = sub .. '\0' .. m.group .. '\0'
    local f = prefix .. string.format('%020d', m.seq) .. '\0' .. m.id
    redis.call('ZADD', TF, 0, f)
    first = redis.call('ZRANGEBYLEX', TF, '[' .. prefix, '(' .. sub .. '\0' .. m.group .. '\1', 'LIMIT', 0, 1)[1] == f
  end
  m.n = m.n + 1
  if first then m.subs[#m.subs + 1] = sub end
end

local msgs = {}
for k = 1, tonumber(ARGV[5]) do
  local m = {id = ARGV[i], payload = ARGV[i + 1], group = ARGV[i + 3], seq = 0, dup = '', n = 0, subs = {}}
  local dk, n = ARGV[i + 2], ARGV[i + 4] + 0
  i = i + 5
  if tfifo then
    local seen = dk ~= '' and redis.call('HGET', TD, dk)
    if seen then
      local _, sid, sseq = string.match(seen, '^(%d+)|([^|]*)|(%d+)$')
      m.dup, m.seq = sid, tonumber(sseq)
    else
      m.seq = redis.call('HINCRBY', TR, '#seq', 1)
      if dk ~= '' then
        redis.call('HSET', TD, dk, string.format('%d', now + window) .. '|' .. m.id .. '|' .. m.seq)
        redis.call('ZADD', TDX, now + window, dk)
      end
    end
  end
  -- the version held: every subscription named exists
  if m.dup == '' then
    for j = 0, n - 1 do later(m, ARGV[i + j]) end
  end
  i = i + n
  local d, w = ARGV[i] + 0, 0 -- the message's direct writes, and so far
  i = i + 1
  local direct, fresh = sized(d), m.dup == ''
  m.direct = direct
  while w < d do
    local b = i -- the body's place: payload, delay, size, group, dedup key, sent
    local bsize, c = ARGV[i + 2] + 0, ARGV[i + 6] + 0
    i = i + 7
    -- c < 0: the writes go to targets 1 to -c, each an id alone
    local every = c < 0
    if every then c = -c end
    for x = 0, c - 1 do
      w = w + 1
      local t, id
      if every then t, id = x + 1, ARGV[i + x] else t, id = tindex[ARGV[i + 2 * x]], ARGV[i + 2 * x + 1] end
      local sub = tsub[t]
      direct[w] = '-'
      if fresh then
        if tfifo and redis.call('ZRANGEBYLEX', TF, '[' .. sub .. '\0' .. m.group .. '\0', '(' .. sub .. '\0' .. m.group .. '\1', 'LIMIT', 0, 1)[1] then
          later(m, sub)
        else
          local Q = tq[t]
          local qw, at = Q.w, Q.n
          Q.ids[at + 1], Q.at[at + 1], Q.size = id, b, Q.size + bsize
          qw[3 * at + 1], qw[3 * at + 2], qw[3 * at + 3] = m, w, sub
          Q.n = at + 1
        end
      end
    end
    if every then i = i + c else i = i + 2 * c end
  end
  msgs[k] = m
end

-- the direct writes, a queue at a time
for q, Q in ipairs(queues) do
  local nw = Q.n
  if nw > 0 then
    local res = {3}
    -- the record's fields the send needs, in one read (bind_queue's
    -- positions: exists, FIFO, retention, then the counters, then due)
    local qrec = bind_queue(12 + 16 * (q - 1), '#bytes', '#seq')
    if qrec[1] then
      -- the counters as read, unless the sweep runs (it may drop messages)
      local counters = nil
      if due and now < due then counters = {qrec[4], qrec[5]} end
      sweep(Q.cap)
      res = queue_send(ARGV, Q.at, nw, Q.maxn, Q.maxbytes, Q.window, counters, Q.ids, Q.size)
    end
    local qw = Q.w
    if res[1] == 0 then
      for k = 1, nw do qw[3 * k - 2].direct[qw[3 * k - 1]] = res[k + 1] == 1 and '1' or '0' end
    else
      for k = 1, nw do later(qw[3 * k - 2], qw[3 * k]) end
    end
  end
end

local out = {0}
local due, mset, left = {}, {}, {}
for _, m in ipairs(msgs) do
  for _, sub in ipairs(m.subs) do due[#due + 1] = lease; due[#due + 1] = m.id .. '/' .. sub end
  if m.n > 0 then mset[#mset + 1] = m.id; mset[#mset + 1] = m.seq .. '|' .. m.payload end
  if m.n > 1 then left[#left + 1] = m.id; left[#left + 1] = m.n end
  out[#out + 1] = {m.seq, m.dup, m.subs, table.concat(m.direct)}
end
-- in chunks, within what unpack takes
for c = 1, #due, 200 do redis.call('ZADD', TDUE, unpack(due, c, math.min(c + 199, #due))) end
for c = 1, #mset, 200 do redis.call('HSET', TM, unpack(mset, c, math.min(c + 199, #mset))) end
for c = 1, #left, 200 do redis.call('HSET', TLEFT, unpack(left, c, math.min(c + 199, #left))) end
return out
`)

// TopicPublish publishes messages to a topic: each message and one
// delivery per subscription it goes to, due at p.LeaseUntil, and its
// direct writes into queues, in one script. ErrNotFound without the
// topic; ErrTopicStale when its version moved.
func (c *Client) TopicPublish(ctx context.Context, p *TopicPublishParams) ([]TopicPublished, error) {
	if err := checkTopicName(p.Topic); err != nil {
		return nil, err
	}
	keys := [][]any{c.kc.boxed('t', p.Topic, c.keys.topicKeys)}
	a, keys, order, err := c.topicPublishArgs(p, keys)
	if err != nil {
		return nil, err
	}
	res, err := c.runBoxed(ctx, scriptTopicPublish, keys, a).Slice()
	if err != nil {
		return nil, fmt.Errorf("store: publishing to topic %s: %w", p.Topic, err)
	}
	switch code(res) {
	case codeOK:
	case codeNotFound:
		return nil, fmt.Errorf("%w: topic %s", ErrNotFound, p.Topic)
	case codeTopicStale:
		return nil, ErrTopicStale
	default:
		return nil, fmt.Errorf("%w: topic publish script returned %v", ErrCorrupt, res)
	}
	if len(res) != len(p.Messages)+1 {
		return nil, fmt.Errorf("%w: topic publish script returned %d results for %d messages", ErrCorrupt, len(res)-1, len(p.Messages))
	}
	out := make([]TopicPublished, len(p.Messages))
	for i := range p.Messages {
		r, _ := res[i+1].([]any)
		out[i] = TopicPublished{MessageID: p.Messages[i].ID, Seq: intAt(r, 0)}
		if dup := stringAt(r, 1); dup != "" {
			out[i].MessageID, out[i].Duplicate = dup, true
		}
		if len(r) > 2 {
			subs, _ := r[2].([]any)
			for _, s := range subs {
				if id, ok := s.(string); ok {
					out[i].Deliveries = append(out[i].Deliveries, id)
				}
			}
		}
		// a character per direct write, in the order the arguments have them
		direct := stringAt(r, 3)
		if order == nil || len(direct) != len(order[i]) {
			continue
		}
		made := len(direct) - strings.Count(direct, "-")
		if made == 0 {
			continue
		}
		out[i].Direct, out[i].DirectDuplicate = make([]string, 0, made), make([]bool, 0, made)
		for k, d := range order[i] {
			if direct[k] == '-' {
				continue
			}
			out[i].Direct = append(out[i].Direct, p.Messages[i].Direct[d].Subscription)
			out[i].DirectDuplicate = append(out[i].DirectDuplicate, direct[k] == '1')
		}
	}
	return out, nil
}

// topicTarget is a subscription's queue: a target of direct writes.
type topicTarget struct{ sub, queue string }

// smallIndex numbers keys in order of first use: found by a scan while
// few (a publish's queues and targets, with no allocation), by a map
// past 16.
type smallIndex[K comparable] struct {
	keys []K
	m    map[K]int
}

// find returns k's number, trying hint first, or false.
func (x *smallIndex[K]) find(k K, hint int) (int, bool) {
	if hint >= 0 && hint < len(x.keys) && x.keys[hint] == k {
		return hint, true
	}
	if x.m != nil {
		i, ok := x.m[k]
		return i, ok
	}
	for i := range x.keys {
		if x.keys[i] == k {
			return i, true
		}
	}
	return 0, false
}

// add numbers k, which find did not find.
func (x *smallIndex[K]) add(k K) int {
	i := len(x.keys)
	x.keys = append(x.keys, k)
	switch {
	case x.m != nil:
		x.m[k] = i
	case len(x.keys) > 16:
		x.m = make(map[K]int, 2*len(x.keys))
		for j, key := range x.keys {
			x.m[key] = j
		}
	}
	return i
}

// topicPublishArgs returns scriptTopicPublish's arguments and keys (boxed)
// for p (keys: the topic's), and, for each message, the indexes in its Direct of
// its direct writes in the order the arguments have them (nil off direct
// mode, where they are deliveries). The arguments name p's strings by
// pointer and box their numbers in few arrays (argBoxes): p must not
// change until the script has run.
func (c *Client) topicPublishArgs(p *TopicPublishParams, keys [][]any) (args, [][]any, [][]int, error) {
	// the queues of the direct writes, and their targets, in order of
	// first use
	var (
		queues  []TopicQueue
		writes  []int // each queue's direct writes
		qindex  smallIndex[string]
		tindex  smallIndex[topicTarget]
		nwrites int
	)
	if c.direct {
		most := 0 // a message's direct writes: as many queues as a rule
		for i := range p.Messages {
			most = max(most, len(p.Messages[i].Direct))
		}
		if most > 0 {
			queues, writes = make([]TopicQueue, 0, most), make([]int, 0, most)
			qindex.keys, tindex.keys = make([]string, 0, most), make([]topicTarget, 0, most)
		}
		for i := range p.Messages {
			for k := range p.Messages[i].Direct {
				d := &p.Messages[i].Direct[k]
				q, ok := qindex.find(d.Queue.Name, k)
				if !ok {
					q = qindex.add(d.Queue.Name)
					queues, writes = append(queues, d.Queue), append(writes, 0)
				}
				writes[q]++
				t := topicTarget{d.Subscription, d.Queue.Name}
				if _, ok := tindex.find(t, k); !ok {
					tindex.add(t)
				}
			}
			nwrites += len(p.Messages[i].Direct)
		}
	}
	targets := tindex.keys
	// the arguments' count, each message's writes of one body (as a
	// publish's raw deliveries are): more bodies grow it
	n := 7 + 5*len(queues) + 2*len(targets) + 3*nwrites
	for i := range p.Messages {
		m := &p.Messages[i]
		n += 6 + len(m.Subscriptions) + 8
		if queues == nil {
			n += len(m.Direct)
		}
	}
	var boxes argBoxes
	boxes.vals = make([]int64, 0, 4+4*len(queues)+3*len(p.Messages)+8)
	a := make(args, 0, n)
	keys = append(make([][]any, 0, len(keys)+len(queues)), keys...)
	a = append(a, boxes.int(p.Now.UnixMilli()), boxes.int(p.Version), boxes.int(p.LeaseUntil.UnixMilli()),
		boxes.int(p.DedupWindow.Milliseconds()), boxes.int(int64(len(p.Messages))), boxes.int(int64(len(queues))),
		boxes.int(int64(len(targets))))
	var prev TopicQueue // the queue before, whose limits' arguments
	var limits [4]any   // are these
	for k := range queues {
		q := &queues[k]
		if err := checkQueueName(q.Name); err != nil {
			return nil, nil, nil, err
		}
		keys = append(keys, c.kc.boxed('q', q.Name, c.keys.queueKeys))
		if k == 0 || q.Limits != prev.Limits || q.Dedup != prev.Dedup {
			l := q.Limits.withDefaults()
			limits = [4]any{boxes.int(l.Messages), boxes.int(l.Bytes), boxes.int(q.Dedup.Milliseconds()), boxes.int(int64(l.Sweep))}
			prev = *q
		}
		a = append(a, limits[0], limits[1], limits[2], limits[3], boxes.int(int64(writes[k])))
	}
	for k := range targets {
		q, _ := qindex.find(targets[k].queue, -1)
		a = append(a, &targets[k].sub, boxes.int(int64(q+1)))
	}
	var order [][]int
	if queues != nil {
		order = make([][]int, len(p.Messages))
	}
	var orders []int // order's backing array: a write's place in it
	if nwrites > 0 && queues != nil {
		orders = make([]int, 0, nwrites)
	}
	var bodies []int // a message's direct writes' indexes, each first of its body
	for i := range p.Messages {
		m := &p.Messages[i]
		if err := checkID("message id", m.ID); err != nil {
			return nil, nil, nil, err
		}
		subs := m.Subscriptions
		direct := m.Direct
		if queues == nil && len(direct) > 0 {
			subs = append(slices.Clip(subs), make([]string, 0, len(direct))...)
			for _, d := range direct {
				subs = append(subs, d.Subscription)
			}
			direct = nil
		}
		a = append(a, &m.ID, &m.Payload, &m.DedupKey, &m.Group, boxes.int(int64(len(subs))))
		for k := range subs {
			a = append(a, &subs[k])
		}
		// the direct writes by body: the writes whose queue message is
		// alike but for its id share one
		bodies = bodies[:0]
		for k := range direct {
			if !slices.ContainsFunc(bodies, func(b int) bool { return sameBody(&direct[b].Message, &direct[k].Message) }) {
				bodies = append(bodies, k)
			}
		}
		a = append(a, boxes.int(int64(len(direct))))
		if len(direct) > 0 {
			order[i] = orders[len(orders) : len(orders) : len(orders)+len(direct)]
			orders = orders[:len(orders)+len(direct)]
		}
		for _, b := range bodies {
			body := &direct[b].Message
			if err := a.queueBodyBoxed(body, &boxes); err != nil {
				return nil, nil, nil, err
			}
			n, from := len(a), len(order[i])
			a = append(a, 0)
			every := true // so far, to targets 1, 2...
			for k := b; k < len(direct); k++ {
				d := &direct[k]
				if k != b && !sameBody(body, &d.Message) {
					continue
				}
				if err := checkQueueField("message id", d.Message.ID); err != nil {
					return nil, nil, nil, err
				}
				t, _ := tindex.find(topicTarget{d.Subscription, d.Queue.Name}, len(order[i]))
				every = every && t == len(order[i])-from
				a = append(a, boxes.int(int64(t+1)), &d.Message.ID)
				order[i] = append(order[i], k)
			}
			c := len(order[i]) - from
			if a[n] = boxes.int(int64(c)); every && c == len(targets) {
				// the ids alone
				for k := range c {
					a[n+1+k] = a[n+2+2*k]
				}
				a, a[n] = a[:n+1+c], boxes.int(int64(-c))
			}
		}
	}
	return a, keys, order, nil
}

// sameBody reports whether two queue messages are alike but for their id.
func sameBody(x, y *QueueMessage) bool {
	return x.Delay == y.Delay && x.Size == y.Size && x.Group == y.Group && x.DedupKey == y.DedupKey &&
		x.Sent.Equal(y.Sent) && bytes.Equal(x.Payload, y.Payload)
}

// TopicDelivery is a delivery a recoverer claimed.
type TopicDelivery struct {
	MessageID      string
	SubscriptionID string
	Attempts       int    // failed attempts so far
	Seq            int64  // a FIFO topic's sequence number of the message
	Payload        string // the message as the topic router encoded it
}

// TopicClaim claims up to max deliveries of a topic that are due at now,
// leasing them until leaseUntil.
func (c *Client) TopicClaim(ctx context.Context, topic string, now, leaseUntil time.Time, max int) ([]TopicDelivery, error) {
	if err := checkTopicName(topic); err != nil {
		return nil, err
	}
	ds, err := c.deliveryClaim(ctx, "topic "+topic, c.keys.TopicMessagesKey(topic), c.keys.TopicDueKey(topic), c.keys.TopicAttemptsKey(topic), now, leaseUntil, max)
	if err != nil {
		return nil, err
	}
	out := make([]TopicDelivery, 0, len(ds))
	for _, d := range ds {
		msg, sub, _ := strings.Cut(d.member, "/")
		// a message is stored as "<seq>|<payload>"
		seqText, payload, _ := strings.Cut(d.value, "|")
		seq, _ := strconv.ParseInt(seqText, 10, 64)
		out = append(out, TopicDelivery{MessageID: msg, SubscriptionID: sub, Attempts: d.attempts, Seq: seq, Payload: payload})
	}
	return out, nil
}

// scriptTopicAck ends deliveries: each one still due is removed, and a
// message with its last delivery (a message without a count in
// TopicLeftKey had one: endMessages); on a FIFO topic, ending a delivery
// makes the next of its subscription and group due, leased to the caller.
//
// KEYS: topicKeys. ARGV: lease-until ms, then pairs of a member and its
// FIFO member ("" for a standard topic's). Returns {0, {member, attempts,
// seq, payload}...}: the deliveries made due.
var scriptTopicAck = redis.NewScript(luaEndMessages + `
local M, DUE, ATT, LEFT, F = KEYS[5], KEYS[6], KEYS[7], KEYS[11], KEYS[12]
local lease = ARGV[1]
local members = {}
for i = 2, #ARGV, 2 do members[#members + 1] = ARGV[i] end
if #members == 0 then return {0} end
local scores = redis.call('ZMSCORE', DUE, unpack(members))
local gone, ended, ids, seen, next = {}, {}, {}, {}, {}
for k, d in ipairs(members) do
  if scores[k] and not seen[d] then -- a member named twice ends once
    seen[d] = true
    gone[#gone + 1] = d
    local id = string.match(d, '^([^/]*)/')
    if not ended[id] then ids[#ids + 1] = id end
    ended[id] = (ended[id] or 0) + 1
    local f = ARGV[2 * k + 1]
    if f ~= '' then
      redis.call('ZREM', F, f)
      local sub, group = string.match(f, '^([^%z]*)%z([^%z]*)%z')
      local nf = redis.call('ZRANGEBYLEX', F, '[' .. sub .. '\0' .. group .. '\0', '(' .. sub .. '\0' .. group .. '\1', 'LIMIT', 0, 1)[1]
      if nf then
        local nid = string.match(nf, '%z([^%z]*)$')
        local nd = nid .. '/' .. sub
        redis.call('ZADD', DUE, lease, nd)
        next[#next + 1] = nd
      end
    end
  end
end
if #gone > 0 then
  redis.call('ZREM', DUE, unpack(gone))
  redis.call('HDEL', ATT, unpack(gone))
  endMessages(M, LEFT, ids, ended)
end
local out = {0}
for _, d in ipairs(next) do
  local id = string.match(d, '^([^/]*)/')
  local v = redis.call('HGET', M, id)
  if v then
    local seq, payload = string.match(v, '^(%d+)|(.*)$')
    out[#out + 1] = {d, redis.call('HGET', ATT, d) or '0', seq, payload}
  end
end
return out
`)

// DeliveryMember is a delivery's member of TopicDueKey.
func DeliveryMember(messageID, subscriptionID string) string {
	return messageID + "/" + subscriptionID
}

// TopicAckEntry is one delivery to end: its member (DeliveryMember) and,
// on a FIFO topic, its place in the topic's order (FIFOMember).
type TopicAckEntry struct {
	Member string
	FIFO   string
}

// FIFOMember is a FIFO topic's delivery's member of TopicFIFOKey.
func FIFOMember(subscriptionID, group string, seq int64, messageID string) string {
	return subscriptionID + "\x00" + group + "\x00" + fmt.Sprintf("%020d", seq) + "\x00" + messageID
}

// TopicAck ends deliveries: done, or given up. Ending one twice is
// harmless. On a FIFO topic it returns the deliveries that became due
// (the next of each subscription and group), leased to the caller until
// leaseUntil.
func (c *Client) TopicAck(ctx context.Context, topic string, entries []TopicAckEntry, leaseUntil time.Time) ([]TopicDelivery, error) {
	keys, err := c.topicKeys(topic)
	if err != nil {
		return nil, err
	}
	if len(entries) == 0 {
		return nil, nil
	}
	a := make([]any, 0, 1+2*len(entries))
	a = append(a, leaseUntil.UnixMilli())
	for _, e := range entries {
		a = append(a, e.Member, e.FIFO)
	}
	res, err := scriptTopicAck.Run(ctx, c.rdb, keys, a...).Slice()
	if err != nil {
		return nil, fmt.Errorf("store: ending deliveries of topic %s: %w", topic, err)
	}
	return deliveriesOf(res[1:]), nil
}

// deliveriesOf reads a script's {member, attempts, seq, payload} entries.
func deliveriesOf(res []any) []TopicDelivery {
	out := make([]TopicDelivery, 0, len(res))
	for _, r := range res {
		e, _ := r.([]any)
		msg, sub, _ := strings.Cut(stringAt(e, 0), "/")
		n, _ := strconv.Atoi(stringAt(e, 1))
		seq, _ := strconv.ParseInt(stringAt(e, 2), 10, 64)
		out = append(out, TopicDelivery{MessageID: msg, SubscriptionID: sub, Attempts: n, Seq: seq, Payload: stringAt(e, 3)})
	}
	return out
}

// TopicRetry counts a failed attempt of a delivery and makes it due again
// at at; it returns the attempts so far, or ErrNotFound when the delivery
// was ended meanwhile.
func (c *Client) TopicRetry(ctx context.Context, topic, member string, at time.Time) (int, error) {
	if err := checkTopicName(topic); err != nil {
		return 0, err
	}
	return c.deliveryRetry(ctx, "topic "+topic, c.keys.TopicDueKey(topic), c.keys.TopicAttemptsKey(topic), member, at)
}

// TopicsDue returns which of the topics names have a delivery due at now.
func (c *Client) TopicsDue(ctx context.Context, names []string, now time.Time) ([]string, error) {
	return c.firstDue(ctx, names, now, c.keys.TopicDueKey)
}

// TopicPending returns how many deliveries a topic owes.
func (c *Client) TopicPending(ctx context.Context, topic string) (int64, error) {
	if err := checkTopicName(topic); err != nil {
		return 0, err
	}
	n, err := c.rdb.ZCard(ctx, c.keys.TopicDueKey(topic)).Result()
	if err != nil {
		return 0, fmt.Errorf("store: topic %s: %w", topic, err)
	}
	return n, nil
}
