package gateway

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// routeLimiter is a route's rate limit: one token bucket per caller (API
// key, or client address), each holding up to burst tokens and refilled
// at rate tokens a second: golang.org/x/time/rate's Limiter, one per
// caller, driven by the injected clock. Buckets live in this process:
// with several processes behind a balancer, each applies the limit on its
// own.
type routeLimiter struct {
	rate  rate.Limit
	burst int
	now   func() time.Time

	mu      sync.Mutex
	buckets map[string]*rate.Limiter
}

// maxTokenBuckets bounds the buckets kept: past it, the full ones (callers idle
// long enough to have refilled) are dropped, as a new bucket would be full.
const maxTokenBuckets = 10000

// refused is the wait told to a caller of a route whose rate is zero: its
// burst spent, no token will come (Validate refuses such a route).
const refused = time.Hour

func newRouteLimiter(rl *RateLimit) *routeLimiter {
	return &routeLimiter{rate: rate.Limit(rl.RequestsPerSecond), burst: rl.Burst, now: time.Now, buckets: map[string]*rate.Limiter{}}
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
		b = rate.NewLimiter(l.rate, l.burst)
		l.buckets[caller] = b
	}
	r := b.ReserveN(now, 1)
	if !r.OK() {
		return false, refused
	}
	if wait := r.DelayFrom(now); wait > 0 {
		r.CancelAt(now) // the request is refused, not queued: its token goes back
		return false, wait
	}
	return true, 0
}

func (l *routeLimiter) prune(now time.Time) {
	for k, b := range l.buckets {
		if b.TokensAt(now) >= float64(l.burst) {
			delete(l.buckets, k)
		}
	}
}
