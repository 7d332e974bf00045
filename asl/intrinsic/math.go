package intrinsic

import "math"

// evalMathAdd implements States.MathAdd(a, b). Both numbers are rounded
// half up (Java's Math.round) and must lie, as must the sum, within
// [-2147483648, 2147483647].
func evalMathAdd(c *call, env *Env) (any, error) {
	a, b, err := c.args2(env)
	if err != nil {
		return nil, err
	}
	x, ok1 := toInt32Round(a)
	y, ok2 := toInt32Round(b)
	sum := x + y
	if !ok1 || !ok2 || sum < math.MinInt32 || sum > math.MaxInt32 {
		return nil, c.fn.invalid
	}
	return sum, nil
}

// evalMathRandom implements States.MathRandom(start, end[, seed]): an
// integer in [start, end). The bounds are truncated to integers. With a
// seed the result is that of Java's java.util.Random(seed).nextInt, and so
// repeatable; without one it is drawn from env.Rand.
func evalMathRandom(c *call, env *Env) (any, error) {
	vals, err := c.argsAll(env)
	if err != nil {
		return nil, err
	}
	start, ok1 := toInt32Trunc(vals[0])
	end, ok2 := toInt32Trunc(vals[1])
	if !ok1 || !ok2 || start >= end {
		return nil, c.fn.invalid
	}
	n := end - start // at most 2^32-1
	if len(vals) == 3 {
		seed, ok := toInt64Trunc(vals[2])
		if !ok {
			return nil, c.fn.invalid
		}
		return start + newJavaRandom(seed).intn(n), nil
	}
	if env.Rand == nil {
		return nil, errNoRandom
	}
	r := int64(env.Rand.Float64() * float64(n))
	return start + min(max(r, 0), n-1), nil
}

// javaRandom is java.util.Random: a 48-bit linear congruential generator.
type javaRandom struct{ seed int64 }

const (
	javaMultiplier = 0x5DEECE66D
	javaAddend     = 0xB
	javaMask       = 1<<48 - 1
)

func newJavaRandom(seed int64) *javaRandom {
	return &javaRandom{seed: (seed ^ javaMultiplier) & javaMask}
}

// next returns the next bits random bits, as Random.next(bits).
func (r *javaRandom) next(bits uint) int32 {
	r.seed = (r.seed*javaMultiplier + javaAddend) & javaMask
	return int32(r.seed >> (48 - bits))
}

// intn returns a number in [0, n). For n that fits in a Java int it is
// Random.nextInt(n); wider ranges draw whole ints until one falls inside.
func (r *javaRandom) intn(n int64) int64 {
	if n > math.MaxInt32 {
		for { // accepts at least half the draws
			if u := int64(uint32(r.next(32))); u < n {
				return u
			}
		}
	}
	bound := int32(n)
	v := r.next(31)
	m := bound - 1
	if bound&m == 0 { // a power of two
		return int64(int32((int64(bound) * int64(v)) >> 31))
	}
	for u := v; ; u = r.next(31) {
		v = u % bound
		if u-v+m >= 0 { // int32 overflow marks a draw to reject
			return int64(v)
		}
	}
}
