package jsonata

import (
	"math"
	"regexp"
	"strconv"
	"strings"
)

var (
	decimalNumber = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?([Ee][-+]?[0-9]+)?$`)
	prefixedInt   = regexp.MustCompile(`^(0[xX][0-9A-Fa-f]+|0[oO][0-7]+|0[bB][01]+)$`)
)

func fnNumber(ev *evaluator, c *callCtx, args []any) (any, error) {
	v := arg(args, 0)
	switch x := v.(type) {
	case undefinedType:
		return Undefined, nil
	case bool:
		if x {
			return 1.0, nil
		}
		return 0.0, nil
	case string:
		if decimalNumber.MatchString(x) {
			f, err := strconv.ParseFloat(x, 64)
			if err == nil && !math.IsInf(f, 0) {
				return f, nil
			}
		}
		if prefixedInt.MatchString(x) {
			base := map[byte]int{'x': 16, 'o': 8, 'b': 2}[x[1]|0x20]
			n, err := strconv.ParseUint(x[2:], base, 64)
			if err == nil {
				return float64(n), nil
			}
		}
		return nil, newError("D3030", c.pos, "number", x)
	}
	if f, ok := toNumber(v); ok {
		return f, nil
	}
	return nil, newError("D3030", c.pos, "number", v)
}

// numberArg returns a numeric argument, or ok=false when it is Undefined.
func numberArg(args []any, i int) (float64, bool) {
	return toNumber(arg(args, i))
}

func fnAbs(ev *evaluator, c *callCtx, args []any) (any, error) {
	f, ok := numberArg(args, 0)
	if !ok {
		return Undefined, nil
	}
	return math.Abs(f), nil
}

func fnFloor(ev *evaluator, c *callCtx, args []any) (any, error) {
	f, ok := numberArg(args, 0)
	if !ok {
		return Undefined, nil
	}
	return math.Floor(f), nil
}

func fnCeil(ev *evaluator, c *callCtx, args []any) (any, error) {
	f, ok := numberArg(args, 0)
	if !ok {
		return Undefined, nil
	}
	return math.Ceil(f), nil
}

// shiftDecimal multiplies f by 10^p exactly in decimal, as JSONata's $round
// does through the number's string form.
func shiftDecimal(f float64, p int) float64 {
	s := formatNumber(f)
	mant, exp := s, 0
	if i := strings.IndexByte(s, 'e'); i >= 0 {
		mant = s[:i]
		exp, _ = strconv.Atoi(s[i+1:])
	}
	r, err := strconv.ParseFloat(mant+"e"+strconv.Itoa(exp+p), 64)
	if err != nil {
		return f * math.Pow10(p)
	}
	return r
}

func fnRound(ev *evaluator, c *callCtx, args []any) (any, error) {
	f, ok := numberArg(args, 0)
	if !ok {
		return Undefined, nil
	}
	p := 0
	if pf, ok := numberArg(args, 1); ok {
		p = int(pf)
	}
	if p != 0 {
		f = shiftDecimal(f, p)
	}
	r := math.Floor(f + 0.5)
	if math.Abs(r-f) == 0.5 && math.Abs(math.Mod(r, 2)) == 1 {
		r--
	}
	if p != 0 {
		r = shiftDecimal(r, -p)
	}
	if r == 0 {
		r = 0 // no negative zero
	}
	return r, nil
}

func fnPower(ev *evaluator, c *callCtx, args []any) (any, error) {
	b, ok := numberArg(args, 0)
	if !ok {
		return Undefined, nil
	}
	e, _ := numberArg(args, 1)
	r := math.Pow(b, e)
	if math.IsInf(r, 0) || math.IsNaN(r) {
		err := &Error{Code: "D3061", Position: c.pos, Token: "power", Value: b}
		err.Message = err.render(map[string]any{"exp": e})
		return nil, err
	}
	return r, nil
}

func fnSqrt(ev *evaluator, c *callCtx, args []any) (any, error) {
	f, ok := numberArg(args, 0)
	if !ok {
		return Undefined, nil
	}
	if f < 0 {
		return nil, newError("D3060", c.pos, "sqrt", f)
	}
	return math.Sqrt(f), nil
}

func fnRandom(ev *evaluator, c *callCtx, args []any) (any, error) {
	if ev.random == nil {
		return nil, newError("U2001", c.pos, "random", Undefined)
	}
	return ev.random(), nil
}

// aggregation is the numbers of an aggregation argument: the items of an
// array, which the signature has checked are numbers, read in place
// without a copy; or one number.
type aggregation struct {
	items  []any
	single float64
	n      int
}

// aggregate reads v; ok is false when v is neither an array nor a number
// (the result is undefined).
func aggregate(v any) (a aggregation, ok bool) {
	if items, isArray := arrayItems(v); isArray {
		return aggregation{items: items, n: len(items)}, true
	}
	f, ok := toNumber(v)
	return aggregation{single: f, n: 1}, ok
}

func (a aggregation) at(i int) float64 {
	if a.items == nil {
		return a.single
	}
	f, _ := toNumber(a.items[i])
	return f
}

func (a aggregation) sum() float64 {
	total := 0.0
	for i := range a.n {
		total += a.at(i)
	}
	return total
}

// extreme is the greatest number (the least, when least is set).
func (a aggregation) extreme(least bool) float64 {
	m := a.at(0)
	for i := 1; i < a.n; i++ {
		if f := a.at(i); (f < m) == least && f != m {
			m = f
		}
	}
	return m
}

func fnSum(ev *evaluator, c *callCtx, args []any) (any, error) {
	a, ok := aggregate(arg(args, 0))
	if !ok {
		return Undefined, nil
	}
	return a.sum(), nil
}

func fnMax(ev *evaluator, c *callCtx, args []any) (any, error) {
	a, ok := aggregate(arg(args, 0))
	if !ok || a.n == 0 {
		return Undefined, nil
	}
	return a.extreme(false), nil
}

func fnMin(ev *evaluator, c *callCtx, args []any) (any, error) {
	a, ok := aggregate(arg(args, 0))
	if !ok || a.n == 0 {
		return Undefined, nil
	}
	return a.extreme(true), nil
}

func fnAverage(ev *evaluator, c *callCtx, args []any) (any, error) {
	a, ok := aggregate(arg(args, 0))
	if !ok || a.n == 0 {
		return Undefined, nil
	}
	return a.sum() / float64(a.n), nil
}

func fnFormatBase(ev *evaluator, c *callCtx, args []any) (any, error) {
	f, ok := numberArg(args, 0)
	if !ok {
		return Undefined, nil
	}
	radix := 10.0
	if r, ok := numberArg(args, 1); ok {
		radix = r
	}
	if radix < 2 || radix > 36 {
		return nil, newError("D3100", c.pos, "formatBase", radix)
	}
	f = roundHalfEven(f)
	neg := f < 0
	s := strconv.FormatUint(uint64(math.Abs(f)), int(radix))
	if neg {
		s = "-" + s
	}
	return s, nil
}

// roundHalfEven rounds to the nearest integer, ties to even.
func roundHalfEven(f float64) float64 {
	r := math.Floor(f + 0.5)
	if math.Abs(r-f) == 0.5 && math.Abs(math.Mod(r, 2)) == 1 {
		r--
	}
	return r
}
