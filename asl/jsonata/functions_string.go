package jsonata

import (
	"encoding/base64"
	"math"
	"strings"
	"unicode/utf8"
)

func fnString(ev *evaluator, c *callCtx, args []any) (any, error) {
	v := arg(args, 0)
	if v == Undefined {
		return Undefined, nil
	}
	pretty, _ := arg(args, 1).(bool)
	s, err := stringValue(v, pretty)
	if err != nil {
		return nil, err
	}
	return s, nil
}

func fnLength(ev *evaluator, c *callCtx, args []any) (any, error) {
	s, ok := arg(args, 0).(string)
	if !ok {
		return Undefined, nil
	}
	return float64(utf8.RuneCountInString(s)), nil
}

// jsIndex converts a JavaScript slice index (truncated, negative from the
// end) to a rune offset clamped to [0, n].
func jsIndex(f float64, n int) int {
	if math.IsNaN(f) {
		return 0
	}
	f = math.Trunc(f)
	if f < 0 {
		f += float64(n)
		if f < 0 {
			return 0
		}
	}
	if f > float64(n) {
		return n
	}
	return int(f)
}

func fnSubstring(ev *evaluator, c *callCtx, args []any) (any, error) {
	s, ok := arg(args, 0).(string)
	if !ok {
		return Undefined, nil
	}
	runes := []rune(s)
	n := len(runes)
	start, _ := toNumber(arg(args, 1))
	if float64(n)+start < 0 {
		start = 0
	}
	if l, ok := toNumber(arg(args, 2)); ok {
		if l <= 0 {
			return "", nil
		}
		var end float64
		if start >= 0 {
			end = start + l
		} else {
			end = float64(n) + start + l
		}
		a, b := jsIndex(start, n), jsIndex(end, n)
		if b < a {
			return "", nil
		}
		return string(runes[a:b]), nil
	}
	return string(runes[jsIndex(start, n):]), nil
}

func fnSubstringBefore(ev *evaluator, c *callCtx, args []any) (any, error) {
	s, ok := arg(args, 0).(string)
	if !ok {
		return Undefined, nil
	}
	chars, _ := arg(args, 1).(string)
	if i := strings.Index(s, chars); i >= 0 {
		return s[:i], nil
	}
	return s, nil
}

func fnSubstringAfter(ev *evaluator, c *callCtx, args []any) (any, error) {
	s, ok := arg(args, 0).(string)
	if !ok {
		return Undefined, nil
	}
	chars, _ := arg(args, 1).(string)
	if i := strings.Index(s, chars); i >= 0 {
		return s[i+len(chars):], nil
	}
	return s, nil
}

func fnLowercase(ev *evaluator, c *callCtx, args []any) (any, error) {
	s, ok := arg(args, 0).(string)
	if !ok {
		return Undefined, nil
	}
	return strings.ToLower(s), nil
}

func fnUppercase(ev *evaluator, c *callCtx, args []any) (any, error) {
	s, ok := arg(args, 0).(string)
	if !ok {
		return Undefined, nil
	}
	return strings.ToUpper(s), nil
}

func fnTrim(ev *evaluator, c *callCtx, args []any) (any, error) {
	s, ok := arg(args, 0).(string)
	if !ok {
		return Undefined, nil
	}
	var b strings.Builder
	space := false
	for _, r := range s {
		if r == ' ' || r == '\t' || r == '\n' || r == '\r' {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String(), nil
}

func fnPad(ev *evaluator, c *callCtx, args []any) (any, error) {
	s, ok := arg(args, 0).(string)
	if !ok {
		return Undefined, nil
	}
	wf, _ := toNumber(arg(args, 1))
	width := int(math.Trunc(wf))
	char, _ := arg(args, 2).(string)
	if char == "" {
		char = " "
	}
	padLen := int(math.Abs(float64(width))) - utf8.RuneCountInString(s)
	if padLen <= 0 {
		return s, nil
	}
	if err := ev.charge(padLen); err != nil {
		return nil, err
	}
	padding := []rune(strings.Repeat(char, padLen))[:padLen]
	if width > 0 {
		return s + string(padding), nil
	}
	return string(padding) + s, nil
}

func fnContains(ev *evaluator, c *callCtx, args []any) (any, error) {
	s, ok := arg(args, 0).(string)
	if !ok {
		return Undefined, nil
	}
	switch p := arg(args, 1).(type) {
	case string:
		return strings.Contains(s, p), nil
	default:
		ms, err := ev.matches(c, p, s, 1)
		if err != nil {
			return nil, err
		}
		return len(ms) > 0, nil
	}
}

func fnSplit(ev *evaluator, c *callCtx, args []any) (any, error) {
	s, ok := arg(args, 0).(string)
	if !ok {
		return Undefined, nil
	}
	limit, err := limitArg(c, args, "D3020", "split")
	if err != nil {
		return nil, err
	}
	var parts []string
	switch sep := arg(args, 1).(type) {
	case string:
		if sep == "" {
			for _, r := range s {
				parts = append(parts, string(r))
			}
		} else {
			parts = strings.Split(s, sep)
		}
	default:
		ms, err := ev.matches(c, sep, s, limit)
		if err != nil {
			return nil, err
		}
		runes := []rune(s)
		start := 0
		for _, m := range ms {
			parts = append(parts, string(runes[start:m.start]))
			start = m.end
		}
		if limit < 0 || len(ms) < limit {
			parts = append(parts, string(runes[start:]))
		}
	}
	if limit >= 0 && len(parts) > limit {
		parts = parts[:limit]
	}
	out := make([]any, len(parts))
	for i, p := range parts {
		out[i] = p
	}
	return out, nil
}

func fnJoin(ev *evaluator, c *callCtx, args []any) (any, error) {
	items, ok := arrayItems(arg(args, 0))
	if !ok {
		return Undefined, nil
	}
	sep, _ := arg(args, 1).(string)
	strs := make([]string, len(items))
	for i, it := range items {
		strs[i], _ = it.(string)
	}
	return strings.Join(strs, sep), nil
}

func fnMatch(ev *evaluator, c *callCtx, args []any) (any, error) {
	s, ok := arg(args, 0).(string)
	if !ok {
		return Undefined, nil
	}
	limit, err := limitArg(c, args, "D3040", "match")
	if err != nil {
		return nil, err
	}
	ms, err := ev.matches(c, arg(args, 1), s, limit)
	if err != nil {
		return nil, err
	}
	out := newSeq(0)
	out.items = matchObjects(ms)
	return out, nil
}

func fnReplace(ev *evaluator, c *callCtx, args []any) (any, error) {
	s, ok := arg(args, 0).(string)
	if !ok {
		return Undefined, nil
	}
	pattern := arg(args, 1)
	replacement := arg(args, 2)
	if p, ok := pattern.(string); ok && p == "" {
		return nil, newError("D3010", c.pos, "replace", p)
	}
	limit := -1
	if l, ok := toNumber(arg(args, 3)); ok {
		if l < 0 {
			return nil, newError("D3011", c.pos, "replace", l)
		}
		limit = int(math.Floor(l))
	}
	if limit == 0 {
		return s, nil
	}
	if p, ok := pattern.(string); ok {
		rs, _ := replacement.(string)
		n := limit
		if n < 0 {
			n = -1
		}
		return strings.Replace(s, p, rs, n), nil
	}
	ms, err := ev.matches(c, pattern, s, limit)
	if err != nil {
		return nil, err
	}
	// A regex's matches carry byte offsets; a custom matcher's only
	// character offsets, which are converted through the runes.
	var runes []rune
	text := func(from, to int) string {
		if runes == nil {
			runes = []rune(s)
		}
		from, to = max(0, min(from, len(runes))), max(0, min(to, len(runes)))
		if from >= to {
			return ""
		}
		return string(runes[from:to])
	}
	var b strings.Builder
	pos, bytePos := 0, 0
	for _, m := range ms {
		if m.hasByteOff {
			b.WriteString(s[bytePos:m.byteStart])
		} else {
			b.WriteString(text(pos, m.start))
		}
		var with any
		if rs, ok := replacement.(string); ok {
			with = substitute(rs, m)
		} else {
			if with, err = ev.callFunction(replacement, c, m.object()); err != nil {
				return nil, err
			}
		}
		ws, ok := with.(string)
		if !ok {
			return nil, newError("D3012", c.pos, "replace", with)
		}
		b.WriteString(ws)
		pos, bytePos = m.end, m.byteEnd
	}
	if len(ms) > 0 && !ms[len(ms)-1].hasByteOff {
		b.WriteString(text(pos, math.MaxInt))
	} else {
		b.WriteString(s[bytePos:])
	}
	return b.String(), nil
}

// substitute expands $0 (the match), $n (group n) and $$ in a replacement
// string. A $ followed by more digits than there are groups uses the
// longest prefix that names a group.
func substitute(repl string, m regexMatch) string {
	var b strings.Builder
	i := 0
	for i < len(repl) {
		d := strings.IndexByte(repl[i:], '$')
		if d < 0 {
			break
		}
		b.WriteString(repl[i : i+d])
		i += d + 1
		if i >= len(repl) {
			b.WriteByte('$')
			break
		}
		switch c := repl[i]; {
		case c == '$':
			b.WriteByte('$')
			i++
		case c == '0':
			b.WriteString(m.match)
			i++
		case c >= '1' && c <= '9':
			maxDigits := 1
			if len(m.groups) > 0 {
				maxDigits = int(math.Floor(math.Log10(float64(len(m.groups))))) + 1
			}
			j := i
			for j < len(repl) && j-i < maxDigits && repl[j] >= '0' && repl[j] <= '9' {
				j++
			}
			idx := atoiDigits(repl[i:j])
			if maxDigits > 1 && idx > len(m.groups) && j-i > 1 {
				j--
				idx = atoiDigits(repl[i:j])
			}
			if idx >= 1 && idx <= len(m.groups) {
				if g, ok := m.groups[idx-1].(string); ok {
					b.WriteString(g)
				}
			}
			i = j
		default:
			b.WriteByte('$')
		}
	}
	if i < len(repl) {
		b.WriteString(repl[i:])
	}
	return b.String()
}

func atoiDigits(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// matches runs a regex, or a custom matcher function, over s, returning at
// most limit matches (all when limit < 0).
func (ev *evaluator) matches(c *callCtx, pattern any, s string, limit int) ([]regexMatch, error) {
	if rv, ok := pattern.(*regexValue); ok {
		ms := allMatches(rv.lit, s, limit)
		for i, m := range ms {
			if i > 0 && m.match == "" {
				return nil, newError("D1004", c.pos, rv.lit.source, rv.lit.source)
			}
		}
		if err := ev.charge(len(ms)); err != nil {
			return nil, err
		}
		return ms, nil
	}
	// a custom matcher: returns {match, start, end, groups, next}
	var out []regexMatch
	res, err := ev.callFunction(pattern, c, s)
	if err != nil {
		return nil, err
	}
	for res != Undefined && (limit < 0 || len(out) < limit) {
		if !isObject(res) {
			return nil, newError("T1010", c.pos, c.name, Undefined)
		}
		m, ok := matcherResult(res)
		if !ok {
			return nil, newError("T1010", c.pos, c.name, Undefined)
		}
		out = append(out, m)
		if err := ev.charge(1); err != nil {
			return nil, err
		}
		next, ok := objectGet(res, "next")
		if !ok || !isFunction(next) {
			break
		}
		if res, err = ev.apply(next, nil, c.input, c.env, nil); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// matcherResult reads the object a matcher function returns.
func matcherResult(o any) (regexMatch, bool) {
	match, ok1 := objectGet(o, "match")
	start, ok2 := objectGet(o, "start")
	end, ok3 := objectGet(o, "end")
	groups, _ := objectGet(o, "groups")
	ms, okm := match.(string)
	sf, oks := toNumber(start)
	ef, oke := toNumber(end)
	if !ok1 || !ok2 || !ok3 || !okm || !oks || !oke {
		return regexMatch{}, false
	}
	gs, _ := arrayItems(groups)
	if gs == nil {
		gs = []any{}
	}
	return regexMatch{match: ms, start: int(sf), end: int(ef), groups: gs}, true
}

// regexMatcher is the value of applying a regex to a string directly: the
// matcher-protocol object of its first match from offset.
func regexMatcher(lit *regexLiteral, s string, from int) any {
	ms := allMatches(lit, s, -1)
	for i, m := range ms {
		if m.start < from {
			continue
		}
		return matcherObject(lit, s, ms, i)
	}
	return Undefined
}

func matcherObject(lit *regexLiteral, s string, ms []regexMatch, i int) any {
	m := ms[i]
	o := NewObject(5)
	o.Set("match", m.match)
	o.Set("start", float64(m.start))
	o.Set("end", float64(m.end))
	o.Set("groups", m.groups)
	o.Set("next", &native{name: "next", arity: 0, fn: func(ev *evaluator, c *callCtx, args []any) (any, error) {
		if i+1 < len(ms) {
			return matcherObject(lit, s, ms, i+1), nil
		}
		return Undefined, nil
	}})
	return o
}

func fnBase64Encode(ev *evaluator, c *callCtx, args []any) (any, error) {
	s, ok := arg(args, 0).(string)
	if !ok {
		return Undefined, nil
	}
	return base64.StdEncoding.EncodeToString(latin1(s)), nil
}

func fnBase64Decode(ev *evaluator, c *callCtx, args []any) (any, error) {
	s, ok := arg(args, 0).(string)
	if !ok {
		return Undefined, nil
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		if b, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "=")); err != nil {
			return nil, errorf("D3137", c.pos, "Invalid base64 string")
		}
	}
	if utf8.Valid(b) {
		return string(b), nil
	}
	r := make([]rune, len(b))
	for i, x := range b {
		r[i] = rune(x)
	}
	return string(r), nil
}

// latin1 encodes s one byte per character when every character fits in a
// byte (as JavaScript's btoa does), and as UTF-8 otherwise.
func latin1(s string) []byte {
	out := make([]byte, 0, len(s))
	for _, r := range s {
		if r > 0xff {
			return []byte(s)
		}
		out = append(out, byte(r))
	}
	return out
}

// limitArg reads the optional third argument of $split and $match: a
// non-negative number of results, -1 when absent; code is the function's
// error for a negative one.
func limitArg(c *callCtx, args []any, code, name string) (int, error) {
	l, ok := toNumber(arg(args, 2))
	if !ok {
		return -1, nil
	}
	if l < 0 {
		return 0, newError(code, c.pos, name, l)
	}
	return int(math.Floor(l)), nil
}
