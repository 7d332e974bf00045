package bench

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestParseRedisInfoCountsScriptsCommandsAndCPU(t *testing.T) {
	t0 := time.Unix(0, 0)
	a := parseRedisInfo("# Commandstats\r\ncmdstat_evalsha:calls=10,usec=50,usec_per_call=5.00\r\ncmdstat_xadd:calls=30,usec=1\r\ncmdstat_info:calls=7,usec=1\r\n# CPU\r\nused_cpu_sys:1.500000\r\nused_cpu_user:2.000000\r\nused_cpu_sys_children:9.0\r\n# Persistence\r\naof_rewrite_in_progress:0\r\naof_rewrites:2\r\n", t0)
	b := parseRedisInfo("cmdstat_evalsha:calls=30,usec=50\r\ncmdstat_fcall:calls=10,usec=1\r\ncmdstat_xadd:calls=70,usec=1\r\ncmdstat_info:calls=9,usec=1\r\nused_cpu_sys:1.600000\r\nused_cpu_user:2.100000\r\nused_cpu_sys_children:9.5\r\nused_cpu_user_children:0.25\r\naof_rewrite_in_progress:1\r\naof_rewrites:3\r\n", t0.Add(2*time.Second))
	require.Equal(t, redisSnapshot{at: t0, scriptCalls: 10, commands: 40, cpu: 3.5, childCPU: 9, rewrites: 2}, a)
	d := b.Sub(a)
	// one rewrite ended, one is under way: two begun
	require.Equal(t, redisDelta{elapsed: 2 * time.Second, scriptCalls: 30, commands: 70, cpu: b.cpu - a.cpu, childCPU: 0.75, rewrites: 2}, d)
	require.Equal(t, "Redis per start: 0.30 script calls, 0.7 commands, 2000.0 µs CPU; 15 script calls/s", d.Per(100, "start"))
}
