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

// Map runs. A Distributed Map's fork is a map run: its fields live in the
// execution's joins hash (keys.go), next to the fork's counters, so that
// the fork and join scripts keep them and they expire with the execution:
//
//	<fork>#run    the run's record (the runtime's JSON)
//	<fork>#limit  children running at a time    (read by each join)
//	<fork>#tc     tolerated failure count (-1)  (read by each join)
//	<fork>#tp     tolerated failure percentage  (read by each join)
//	<fork>#end    "<status>|<stop unix ms>|<results written>" once it ended
//	<fork>#ended  the items of the children ended (a chunk's child: all its items)
//	<fork>#maxc   the MaxConcurrency UpdateMapRun set last
//	#runs         the execution's map runs' fork ids, one a line
//
// Its counters are the fork's: #left (children not ended), #next (children
// started, may pass n), #failed, #done (joined).

// MapRun is a map run as the store holds it.
type MapRun struct {
	Fork   string
	Record []byte
	// Left, Next and Failed are the fork's counters; Done is set once the
	// fork has joined (all ended, or a failure past the tolerance, or a
	// redrive closed it).
	Left, Next, Failed int64
	Done               bool
	// Ended counts the items of the children ended (a child of a chunk
	// of items counts them all).
	Ended int64
	// MaxConcurrency is the last that UpdateMapRun set (-1: none).
	MaxConcurrency int64
	Limit          int64
	ToleratedCount int64
	ToleratedPct   float64
	// End is set once the run ended: its status, when, and how many
	// results its ResultWriter wrote.
	EndStatus      string
	EndDate        time.Time
	ResultsWritten int64
}

// MapRunGet returns a map run, or ErrNotFound.
func (c *Client) MapRunGet(ctx context.Context, execID, fork string) (*MapRun, error) {
	if err := checkID("execution id", execID); err != nil {
		return nil, err
	}
	v, err := c.hot.HMGet(ctx, c.keys.JoinKey(execID), fork+"#run", fork+"#left", fork+"#next", fork+"#failed",
		fork+"#done", fork+"#limit", fork+"#tc", fork+"#tp", fork+"#end", fork+"#ended", fork+"#maxc").Result()
	if err != nil {
		return nil, fmt.Errorf("store: map run %s of execution %s: %w", fork, execID, err)
	}
	rec, ok := v[0].(string)
	if !ok {
		return nil, fmt.Errorf("%w: map run %s of execution %s", ErrNotFound, fork, execID)
	}
	num := func(i int) int64 {
		s, _ := v[i].(string)
		n, _ := strconv.ParseInt(s, 10, 64)
		return n
	}
	r := &MapRun{Fork: fork, Record: []byte(rec), Left: num(1), Next: num(2), Failed: num(3), Done: v[4] != nil,
		Limit: num(5), ToleratedCount: num(6), Ended: num(9), MaxConcurrency: -1}
	if v[10] != nil {
		r.MaxConcurrency = num(10)
	}
	if s, ok := v[7].(string); ok {
		r.ToleratedPct, _ = strconv.ParseFloat(s, 64)
	}
	if s, ok := v[8].(string); ok {
		p := strings.SplitN(s, "|", 3)
		if len(p) != 3 {
			return nil, fmt.Errorf("%w: map run %s of execution %s ends %q", ErrCorrupt, fork, execID, s)
		}
		ms, _ := strconv.ParseInt(p[1], 10, 64)
		r.EndStatus, r.EndDate = p[0], time.UnixMilli(ms).UTC()
		r.ResultsWritten, _ = strconv.ParseInt(p[2], 10, 64)
	}
	return r, nil
}

// MapRunList returns the fork ids of an execution's map runs, in the order
// they started.
func (c *Client) MapRunList(ctx context.Context, execID string) ([]string, error) {
	if err := checkID("execution id", execID); err != nil {
		return nil, err
	}
	s, err := c.hot.HGet(ctx, c.keys.JoinKey(execID), "#runs").Result()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: map runs of execution %s: %w", execID, err)
	}
	return strings.Fields(s), nil
}

// MapRunEnd records how a map run ended. Writing it again (a join carried
// out twice) overwrites it.
func (c *Client) MapRunEnd(ctx context.Context, execID, fork, status string, stop time.Time, written int64) error {
	if err := checkID("execution id", execID); err != nil {
		return err
	}
	v := status + "|" + strconv.FormatInt(stop.UnixMilli(), 10) + "|" + strconv.FormatInt(written, 10)
	if err := c.hot.HSet(ctx, c.keys.JoinKey(execID), fork+"#end", v).Err(); err != nil {
		return fmt.Errorf("store: end of map run %s of execution %s: %w", fork, execID, err)
	}
	return nil
}

// MapRunUpdateParams change a running map run's bounds; nil leaves one as
// it is.
type MapRunUpdateParams struct {
	// Limit is the children running at a time; MaxConcurrency what the
	// caller asked, kept to be shown.
	Limit               *int
	MaxConcurrency      int
	ToleratedCount      *int
	ToleratedPercentage *float64
}

// scriptMapRunUpdate changes a map run's bounds while it runs.
//
//	KEYS[1] joins
//	ARGV[1] fork id  ARGV[2] limit ("" unchanged)  ARGV[3] tolerated count ("")
//	ARGV[4] tolerated percentage ("")  ARGV[5] the MaxConcurrency asked (shown)
//
// Returns {OK}; {NOT_FOUND} when there is no such map run; {CLOSED} when it
// has ended (its fork joined).
var scriptMapRunUpdate = redis.NewScript(`
local f = ARGV[1]
if redis.call('HEXISTS', KEYS[1], f .. '#run') == 0 then return {3} end
if redis.call('HEXISTS', KEYS[1], f .. '#done') == 1 then return {2} end
if ARGV[2] ~= '' then redis.call('HSET', KEYS[1], f .. '#limit', ARGV[2], f .. '#maxc', ARGV[5]) end
if ARGV[3] ~= '' then redis.call('HSET', KEYS[1], f .. '#tc', ARGV[3]) end
if ARGV[4] ~= '' then redis.call('HSET', KEYS[1], f .. '#tp', ARGV[4]) end
return {0}
`)

// MapRunUpdate changes a running map run's limit and tolerances: the
// joins that follow read them (a raised limit starts more children as
// running ones end). ErrNotFound without such a run, ErrClosed once it
// ended.
func (c *Client) MapRunUpdate(ctx context.Context, execID, fork string, p *MapRunUpdateParams) error {
	if err := checkID("execution id", execID); err != nil {
		return err
	}
	a := []any{fork, "", "", "", p.MaxConcurrency}
	if p.Limit != nil {
		if *p.Limit < 1 {
			return fmt.Errorf("%w: map run limit %d", ErrInvalid, *p.Limit)
		}
		a[1] = *p.Limit
	}
	if p.ToleratedCount != nil {
		a[2] = *p.ToleratedCount
	}
	if p.ToleratedPercentage != nil {
		a[3] = strconv.FormatFloat(*p.ToleratedPercentage, 'f', -1, 64)
	}
	res, err := scriptMapRunUpdate.Run(ctx, c.hot, []string{c.keys.JoinKey(execID)}, a...).Slice()
	if err != nil {
		return fmt.Errorf("store: update of map run %s of execution %s: %w", fork, execID, err)
	}
	switch code(res) {
	case codeOK:
		return nil
	case codeNotFound:
		return fmt.Errorf("%w: map run %s of execution %s", ErrNotFound, fork, execID)
	case codeClosed:
		return fmt.Errorf("%w: map run %s of execution %s has ended", ErrClosed, fork, execID)
	}
	return fmt.Errorf("%w: map run update script returned %v", ErrCorrupt, res)
}
