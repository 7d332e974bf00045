package pattern

import (
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Limits. AWS documents the first (the "Event pattern size" quota,
// 2,048 characters by default, adjustable to 4,096); the others bound
// work that AWS leaves to its parser and are chosen here.
const (
	// MaxPatternLength is the longest pattern, in characters.
	MaxPatternLength = 2048
	// MaxPatternDepth bounds the nesting of a pattern's JSON.
	MaxPatternDepth = 64
	// MaxBranches bounds the branches a pattern's $or expand to (each
	// $or multiplies the branches around it by its number of objects).
	MaxBranches = 256
)

const errPrefix = "Event pattern is not valid. Reason: "

func invalid(reason string) *Error { return &Error{Message: errPrefix + reason} }

// field is one leaf path of a branch and the values it may take (any).
type field struct {
	path   string
	conds  []cond // deduplicated, sorted by signature
	sig    string // the conds' signatures, joined: the field's identity
	absent bool   // one of the conds is exists:false
	pid    int32  // the path's id in its Pattern's filter
}

// branch is one way for an event to match: every field must.
type branch struct{ fields []field }

// reserved are the operator names that may not be field names inside
// $or (AWS: "... is Ruler reserved fieldName which cannot be used inside
// $or.").
var reserved = map[string]bool{
	"anything-but": true, "prefix": true, "suffix": true, "numeric": true,
	"cidr": true, "exists": true, "equals-ignore-case": true, "wildcard": true,
	"exactly": true,
}

// compile parses, validates and expands a pattern into its branches.
func compile(src string) ([]branch, error) {
	if utf8.RuneCountInString(src) > MaxPatternLength {
		return nil, invalid("Event pattern is longer than " + strconv.Itoa(MaxPatternLength) + " characters")
	}
	root, err := parseJSON(src, MaxPatternDepth)
	if err != nil {
		if err == errTooDeep {
			return nil, invalid("Filter nests deeper than " + strconv.Itoa(MaxPatternDepth) + " levels")
		}
		return nil, invalid("Filter is not valid JSON: " + err.Error())
	}
	if root.kind != jObject {
		return nil, invalid("Filter is not an object")
	}
	raw, e := object(root, "", [][]field{{}}, false)
	if e != nil {
		return nil, e
	}
	out := make([]branch, len(raw))
	for i, fs := range raw {
		out[i] = finish(fs)
	}
	return out, nil
}

// finish keeps the last field of each path (a later key replaces an
// earlier one, as at AWS) and orders the fields: the most selective
// first (exact values: source, detail-type), then the other positive
// operators, then those that match most values (anything-but, exists),
// each class by path. Any fixed order is correct; this one lets the
// Machine's branches part ways, and most of its walk stop, at the first
// edges.
func finish(fs []field) branch {
	byPath := make(map[string]int, len(fs))
	var out []field
	for _, f := range fs {
		if i, ok := byPath[f.path]; ok {
			out[i] = f
			continue
		}
		byPath[f.path] = len(out)
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool {
		ci, cj := out[i].class(), out[j].class()
		if ci != cj {
			return ci < cj
		}
		return out[i].path < out[j].path
	})
	return branch{fields: out}
}

// class ranks a field by how few values it accepts: 0 exact values of a
// top-level field (source, detail-type, account: the envelope fields
// rules route on), 1 exact values of a nested field, 2 other operators,
// 3 when one of its conds accepts most values (anything-but, exists).
func (f *field) class() int {
	c := 0
	if strings.Contains(f.path, ".") {
		c = 1
	}
	for i := range f.conds {
		switch f.conds[i].op {
		case opExact, opIP, opLiteral, opNumEq:
		case opPrefix, opSuffix, opFold, opPrefixFold, opSuffixFold, opWildcard, opCIDR, opRange:
			c = max(c, 2)
		default:
			return 3
		}
	}
	return c
}

// object adds the members of a pattern object (its keys under prefix) to
// every branch of in.
func object(n *jnode, prefix string, in [][]field, inOr bool) ([][]field, *Error) {
	if len(n.members) == 0 {
		return nil, invalid("Empty objects are not allowed")
	}
	bs := in
	for _, m := range n.members {
		var e *Error
		if m.key == "$or" {
			bs, e = or(m.val, prefix, bs)
			if e != nil {
				return nil, e
			}
			continue
		}
		if inOr && reserved[m.key] {
			return nil, invalid(m.key + " is Ruler reserved fieldName which cannot be used inside $or.")
		}
		switch m.val.kind {
		case jObject:
			bs, e = object(m.val, prefix+m.key+".", bs, inOr)
			if e != nil {
				return nil, e
			}
		case jArray:
			f, e := leafField(prefix+m.key, m.val)
			if e != nil {
				return nil, e
			}
			next := make([][]field, len(bs))
			for i, b := range bs {
				next[i] = append(b[:len(b):len(b)], f)
			}
			bs = next
		default:
			return nil, invalid(strconv.Quote(m.key) + " must be an object or an array")
		}
	}
	return bs, nil
}

// or expands "$or": each object of its array continues every branch of
// in.
func or(v *jnode, prefix string, in [][]field) ([][]field, *Error) {
	if v.kind != jArray {
		return nil, invalid("It must be an Array followed with $or.")
	}
	var out [][]field
	for _, el := range v.elems {
		if el.kind != jObject {
			return nil, invalid("Only JSON object is allowed in array of $or relationship.")
		}
		sub, e := object(el, prefix, in, true)
		if e != nil {
			return nil, e
		}
		out = append(out, sub...)
		if len(out) > MaxBranches {
			return nil, invalid("Rule is too complex - $or expands to more than " + strconv.Itoa(MaxBranches) + " combinations")
		}
	}
	if len(v.elems) < 2 {
		return nil, invalid("There must have at least 2 Objects in $or relationship.")
	}
	return out, nil
}

// leafField compiles a field's array of values and operators.
func leafField(path string, arr *jnode) (field, *Error) {
	if len(arr.elems) == 0 {
		return field{}, invalid("Empty arrays are not allowed")
	}
	var conds []cond
	for _, el := range arr.elems {
		switch el.kind {
		case jObject:
			cs, e := matchExpression(el)
			if e != nil {
				return field{}, e
			}
			conds = append(conds, cs...)
		case jString:
			conds = append(conds, cond{op: opExact, s: el.text})
			if a, ok := ipAddress(el.text); ok {
				conds = append(conds, cond{op: opIP, addr: a, s: a.String()})
			}
		case jNumber:
			// A number matches by value (3 is 3.0) when within AWS's range,
			// and by its text always (an account id beyond the range).
			conds = append(conds, cond{op: opLiteral, s: el.text})
			if k, ok := numberKey(el.text); ok {
				conds = append(conds, cond{op: opNumEq, lo: k})
			}
		case jTrue, jFalse, jNull:
			conds = append(conds, cond{op: opLiteral, s: el.String()})
		default:
			return field{}, invalid("Match value must be String, number, true, false, or null")
		}
	}
	// Deduplicate and order by signature: the field's identity.
	sigs := make(map[string]bool, len(conds))
	var keep []cond
	var ss []string
	for _, c := range conds {
		s := c.sig()
		if sigs[s] {
			continue
		}
		sigs[s] = true
		keep = append(keep, c)
		ss = append(ss, s)
	}
	idx := make([]int, len(keep))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(i, j int) bool { return ss[idx[i]] < ss[idx[j]] })
	f := field{path: path}
	parts := make([]string, len(idx))
	for i, k := range idx {
		f.conds = append(f.conds, keep[k])
		parts[i] = ss[k]
		if keep[k].op == opAbsent {
			f.absent = true
		}
	}
	f.sig = strings.Join(parts, "\x00")
	return f, nil
}

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
