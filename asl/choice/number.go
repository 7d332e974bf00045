package choice

import (
	"encoding/json"
	"math"
	"strconv"
)

// number is a JSON number: an integer kept exact, or a float.
type number struct {
	i     int64
	f     float64
	isInt bool
}

// toNumber returns v as a number, and false when v is not a JSON number.
// Decoded JSON holds int64 and float64; json.Number (integers too large
// for int64) and Go's int are accepted too.
func toNumber(v any) (number, bool) {
	switch x := v.(type) {
	case int64:
		return number{i: x, isInt: true}, true
	case float64:
		return number{f: x}, true
	case int:
		return number{i: int64(x), isInt: true}, true
	case json.Number:
		if i, err := strconv.ParseInt(string(x), 10, 64); err == nil {
			return number{i: i, isInt: true}, true
		}
		f, err := strconv.ParseFloat(string(x), 64)
		if err != nil && !isRangeError(err) {
			return number{}, false
		}
		return number{f: f}, true
	}
	return number{}, false
}

func isRangeError(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// String formats the number as JSON would.
func (n number) String() string {
	if n.isInt {
		return strconv.FormatInt(n.i, 10)
	}
	return strconv.FormatFloat(n.f, 'g', -1, 64)
}

// compareNumbers returns -1, 0 or 1 as a is less than, equal to or greater
// than b, exactly (no rounding of large integers), or unordered for NaN.
func compareNumbers(a, b number) int {
	switch {
	case a.isInt && b.isInt:
		return compareInts(a.i, b.i)
	case a.isInt:
		return compareIntFloat(a.i, b.f)
	case b.isInt:
		c := compareIntFloat(b.i, a.f)
		if c == unordered {
			return c
		}
		return -c
	default:
		return compareFloats(a.f, b.f)
	}
}

func compareInts(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func compareFloats(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	case a == b:
		return 0
	}
	return unordered
}

// twoTo63 is 2^63, the first float64 above every int64.
const twoTo63 = float64(1 << 63)

// compareIntFloat compares an integer with a float without converting the
// integer to float64, which would round integers above 2^53.
func compareIntFloat(i int64, f float64) int {
	switch {
	case math.IsNaN(f):
		return unordered
	case f >= twoTo63:
		return -1
	case f < -twoTo63:
		return 1
	}
	t := math.Trunc(f) // exactly representable as int64 here
	if c := compareInts(i, int64(t)); c != 0 {
		return c
	}
	switch frac := f - t; {
	case frac > 0:
		return -1
	case frac < 0:
		return 1
	}
	return 0
}
