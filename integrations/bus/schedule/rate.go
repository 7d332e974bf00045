package schedule

import (
	"strconv"
	"strings"
	"time"
)

// rate is rate(value unit): a tick every value units, counted from the
// rule's creation. AWS: "If the value is equal to 1, then the unit must be
// singular. If the value is greater than 1, the unit must be plural"
// (Schedule expressions for rules, "Rate expressions").
type rate struct {
	every int64 // seconds
}

// maxRateValue bounds value so that value*unit in seconds fits easily in
// an int64 (2^31-1 days is 1.9e14 s); AWS documents no upper bound.
const maxRateValue = 1<<31 - 1

var rateUnits = map[string]struct {
	seconds  int64
	singular bool
}{
	"minute": {60, true}, "minutes": {60, false},
	"hour": {3600, true}, "hours": {3600, false},
	"day": {86400, true}, "days": {86400, false},
}

func parseRate(body string) (*rate, error) {
	f := strings.Split(body, " ")
	if len(f) != 2 {
		return nil, invalid()
	}
	n, err := strconv.ParseInt(f[0], 10, 64)
	if err != nil || n <= 0 || n > maxRateValue || f[0][0] == '+' || f[0][0] == '0' {
		return nil, invalid()
	}
	u, ok := rateUnits[f[1]]
	if !ok || u.singular != (n == 1) {
		return nil, invalid()
	}
	return &rate{every: n * u.seconds}, nil
}

// next is the first anchor + k*every (k >= 1) strictly after after,
// computed in whole seconds (a tick keeps the anchor's sub-second part).
func (r *rate) next(anchor, after time.Time) time.Time {
	k := int64(1)
	if after.After(anchor) {
		k = (after.Unix()-anchor.Unix())/r.every + 1
	}
	// The sub-second parts move the answer by at most one step either way.
	for k > 1 && r.at(anchor, k-1).After(after) {
		k--
	}
	for !r.at(anchor, k).After(after) {
		k++
	}
	return r.at(anchor, k)
}

func (r *rate) at(anchor time.Time, k int64) time.Time {
	return time.Unix(anchor.Unix()+k*r.every, int64(anchor.Nanosecond())).UTC()
}
