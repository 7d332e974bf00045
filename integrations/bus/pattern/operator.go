package pattern

import (
	"math"
	"sort"
	"strconv"
)

// The operators of a field's array: each compiled to conds, with AWS's
// checks and messages.

const errOneKey = "Only one key allowed in match expression"

// matchExpression compiles one operator object ({"prefix": "x"}, ...).
func matchExpression(n *jnode) ([]cond, *Error) {
	if len(n.members) == 0 {
		return nil, invalid("Match expression name not found")
	}
	name, v := n.members[0].key, n.members[0].val
	extra := len(n.members) > 1
	one := func(c cond) ([]cond, *Error) {
		if extra {
			return nil, invalid(errOneKey)
		}
		return []cond{c}, nil
	}
	switch name {
	case "exactly":
		if v.kind != jString {
			return nil, invalid("exact match pattern must be a string")
		}
		return one(cond{op: opExact, s: v.text})
	case "prefix", "suffix":
		plain, folded := opPrefix, opPrefixFold
		if name == "suffix" {
			plain, folded = opSuffix, opSuffixFold
		}
		switch v.kind {
		case jString:
			return one(cond{op: plain, s: v.text})
		case jObject:
			s, e := ignoreCaseOperand(name, v)
			if e != nil {
				return nil, e
			}
			return one(cond{op: folded, s: fold(s)})
		}
		return nil, invalid(name + " match pattern must be a string")
	case "equals-ignore-case":
		if v.kind != jString {
			return nil, invalid("equals-ignore-case match pattern must be a string")
		}
		return one(cond{op: opFold, s: fold(v.text)})
	case "wildcard":
		if v.kind != jString {
			return nil, invalid("wildcard match pattern must be a string")
		}
		w, e := parseWildcard(v.text)
		if e != nil {
			return nil, e
		}
		return one(cond{op: opWildcard, wc: w, s: wcString(w)})
	case "numeric":
		if v.kind != jArray {
			return nil, invalid("Value of numeric must be an array.")
		}
		c, e := numeric(v.elems)
		if e != nil {
			return nil, e
		}
		if extra {
			return nil, invalid("Too many elements in numeric expression")
		}
		return []cond{c}, nil
	case "anything-but":
		c, e := anythingBut(v)
		if e != nil {
			return nil, e
		}
		if extra {
			return nil, invalid("Too many elements in numeric expression")
		}
		return []cond{c}, nil
	case "exists":
		switch v.kind {
		case jTrue:
			return one(cond{op: opExists})
		case jFalse:
			return one(cond{op: opAbsent})
		}
		return nil, invalid("exists match pattern must be either true or false.")
	case "cidr":
		if v.kind != jString {
			// AWS's message for a cidr that is not a string.
			return nil, invalid("prefix match pattern must be a string")
		}
		p, e := parseCIDR(v.text)
		if e != nil {
			return nil, e
		}
		return one(cond{op: opCIDR, pfx: p})
	}
	return nil, invalid("Unrecognized match type " + name)
}

// ignoreCaseOperand reads {"equals-ignore-case": "x"} under prefix or
// suffix.
func ignoreCaseOperand(name string, v *jnode) (string, *Error) {
	if len(v.members) == 0 {
		return "", invalid("Match expression name not found")
	}
	k, iv := v.members[0].key, v.members[0].val
	if k != "equals-ignore-case" {
		return "", invalid("Unsupported " + name + " pattern: " + k)
	}
	if iv.kind != jString {
		return "", invalid("equals-ignore-case match pattern must be a string")
	}
	if len(v.members) > 1 {
		return "", invalid(errOneKey)
	}
	return iv.text, nil
}

// patternNumber reads a pattern's number as a comparable key.
func patternNumber(n *jnode) (int64, float64, *Error) {
	f, err := strconv.ParseFloat(n.text, 64)
	if err != nil || math.IsInf(f, 0) {
		return 0, 0, invalid(errNumberRange)
	}
	k, ok := floatKey(f)
	if !ok {
		return 0, 0, invalid(errNumberRange)
	}
	return k, f, nil
}

// numeric compiles {"numeric": [op, n]} and [>|>=, n, <|<=, m].
func numeric(a []*jnode) (cond, *Error) {
	if len(a) == 0 {
		return cond{}, invalid("Invalid member in numeric match: ]")
	}
	if a[0].kind != jString {
		return cond{}, invalid("Invalid member in numeric match: " + a[0].String())
	}
	op := a[0].text
	switch op {
	case "=", "<", "<=", ">", ">=":
	default:
		return cond{}, invalid("Unrecognized numeric range operator: " + op)
	}
	if len(a) < 2 || a[1].kind != jNumber {
		name := op
		if op == "=" {
			name = "equals"
		}
		return cond{}, invalid("Value of " + name + " must be numeric")
	}
	k, bottom, e := patternNumber(a[1])
	if e != nil {
		return cond{}, e
	}
	switch op {
	case "=":
		if len(a) > 2 {
			return cond{}, invalid("Too many elements in numeric expression")
		}
		return cond{op: opNumEq, lo: k}, nil
	case "<", "<=":
		if len(a) > 2 {
			return cond{}, invalid("Too many elements in numeric expression")
		}
		return cond{op: opRange, lo: keyMin, hi: k, hiOpen: op == "<"}, nil
	}
	c := cond{op: opRange, lo: k, loOpen: op == ">", hi: keyMax}
	if len(a) == 2 {
		return c, nil
	}
	if a[2].kind != jString {
		return cond{}, invalid("Bad value in numeric range: " + a[2].String())
	}
	op2 := a[2].text
	if op2 != "<" && op2 != "<=" {
		return cond{}, invalid("Bad numeric range operator: " + op2)
	}
	if len(a) < 4 || a[3].kind != jNumber {
		return cond{}, invalid("Value of " + op2 + " must be numeric")
	}
	hk, top, e := patternNumber(a[3])
	if e != nil {
		return cond{}, e
	}
	if len(a) > 4 {
		return cond{}, invalid("Too many terms in numeric range expression")
	}
	if bottom >= top {
		return cond{}, invalid("Bottom must be less than top")
	}
	c.hi, c.hiOpen = hk, op2 == "<"
	return c, nil
}

// anythingBut compiles the operand of anything-but.
func anythingBut(v *jnode) (cond, *Error) {
	switch v.kind {
	case jString:
		return cond{op: opNotStrings, set: []string{v.text}}, nil
	case jNumber:
		k, _, e := patternNumber(v)
		if e != nil {
			return cond{}, e
		}
		return cond{op: opNotNumbers, keys: []int64{k}}, nil
	case jArray:
		var strs []string
		var keys []int64
		for _, el := range v.elems {
			switch el.kind {
			case jString:
				strs = append(strs, el.text)
			case jNumber:
				k, _, e := patternNumber(el)
				if e != nil {
					return cond{}, e
				}
				keys = append(keys, k)
			default:
				return cond{}, invalid("Inside anything but list, start|null|boolean is not supported.")
			}
		}
		if (len(strs) > 0) == (len(keys) > 0) {
			return cond{}, invalid("Inside anything but list, either all values are number or string, mixed type is not supported")
		}
		if len(keys) > 0 {
			return cond{op: opNotNumbers, keys: sortedKeys(keys)}, nil
		}
		return cond{op: opNotStrings, set: sortedStrings(strs)}, nil
	case jObject:
		return anythingButObject(v)
	}
	return cond{}, invalid("Value of anything-but must be an array or single string/number value.")
}

func anythingButObject(v *jnode) (cond, *Error) {
	if len(v.members) == 0 {
		return cond{}, invalid("Anything-But expression name not found")
	}
	k, iv := v.members[0].key, v.members[0].val
	extra := len(v.members) > 1
	var c cond
	switch k {
	case "prefix", "suffix":
		// A string, or (as AWS accepts) a list of strings.
		var strs []string
		switch iv.kind {
		case jString:
			strs = []string{iv.text}
		case jArray:
			for _, el := range iv.elems {
				if el.kind != jString {
					return cond{}, invalid("prefix/suffix match pattern must be a string")
				}
				strs = append(strs, el.text)
			}
			if len(strs) == 0 {
				return cond{}, invalid("Empty arrays are not allowed")
			}
		default:
			return cond{}, invalid("prefix/suffix match pattern must be a string")
		}
		for _, x := range strs {
			if x == "" {
				return cond{}, invalid("Null prefix/suffix not allowed")
			}
		}
		c = cond{op: opNotPrefix, set: sortedStrings(strs)}
		if k == "suffix" {
			c.op = opNotSuffix
		}
	case "equals-ignore-case":
		var strs []string
		switch iv.kind {
		case jString:
			strs = []string{fold(iv.text)}
		case jArray:
			for _, el := range iv.elems {
				if el.kind != jString {
					return cond{}, invalid("Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.")
				}
				strs = append(strs, fold(el.text))
			}
			if len(strs) == 0 {
				return cond{}, invalid("Empty arrays are not allowed")
			}
		default:
			return cond{}, invalid("Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.")
		}
		c = cond{op: opNotFold, set: sortedStrings(strs)}
	case "wildcard":
		var ops []string
		switch iv.kind {
		case jString:
			ops = []string{iv.text}
		case jArray:
			for _, el := range iv.elems {
				if el.kind != jString {
					return cond{}, invalid("wildcard match pattern must be a string")
				}
				ops = append(ops, el.text)
			}
			if len(ops) == 0 {
				return cond{}, invalid("Empty arrays are not allowed")
			}
		default:
			return cond{}, invalid("wildcard match pattern must be a string")
		}
		c = cond{op: opNotWildcard}
		seen := map[string]bool{}
		for _, s := range ops {
			w, e := parseWildcard(s)
			if e != nil {
				return cond{}, e
			}
			if r := wcString(w); !seen[r] {
				seen[r] = true
				c.wcs = append(c.wcs, w)
			}
		}
		sort.Slice(c.wcs, func(i, j int) bool { return wcString(c.wcs[i]) < wcString(c.wcs[j]) })
	default:
		return cond{}, invalid("Unsupported anything-but pattern: " + k)
	}
	if extra {
		return cond{}, invalid(errOneKey)
	}
	return c, nil
}

func sortedStrings(s []string) []string {
	sort.Strings(s)
	out := s[:0]
	for i, x := range s {
		if i == 0 || x != s[i-1] {
			out = append(out, x)
		}
	}
	return out
}

func sortedKeys(k []int64) []int64 {
	sort.Slice(k, func(i, j int) bool { return k[i] < k[j] })
	out := k[:0]
	for i, x := range k {
		if i == 0 || x != k[i-1] {
			out = append(out, x)
		}
	}
	return out
}
