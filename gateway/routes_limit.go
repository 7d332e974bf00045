package gateway

import (
	"math"
	"sync"
	"time"
)

// routeLimiter is a route's rate limit: one token bucket per caller (API key,
// or client address), each holding up to burst tokens and refilled at rate
// tokens a second. Buckets live in this process: with several processes
// behind a balancer, each applies the limit on its own.
type routeLimiter struct {
	rate, burst float64
	now         func() time.Time

	mu      sync.Mutex
	buckets map[string]*tokenBucket
}

type tokenBucket struct {
	tokens float64
	last   time.Time
}

// maxTokenBuckets bounds the buckets kept: past it, the full ones (callers idle
// long enough to have refilled) are dropped, as a new bucket would be full.
const maxTokenBuckets = 10000

func newRouteLimiter(rl *RateLimit) *routeLimiter {
	return &routeLimiter{rate: rl.RequestsPerSecond, burst: float64(rl.Burst), now: time.Now, buckets: map[string]*tokenBucket{}}
}

// allow takes a token from caller's bucket; when there is none, it says
// how long until there is one.
func (l *routeLimiter) allow(caller string) (ok bool, retryAfter time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b := l.buckets[caller]
	if b == nil {
		if len(l.buckets) >= maxTokenBuckets {
			l.prune(now)
		}
		b = &tokenBucket{tokens: l.burst, last: now}
		l.buckets[caller] = b
	}
	if elapsed := now.Sub(b.last).Seconds(); elapsed > 0 {
		b.tokens = math.Min(l.burst, b.tokens+elapsed*l.rate)
		b.last = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
}

func (l *routeLimiter) prune(now time.Time) {
	for k, b := range l.buckets {
		if b.tokens+now.Sub(b.last).Seconds()*l.rate >= l.burst {
			delete(l.buckets, k)
		}
	}
}
