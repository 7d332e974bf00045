// Package clock is a synthetic source for TestClockViolations: every use
// of the clock or of the global random source below must be reported.
package clock

import (
	"math/rand"
	"time"
)

var started time.Time

func uses() {
	started = time.Now()
	_ = time.Since(started)
	time.Sleep(time.Second)
	<-time.After(time.Minute)
	_ = time.NewTicker(time.Hour)
	now := time.Now // a method value reads the clock when called
	_ = rand.Intn(10)
	_ = rand.Float64()
	_ = now
}

// allowed uses only what draws on no clock and no global source.
func allowed(r *rand.Rand) time.Time {
	_ = rand.New(rand.NewSource(1))
	_ = r.Intn(3)
	d := 3 * time.Second
	return time.Unix(0, 0).Add(d).UTC()
}
