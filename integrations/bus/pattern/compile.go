package pattern

import (
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
