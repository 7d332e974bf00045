package pattern

import (
	"math"
	"strconv"
)

// Numbers are compared as AWS's matcher compares them: a double within
// -5e9..5e9, turned into an integer key by key = int64(1e6 * (5e9 + f)),
// so comparisons are precise to six digits after the decimal point (the
// digits beyond are truncated, not rounded) and 3, 3.0 and 3e0 are one
// number. A number outside the range has no key: it can still equal a
// pattern's number by its text (an AWS account id, say), never by value.
const (
	numberLimit = 5e9
	// errNumberRange is AWS's message, Java's rendering of the bounds
	// included.
	errNumberRange = "Value must be between -5.0E9 and 5.0E9, inclusive"
)

// numberKey returns the comparable key of a JSON number's text, and
// whether it has one.
func numberKey(text string) (int64, bool) {
	f, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsNaN(f) {
		return 0, false
	}
	return floatKey(f)
}

func floatKey(f float64) (int64, bool) {
	if f < -numberLimit || f > numberLimit {
		return 0, false
	}
	return int64(1e6 * (numberLimit + f)), true
}

// Range bounds beyond every key stand for "no bound".
const (
	keyMin = math.MinInt64
	keyMax = math.MaxInt64
)
