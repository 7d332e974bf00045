package intrinsic

import "strings"

// evalStringSplit implements States.StringSplit(string, delimiters): the
// parts of the string between any of the delimiter characters, without
// empty parts (as Java's StringTokenizer splits).
func evalStringSplit(c *call, env *Env) (any, error) {
	a, b, err := c.args2(env)
	if err != nil {
		return nil, err
	}
	s, ok1 := a.(string)
	delims, ok2 := b.(string)
	if !ok1 || !ok2 {
		return nil, c.fn.invalid
	}
	var isDelim func(rune) bool
	if len(delims) == 1 {
		d := rune(delims[0])
		isDelim = func(r rune) bool { return r == d }
	} else {
		isDelim = func(r rune) bool { return strings.ContainsRune(delims, r) }
	}
	out := []any{}
	for part := range strings.FieldsFuncSeq(s, isDelim) {
		out = append(out, part)
	}
	return out, nil
}
