package apidest

import (
	"context"

	"golang.org/x/time/rate"
)

// wait holds a call until its destination's InvocationRateLimitPerSecond
// lets it go. A token bucket of one second's calls: a quiet destination
// may take a second's worth at once, and no more than the limit a second
// over any longer span. An updated limit takes effect on the next call.
func (v *Invoker) wait(ctx context.Context, c *Call) error {
	if c.RateLimit <= 0 {
		return nil
	}
	v.mu.Lock()
	l := v.limiters[c.Destination]
	switch {
	case l == nil:
		l = rate.NewLimiter(rate.Limit(c.RateLimit), c.RateLimit)
		v.limiters[c.Destination] = l
	case l.Limit() != rate.Limit(c.RateLimit):
		l.SetLimit(rate.Limit(c.RateLimit))
		l.SetBurst(c.RateLimit)
	}
	v.mu.Unlock()
	return l.Wait(ctx)
}
