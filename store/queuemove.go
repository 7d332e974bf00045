package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Message-move tasks (StartMessageMoveTask): a task's record is a hash in
// its source queue's slot (QueueMoveTaskKey), listed by start time
// (QueueMoveTasksKey). The router runs a task in a goroutine holding a
// lease on the record, renewed as it moves messages; a record whose lease
// has passed belongs to a process that stopped: a sweeper takes it over
// (QueueMoveTaskTakeOver), a read of one being cancelled ends it
// CANCELLED, and a new task may start (ending it FAILED).

// The move task statuses, as AWS spells them.
const (
	MoveRunning    = "RUNNING"
	MoveCompleted  = "COMPLETED"
	MoveCancelling = "CANCELLING"
	MoveCancelled  = "CANCELLED"
	MoveFailed     = "FAILED"
)

// MoveTaskRecord is a message-move task's record.
type MoveTaskRecord struct {
	ID             string
	Source         string // the source queue's name
	Status         string
	SourceARN      string
	DestinationARN string
	Rate           int
	Moved, ToMove  int64
	Reason         string
	Started        time.Time
	Owner          string
	Lease          time.Time
}

// MoveTasksKept is how many tasks a source queue's list keeps, and
// moveTaskTTL how long a record lives after its last change (AWS lists a
// queue's tasks of the last 14 days).
const (
	MoveTasksKept = 10
	moveTaskTTL   = 14 * 24 * time.Hour
)

// ErrMoveTaskRunning: a task of the source queue is running.
var ErrMoveTaskRunning = errors.New("store: a message-move task is running")

// ErrMoveTaskEnded: the task is not running (cancel), or no longer the
// caller's (its lease passed, another process ended it).
var ErrMoveTaskEnded = errors.New("store: message-move task not running")

// scriptMoveTaskStart starts a task unless one of the source queue runs.
//
//	KEYS[1] the source's task list   KEYS[2] the new task's hash
//	KEYS[3] the hash of the latest task listed (any key when none)
//	ARGV[1] now   ARGV[2] the latest task's id ("" for none)
//	ARGV[3] the new id   ARGV[4] the most tasks kept   ARGV[5] ttl (ms)
//	ARGV[6..] the record's (field, value) pairs
//
// Returns {OK}, {STALE} when the latest task is not ARGV[2] any more,
// {EXISTS} when it is running and its lease has not passed.
var scriptMoveTaskStart = redis.NewScript(`
local now = tonumber(ARGV[1])
local latest = redis.call('ZREVRANGE', KEYS[1], 0, 0)[1] or ''
if latest ~= ARGV[2] then return {1} end
if latest ~= '' then
  local st = redis.call('HMGET', KEYS[3], 'status', 'lease')
  if st[1] == 'RUNNING' or st[1] == 'CANCELLING' then
    if tonumber(st[2] or '0') > now then return {5} end
    local final = 'FAILED'
    if st[1] == 'CANCELLING' then final = 'CANCELLED' end
    redis.call('HSET', KEYS[3], 'status', final, 'reason', 'The process running the task stopped.')
  end
end
redis.call('HSET', KEYS[2], unpack(ARGV, 6))
redis.call('PEXPIRE', KEYS[2], ARGV[5])
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -tonumber(ARGV[4]) - 1)
return {0}
`)

// QueueMoveTaskStart records a new running task of t.Source (t.ID, the
// other fields as given): ErrMoveTaskRunning when one runs.
func (c *Client) QueueMoveTaskStart(ctx context.Context, t *MoveTaskRecord, now time.Time) error {
	if err := checkQueueName(t.Source); err != nil {
		return err
	}
	if err := checkQueueField("task id", t.ID); err != nil {
		return err
	}
	list := c.keys.QueueMoveTasksKey(t.Source)
	for range 10 {
		ids, err := c.rdb.ZRevRange(ctx, list, 0, 0).Result()
		if err != nil {
			return fmt.Errorf("store: move tasks of queue %s: %w", t.Source, err)
		}
		latest, latestKey := "", c.keys.QueueMoveTaskKey(t.Source, t.ID)
		if len(ids) == 1 {
			latest, latestKey = ids[0], c.keys.QueueMoveTaskKey(t.Source, ids[0])
		}
		a := args{now.UnixMilli(), latest, t.ID, MoveTasksKept, moveTaskTTL.Milliseconds()}
		for _, s := range t.fields() {
			a = append(a, s)
		}
		res, err := scriptMoveTaskStart.Run(ctx, c.rdb, []string{list, c.keys.QueueMoveTaskKey(t.Source, t.ID), latestKey}, a...).Slice()
		if err != nil {
			return fmt.Errorf("store: starting a move task of queue %s: %w", t.Source, err)
		}
		switch code(res) {
		case codeOK:
			return nil
		case codeExists:
			return fmt.Errorf("%w: queue %s", ErrMoveTaskRunning, t.Source)
		case codeStale:
			continue // another start came between: read again
		default:
			return fmt.Errorf("%w: move task script returned %v", ErrCorrupt, res)
		}
	}
	return fmt.Errorf("%w: queue %s: move tasks started concurrently", ErrConflict, t.Source)
}

func (t *MoveTaskRecord) fields() []string {
	return []string{"id", t.ID, "status", t.Status, "src", t.SourceARN, "dst", t.DestinationARN,
		"rate", strconv.Itoa(t.Rate), "moved", strconv.FormatInt(t.Moved, 10), "tomove", strconv.FormatInt(t.ToMove, 10),
		"reason", t.Reason, "started", strconv.FormatInt(t.Started.UnixMilli(), 10), "owner", t.Owner,
		"lease", strconv.FormatInt(t.Lease.UnixMilli(), 10)}
}

func parseMoveTask(source string, h map[string]string) (*MoveTaskRecord, error) {
	t := &MoveTaskRecord{ID: h["id"], Source: source, Status: h["status"], SourceARN: h["src"], DestinationARN: h["dst"],
		Reason: h["reason"], Owner: h["owner"]}
	var err [6]error
	t.Rate, err[0] = strconv.Atoi(h["rate"])
	t.Moved, err[1] = strconv.ParseInt(h["moved"], 10, 64)
	t.ToMove, err[2] = strconv.ParseInt(h["tomove"], 10, 64)
	t.Started, err[3] = millis(h["started"])
	t.Lease, err[4] = millis(h["lease"])
	if e := errors.Join(err[:]...); e != nil || t.ID == "" {
		return nil, fmt.Errorf("%w: move task of queue %s: %v", ErrCorrupt, source, e)
	}
	return t, nil
}

// scriptMoveTaskUpdate records a running task's progress and renews its
// lease, or ends it, when the caller still owns it.
//
//	KEYS[1] the task's hash
//	ARGV[1] owner   ARGV[2] moved   ARGV[3] lease until (unix ms)
//	ARGV[4] the final status ("" to go on)   ARGV[5] the reason
//	ARGV[6] ttl (ms)
//
// Returns {OK, status before} or {CLOSED, status} when the task is not
// the caller's or not running.
var scriptMoveTaskUpdate = redis.NewScript(`
local st = redis.call('HMGET', KEYS[1], 'status', 'owner')
if st[2] ~= ARGV[1] or (st[1] ~= 'RUNNING' and st[1] ~= 'CANCELLING') then return {2, st[1] or ''} end
redis.call('HSET', KEYS[1], 'moved', ARGV[2], 'lease', ARGV[3])
if ARGV[4] ~= '' then redis.call('HSET', KEYS[1], 'status', ARGV[4], 'reason', ARGV[5]) end
redis.call('PEXPIRE', KEYS[1], ARGV[6])
return {0, st[1]}
`)

// QueueMoveTaskUpdate records a task's progress and renews the owner's
// lease, or ends it with a final status (and reason); it returns the
// status it had (CANCELLING asks the owner to stop), or ErrMoveTaskEnded
// when the task is not the owner's or not running any more.
func (c *Client) QueueMoveTaskUpdate(ctx context.Context, source, id, owner string, moved int64, lease time.Time, final, reason string) (string, error) {
	if err := checkQueueName(source); err != nil {
		return "", err
	}
	res, err := scriptMoveTaskUpdate.Run(ctx, c.rdb, []string{c.keys.QueueMoveTaskKey(source, id)},
		owner, moved, lease.UnixMilli(), final, reason, moveTaskTTL.Milliseconds()).Slice()
	if err != nil {
		return "", fmt.Errorf("store: move task %s of queue %s: %w", id, source, err)
	}
	if code(res) != codeOK {
		return stringAt(res, 1), fmt.Errorf("%w: task %s is %s", ErrMoveTaskEnded, id, stringAt(res, 1))
	}
	return stringAt(res, 1), nil
}

// scriptMoveTaskCancel asks a running task to stop.
//
//	KEYS[1] the task's hash   ARGV[1] now
//
// Returns {OK, moved}: CANCELLING, or CANCELLED at once when its lease has
// passed (nobody runs it); {NOTFOUND}; {CLOSED} when it is not running.
var scriptMoveTaskCancel = redis.NewScript(`
local st = redis.call('HMGET', KEYS[1], 'status', 'lease', 'moved')
if not st[1] then return {3} end
if st[1] ~= 'RUNNING' then return {2} end
if tonumber(st[2]) > tonumber(ARGV[1]) then
  redis.call('HSET', KEYS[1], 'status', 'CANCELLING')
else
  redis.call('HSET', KEYS[1], 'status', 'CANCELLED')
end
return {0, tonumber(st[3])}
`)

// QueueMoveTaskCancel cancels a running task and returns how many
// messages it moved: ErrNotFound, or ErrMoveTaskEnded when not running.
func (c *Client) QueueMoveTaskCancel(ctx context.Context, source, id string, now time.Time) (int64, error) {
	if err := checkQueueName(source); err != nil {
		return 0, err
	}
	res, err := scriptMoveTaskCancel.Run(ctx, c.rdb, []string{c.keys.QueueMoveTaskKey(source, id)}, now.UnixMilli()).Slice()
	if err != nil {
		return 0, fmt.Errorf("store: cancelling move task %s: %w", id, err)
	}
	switch code(res) {
	case codeOK:
		return intAt(res, 1), nil
	case codeNotFound:
		return 0, fmt.Errorf("%w: move task %s", ErrNotFound, id)
	case codeClosed:
		return 0, fmt.Errorf("%w: move task %s", ErrMoveTaskEnded, id)
	}
	return 0, fmt.Errorf("%w: cancel script returned %v", ErrCorrupt, res)
}

// scriptMoveTaskExpire ends a task whose lease has passed.
//
//	KEYS[1] the task's hash   ARGV[1] now   ARGV[2] the reason
//
// Returns {OK} ended, or {CLOSED} when it was not running or its lease
// has not passed.
var scriptMoveTaskExpire = redis.NewScript(`
local st = redis.call('HMGET', KEYS[1], 'status', 'lease')
if (st[1] ~= 'RUNNING' and st[1] ~= 'CANCELLING') or tonumber(st[2] or '0') > tonumber(ARGV[1]) then return {2} end
local final = 'FAILED'
if st[1] == 'CANCELLING' then final = 'CANCELLED' end
redis.call('HSET', KEYS[1], 'status', final, 'reason', ARGV[2])
return {0}
`)

// QueueMoveTasks lists up to max tasks of a source queue, the latest
// first; a task being cancelled whose lease has passed is CANCELLED as it
// is read.
func (c *Client) QueueMoveTasks(ctx context.Context, source string, max int, now time.Time) ([]*MoveTaskRecord, error) {
	if err := checkQueueName(source); err != nil {
		return nil, err
	}
	ids, err := c.rdb.ZRevRange(ctx, c.keys.QueueMoveTasksKey(source), 0, int64(max-1)).Result()
	if err != nil {
		return nil, fmt.Errorf("store: move tasks of queue %s: %w", source, err)
	}
	out := make([]*MoveTaskRecord, 0, len(ids))
	for _, id := range ids {
		t, err := c.QueueMoveTask(ctx, source, id, now)
		if errors.Is(err, ErrNotFound) {
			continue // expired
		}
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// QueueMoveTask returns a task (CANCELLED first when it was being
// cancelled and its lease has passed), or ErrNotFound.
func (c *Client) QueueMoveTask(ctx context.Context, source, id string, now time.Time) (*MoveTaskRecord, error) {
	if err := checkQueueName(source); err != nil {
		return nil, err
	}
	key := c.keys.QueueMoveTaskKey(source, id)
	h, err := c.rdb.HGetAll(ctx, key).Result()
	if err != nil {
		return nil, fmt.Errorf("store: move task %s: %w", id, err)
	}
	if len(h) == 0 {
		return nil, fmt.Errorf("%w: move task %s", ErrNotFound, id)
	}
	t, err := parseMoveTask(source, h)
	if err != nil {
		return nil, err
	}
	if t.Status == MoveCancelling && !t.Lease.After(now) {
		// nobody runs it to see the cancel: cancelled now. (A running
		// task whose lease passed stays RUNNING: a sweeper takes it over,
		// QueueMoveTaskTakeOver.)
		res, err := scriptMoveTaskExpire.Run(ctx, c.rdb, []string{key}, now.UnixMilli(), "").Slice()
		if err != nil {
			return nil, fmt.Errorf("store: move task %s: %w", id, err)
		}
		if code(res) == codeOK {
			t.Status = MoveCancelled
		}
	}
	return t, nil
}

// scriptMoveTaskTakeOver gives a running task whose lease has passed to a
// new owner.
//
//	KEYS[1] the task's hash   ARGV[1] now   ARGV[2] the new owner
//	ARGV[3] the new lease (ms)
//
// Returns {OK} taken over, {CLOSED} when it is not running or its lease
// has not passed.
var scriptMoveTaskTakeOver = redis.NewScript(`
local st = redis.call('HMGET', KEYS[1], 'status', 'lease')
if st[1] ~= 'RUNNING' or tonumber(st[2] or '0') > tonumber(ARGV[1]) then return {2} end
redis.call('HSET', KEYS[1], 'owner', ARGV[2], 'lease', ARGV[3])
return {0}
`)

// QueueMoveTaskTakeOver gives the latest task of a source queue to owner
// when it is running and its lease has passed (its process stopped), and
// returns it; nil when there is none to take over.
func (c *Client) QueueMoveTaskTakeOver(ctx context.Context, source, owner string, lease, now time.Time) (*MoveTaskRecord, error) {
	if err := checkQueueName(source); err != nil {
		return nil, err
	}
	ids, err := c.rdb.ZRevRange(ctx, c.keys.QueueMoveTasksKey(source), 0, 0).Result()
	if err != nil {
		return nil, fmt.Errorf("store: move tasks of queue %s: %w", source, err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	key := c.keys.QueueMoveTaskKey(source, ids[0])
	res, err := scriptMoveTaskTakeOver.Run(ctx, c.rdb, []string{key}, now.UnixMilli(), owner, lease.UnixMilli()).Slice()
	if err != nil {
		return nil, fmt.Errorf("store: taking over move task %s: %w", ids[0], err)
	}
	if code(res) != codeOK {
		return nil, nil
	}
	return c.QueueMoveTask(ctx, source, ids[0], now)
}
