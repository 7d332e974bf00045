package bench

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// redisStats reads what a Redis server did from its INFO: calls per
// command (commandstats), the CPU its process used, and its AOF rewrites
// with their children's CPU.
type redisStats struct{ rdb *redis.Client }

// redisSnapshot is one reading of INFO; a difference of two is what
// happened between them.
type redisSnapshot struct {
	at          time.Time
	scriptCalls int64   // EVAL, EVALSHA, FCALL and their read-only forms
	commands    int64   // every command but INFO, those run by scripts included
	cpu         float64 // seconds of user and system CPU of the server process
	// childCPU is the seconds of CPU of the server's ended children (its
	// AOF rewrites and RDB saves: forks writing the whole dataset, beside
	// the server's process, which cpu leaves out); rewrites counts the AOF
	// rewrites begun since the server started.
	childCPU float64
	rewrites int64
}

func newRedisStats(redisURL string) (*redisStats, error) {
	opts, err := redis.ParseURL(redisURL)
	if err != nil {
		return nil, fmt.Errorf("reading the server's INFO needs a redis:// URL: %w", err)
	}
	return &redisStats{rdb: redis.NewClient(opts)}, nil
}

func (s *redisStats) Close() error { return s.rdb.Close() }

func (s *redisStats) Read(ctx context.Context) (redisSnapshot, error) {
	info, err := s.rdb.Info(ctx, "commandstats", "cpu", "persistence").Result()
	if err != nil {
		return redisSnapshot{}, fmt.Errorf("INFO: %w", err)
	}
	return parseRedisInfo(info, time.Now()), nil
}

// parseRedisInfo reads the lines "cmdstat_<name>:calls=N,...",
// "used_cpu_sys:" / "used_cpu_user:", their "_children" forms and
// "aof_rewrites:" (with "aof_rewrite_in_progress:", a rewrite under way
// counting as begun).
func parseRedisInfo(info string, at time.Time) redisSnapshot {
	snap := redisSnapshot{at: at}
	for line := range strings.SplitSeq(info, "\n") {
		line = strings.TrimSpace(line)
		if name, rest, ok := strings.Cut(line, ":"); ok {
			switch {
			case strings.HasPrefix(name, "cmdstat_"):
				cmd := strings.TrimPrefix(name, "cmdstat_")
				calls, _ := strings.CutPrefix(strings.Split(rest, ",")[0], "calls=")
				n, err := strconv.ParseInt(calls, 10, 64)
				if err != nil || cmd == "info" {
					continue
				}
				snap.commands += n
				switch cmd {
				case "eval", "evalsha", "eval_ro", "evalsha_ro", "fcall", "fcall_ro":
					snap.scriptCalls += n
				}
			case name == "used_cpu_sys" || name == "used_cpu_user":
				if f, err := strconv.ParseFloat(rest, 64); err == nil {
					snap.cpu += f
				}
			case name == "used_cpu_sys_children" || name == "used_cpu_user_children":
				if f, err := strconv.ParseFloat(rest, 64); err == nil {
					snap.childCPU += f
				}
			case name == "aof_rewrites" || name == "aof_rewrite_in_progress":
				if n, err := strconv.ParseInt(rest, 10, 64); err == nil {
					snap.rewrites += n
				}
			}
		}
	}
	return snap
}

// Sub is what happened from earlier to s.
func (s redisSnapshot) Sub(earlier redisSnapshot) redisDelta {
	return redisDelta{
		elapsed:     s.at.Sub(earlier.at),
		scriptCalls: s.scriptCalls - earlier.scriptCalls,
		commands:    s.commands - earlier.commands,
		cpu:         s.cpu - earlier.cpu,
		childCPU:    s.childCPU - earlier.childCPU,
		rewrites:    s.rewrites - earlier.rewrites,
	}
}

type redisDelta struct {
	elapsed     time.Duration
	scriptCalls int64
	commands    int64
	cpu         float64
	// childCPU counts the children that ended between the two readings: a
	// rewrite under way at the second is counted in rewrites, and its CPU
	// in the next delta's
	childCPU float64
	rewrites int64
}

// CPUPer is the delta's Redis CPU per unit of work, in µs.
func (d redisDelta) CPUPer(units int) float64 {
	if units <= 0 {
		return 0
	}
	return 1e6 * d.cpu / float64(units)
}

// Per renders the delta per unit of work (a start, a transition): script
// calls, Redis commands and Redis CPU per unit, then script calls per
// second over the delta.
func (d redisDelta) Per(units int, unit string) string {
	if units <= 0 || d.elapsed <= 0 {
		return "no work"
	}
	u := float64(units)
	return fmt.Sprintf("Redis per %s: %.2f script calls, %.1f commands, %.1f µs CPU; %.0f script calls/s",
		unit, float64(d.scriptCalls)/u, float64(d.commands)/u, 1e6*d.cpu/u, float64(d.scriptCalls)/d.elapsed.Seconds())
}
